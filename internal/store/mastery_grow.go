package store

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
)

// freshOf appends ev's observations, by standard, to fresh (made when
// nil): the new evidence a work item adds to what its states count.
func freshOf(ev *evidence.Evidence, fresh map[int64][]mastery.Observation) map[int64][]mastery.Observation {
	if fresh == nil {
		fresh = make(map[int64][]mastery.Observation, len(ev.Scores))
	}
	for _, sc := range ev.Scores {
		fresh[sc.StandardID] = append(fresh[sc.StandardID],
			mastery.Observation{EvidenceID: ev.ID, Value: sc.Value, AssessedAt: ev.AssessedAt, RecordedAt: ev.RecordedAt})
	}
	return fresh
}

// grownItems counts the work items grow prepared, for tests to see that
// the incremental path is taken.
var grownItems atomic.Int64

// grow prepares, without reading any evidence, the work items whose new
// evidence (fresh) can be added to the histories their stored states
// explain (mastery.Grow): it reads, in one query, the students' states of
// the targets and of the targets' children, and sets each such item's
// observations and stored children. It returns the items it could not
// prepare so, for load: items without fresh evidence, and those where
// mastery.Grow refuses or a target's history is not in its state (a
// standard with children and evidence of its own, which its stored count
// shows: more than its children's).
func (e *engine) grow(ctx context.Context, items []*work) (rest []*work, err error) {
	byStudent := make(map[int64]*work, len(items))
	var students, stds []int64
	d := e.district()
	for _, w := range items {
		if w.fresh == nil {
			rest = append(rest, w)
			continue
		}
		byStudent[w.student] = w
		w.obs = make(map[int64][]mastery.Observation, len(w.targets))
		w.stored = map[int64]mastery.State{}
		seen := make(map[int64]bool, len(w.targets)*2)
		for _, id := range w.targets {
			seen[id] = true
			students = append(students, w.student)
			stds = append(stds, id)
		}
		for _, id := range w.targets {
			for _, k := range d.Children(id) {
				if !seen[k] {
					seen[k] = true
					students = append(students, w.student)
					stds = append(stds, k)
				}
			}
		}
	}
	if len(byStudent) == 0 {
		return rest, nil
	}
	type stored struct {
		st          mastery.State
		explanation string
	}
	prev := make(map[[2]int64]*stored, len(stds))
	pairSQL, pairArgs := e.r.s.pairsSQL(students, stds)
	what := "loading mastery states"
	if len(e.pending) > 0 {
		what = "writing evidence and loading mastery states"
	}
	q, args := e.withPending(`
SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered, ms.evidence_count, ms.last_assessed, ms.trend, ms.explanation
FROM `+pairSQL+`
CROSS JOIN mastery_states ms
WHERE ms.student_id = p.a AND ms.standard_id = p.b AND ms.district_id = $1`, append([]any{e.districtID}, pairArgs...))
	err = e.r.each(ctx, q, args, func(row scanner) error {
		var k [2]int64
		p := &stored{}
		st := &p.st
		if err := row.Scan(&k[0], &k[1], &st.Value, &st.Level, &st.LevelLabel, &st.Mastered, &st.EvidenceCount,
			tsCol{&st.LastAssessed}, &st.Trend, &p.explanation); err != nil {
			return err
		}
		prev[k] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for _, w := range items {
		if w.fresh == nil {
			continue
		}
		if !e.growItem(e.studentDistrict(d, w.student), w, func(std int64, explained bool) (mastery.State, bool, error) {
			p, ok := prev[[2]int64{w.student, std}]
			if !ok {
				return mastery.State{}, false, nil
			}
			if explained {
				if err := scanExplanation(p.explanation, &p.st.Explanation); err != nil {
					return mastery.State{}, false, fmt.Errorf("reading the explanation of student %d on standard %d: %w", w.student, std, err)
				}
			}
			return p.st, true, nil
		}, &err) {
			if err != nil {
				return nil, err
			}
			rest = append(rest, w)
			continue
		}
		grownItems.Add(1)
	}
	return rest, nil
}

// growItem sets w's observations and stored children from its states,
// which prev returns (with their explanations when explained is set); it
// reports false when w must be loaded from the evidence instead, or when
// prev failed (*errp set).
func (e *engine) growItem(d mastery.District, w *work, prev func(std int64, explained bool) (mastery.State, bool, error), errp *error) bool {
	isTarget := make(map[int64]bool, len(w.targets))
	for _, id := range w.targets {
		isTarget[id] = true
	}
	for _, id := range w.targets {
		add := w.fresh[id]
		if len(d.Children(id)) == 0 {
			if len(add) == 0 {
				return false
			}
			st, ok, err := prev(id, true)
			if err != nil {
				*errp = err
				return false
			}
			if !ok {
				// No state: no evidence counted yet.
				w.obs[id] = slices.SortedFunc(slices.Values(add), mastery.CompareObservations)
				continue
			}
			obs, ok := mastery.Grow(d, id, st, add)
			if !ok {
				return false
			}
			w.obs[id] = obs
			continue
		}
		if len(add) > 0 {
			return false
		}
		// A rolled-up state counts its children's evidence and its own:
		// when its count is its children's, it has none of its own.
		st, ok, err := prev(id, false)
		if err != nil {
			*errp = err
			return false
		}
		kids := 0
		for _, k := range d.Children(id) {
			ks, kok, err := prev(k, false)
			if err != nil {
				*errp = err
				return false
			}
			if !kok {
				continue
			}
			kids += ks.EvidenceCount
			if !isTarget[k] {
				w.stored[k] = ks
			}
		}
		if ok && st.EvidenceCount != kids {
			return false
		}
	}
	return true
}
