package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/evidence"
)

// LimitStates are stored mastery states as the rows recording writes,
// explanation encoded, by (student, standard): what the write path's limit
// writes without computing anything.
type LimitStates map[[2]int64][]any

// LimitStatesOf encodes states as the rows recording writes.
func (s *Store) LimitStatesOf(states []MasteryState) LimitStates {
	out := make(LimitStates, len(states))
	for _, ms := range states {
		st := ms.State
		out[[2]int64{ms.StudentID, ms.StandardID}] = append([]any{ms.DistrictID, ms.StudentID, ms.StandardID, st.Value, st.Level,
			st.LevelLabel, st.Mastered, st.EvidenceCount, s.tsOrNull(&st.LastAssessed), st.Trend, explanationJSON(st.Explanation),
			s.ts(ms.UpdatedAt)}, modelArgs(st.Model)...)
	}
	return out
}

// MaxEvidenceID returns the largest evidence id stored, 0 when none.
func (s *Store) MaxEvidenceID(ctx context.Context) (id int64, err error) {
	err = s.reader().queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM evidence`).Scan(&id)
	return id, err
}

// WriteLimit writes, in one transaction, the rows that recording evs
// writes, with the statements recording uses and nothing else: each piece
// of evidence (its ID, RecordedAt and score values already set), its
// scores, and the states of targets(ev) upserted from states, each
// (student, standard) once. It reads nothing and decides nothing: it is
// the limit of the write path on this database.
func (s *Store) WriteLimit(ctx context.Context, evs []evidence.Evidence, targets func(ev *evidence.Evidence) []int64, states LimitStates) error {
	return s.inTx(ctx, func(r *runner) error {
		evRows := make([][]any, len(evs))
		var scRows, stRows [][]any
		seen := make(map[[2]int64]bool, len(evs)*4)
		for i := range evs {
			ev := &evs[i]
			evRows[i] = evidenceRow(s, ev)
			scRows = scoreRows(s, ev, scRows)
			for _, std := range targets(ev) {
				k := [2]int64{ev.StudentID, std}
				if row, ok := states[k]; ok && !seen[k] {
					seen[k] = true
					stRows = append(stRows, row)
				}
			}
		}
		if err := r.insertRows(ctx, insertEvidenceHead, "", evRows); err != nil {
			return err
		}
		if err := r.insertRows(ctx, insertScoreHead, "", scRows); err != nil {
			return err
		}
		return r.insertRows(ctx, insertStateHead, upsertStateTail, stRows)
	})
}
