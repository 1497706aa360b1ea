package mastery

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestBKTUpdate(t *testing.T) {
	p := BKTParams{Prior: 0.4, Learn: 0.1, Guess: 0.2, Slip: 0.1}
	// Right: P(L|right) = .4·.9/(.4·.9+.6·.2) = .75, then .75+.25·.1.
	// Wrong: P(L|wrong) = .4·.1/(.4·.1+.6·.8) = 1/13, then 1/13+12/13·.1.
	tests := []struct {
		name    string
		correct bool
		want    float64
	}{
		{"right", true, 0.775},
		{"wrong", false, 1.0/13 + 12.0/13*0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Update(BKTState{}, tt.correct)
			if math.Abs(got.PMastered-tt.want) > 1e-12 || got.N != 1 {
				t.Errorf("Update = %+v, want PMastered %v, N 1", got, tt.want)
			}
		})
	}
	t.Run("forget", func(t *testing.T) {
		p := p
		p.Forget = 0.2
		got := p.Update(BKTState{}, true) // .75 mastered, keeps .8 of it
		if want := 0.75*0.8 + 0.25*0.1; math.Abs(got.PMastered-want) > 1e-12 {
			t.Errorf("PMastered = %v, want %v", got.PMastered, want)
		}
	})
}

func TestBKTZeroStateUsesPrior(t *testing.T) {
	p := BKTParams{Prior: 0.4, Learn: 0.1, Guess: 0.2, Slip: 0.1}
	if got := p.Mastery(BKTState{}); got != 0.4 {
		t.Errorf("Mastery(zero) = %v, want the prior 0.4", got)
	}
	if got, want := p.PredictCorrect(BKTState{}), 0.4*0.9+0.6*0.2; math.Abs(got-want) > 1e-12 {
		t.Errorf("PredictCorrect(zero) = %v, want %v", got, want)
	}
	// A state with evidence ignores the prior.
	if got := p.Mastery(BKTState{PMastered: 0.9, N: 3}); got != 0.9 {
		t.Errorf("Mastery = %v, want 0.9", got)
	}
}

func TestBKTReplay(t *testing.T) {
	p := DefaultBKTParams()
	seq := []bool{false, true, true, false, true, true, true}
	var want BKTState
	for _, c := range seq {
		want = p.Update(want, c)
	}
	if got := p.Replay(seq); got != want {
		t.Errorf("Replay = %+v, want %+v", got, want)
	}
}

func TestBKTImpossibleResponse(t *testing.T) {
	// With no chance of mastery and no guessing, a right answer is
	// impossible; the state must stay a probability.
	p := BKTParams{Prior: 0, Learn: 0, Guess: 0, Slip: 0.1}
	got := p.Update(BKTState{}, true)
	if math.IsNaN(got.PMastered) || got.PMastered != 0 {
		t.Errorf("PMastered = %v, want 0", got.PMastered)
	}
}

func TestBKTValidate(t *testing.T) {
	tests := []struct {
		name   string
		p      BKTParams
		fields []string
	}{
		{"default", DefaultBKTParams(), nil},
		{"guess too high", BKTParams{Prior: 0.5, Learn: 0.1, Guess: 0.6, Slip: 0.1}, []string{"guess"}},
		{"negative learn, NaN prior", BKTParams{Prior: math.NaN(), Learn: -0.1, Guess: 0.2, Slip: 0.1}, []string{"prior", "learn"}},
		{"slip and forget", BKTParams{Prior: 0.5, Learn: 0.1, Guess: 0.2, Slip: 0.7, Forget: 2}, []string{"forget", "slip"}},
		{"coin toss", BKTParams{Prior: 0.5, Learn: 0.1, Guess: 0.5, Slip: 0.5}, []string{"guess"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			var got []string
			var ie *problem.InvalidError
			if errors.As(err, &ie) {
				for _, f := range ie.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatalf("Validate = %v, not an InvalidError", err)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// simulateBKT draws students' responses from BKT with parameters p.
func simulateBKT(p BKTParams, students, length int, seed uint64) *BKTSequences {
	rng := rand.New(rand.NewPCG(seed, 7))
	var s BKTSequences
	seq := make([]bool, length)
	for range students {
		mastered := rng.Float64() < p.Prior
		for i := range seq {
			if mastered {
				seq[i] = rng.Float64() >= p.Slip
				mastered = rng.Float64() >= p.Forget
			} else {
				seq[i] = rng.Float64() < p.Guess
				mastered = rng.Float64() < p.Learn
			}
		}
		s.Add(seq...)
	}
	return &s
}

// TestFitBKTRecoversParameters generates data from known parameters and
// checks that EM finds them again: within 0.03 for every parameter with
// 3,000 students of 20 responses each (about ten standard errors at this
// size, so the test is not flaky, yet far below any error that would
// matter).
func TestFitBKTRecoversParameters(t *testing.T) {
	tests := []struct {
		name string
		true BKTParams
		opt  BKTFitOptions
	}{
		{"classic", BKTParams{Prior: 0.3, Learn: 0.15, Guess: 0.2, Slip: 0.1}, BKTFitOptions{}},
		{"hard standard", BKTParams{Prior: 0.1, Learn: 0.05, Guess: 0.25, Slip: 0.15}, BKTFitOptions{}},
		{"with forgetting", BKTParams{Prior: 0.4, Learn: 0.2, Guess: 0.15, Slip: 0.1, Forget: 0.05}, BKTFitOptions{Forget: true}},
	}
	const tol = 0.03
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := simulateBKT(tt.true, 3000, 20, 11)
			tt.opt.MaxIter, tt.opt.Tolerance = 200, 1e-8
			fit := FitBKT(data, tt.opt)
			got, want := fit.Params, tt.true
			t.Logf("true %+v\nfit  %+v", want, got)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"prior", got.Prior, want.Prior}, {"learn", got.Learn, want.Learn}, {"guess", got.Guess, want.Guess},
				{"slip", got.Slip, want.Slip}, {"forget", got.Forget, want.Forget}} {
				if math.Abs(c.got-c.want) > tol {
					t.Errorf("%s = %.4f, want %.4f ± %g (fit %+v)", c.name, c.got, c.want, tol, got)
				}
			}
			if fit.Responses != 60000 || fit.Students != 3000 {
				t.Errorf("counted %d responses of %d students, want 60000 of 3000", fit.Responses, fit.Students)
			}
			// The fitted parameters explain the data at least as well as
			// the true ones.
			var st bktStats
			st.prod = 1
			w := newBKTWork(data)
			for i := range data.Starts {
				w.estep(tt.true, data.seq(i), &st)
			}
			st.logLik += math.Log(st.prod)
			if fit.LogLik < st.logLik-1e-6 {
				t.Errorf("LogLik %v is below the true parameters' %v", fit.LogLik, st.logLik)
			}
		})
	}
}

func TestFitBKTDegenerate(t *testing.T) {
	seqs := func(s ...[]bool) *BKTSequences {
		var d BKTSequences
		for _, x := range s {
			d.Add(x...)
		}
		return &d
	}
	tests := []struct {
		name  string
		data  *BKTSequences
		notes []BKTNote
	}{
		{"no evidence", seqs(), []BKTNote{NoteNoEvidence}},
		{"one response", seqs([]bool{true}), []BKTNote{NoteFewResponses, NoteAllCorrect}},
		{"all correct", seqs([]bool{true, true, true, true}, []bool{true, true, true, true, true, true, true}), []BKTNote{NoteAllCorrect}},
		{"all wrong, many", seqs(slices.Repeat([]bool{false}, 40), slices.Repeat([]bool{false}, 30)), []BKTNote{NoteAllWrong}},
		{"empty sequences only", seqs([]bool{}, []bool{}), []BKTNote{NoteNoEvidence}},
	}
	for _, tt := range tests {
		for _, forget := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				fit := FitBKT(tt.data, BKTFitOptions{Forget: forget})
				p := fit.Params
				for _, v := range []float64{p.Prior, p.Learn, p.Guess, p.Slip, p.Forget, fit.LogLik} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("fit %+v has a NaN or infinity", fit)
					}
				}
				if err := p.Validate(); err != nil {
					t.Errorf("fitted parameters are invalid: %v", err)
				}
				var notes []BKTNote
				for _, n := range fit.Notes {
					if n != NoteAtBound && n != NoteNotConverged {
						notes = append(notes, n)
					}
				}
				if diff := cmp.Diff(tt.notes, notes); diff != "" {
					t.Errorf("notes (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestFitBKTBounds(t *testing.T) {
	// Students who answer right half the time at random push guess up;
	// it must stop at the bound.
	rng := rand.New(rand.NewPCG(3, 4))
	var d BKTSequences
	for range 200 {
		seq := make([]bool, 15)
		for i := range seq {
			seq[i] = rng.Float64() < 0.6
		}
		d.Add(seq...)
	}
	fit := FitBKT(&d, BKTFitOptions{MaxGuess: 0.3, MaxSlip: 0.3})
	if fit.Params.Guess > 0.3 || fit.Params.Slip > 0.3 {
		t.Errorf("guess %v, slip %v exceed the bound 0.3", fit.Params.Guess, fit.Params.Slip)
	}
	fit = FitBKT(&d, BKTFitOptions{MaxGuess: 0.9, MaxSlip: 0.7})
	if fit.Params.Guess >= 0.5 || fit.Params.Slip >= 0.5 {
		t.Errorf("bounds above 0.5 must be held below it: guess %v, slip %v", fit.Params.Guess, fit.Params.Slip)
	}
}

func TestFitBKTAll(t *testing.T) {
	data := []*BKTSequences{
		simulateBKT(BKTParams{Prior: 0.3, Learn: 0.1, Guess: 0.2, Slip: 0.1}, 50, 8, 1),
		{},
		simulateBKT(BKTParams{Prior: 0.6, Learn: 0.3, Guess: 0.1, Slip: 0.2}, 300, 12, 2),
		simulateBKT(BKTParams{Prior: 0.1, Learn: 0.05, Guess: 0.3, Slip: 0.05}, 10, 3, 3),
	}
	opt := BKTFitOptions{Seed: 42, Forget: true}
	var runs [][]BKTFit
	for _, workers := range []int{1, 3, 8} {
		opt.Workers = workers
		fits, err := FitBKTAll(context.Background(), data, opt)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, fits)
	}
	for i := 1; i < len(runs); i++ {
		if diff := cmp.Diff(runs[0], runs[i]); diff != "" {
			t.Errorf("workers change the fit (-1 worker +more):\n%s", diff)
		}
	}
	for s, d := range data {
		if diff := cmp.Diff(FitBKT(d, opt), runs[0][s]); diff != "" {
			t.Errorf("standard %d: FitBKTAll differs from FitBKT (-FitBKT +FitBKTAll):\n%s", s, diff)
		}
	}
	opt.Seed = 43
	other, _ := FitBKTAll(context.Background(), data, opt)
	if cmp.Equal(other, runs[0]) {
		t.Log("another seed gave the same fits (possible when restart 0 wins everywhere)")
	}
}

func TestFitBKTAllCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := FitBKTAll(ctx, []*BKTSequences{simulateBKT(DefaultBKTParams(), 10, 5, 1)}, BKTFitOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

var bktSink BKTState

// BenchmarkBKTUpdate measures the online update the store runs per piece
// of evidence.
func BenchmarkBKTUpdate(b *testing.B) {
	p := DefaultBKTParams()
	s := BKTState{}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		s = p.Update(s, i&3 != 0)
		i++
	}
	bktSink = s
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evidence/s")
}

// BenchmarkFitBKT fits one standard of 100,000 responses.
func BenchmarkFitBKT(b *testing.B) {
	data := simulateBKT(BKTParams{Prior: 0.3, Learn: 0.15, Guess: 0.2, Slip: 0.1}, 5000, 20, 1)
	for b.Loop() {
		FitBKT(data, BKTFitOptions{})
	}
	b.ReportMetric(float64(len(data.Correct))*float64(b.N)/b.Elapsed().Seconds(), "responses/s")
}
