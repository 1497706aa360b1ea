package mastery

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// BKTSequences holds every student's responses on one standard, oldest
// first, one student after another in one slice: the layout EM walks
// fastest. Build it once with Add and fit it as often as needed.
type BKTSequences struct {
	// Correct holds the responses of all students end to end.
	Correct []bool
	// Starts[i] is where student i's responses begin in Correct; they end
	// where the next student's begin, or at the end of Correct.
	Starts []int
}

// Add appends one student's responses. An empty sequence is ignored.
func (s *BKTSequences) Add(correct ...bool) {
	if len(correct) == 0 {
		return
	}
	s.Starts = append(s.Starts, len(s.Correct))
	s.Correct = append(s.Correct, correct...)
}

// Students returns the number of sequences.
func (s *BKTSequences) Students() int { return len(s.Starts) }

// seq returns student i's responses.
func (s *BKTSequences) seq(i int) []bool {
	end := len(s.Correct)
	if i+1 < len(s.Starts) {
		end = s.Starts[i+1]
	}
	return s.Correct[s.Starts[i]:end]
}

// BKTFitOptions control the EM fit. The zero value fits classic BKT (no
// forgetting) with the defaults given for each field.
type BKTFitOptions struct {
	// Forget fits the forget parameter too; without it Forget stays 0.
	Forget bool
	// Restarts is how many starting points EM is run from, the first
	// being DefaultBKTParams and the others drawn at random; the one with
	// the highest likelihood after ScreenIter iterations is run on to
	// convergence. 0 means 4.
	Restarts int
	// MaxIter caps the EM iterations of the fit. Every restart runs
	// ScreenIter iterations; only the one with the highest likelihood then
	// goes on, up to MaxIter in all. 0 means 60 and 5.
	MaxIter, ScreenIter int
	// Tolerance stops a restart when an iteration improves the mean
	// log-likelihood per response by less than this. 0 means 1e-5.
	Tolerance float64
	// MaxGuess and MaxSlip bound guess and slip from above; 0 means 0.4,
	// and a value at or above 0.5 is taken as 0.49 so that the two states
	// keep their meaning (see BKTParams).
	MaxGuess, MaxSlip float64
	// PriorWeight is the weight, in responses, of a weak prior that pulls
	// each parameter toward DefaultBKTParams (a forget of 0.02 when Forget
	// is set): it keeps standards with little or one-sided evidence away
	// from 0 and 1 and makes their fit well defined. It is negligible for
	// standards with hundreds of responses. 0 means 2; below 0 means none.
	PriorWeight float64
	// Seed seeds the random restarts: the same data, options and seed give
	// the same fit, however many workers run it.
	Seed uint64
	// Workers is how many goroutines FitBKTAll uses; 0 means GOMAXPROCS.
	Workers int
}

func (o BKTFitOptions) withDefaults() BKTFitOptions {
	if o.Restarts <= 0 {
		o.Restarts = 4
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 60
	}
	if o.ScreenIter <= 0 {
		o.ScreenIter = 5
	}
	o.ScreenIter = min(o.ScreenIter, o.MaxIter)
	if o.Tolerance <= 0 {
		o.Tolerance = 1e-5
	}
	bound := func(v float64) float64 {
		switch {
		case v <= 0 || math.IsNaN(v):
			return 0.4
		case v >= 0.5:
			return 0.49
		}
		return v
	}
	o.MaxGuess, o.MaxSlip = bound(o.MaxGuess), bound(o.MaxSlip)
	switch {
	case o.PriorWeight == 0 || math.IsNaN(o.PriorWeight):
		o.PriorWeight = 2
	case o.PriorWeight < 0:
		o.PriorWeight = 0
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// BKTNote flags something a teacher or an analyst should know about a fit.
type BKTNote string

// The notes a fit can carry.
const (
	// NoteNoEvidence: nothing to fit; the parameters are the defaults.
	NoteNoEvidence BKTNote = "no evidence: default parameters"
	// NoteFewResponses: under 10 responses; the parameters stay close to
	// the defaults and say little about the standard.
	NoteFewResponses BKTNote = "fewer than 10 responses: parameters are mostly the defaults"
	// NoteAllCorrect: every response was right, so the fit cannot tell
	// mastery from guessing.
	NoteAllCorrect BKTNote = "every response correct: mastery and guessing cannot be told apart"
	// NoteAllWrong: every response was wrong, so the fit cannot tell a
	// lack of mastery from slips.
	NoteAllWrong BKTNote = "every response wrong: lack of mastery and slips cannot be told apart"
	// NoteAtBound: guess or slip ended at its upper bound, a sign that
	// the data fit BKT poorly (items of very different difficulty tagged
	// with one standard, for example).
	NoteAtBound BKTNote = "guess or slip at its bound"
	// NoteNotConverged: the best restart used every iteration allowed.
	NoteNotConverged BKTNote = "EM did not converge within the iteration limit"
)

// BKTFit is the result of fitting one standard.
type BKTFit struct {
	Params BKTParams `json:"params"`
	// LogLik is the log-likelihood of the responses under Params.
	LogLik     float64   `json:"logLik"`
	Responses  int       `json:"responses"`
	Students   int       `json:"students"`
	Iterations int       `json:"iterations"`
	Notes      []BKTNote `json:"notes,omitempty"`
}

// FitBKT fits BKT to one standard's responses by expectation-maximisation
// (the Baum-Welch algorithm for this two-state hidden Markov model), from
// several starting points. Each M-step adds opt.PriorWeight pseudo-responses
// at the default parameters (a maximum a posteriori fit under a weak Beta
// prior) and then holds every parameter within its bounds: at least 1e-4,
// at most 1-1e-4, guess and slip at most opt.MaxGuess and opt.MaxSlip. The
// fit never returns NaN: degenerate data (no responses, one response, all
// right, all wrong) gives finite parameters and a note saying so.
func FitBKT(data *BKTSequences, opt BKTFitOptions) BKTFit {
	opt = opt.withDefaults()
	return finishBKTFit(data, opt, newBKTWork(data).fit(data, opt))
}

// FitBKTAll fits every standard in data, each exactly as FitBKT would,
// spreading the standards over opt.Workers goroutines, largest first. The
// result is the same whatever the number of workers. It stops early,
// returning ctx's error, when ctx is cancelled.
func FitBKTAll(ctx context.Context, data []*BKTSequences, opt BKTFitOptions) ([]BKTFit, error) {
	opt = opt.withDefaults()
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	// Largest standards first, so that no worker is left with a big one at
	// the end while the others idle.
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(len(data[b].Correct), len(data[a].Correct))
	})
	fits := make([]BKTFit, len(data))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(opt.Workers, max(len(data), 1)) {
		wg.Go(func() {
			var w bktWork
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(order) {
					return
				}
				s := order[i]
				w.grow(data[s])
				fits[s] = finishBKTFit(data[s], opt, w.fit(data[s], opt))
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fitting BKT: %w", err)
	}
	return fits, nil
}

// paramFloor keeps every parameter off 0 and 1, where a single surprising
// response would have probability 0 and the likelihood -Inf.
const paramFloor = 1e-4

// finishBKTFit fills in the counts and notes of the best restart.
func finishBKTFit(data *BKTSequences, opt BKTFitOptions, f BKTFit) BKTFit {
	f.Responses, f.Students = len(data.Correct), data.Students()
	if f.Responses == 0 {
		return BKTFit{Params: opt.prior(), Notes: []BKTNote{NoteNoEvidence}}
	}
	right := 0
	for _, c := range data.Correct {
		if c {
			right++
		}
	}
	if f.Responses < 10 {
		f.Notes = append(f.Notes, NoteFewResponses)
	}
	switch right {
	case f.Responses:
		f.Notes = append(f.Notes, NoteAllCorrect)
	case 0:
		f.Notes = append(f.Notes, NoteAllWrong)
	}
	if f.Params.Guess >= opt.MaxGuess || f.Params.Slip >= opt.MaxSlip {
		f.Notes = append(f.Notes, NoteAtBound)
	}
	if f.Iterations >= opt.MaxIter {
		f.Notes = append(f.Notes, NoteNotConverged)
	}
	return f
}

// prior is where the weak prior pulls the parameters.
func (o BKTFitOptions) prior() BKTParams {
	p := DefaultBKTParams()
	if o.Forget {
		p.Forget = 0.02
	}
	return p
}

// start returns the starting point of restart r: the prior for the first,
// random but sensible values (guess and slip well inside their bounds) for
// the others, drawn from a generator seeded by the seed and the restart's
// number, so that the order restarts run in does not matter and FitBKTAll
// gives each standard exactly what FitBKT would.
func (o BKTFitOptions) start(r int) BKTParams {
	if r == 0 {
		return o.prior()
	}
	rng := rand.New(rand.NewPCG(o.Seed, uint64(r)))
	p := BKTParams{
		Prior: 0.05 + 0.9*rng.Float64(),
		Learn: 0.01 + 0.4*rng.Float64(),
		Guess: 0.02 + (o.MaxGuess-0.04)*rng.Float64(),
		Slip:  0.02 + (o.MaxSlip-0.04)*rng.Float64(),
	}
	if o.Forget {
		p.Forget = 0.2 * rng.Float64()
	}
	return p
}

// bktWork is one worker's scratch space: the filtered probabilities of
// mastery and the normalisers of the forward pass.
type bktWork struct {
	filt, norm []float64
}

func newBKTWork(data *BKTSequences) *bktWork {
	w := &bktWork{}
	w.grow(data)
	return w
}

// grow makes the scratch space big enough for data's longest sequence.
func (w *bktWork) grow(data *BKTSequences) {
	longest := 0
	for i := range data.Starts {
		longest = max(longest, len(data.seq(i)))
	}
	if len(w.filt) < longest {
		w.filt = make([]float64, longest)
		w.norm = make([]float64, longest)
	}
}

// bktStats are the expected counts of one E-step.
type bktStats struct {
	first1            float64 // expected students mastered at their first response
	learned, from0    float64 // expected transitions not->mastered, and from not mastered
	forgot, from1     float64 // expected transitions mastered->not, and from mastered
	right0, in0       float64 // expected right answers without mastery, and responses without
	wrong1, in1       float64 // expected wrong answers with mastery, and responses with
	logLik            float64
	students, answers int
	// prod is the product of the latest response probabilities, not yet
	// in logLik; factors counts them.
	prod    float64
	factors int
}

// emRun is one restart's progress.
type emRun struct {
	p        BKTParams // parameters for the next E-step
	best     BKTFit    // the best parameters evaluated so far
	prev     float64   // log-likelihood of the last E-step
	iter     int
	finished bool
}

// step runs one EM iteration.
func (w *bktWork) step(data *BKTSequences, opt BKTFitOptions, r *emRun) {
	st := bktStats{prod: 1}
	for i := range data.Starts {
		w.estep(r.p, data.seq(i), &st)
	}
	st.logLik += math.Log(st.prod)
	r.iter++
	if st.logLik > r.best.LogLik {
		r.best = BKTFit{Params: r.p, LogLik: st.logLik, Iterations: r.iter}
	}
	n := float64(max(len(data.Correct), 1))
	if (st.logLik-r.prev)/n < opt.Tolerance || r.iter >= opt.MaxIter {
		r.finished = true
		return
	}
	r.prev = st.logLik
	r.p = opt.mstep(&st)
}

// fit runs every restart for opt.ScreenIter iterations, then the most
// likely one on to convergence, and returns the best parameters evaluated.
// Screening keeps the cost of several restarts close to that of one:
// EM's log-likelihood climbs fastest in its first iterations, and a start
// that is behind after them rarely ends ahead.
func (w *bktWork) fit(data *BKTSequences, opt BKTFitOptions) BKTFit {
	var front *emRun
	for r := range opt.Restarts {
		run := &emRun{p: opt.clamp(opt.start(r)), best: BKTFit{LogLik: math.Inf(-1)}, prev: math.Inf(-1)}
		for !run.finished && run.iter < opt.ScreenIter {
			w.step(data, opt, run)
		}
		if front == nil || run.best.LogLik > front.best.LogLik {
			front = run
		}
	}
	for !front.finished {
		w.step(data, opt, front)
	}
	return front.best
}

// estep runs the forward and backward passes over one student's sequence
// under p and adds its expected counts to st. The forward pass keeps the
// filtered P(mastered | responses so far) and the probability of each
// response given the earlier ones (whose logarithms sum to the
// log-likelihood); the backward pass turns them into smoothed state and
// transition probabilities without storing the backward variables.
func (w *bktWork) estep(p BKTParams, y []bool, st *bktStats) {
	filt, norm := w.filt[:len(y)], w.norm[:len(y)]
	l := p.Prior
	// The normalisers are multiplied together and their logarithm taken
	// every 32 responses: a logarithm costs more than the rest of a step,
	// and 32 factors of at least paramFloor cannot underflow.
	for t, c := range y {
		var e1, e0 float64
		if c {
			e1, e0 = 1-p.Slip, p.Guess
		} else {
			e1, e0 = p.Slip, 1-p.Guess
		}
		a1 := l * e1
		z := a1 + (1-l)*e0
		f := a1 / z
		filt[t], norm[t] = f, z
		st.prod *= z
		if st.factors++; st.factors == 32 {
			st.logLik += math.Log(st.prod)
			st.prod, st.factors = 1, 0
		}
		l = f*(1-p.Forget) + (1-f)*p.Learn
	}
	b0, b1 := 1.0, 1.0 // backward variables at t, scaled by the norms
	for t := len(y) - 1; t >= 0; t-- {
		f := filt[t]
		g1 := f * b1
		g0 := (1 - f) * b0
		st.in0 += g0
		st.in1 += g1
		if y[t] {
			st.right0 += g0
		} else {
			st.wrong1 += g1
		}
		if t == 0 {
			st.first1 += g1
			break
		}
		var e1, e0 float64
		if y[t] {
			e1, e0 = 1-p.Slip, p.Guess
		} else {
			e1, e0 = p.Slip, 1-p.Guess
		}
		inv := 1 / norm[t]
		n0, n1 := e0*b0*inv, e1*b1*inv
		fp := filt[t-1]
		x01 := (1 - fp) * p.Learn * n1
		x00 := (1 - fp) * (1 - p.Learn) * n0
		x10 := fp * p.Forget * n0
		x11 := fp * (1 - p.Forget) * n1
		st.learned += x01
		st.from0 += x00 + x01
		st.forgot += x10
		st.from1 += x10 + x11
		b0 = (1-p.Learn)*n0 + p.Learn*n1
		b1 = p.Forget*n0 + (1-p.Forget)*n1
	}
	st.students++
	st.answers += len(y)
}

// mstep returns the parameters that maximise the expected complete-data
// log-likelihood plus the weak prior, within the bounds.
func (o BKTFitOptions) mstep(st *bktStats) BKTParams {
	m, k := o.prior(), o.PriorWeight
	ratio := func(num, den, mean float64) float64 {
		if den+k <= 0 {
			return mean
		}
		return (num + k*mean) / (den + k)
	}
	p := BKTParams{
		Prior: ratio(st.first1, float64(st.students), m.Prior),
		Learn: ratio(st.learned, st.from0, m.Learn),
		Guess: ratio(st.right0, st.in0, m.Guess),
		Slip:  ratio(st.wrong1, st.in1, m.Slip),
	}
	if o.Forget {
		p.Forget = ratio(st.forgot, st.from1, m.Forget)
	}
	return o.clamp(p)
}

// clamp holds p within the bounds of the fit.
func (o BKTFitOptions) clamp(p BKTParams) BKTParams {
	in := func(v, hi float64) float64 {
		if math.IsNaN(v) {
			return paramFloor
		}
		return min(max(v, paramFloor), hi)
	}
	p.Prior = in(p.Prior, 1-paramFloor)
	p.Learn = in(p.Learn, 1-paramFloor)
	p.Guess = in(p.Guess, o.MaxGuess)
	p.Slip = in(p.Slip, o.MaxSlip)
	if o.Forget {
		p.Forget = in(p.Forget, 1-paramFloor)
	} else {
		p.Forget = 0
	}
	return p
}
