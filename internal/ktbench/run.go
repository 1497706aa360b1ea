package ktbench

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
)

// model is one knowledge-tracing model as the bench runs it: fitted once on
// the training students, then followed through each test student.
type model interface {
	// fit fits the model to train; notes are things worth telling the
	// reader about the fit (degenerate skills, for example).
	fit(ctx context.Context, train *Dataset, seed uint64) (notes []string, err error)
	// newTracer returns a tracer for the students of d, which shares the
	// training data's vocabulary.
	newTracer(d *Dataset) tracer
}

// tracer follows one student at a time through their responses.
type tracer interface {
	// reset forgets the student followed so far.
	reset()
	// predict returns the probability that r is right, from what was
	// observed of the student before it.
	predict(r *Response) float64
	// observe updates the student's state with r.
	observe(r *Response)
}

// modelSpec is a model the bench knows by name.
type modelSpec struct {
	name, summary string
	make          func() model
}

// Models lists the models the bench can run, in the order it runs them.
func Models() []string {
	names := make([]string, 0, len(specs()))
	for _, s := range specs() {
		names = append(names, s.name)
	}
	return names
}

// ModelSummaries returns one line per model: its name and what it is.
func ModelSummaries() []string {
	var lines []string
	for _, s := range specs() {
		lines = append(lines, fmt.Sprintf("%-10s %s", s.name, s.summary))
	}
	return lines
}

func specs() []modelSpec {
	return []modelSpec{
		{"bkt", "Bayesian Knowledge Tracing per skill, fitted by EM", func() model { return &bktModel{} }},
		{"bkt-forget", "BKT with a forget parameter", func() model { return &bktModel{opt: mastery.BKTFitOptions{Forget: true}} }},
		{"elo", "ability model alone: Elo ratings with uncertainty, per student and skill", func() model { return &eloModel{} }},
		{"pfa", "performance factors analysis: skill easiness and skill-specific count slopes", func() model {
			return &logisticModel{opt: mastery.LogisticOptions{Features: mastery.FeaturesPFA}}
		}},
		{"best-lr", "Best-LR of Gervet et al. (2020) without time windows", func() model {
			return &logisticModel{opt: mastery.LogisticOptions{Features: mastery.FeaturesBestLR}}
		}},
		{"logistic", "cairn's logistic model: every feature group", func() model {
			return &logisticModel{opt: mastery.LogisticOptions{Features: mastery.FeaturesFull}}
		}},
	}
}

// Config is what Run measures.
type Config struct {
	// Train and Test are response files: fit on Train, score on Test.
	Train, Test string
	// Data with Folds (2 or more) runs student-level cross-validation on
	// one file instead: the students are shuffled with Seed and cut into
	// Folds parts; each part is scored by models fitted on the others.
	Data  string
	Folds int
	// Seed seeds everything random (EM restarts, fold assignment): the
	// same files, models and seed give the same scores.
	Seed uint64
	// Models names the models to run (see Models); empty means all.
	Models []string
	// SkillSeparators split a multi-skill skill_id (see Vocab); empty
	// means DefaultSkillSeparators.
	SkillSeparators string
	// WholeSkillIDs treats every skill_id as one skill, never split.
	WholeSkillIDs bool
	// Open opens a file by name; nil means os.Open.
	Open func(name string) (io.ReadCloser, error)
	// Now tells the time for the fit and prediction rates; nil means
	// time.Now.
	Now func() time.Time
}

// Result is one model's scores.
type Result struct {
	Model  string
	Scores mastery.Scores
	// FoldAUCs are the AUC of each fold in cross-validation.
	FoldAUCs []float64
	// Fit is the time spent fitting (summed over folds).
	Fit time.Duration
	// PredictionsPerSecond is how many test responses one goroutine
	// predicted and then observed per second.
	PredictionsPerSecond float64
	// Notes are remarks on the fit (of the first fold, in
	// cross-validation).
	Notes []string
}

// Run reads the files cfg names, fits and scores every model, and writes a
// table of results to stdout and progress to stderr.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	results, desc, err := Measure(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	WriteResults(stdout, desc, results)
	return nil
}

// Measure is Run without the table: it returns each model's results and a
// line describing the data.
func Measure(ctx context.Context, cfg Config, progress io.Writer) ([]Result, string, error) {
	if cfg.Open == nil {
		cfg.Open = openFile
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.WholeSkillIDs:
		cfg.SkillSeparators = ""
	case cfg.SkillSeparators == "":
		cfg.SkillSeparators = DefaultSkillSeparators
	}
	chosen, err := chooseModels(cfg.Models)
	if err != nil {
		return nil, "", err
	}
	bar := newBar(progress, cfg.Now)
	vocab := NewVocab(cfg.SkillSeparators)
	read := func(name string) (*Dataset, error) {
		f, err := cfg.Open(name)
		if err != nil {
			return nil, fmt.Errorf("opening response file: %w", err)
		}
		defer f.Close()
		return Read(f, name, vocab)
	}
	type split struct{ train, test *Dataset }
	var splits []split
	var desc string
	switch {
	case cfg.Data != "" && (cfg.Train != "" || cfg.Test != ""):
		return nil, "", problem.Invalid("data", "give either --data with --folds, or --train and --test, not both")
	case cfg.Data != "":
		if cfg.Folds < 2 {
			return nil, "", problem.Invalid("folds", "%d folds: cross-validation needs at least 2", cfg.Folds)
		}
		all, err := read(cfg.Data)
		if err != nil {
			return nil, "", err
		}
		if len(all.Students) < cfg.Folds {
			return nil, "", problem.Invalid("folds", "%d folds but only %d students in %s", cfg.Folds, len(all.Students), cfg.Data)
		}
		for k, f := range Folds(len(all.Students), cfg.Folds, cfg.Seed) {
			splits = append(splits, split{
				train: all.Subset(fmt.Sprintf("%s without fold %d", cfg.Data, k+1), f.Train),
				test:  all.Subset(fmt.Sprintf("%s fold %d", cfg.Data, k+1), f.Test),
			})
		}
		desc = fmt.Sprintf("%s: %d responses, %d students, %d items, %d skills; %d-fold student-level cross-validation, seed %d",
			cfg.Data, len(all.Responses), len(all.Students), len(vocab.Items), len(vocab.Skills), cfg.Folds, cfg.Seed)
	case cfg.Train != "" && cfg.Test != "":
		train, err := read(cfg.Train)
		if err != nil {
			return nil, "", err
		}
		test, err := read(cfg.Test)
		if err != nil {
			return nil, "", err
		}
		splits = append(splits, split{train, test})
		desc = fmt.Sprintf("train %s: %d responses, %d students; test %s: %d responses, %d students; %d items, %d skills; seed %d",
			cfg.Train, len(train.Responses), len(train.Students), cfg.Test, len(test.Responses), len(test.Students),
			len(vocab.Items), len(vocab.Skills), cfg.Seed)
	default:
		return nil, "", problem.Invalid("train", "give --train and --test files, or --data with --folds")
	}

	var results []Result
	for _, spec := range chosen {
		res := Result{Model: spec.name}
		var preds []float64
		var outcomes []bool
		var predictTime time.Duration
		for k, sp := range splits {
			stage := spec.name
			if len(splits) > 1 {
				stage = fmt.Sprintf("%s fold %d", spec.name, k+1)
			}
			m := spec.make()
			bar.start(stage+" fit", 0)
			t0 := cfg.Now()
			notes, err := m.fit(ctx, sp.train, cfg.Seed)
			if err != nil {
				bar.done()
				return nil, "", fmt.Errorf("%s: %w", spec.name, err)
			}
			res.Fit += cfg.Now().Sub(t0)
			bar.done()
			if k == 0 {
				res.Notes = notes
			}
			p, dt, err := evaluate(ctx, m, sp.test, bar, stage+" test")
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", spec.name, err)
			}
			predictTime += dt
			y := outcomesOf(sp.test)
			if len(splits) > 1 {
				res.FoldAUCs = append(res.FoldAUCs, mastery.AUC(p, y))
			}
			preds, outcomes = append(preds, p...), append(outcomes, y...)
		}
		res.Scores = mastery.Score(preds, outcomes)
		if predictTime > 0 {
			res.PredictionsPerSecond = float64(len(preds)) / predictTime.Seconds()
		}
		results = append(results, res)
	}
	return results, desc, nil
}

// openFile is the default Config.Open.
func openFile(name string) (io.ReadCloser, error) { return os.Open(name) }

func chooseModels(names []string) ([]modelSpec, error) {
	all := specs()
	if len(names) == 0 {
		return all, nil
	}
	var chosen []modelSpec
	for _, n := range names {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(all, func(s modelSpec) bool { return s.name == n })
		if i < 0 {
			return nil, problem.Invalid("models", "%q is not one of %s", n, strings.Join(Models(), ", "))
		}
		if !slices.ContainsFunc(chosen, func(s modelSpec) bool { return s.name == n }) {
			chosen = append(chosen, all[i])
		}
	}
	return chosen, nil
}

func outcomesOf(d *Dataset) []bool {
	y := make([]bool, len(d.Responses))
	for i, r := range d.Responses {
		y[i] = r.Correct
	}
	return y
}

// evaluate predicts every response of d, each from the same student's
// earlier responses only, observing it right after: what a live system
// sees. It runs on one goroutine, so that the rate it returns is per core.
func evaluate(ctx context.Context, m model, d *Dataset, bar *bar, stage string) ([]float64, time.Duration, error) {
	preds := make([]float64, len(d.Responses))
	t := m.newTracer(d)
	bar.start(stage, len(d.Responses))
	defer bar.done()
	began := bar.now()
	for i, st := range d.Students {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
			bar.set(st.Start)
		}
		t.reset()
		for j := st.Start; j < st.End; j++ {
			r := &d.Responses[j]
			preds[j] = t.predict(r)
			t.observe(r)
		}
	}
	bar.set(len(d.Responses))
	return preds, bar.now().Sub(began), nil
}

// Fold is one part of a cross-validation: the students (indexes) to fit
// on and to test on.
type Fold struct{ Train, Test []int }

// Folds shuffles n students with seed and cuts them into k folds of nearly
// equal size.
func Folds(n, k int, seed uint64) []Fold {
	perm := rand.New(rand.NewPCG(seed, 0x6b74)).Perm(n)
	folds := make([]Fold, k)
	for f := range folds {
		lo, hi := f*n/k, (f+1)*n/k
		folds[f].Test = slices.Clone(perm[lo:hi])
		folds[f].Train = append(slices.Clone(perm[:lo]), perm[hi:]...)
		slices.Sort(folds[f].Test)
		slices.Sort(folds[f].Train)
	}
	return folds
}

// WriteResults writes the results as a table, then each model's notes.
func WriteResults(w io.Writer, desc string, results []Result) {
	fmt.Fprintln(w, desc)
	fmt.Fprintf(w, "machine: %d CPU(s), %s/%s, %s\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tAUC\tRMSE\taccuracy\tlog-loss\tfit\tpredictions/s\t")
	for _, r := range results {
		auc := fmt.Sprintf("%.4f", r.Scores.AUC)
		if len(r.FoldAUCs) > 1 {
			auc += fmt.Sprintf(" ±%.4f", stddev(r.FoldAUCs))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.4f\t%s\t%s\t\n", r.Model, auc, r.Scores.RMSE, r.Scores.Accuracy,
			r.Scores.LogLoss, r.Fit.Round(time.Millisecond), rate(r.PredictionsPerSecond))
	}
	tw.Flush()
	for _, r := range results {
		for _, n := range r.Notes {
			fmt.Fprintf(w, "%s: %s\n", r.Model, n)
		}
	}
}

func stddev(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	var mean, ss float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return math.Sqrt(ss / float64(len(v)-1))
}

func rate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.0fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}
