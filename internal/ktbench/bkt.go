package ktbench

import (
	"context"
	"fmt"
	"sort"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// bktModel is Bayesian Knowledge Tracing with one set of parameters per
// skill, fitted by EM on the training students.
type bktModel struct {
	opt    mastery.BKTFitOptions
	params []mastery.BKTParams // by skill
	// fallback is the parameters of a skill the training data never saw:
	// the median of each parameter over the skills that were fitted.
	fallback mastery.BKTParams
}

// bktSequences gathers each skill's responses, student by student, in the
// layout EM wants. A response on several skills counts for each of them.
func bktSequences(d *Dataset) []*mastery.BKTSequences {
	seqs := make([]*mastery.BKTSequences, len(d.Vocab.Skills))
	last := make([]int, len(seqs)) // last student added to each skill, plus one
	for i := range seqs {
		seqs[i] = &mastery.BKTSequences{}
	}
	for si, st := range d.Students {
		for _, r := range d.Responses[st.Start:st.End] {
			for _, k := range d.Skills(&r) {
				s := seqs[k]
				if last[k] != si+1 {
					last[k] = si + 1
					s.Starts = append(s.Starts, len(s.Correct))
				}
				s.Correct = append(s.Correct, r.Correct)
			}
		}
	}
	return seqs
}

func (m *bktModel) fit(ctx context.Context, train *Dataset, seed uint64) ([]string, error) {
	opt := m.opt
	opt.Seed = seed
	fits, err := mastery.FitBKTAll(ctx, bktSequences(train), opt)
	if err != nil {
		return nil, err
	}
	m.params = make([]mastery.BKTParams, len(fits))
	counts := map[mastery.BKTNote]int{}
	var fitted []mastery.BKTParams
	for k, f := range fits {
		m.params[k] = f.Params
		for _, n := range f.Notes {
			counts[n]++
		}
		if f.Responses > 0 {
			fitted = append(fitted, f.Params)
		}
	}
	m.fallback = medianBKT(fitted, opt.Forget)
	for k, f := range fits {
		if f.Responses == 0 {
			m.params[k] = m.fallback
		}
	}
	var notes []string
	for _, n := range []mastery.BKTNote{mastery.NoteNoEvidence, mastery.NoteFewResponses, mastery.NoteAllCorrect,
		mastery.NoteAllWrong, mastery.NoteAtBound, mastery.NoteNotConverged} {
		if c := counts[n]; c > 0 {
			notes = append(notes, fmt.Sprintf("%d of %d skills: %s", c, len(fits), n))
		}
	}
	return notes, nil
}

// medianBKT returns the parameter-wise median of ps, or the defaults when
// there are none.
func medianBKT(ps []mastery.BKTParams, forget bool) mastery.BKTParams {
	if len(ps) == 0 {
		return mastery.DefaultBKTParams()
	}
	med := func(get func(mastery.BKTParams) float64) float64 {
		v := make([]float64, len(ps))
		for i, p := range ps {
			v[i] = get(p)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	p := mastery.BKTParams{
		Prior: med(func(p mastery.BKTParams) float64 { return p.Prior }),
		Learn: med(func(p mastery.BKTParams) float64 { return p.Learn }),
		Guess: med(func(p mastery.BKTParams) float64 { return p.Guess }),
		Slip:  med(func(p mastery.BKTParams) float64 { return p.Slip }),
	}
	if forget {
		p.Forget = med(func(p mastery.BKTParams) float64 { return p.Forget })
	}
	return p
}

func (m *bktModel) skill(k int32) *mastery.BKTParams {
	if int(k) < len(m.params) {
		return &m.params[k]
	}
	return &m.fallback
}

func (m *bktModel) newTracer(d *Dataset) tracer {
	return &bktTracer{m: m, d: d, states: make([]mastery.BKTState, len(d.Vocab.Skills))}
}

// bktTracer follows one student: a BKT state per skill.
type bktTracer struct {
	m       *bktModel
	d       *Dataset
	states  []mastery.BKTState
	touched []int32
	buf     []float64
}

func (t *bktTracer) reset() {
	for _, k := range t.touched {
		t.states[k] = mastery.BKTState{}
	}
	t.touched = t.touched[:0]
}

func (t *bktTracer) predict(r *Response) float64 {
	skills := t.d.Skills(r)
	if len(skills) == 1 {
		return t.m.skill(skills[0]).PredictCorrect(t.states[skills[0]])
	}
	t.buf = t.buf[:0]
	for _, k := range skills {
		t.buf = append(t.buf, t.m.skill(k).PredictCorrect(t.states[k]))
	}
	return mastery.BKTPredictMulti(t.buf)
}

func (t *bktTracer) observe(r *Response) {
	for _, k := range t.d.Skills(r) {
		if t.states[k].N == 0 {
			t.touched = append(t.touched, k)
		}
		t.states[k] = t.m.skill(k).Update(t.states[k], r.Correct)
	}
}
