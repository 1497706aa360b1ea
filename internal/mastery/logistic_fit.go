package mastery

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// TraceResponse is one response in data a model is fitted on. Items and
// standards are numbered densely from 0 (see TraceData).
type TraceResponse struct {
	Item      int32
	Standards []int32
	Correct   bool
}

// TraceData is the evidence a model is fitted on: the responses of every
// student, one student after another, each student's in the order given.
type TraceData struct {
	Responses []TraceResponse
	// Starts[i] is where student i's responses begin; they end where the
	// next student's begin, or at the end of Responses.
	Starts []int
	// Items and Standards are how many items and standards there are;
	// every TraceResponse's numbers are below them.
	Items, Standards int
}

// Students returns the number of students.
func (d *TraceData) Students() int { return len(d.Starts) }

// Student returns student i's responses.
func (d *TraceData) Student(i int) []TraceResponse {
	end := len(d.Responses)
	if i+1 < len(d.Starts) {
		end = d.Starts[i+1]
	}
	return d.Responses[d.Starts[i]:end]
}

// validate checks that every number is in range, so that fitting cannot
// index out of bounds.
func (d *TraceData) validate() error {
	for i, r := range d.Responses {
		if r.Item < 0 || int(r.Item) >= d.Items {
			return fmt.Errorf("response %d: item %d is not below %d", i, r.Item, d.Items)
		}
		for _, s := range r.Standards {
			if s < 0 || int(s) >= d.Standards {
				return fmt.Errorf("response %d: standard %d is not below %d", i, s, d.Standards)
			}
		}
	}
	for i := range d.Starts {
		if d.Starts[i] < 0 || d.Starts[i] > len(d.Responses) || (i > 0 && d.Starts[i] < d.Starts[i-1]) {
			return fmt.Errorf("student %d starts at %d, out of order", i, d.Starts[i])
		}
	}
	return nil
}

// Ratings are fitted item ratings: the difficulty of each item and the
// response-weighted mean difficulty of each standard's items.
type Ratings struct {
	Items     []float64
	Responses []int // training responses per item
	Standards []float64
}

// FitRatings fits item ratings by running the ability model over the
// students for whom include returns true (all of them when include is nil),
// one student after another: each response moves the student's abilities as
// Update does and the item's rating by the Elo step of p (ItemRate /
// (1+ItemDecay·n) for the item's n-th response). It is one pass, O(number
// of responses).
func FitRatings(d *TraceData, p AbilityParams, include func(student int) bool) Ratings {
	r := Ratings{Items: make([]float64, d.Items), Responses: make([]int, d.Items), Standards: make([]float64, d.Standards)}
	traces := make([]Ability, d.Standards)
	var touched []int32
	var buf []*Ability
	stdN := make([]int, d.Standards)
	for s := range d.Students() {
		if include != nil && !include(s) {
			continue
		}
		var student Ability
		for _, k := range touched {
			traces[k] = Ability{}
		}
		touched = touched[:0]
		for _, resp := range d.Student(s) {
			buf = buf[:0]
			for _, k := range resp.Standards {
				if traces[k].N == 0 {
					touched = append(touched, k)
				}
				buf = append(buf, &traces[k])
			}
			rating := r.Items[resp.Item]
			z, _ := p.Logit(&student, buf, rating)
			surprise := -Sigmoid(z)
			if resp.Correct {
				surprise++
			}
			p.Update(&student, buf, rating, resp.Correct)
			r.Items[resp.Item] -= p.itemStep(r.Responses[resp.Item]) * surprise
			r.Responses[resp.Item]++
		}
	}
	for s := range d.Students() {
		if include != nil && !include(s) {
			continue
		}
		for _, resp := range d.Student(s) {
			for _, k := range resp.Standards {
				r.Standards[k] += r.Items[resp.Item]
				stdN[k]++
			}
		}
	}
	for k := range r.Standards {
		if stdN[k] > 0 {
			r.Standards[k] /= float64(stdN[k])
		}
	}
	return r
}

// LogisticOptions control FitLogisticModel. Zero fields take the defaults
// given, which were chosen on held-out training students of ASSISTments
// 2009 (docs/kt.md).
type LogisticOptions struct {
	// Features are the feature groups; 0 means FeaturesFull.
	Features Features
	// Ability are the parameters of the ability model; zero means
	// DefaultAbilityParams.
	Ability AbilityParams
	// Decay is the weight averages keep on the past; 0 means 0.7.
	Decay float64
	// L2 is the ridge penalty of the shared features and of each
	// standard's own weights; ItemL2 of the item easinesses; RelatedL2 of
	// the related-standard slopes. 0 means 1e-5, 3e-5 and 3e-3: many
	// related pairs are seen by few students and need the strongest pull
	// toward 0.
	L2, ItemL2, RelatedL2 float64
	// MaxRelated is how many related standards each standard keeps: the
	// ones most often practised before it by the same student. 0 means 16.
	MaxRelated int
	// Folds is how many groups of students item ratings are cross-fitted
	// over: the ability features of a student's responses are computed
	// with ratings fitted on the other groups, as they will be for a new
	// student. 0 means 5; 1 turns cross-fitting off.
	Folds int
	// MaxIter caps the L-BFGS iterations; 0 means 300.
	MaxIter int
	// Seed seeds the assignment of students to folds.
	Seed uint64
	// Workers is how many goroutines compute the gradient; 0 means
	// GOMAXPROCS.
	Workers int
}

func (o LogisticOptions) withDefaults() LogisticOptions {
	if o.Features == 0 {
		o.Features = FeaturesFull
	}
	if o.Ability == (AbilityParams{}) {
		o.Ability = DefaultAbilityParams()
	}
	def := func(v *float64, d float64) {
		if *v == 0 || math.IsNaN(*v) {
			*v = d
		}
	}
	def(&o.Decay, 0.7)
	def(&o.L2, 1e-5)
	def(&o.ItemL2, 3e-5)
	def(&o.RelatedL2, 3e-3)
	if o.MaxRelated <= 0 {
		o.MaxRelated = 16
	}
	if o.Folds <= 0 {
		o.Folds = 5
	}
	return o
}

// LogisticFitResult is a fitted logistic model with the weights of every
// item and standard of the data, by number.
type LogisticFitResult struct {
	Model     LogisticModel
	Items     []ItemWeights
	Standards []StandardWeights
	// Objective is the penalised mean log-loss on the training data.
	Objective  float64
	Iterations int
	Converged  bool
}

// layout maps the model's weights to columns of the design.
type layout struct {
	items, standards int // first column of the item and standard blocks
	related          int // first column of the related block
	relStart         []int
	rel              [][]int32 // related standards of each standard
}

func (l *layout) columns() int { return l.related + l.relStart[len(l.relStart)-1] }

// FitLogisticModel fits a logistic model to d. It first picks each
// standard's related standards (FeatRelated) and fits item ratings
// (FeatAbility, cross-fitted over opt.Folds groups of students), then
// replays every student through the same traces that PredictCorrect and
// Update use online, so that the features it learns from are exactly the
// ones it will see, and fits the regression by L-BFGS (FitLogistic). It is
// deterministic for the same data and options.
func FitLogisticModel(ctx context.Context, d *TraceData, opt LogisticOptions) (*LogisticFitResult, error) {
	if err := d.validate(); err != nil {
		return nil, fmt.Errorf("fitting a logistic model: %w", err)
	}
	opt = opt.withDefaults()
	if err := opt.Ability.Validate(); err != nil {
		return nil, fmt.Errorf("fitting a logistic model: ability: %w", err)
	}
	m := LogisticModel{Features: opt.Features, Ability: opt.Ability, Decay: opt.Decay}

	var rel [][]int32
	if m.Features&FeatRelated != 0 {
		rel = relatedStandards(d, opt.MaxRelated)
	} else {
		rel = make([][]int32, d.Standards)
	}
	lay := &layout{items: numDense, standards: numDense + d.Items, rel: rel}
	lay.related = lay.standards + 3*d.Standards
	lay.relStart = make([]int, d.Standards+1)
	for k, r := range rel {
		lay.relStart[k+1] = lay.relStart[k] + 2*len(r)
	}

	all := FitRatings(d, opt.Ability, nil)
	fold := make([]int, d.Students())
	var foldRatings []Ratings
	if m.Features&FeatAbility != 0 && opt.Folds > 1 && d.Students() >= opt.Folds {
		perm := rand.New(rand.NewPCG(opt.Seed, 0x726174)).Perm(d.Students())
		for i, s := range perm {
			fold[s] = i * opt.Folds / len(perm)
		}
		for f := range opt.Folds {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			foldRatings = append(foldRatings, FitRatings(d, opt.Ability, func(s int) bool { return fold[s] != f }))
		}
	} else {
		foldRatings = []Ratings{all}
		clear(fold)
	}

	design := NewDesign(lay.columns())
	r := newReplay(d, &m)
	for s := range d.Students() {
		if s%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		ratings := &foldRatings[fold[s]]
		r.student(s, ratings, func(q *LogisticQuery, resp *TraceResponse) {
			m.design(design, lay, q, resp)
			design.EndRow(resp.Correct)
		})
	}

	l2 := make([]float64, lay.columns())
	for j := range l2 {
		switch {
		case j >= lay.related:
			l2[j] = opt.RelatedL2
		case j >= lay.items && j < lay.standards:
			l2[j] = opt.ItemL2
		default:
			l2[j] = opt.L2
		}
	}
	fit, err := FitLogistic(ctx, design, LogisticFitOptions{L2: l2, MaxIter: opt.MaxIter, Workers: opt.Workers})
	if err != nil {
		return nil, err
	}
	w := fit.Weights
	m.Intercept = fit.Intercept
	copy(m.Weights[:], w[:numDense])
	res := &LogisticFitResult{
		Model: m, Items: make([]ItemWeights, d.Items), Standards: make([]StandardWeights, d.Standards),
		Objective: fit.Objective, Iterations: fit.Iterations, Converged: fit.Converged,
	}
	for i := range res.Items {
		res.Items[i] = ItemWeights{Easiness: w[lay.items+i], Rating: all.Items[i], Responses: all.Responses[i]}
	}
	for _, resp := range d.Responses {
		for _, k := range resp.Standards {
			res.Standards[k].Responses++
		}
	}
	for k := range res.Standards {
		sw := &res.Standards[k]
		c := lay.standards + 3*k
		sw.Easiness, sw.Success, sw.Failure = w[c], w[c+1], w[c+2]
		sw.Rating = all.Standards[k]
		for i, j := range rel[k] {
			c := lay.related + lay.relStart[k] + 2*i
			if w[c] != 0 || w[c+1] != 0 {
				sw.Related = append(sw.Related, RelatedWeight{Standard: int64(j), Success: w[c], Failure: w[c+1]})
			}
		}
	}
	return res, nil
}

// design adds the features of q to the row being built, one column per
// weight that Logit would use.
func (m *LogisticModel) design(des *Design, lay *layout, q *LogisticQuery, resp *TraceResponse) {
	var x DenseWeights
	m.dense(q, &x)
	for g, v := range x {
		des.Set(g, v)
	}
	f := m.Features
	if f&FeatItem != 0 {
		des.Set(lay.items+int(resp.Item), 1)
	}
	if len(resp.Standards) == 0 {
		return
	}
	w := 1 / float64(len(resp.Standards))
	for i, k := range resp.Standards {
		t := q.Standards[i].Trace
		c := lay.standards + 3*int(k)
		if f&FeatStandard != 0 {
			des.Set(c, w)
		}
		if f&FeatCounts != 0 {
			des.Set(c+1, w*phi(t.Successes))
			des.Set(c+2, w*phi(t.Failures))
		}
		if f&FeatRelated != 0 {
			for r, j := range lay.rel[k] {
				if t := q.Related(int64(j)); t != nil {
					c := lay.related + lay.relStart[k] + 2*r
					des.Set(c, w*phi(t.Successes))
					des.Set(c+1, w*phi(t.Failures))
				}
			}
		}
	}
}

// relatedStandards returns, for each standard k, up to max other standards
// that students had practised before they first met k, the most frequent
// first (ties to the lower number).
func relatedStandards(d *TraceData, max int) [][]int32 {
	counts := make([]map[int32]int, d.Standards)
	seen := make([]bool, d.Standards)
	var order []int32
	for s := range d.Students() {
		for _, k := range order {
			seen[k] = false
		}
		order = order[:0]
		for _, resp := range d.Student(s) {
			for _, k := range resp.Standards {
				if seen[k] {
					continue
				}
				for _, j := range order {
					if counts[k] == nil {
						counts[k] = map[int32]int{}
					}
					counts[k][j]++
				}
			}
			for _, k := range resp.Standards {
				if !seen[k] {
					seen[k] = true
					order = append(order, k)
				}
			}
		}
	}
	rel := make([][]int32, d.Standards)
	for k, c := range counts {
		type pair struct {
			j int32
			n int
		}
		ps := make([]pair, 0, len(c))
		for j, n := range c {
			ps = append(ps, pair{j, n})
		}
		slices.SortFunc(ps, func(a, b pair) int {
			if c := cmp.Compare(b.n, a.n); c != 0 {
				return c
			}
			return cmp.Compare(a.j, b.j)
		})
		for _, p := range ps[:min(len(ps), max)] {
			rel[k] = append(rel[k], p.j)
		}
		slices.Sort(rel[k])
	}
	return rel
}

// replay follows students through the traces the model keeps online.
type replay struct {
	d         *TraceData
	m         *LogisticModel
	cur       StudentTrace
	traces    []StandardTrace
	touched   []int32
	items     map[int32][2]int
	standards []TracedStandard
	itemW     ItemWeights
	stdW      []StandardWeights
}

func newReplay(d *TraceData, m *LogisticModel) *replay {
	r := &replay{d: d, m: m, traces: make([]StandardTrace, d.Standards), stdW: make([]StandardWeights, d.Standards)}
	if m.Features&FeatItemCounts != 0 {
		r.items = map[int32][2]int{}
	}
	return r
}

// student replays student s with the given ratings, calling visit with the
// query of each response before the response updates the traces.
func (r *replay) student(s int, ratings *Ratings, visit func(*LogisticQuery, *TraceResponse)) {
	for _, k := range r.touched {
		r.traces[k] = StandardTrace{}
	}
	r.touched = r.touched[:0]
	r.cur = StudentTrace{}
	clear(r.items)
	related := func(j int64) *StandardTrace {
		if t := &r.traces[j]; t.N() > 0 {
			return t
		}
		return nil
	}
	resps := r.d.Student(s)
	for i := range resps {
		resp := &resps[i]
		r.standards = r.standards[:0]
		for _, k := range resp.Standards {
			if r.traces[k].N() == 0 {
				r.touched = append(r.touched, k)
			}
			// Only Rating is read from the standard's weights while
			// replaying; the regression weights are what is being fitted.
			r.stdW[k].Rating = ratings.Standards[k]
			r.standards = append(r.standards, TracedStandard{Weights: &r.stdW[k], Trace: &r.traces[k]})
		}
		r.itemW = ItemWeights{Rating: ratings.Items[resp.Item], Responses: ratings.Responses[resp.Item]}
		q := LogisticQuery{Item: &r.itemW, Student: &r.cur, Standards: r.standards, Related: related}
		if r.items != nil {
			a := r.items[resp.Item]
			q.ItemAttempts, q.ItemSuccesses = a[0], a[1]
		}
		visit(&q, resp)
		r.m.Update(&q, resp.Correct)
		if r.items != nil {
			a := r.items[resp.Item]
			a[0]++
			if resp.Correct {
				a[1]++
			}
			r.items[resp.Item] = a
		}
	}
}
