package mastery

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// traceSet follows one student through a LogisticModel with plain slices,
// as the store or the bench would.
type traceSet struct {
	student StudentTrace
	traces  []StandardTrace
}

func (s *traceSet) query(fit *LogisticFitResult, r TraceResponse) *LogisticQuery {
	q := &LogisticQuery{Student: &s.student, Related: func(k int64) *StandardTrace {
		if t := &s.traces[k]; t.N() > 0 {
			return t
		}
		return nil
	}}
	if fit != nil && fit.Items[r.Item].Responses > 0 {
		q.Item = &fit.Items[r.Item]
	}
	for _, k := range r.Standards {
		ts := TracedStandard{Trace: &s.traces[k]}
		if fit != nil {
			ts.Weights = &fit.Standards[k]
		}
		q.Standards = append(q.Standards, ts)
	}
	return q
}

func TestLogisticUpdateTraces(t *testing.T) {
	m := &LogisticModel{Decay: 0.7, Ability: DefaultAbilityParams()}
	s := &traceSet{traces: make([]StandardTrace, 2)}
	const a, b = 0, 1
	for _, r := range []TraceResponse{
		{Standards: []int32{a}, Correct: true},
		{Standards: []int32{a}, Correct: false},
		{Standards: []int32{b}, Correct: true},
		{Standards: []int32{a}, Correct: true},
	} {
		m.Update(s.query(nil, r), r.Correct)
	}
	// Newest outcome in the lowest bit: right, right, wrong, right = 0b1011.
	if got, want := s.student.Tally, (Tally{Successes: 3, Failures: 1, Recent: 0b1011, Average: (0.7*0.7+0.3)*0.7 + 0.3}); math.Abs(got.Average-want.Average) > 1e-12 || got.Recent != want.Recent || got.N() != 4 {
		t.Errorf("student tally %+v, want %+v", got, want)
	}
	ta, tb := s.traces[a], s.traces[b]
	if ta.Successes != 2 || ta.Failures != 1 || ta.Recent != 0b101 || ta.LastSeen != 4 {
		t.Errorf("trace A %+v, want 2 right, 1 wrong, recent 101, last seen at 4", ta)
	}
	// B came between, so A's run restarted with its last response.
	if ta.RunSuccesses != 1 || ta.RunFailures != 0 || !ta.inRun(&s.student) {
		t.Errorf("trace A run %d/%d (in run %v), want 1/0 and in a run", ta.RunSuccesses, ta.RunFailures, ta.inRun(&s.student))
	}
	if tb.inRun(&s.student) || tb.LastSeen != 3 || tb.Ability.N != 1 {
		t.Errorf("trace B %+v should be out of its run, last seen at 3, with one ability update", tb)
	}
	if s.student.Ability.N != 4 || ta.Ability.N != 3 {
		t.Errorf("ability counts %d and %d, want 4 and 3", s.student.Ability.N, ta.Ability.N)
	}
}

// simulateTrace draws students answering items whose chance of success
// grows with practice on the item's standard and on the standard before
// it (a related standard), in runs of five items per standard. The items
// are the same whatever the seed; the students differ.
func simulateTrace(students int, seed uint64) (*TraceData, []float64) {
	const items, standards = 80, 8
	itemRNG := rand.New(rand.NewPCG(0, 0))
	easy := make([]float64, items)
	for i := range easy {
		easy[i] = 1.2 * itemRNG.NormFloat64()
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &TraceData{Items: items, Standards: standards + 1} // the last standard is never used
	for range students {
		ability := rng.NormFloat64()
		right := make([]int, standards)
		d.Starts = append(d.Starts, len(d.Responses))
		for run := range 8 {
			k := (run + rng.IntN(2)) % standards
			for range 5 {
				i := k + standards*rng.IntN(items/standards)
				z := ability + easy[i] + 0.5*math.Log1p(float64(right[k]))
				if k > 0 {
					z += 0.4 * math.Log1p(float64(right[k-1]))
				}
				c := rng.Float64() < Sigmoid(z-0.8)
				if c {
					right[k]++
				}
				d.Responses = append(d.Responses, TraceResponse{Item: int32(i), Standards: []int32{int32(k)}, Correct: c})
			}
		}
	}
	return d, easy
}

// heldOut scores a fitted model on other students, predicting each
// response before observing it.
func heldOut(fit *LogisticFitResult, d *TraceData) Scores {
	var p []float64
	var y []bool
	for s := range d.Students() {
		ts := &traceSet{traces: make([]StandardTrace, d.Standards)}
		for _, r := range d.Student(s) {
			q := ts.query(fit, r)
			p = append(p, fit.Model.PredictCorrect(q))
			y = append(y, r.Correct)
			fit.Model.Update(q, r.Correct)
		}
	}
	return Score(p, y)
}

func TestFitLogisticModel(t *testing.T) {
	train, easy := simulateTrace(400, 1)
	test, _ := simulateTrace(300, 2)
	ctx := context.Background()
	full, err := FitLogisticModel(ctx, train, LogisticOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fit: %d iterations, converged %v", full.Iterations, full.Converged)
	t.Run("deterministic", func(t *testing.T) {
		// Few iterations are enough to show that the workers do not
		// change the result.
		first, err := FitLogisticModel(ctx, train, LogisticOptions{Seed: 3, MaxIter: 15})
		if err != nil {
			t.Fatal(err)
		}
		again, err := FitLogisticModel(ctx, train, LogisticOptions{Seed: 3, MaxIter: 15, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Errorf("a second fit differs (-first +second):\n%s", diff)
		}
	})
	t.Run("item easiness", func(t *testing.T) {
		got := make([]float64, len(full.Items))
		for i, it := range full.Items {
			got[i] = it.Easiness - it.Rating
		}
		if rho := spearman(easy, got); rho < 0.8 {
			t.Errorf("rank correlation of fitted with true easiness = %.3f, want at least 0.8", rho)
		}
	})
	t.Run("related standards", func(t *testing.T) {
		// Standard 3 is helped by standard 2 in the simulation.
		var found bool
		for _, r := range full.Standards[3].Related {
			if r.Standard == 2 {
				found = true
				if r.Success <= 0 {
					t.Errorf("slope of standard 2's right answers on standard 3 = %v, want above 0", r.Success)
				}
			}
		}
		if !found {
			t.Errorf("standard 3's related standards %+v lack standard 2", full.Standards[3].Related)
		}
		if unused := full.Standards[8]; unused.Responses != 0 || unused.Easiness != 0 || len(unused.Related) != 0 {
			t.Errorf("a standard without responses has weights %+v", unused)
		}
	})
	t.Run("online replay matches the fit", func(t *testing.T) {
		// Without cross-fitting and with a negligible penalty, replaying the
		// training students online must give exactly the loss the fit
		// minimised: the features learnt from are the features used.
		fit, err := FitLogisticModel(ctx, train, LogisticOptions{Folds: 1, L2: 1e-12, ItemL2: 1e-12, RelatedL2: 1e-12, MaxIter: 20})
		if err != nil {
			t.Fatal(err)
		}
		if got := heldOut(fit, train).LogLoss; math.Abs(got-fit.Objective) > 1e-7 {
			t.Errorf("online log-loss on the training students %.9f, fit objective %.9f", got, fit.Objective)
		}
	})
	t.Run("features pay their way", func(t *testing.T) {
		pfa, err := FitLogisticModel(ctx, train, LogisticOptions{Features: FeaturesPFA})
		if err != nil {
			t.Fatal(err)
		}
		f, p := heldOut(full, test), heldOut(pfa, test)
		t.Logf("held-out AUC: full %.4f, PFA %.4f", f.AUC, p.AUC)
		if f.AUC <= p.AUC+0.02 || f.LogLoss >= p.LogLoss {
			t.Errorf("full model AUC %.4f log-loss %.4f does not beat PFA's %.4f %.4f", f.AUC, f.LogLoss, p.AUC, p.LogLoss)
		}
	})
}

// smallFit is one fit shared by the tests that only need some model.
var smallFit = sync.OnceValues(func() (*LogisticFitResult, error) {
	train, _ := simulateTrace(150, 4)
	return FitLogisticModel(context.Background(), train, LogisticOptions{MaxIter: 50})
})

func TestLogisticUnseenItemFallsBackToStandard(t *testing.T) {
	fit, err := smallFit()
	if err != nil {
		t.Fatal(err)
	}
	train := &TraceData{Standards: len(fit.Standards)}
	s := &traceSet{traces: make([]StandardTrace, train.Standards)}
	r := TraceResponse{Item: 0, Standards: []int32{0}}
	q := s.query(fit, r)
	q.Item = nil
	unseen := fit.Model.PredictCorrect(q)
	q.Item = &ItemWeights{Rating: fit.Standards[0].Rating, Responses: 1}
	if level := fit.Model.PredictCorrect(q); math.Abs(unseen-level) > 1e-12 {
		t.Errorf("unseen item predicts %v, an item at the standard's level %v", unseen, level)
	}
	q.Standards[0].Weights = nil
	if p := fit.Model.PredictCorrect(q); math.IsNaN(p) || p <= 0 || p >= 1 {
		t.Errorf("unseen standard predicts %v", p)
	}
}

func TestLogisticOnlineDoesNotAllocate(t *testing.T) {
	fit, err := smallFit()
	if err != nil {
		t.Fatal(err)
	}
	train := &TraceData{Standards: len(fit.Standards)}
	s := &traceSet{traces: make([]StandardTrace, train.Standards)}
	q := s.query(fit, TraceResponse{Item: 3, Standards: []int32{3, 4}})
	allocs := testing.AllocsPerRun(200, func() {
		_ = fit.Model.PredictCorrect(q)
		fit.Model.Update(q, true)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per prediction and update, want 0", allocs)
	}
}

func TestLogisticModelJSON(t *testing.T) {
	fit, err := smallFit()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(fit.Model)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"abilityLogit":`) {
		t.Errorf("weights are not keyed by name: %s", b)
	}
	var back LogisticModel
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fit.Model, back); diff != "" {
		t.Errorf("round trip (-before +after):\n%s", diff)
	}
	if err := json.Unmarshal([]byte(`{"weights":{"shoeSize":1}}`), &back); err == nil {
		t.Error("an unknown feature name was accepted")
	}
	st := StandardTrace{Tally: Tally{Successes: 2, Recent: 3, Average: 0.9}, Ability: Ability{Mean: 0.4, Var: 0.2, N: 2}, LastSeen: 5, RunSuccesses: 2}
	b, _ = json.Marshal(st)
	var st2 StandardTrace
	if err := json.Unmarshal(b, &st2); err != nil || st2 != st {
		t.Errorf("StandardTrace round trip gave %+v (%v) from %s", st2, err, b)
	}
}

func TestTraceDataValidate(t *testing.T) {
	tests := []struct {
		name string
		d    TraceData
	}{
		{"item out of range", TraceData{Items: 1, Standards: 1, Starts: []int{0}, Responses: []TraceResponse{{Item: 1, Standards: []int32{0}}}}},
		{"standard out of range", TraceData{Items: 1, Standards: 1, Starts: []int{0}, Responses: []TraceResponse{{Item: 0, Standards: []int32{-1}}}}},
		{"starts out of order", TraceData{Items: 1, Standards: 1, Starts: []int{1, 0}, Responses: []TraceResponse{{}, {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := FitLogisticModel(context.Background(), &tt.d, LogisticOptions{}); err == nil {
				t.Error("FitLogisticModel accepted bad data")
			}
		})
	}
}

func TestFeaturesString(t *testing.T) {
	if got, want := FeaturesPFA.String(), "standard+counts"; got != want {
		t.Errorf("FeaturesPFA = %q, want %q", got, want)
	}
}

var logisticSink float64

// BenchmarkLogisticOnline measures what the store does per piece of
// evidence on one standard: predict, then update.
func BenchmarkLogisticOnline(b *testing.B) {
	train, _ := simulateTrace(300, 7)
	fit, err := FitLogisticModel(context.Background(), train, LogisticOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s := &traceSet{traces: make([]StandardTrace, train.Standards)}
	qs := make([]*LogisticQuery, 8)
	for k := range qs {
		qs[k] = s.query(fit, TraceResponse{Item: int32(k), Standards: []int32{int32(k)}})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := qs[i&7]
		logisticSink += fit.Model.PredictCorrect(q)
		fit.Model.Update(q, i%3 != 0)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evidence/s")
}
