package ktbench

import (
	"context"
	"fmt"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// traceData turns a dataset into what the mastery package fits on. The
// standards of each response are the skills of its skill_id.
func traceData(d *Dataset) *mastery.TraceData {
	td := &mastery.TraceData{
		Responses: make([]mastery.TraceResponse, len(d.Responses)),
		Starts:    make([]int, len(d.Students)),
		Items:     len(d.Vocab.Items),
		Standards: len(d.Vocab.Skills),
	}
	for i := range d.Responses {
		r := &d.Responses[i]
		td.Responses[i] = mastery.TraceResponse{Item: r.Item, Standards: d.Skills(r), Correct: r.Correct}
	}
	for i, st := range d.Students {
		td.Starts[i] = st.Start
	}
	return td
}

// logisticModel is a logistic model with a given feature set.
type logisticModel struct {
	opt mastery.LogisticOptions
	res *mastery.LogisticFitResult
}

func (m *logisticModel) fit(ctx context.Context, train *Dataset, seed uint64) ([]string, error) {
	opt := m.opt
	opt.Seed = seed
	res, err := mastery.FitLogisticModel(ctx, traceData(train), opt)
	if err != nil {
		return nil, err
	}
	m.res = res
	related := 0
	for _, s := range res.Standards {
		related += len(s.Related)
	}
	notes := []string{fmt.Sprintf("features %s; L-BFGS %d iterations, converged %v, penalised log-loss %.4f",
		res.Model.Features, res.Iterations, res.Converged, res.Objective)}
	if res.Model.Features&mastery.FeatRelated != 0 {
		notes = append(notes, fmt.Sprintf("%d related-standard pairs", related))
	}
	return notes, nil
}

func (m *logisticModel) newTracer(d *Dataset) tracer {
	return &logisticTracer{m: m, d: d, traces: make([]mastery.StandardTrace, len(d.Vocab.Skills))}
}

// logisticTracer follows one student through the logistic model.
type logisticTracer struct {
	m       *logisticModel
	d       *Dataset
	student mastery.StudentTrace
	traces  []mastery.StandardTrace
	touched []int32
	items   map[int32][2]int
	q       mastery.LogisticQuery
	stds    []mastery.TracedStandard
}

func (t *logisticTracer) reset() {
	for _, k := range t.touched {
		t.traces[k] = mastery.StandardTrace{}
	}
	t.touched = t.touched[:0]
	t.student = mastery.StudentTrace{}
	clear(t.items)
}

// query builds the model's query for r into t.q.
func (t *logisticTracer) query(r *Response) *mastery.LogisticQuery {
	fit := t.m.res
	t.stds = t.stds[:0]
	for _, k := range t.d.Skills(r) {
		var w *mastery.StandardWeights
		if int(k) < len(fit.Standards) && fit.Standards[k].Responses > 0 {
			w = &fit.Standards[k]
		}
		t.stds = append(t.stds, mastery.TracedStandard{Weights: w, Trace: &t.traces[k]})
	}
	t.q = mastery.LogisticQuery{Student: &t.student, Standards: t.stds, Related: t.related}
	if int(r.Item) < len(fit.Items) && fit.Items[r.Item].Responses > 0 {
		t.q.Item = &fit.Items[r.Item]
	}
	if fit.Model.Features&mastery.FeatItemCounts != 0 {
		a := t.items[r.Item]
		t.q.ItemAttempts, t.q.ItemSuccesses = a[0], a[1]
	}
	return &t.q
}

func (t *logisticTracer) related(k int64) *mastery.StandardTrace {
	if tr := &t.traces[k]; tr.N() > 0 {
		return tr
	}
	return nil
}

func (t *logisticTracer) predict(r *Response) float64 {
	return t.m.res.Model.PredictCorrect(t.query(r))
}

func (t *logisticTracer) observe(r *Response) {
	for _, k := range t.d.Skills(r) {
		if t.traces[k].N() == 0 {
			t.touched = append(t.touched, k)
		}
	}
	t.m.res.Model.Update(t.query(r), r.Correct)
	if t.m.res.Model.Features&mastery.FeatItemCounts != 0 {
		if t.items == nil {
			t.items = map[int32][2]int{}
		}
		a := t.items[r.Item]
		a[0]++
		if r.Correct {
			a[1]++
		}
		t.items[r.Item] = a
	}
}

// eloModel is the ability model alone: item ratings fitted on the training
// students, abilities followed online.
type eloModel struct {
	params  mastery.AbilityParams
	ratings mastery.Ratings
}

func (m *eloModel) fit(ctx context.Context, train *Dataset, seed uint64) ([]string, error) {
	m.params = mastery.DefaultAbilityParams()
	m.ratings = mastery.FitRatings(traceData(train), m.params, nil)
	return nil, ctx.Err()
}

func (m *eloModel) newTracer(d *Dataset) tracer {
	return &eloTracer{m: m, d: d, abilities: make([]mastery.Ability, len(d.Vocab.Skills))}
}

type eloTracer struct {
	m         *eloModel
	d         *Dataset
	student   mastery.Ability
	abilities []mastery.Ability
	touched   []int32
	buf       []*mastery.Ability
}

func (t *eloTracer) reset() {
	for _, k := range t.touched {
		t.abilities[k] = mastery.Ability{}
	}
	t.touched = t.touched[:0]
	t.student = mastery.Ability{}
}

// args returns the abilities on r's skills and r's item rating (for an
// item unseen in training, the mean rating of its skills).
func (t *eloTracer) args(r *Response) ([]*mastery.Ability, float64) {
	t.buf = t.buf[:0]
	var fallback float64
	n := 0
	for _, k := range t.d.Skills(r) {
		t.buf = append(t.buf, &t.abilities[k])
		if int(k) < len(t.m.ratings.Standards) {
			fallback += t.m.ratings.Standards[k]
			n++
		}
	}
	if int(r.Item) < len(t.m.ratings.Items) && t.m.ratings.Responses[r.Item] > 0 {
		return t.buf, t.m.ratings.Items[r.Item]
	}
	if n > 0 {
		fallback /= float64(n)
	}
	return t.buf, fallback
}

func (t *eloTracer) predict(r *Response) float64 {
	abilities, rating := t.args(r)
	return t.m.params.PredictCorrect(&t.student, abilities, rating)
}

func (t *eloTracer) observe(r *Response) {
	for _, k := range t.d.Skills(r) {
		if t.abilities[k].N == 0 {
			t.touched = append(t.touched, k)
		}
	}
	abilities, rating := t.args(r)
	t.m.params.Update(&t.student, abilities, rating, r.Correct)
}
