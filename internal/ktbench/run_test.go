package ktbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cairn-learning/cairn/internal/problem"
)

// synthetic writes a response file of students whose chance of success
// depends on their ability, the item and their practice on its skill.
// Items and skills are the same for every seed; students differ. One item
// in ten is tagged with two skills.
func synthetic(students int, seed uint64, header bool) string {
	const items, skills = 60, 6
	itemRNG := rand.New(rand.NewPCG(1, 1))
	easy := make([]float64, items)
	for i := range easy {
		easy[i] = itemRNG.NormFloat64()
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	var b strings.Builder
	if header {
		b.WriteString("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n")
	}
	for s := range students {
		ability := rng.NormFloat64()
		practice := make([]int, skills)
		for n := range 30 {
			k := (n/5 + s) % skills
			i := k + skills*rng.IntN(items/skills)
			skill := fmt.Sprint(k)
			if i%10 == 0 {
				skill = fmt.Sprintf("%d_%d", k, (k+1)%skills)
			}
			z := ability + easy[i] + 0.5*math.Log1p(float64(practice[k]))
			c := 0
			if rng.Float64() < 1/(1+math.Exp(-z)) {
				c = 1
				practice[k]++
			}
			fmt.Fprintf(&b, "s%d-%d\tq%d\t%d\t%d\t%s\n", seed, s, i, n, c, skill)
		}
	}
	return b.String()
}

// files returns a Config.Open serving the given contents by name.
func files(contents map[string]string) func(string) (io.ReadCloser, error) {
	return func(name string) (io.ReadCloser, error) {
		c, ok := contents[name]
		if !ok {
			return nil, fmt.Errorf("open %s: %w", name, os.ErrNotExist)
		}
		return io.NopCloser(strings.NewReader(c)), nil
	}
}

func testConfig() Config {
	return Config{
		Train: "train.tsv", Test: "test.tsv", Seed: 1,
		Open: files(map[string]string{"train.tsv": synthetic(300, 1, true), "test.tsv": synthetic(100, 2, false)}),
	}
}

// ignoreTiming drops what depends on the machine from results.
var ignoreTiming = cmpopts.IgnoreFields(Result{}, "Fit", "PredictionsPerSecond")

func TestRunTrainTest(t *testing.T) {
	var out, progress bytes.Buffer
	if err := Run(context.Background(), testConfig(), &out, &progress); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range append([]string{"AUC", "RMSE", "accuracy", "log-loss", "predictions/s", "test test.tsv: 3000 responses, 100 students"}, Models()...) {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	results, _, err := Measure(context.Background(), testConfig(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(Models()) {
		t.Fatalf("%d results for %d models", len(results), len(Models()))
	}
	for _, r := range results {
		if r.Scores.N != 3000 {
			t.Errorf("%s scored %d responses, want 3000", r.Model, r.Scores.N)
		}
		if !(r.Scores.AUC > 0.6) || math.IsNaN(r.Scores.LogLoss) || r.PredictionsPerSecond <= 0 {
			t.Errorf("%s: %+v, %v predictions/s: want AUC above 0.6 on data with this much signal", r.Model, r.Scores, r.PredictionsPerSecond)
		}
	}
	if r := results[len(results)-1]; r.Model != "logistic" || r.Scores.AUC < results[0].Scores.AUC {
		t.Errorf("logistic AUC %.4f is below BKT's %.4f", r.Scores.AUC, results[0].Scores.AUC)
	}
}

func TestRunReproducible(t *testing.T) {
	for _, name := range []string{"train and test", "folds"} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig()
			if name == "folds" {
				cfg = Config{Data: "all.tsv", Folds: 3, Seed: 7, Models: []string{"bkt-forget", "pfa", "elo"},
					Open: files(map[string]string{"all.tsv": synthetic(150, 3, true)})}
			}
			a, descA, err := Measure(context.Background(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			b, descB, err := Measure(context.Background(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, b, ignoreTiming, cmpopts.EquateNaNs()); diff != "" || descA != descB {
				t.Errorf("two runs with seed %d differ (-first +second):\n%s", cfg.Seed, diff)
			}
		})
	}
}

func TestRunFolds(t *testing.T) {
	cfg := Config{Data: "all.tsv", Folds: 3, Seed: 7, Models: []string{"bkt", "logistic"},
		Open: files(map[string]string{"all.tsv": synthetic(150, 3, true)})}
	results, desc, err := Measure(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(desc, "3-fold student-level cross-validation") {
		t.Errorf("description %q does not say how it was measured", desc)
	}
	for _, r := range results {
		if len(r.FoldAUCs) != 3 || r.Scores.N != 150*30 {
			t.Errorf("%s: %d fold AUCs over %d responses, want 3 over %d", r.Model, len(r.FoldAUCs), r.Scores.N, 150*30)
		}
	}
	var out bytes.Buffer
	WriteResults(&out, desc, results)
	if !strings.Contains(out.String(), "±") {
		t.Errorf("cross-validation output lacks the spread of the fold AUCs:\n%s", out.String())
	}
}

func TestFolds(t *testing.T) {
	folds := Folds(10, 3, 1)
	seen := map[int]int{}
	for _, f := range folds {
		if len(f.Test)+len(f.Train) != 10 {
			t.Errorf("fold %+v does not cover 10 students", f)
		}
		for _, s := range f.Test {
			seen[s]++
		}
	}
	if len(seen) != 10 {
		t.Errorf("students tested: %v, want each of 10 once", seen)
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("student %d is tested %d times", s, n)
		}
	}
	if !cmp.Equal(folds, Folds(10, 3, 1)) || cmp.Equal(folds, Folds(10, 3, 2)) {
		t.Error("folds do not follow the seed")
	}
}

func TestRunErrors(t *testing.T) {
	good := synthetic(5, 1, true)
	tests := []struct {
		name string
		cfg  Config
		want string
		kind error
	}{
		{"unknown model", Config{Train: "a", Test: "b", Models: []string{"bkt", "dkt"}}, `"dkt" is not one of bkt, bkt-forget`, problem.ErrInvalid},
		{"nothing to read", Config{}, "give --train and --test", problem.ErrInvalid},
		{"both modes", Config{Train: "a", Test: "b", Data: "c", Folds: 5}, "not both", problem.ErrInvalid},
		{"one fold", Config{Data: "c", Folds: 1}, "at least 2", problem.ErrInvalid},
		{"more folds than students", Config{Data: "a", Folds: 9}, "only 5 students", problem.ErrInvalid},
		{"missing file", Config{Train: "a", Test: "nope.csv"}, "nope.csv", os.ErrNotExist},
		{"bad file", Config{Train: "a", Test: "bad"}, "bad, line 3: correct is \"7\"", problem.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Open = files(map[string]string{"a": good, "b": good, "bad": "u,i,0,1,s\nu,i,0,1,s\nu,i,0,7,s\n"})
			_, _, err := Measure(context.Background(), tt.cfg, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.kind) {
				t.Errorf("err = %v, want one containing %q that is %v", err, tt.want, tt.kind)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Measure(ctx, testConfig(), io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// spy is a model that checks, at each prediction, that it has observed
// exactly the student's earlier responses, in order.
type spy struct {
	t        *testing.T
	d        *Dataset
	seen     []int // indexes of responses observed since reset
	student  int
	predicts int
}

func (s *spy) fit(context.Context, *Dataset, uint64) ([]string, error) { return nil, nil }
func (s *spy) newTracer(d *Dataset) tracer                             { s.d = d; return s }
func (s *spy) reset()                                                  { s.seen = s.seen[:0]; s.student = -1 }

func (s *spy) index(r *Response) int {
	for i := range s.d.Responses {
		if &s.d.Responses[i] == r {
			return i
		}
	}
	s.t.Fatalf("response %+v is not in the test data", r)
	return -1
}

func (s *spy) predict(r *Response) float64 {
	i := s.index(r)
	s.predicts++
	var st Student
	for _, x := range s.d.Students {
		if i >= x.Start && i < x.End {
			st = x
		}
	}
	var want []int
	for j := st.Start; j < i; j++ {
		want = append(want, j)
	}
	if !cmp.Equal(s.seen, want, cmpopts.EquateEmpty()) {
		s.t.Errorf("predicting response %d, the model had observed %v, want exactly %v", i, s.seen, want)
	}
	return 0.5
}

func (s *spy) observe(r *Response) { s.seen = append(s.seen, s.index(r)) }

func TestEvaluateSeesOnlyEarlierResponses(t *testing.T) {
	d, err := Read(strings.NewReader(synthetic(4, 9, false)+"s9-0\tq1\t99\t1\t0\n"), "x", NewVocab(DefaultSkillSeparators))
	if err != nil {
		t.Fatal(err)
	}
	m := &spy{t: t}
	p, _, err := evaluate(context.Background(), m, d, newBar(io.Discard, time.Now), "spy")
	if err != nil {
		t.Fatal(err)
	}
	if m.predicts != len(d.Responses) || len(p) != len(d.Responses) {
		t.Errorf("%d predictions of %d responses", m.predicts, len(d.Responses))
	}
}
