package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// withInput returns an explanation with one more input listed first, so
// that the explanations the limit writes grow as recording's do, by the
// same bytes. It is a copy, not a computation: the weights are not
// recomputed.
func withInput(explanation string, evidenceID int64, value float64, at time.Time) string {
	const inputs = `"inputs":[`
	i := strings.Index(explanation, inputs)
	if i < 0 {
		return explanation
	}
	i += len(inputs)
	in := `{"evidenceId":` + strconv.FormatInt(evidenceID, 10) + `,"value":` + strconv.FormatFloat(value, 'f', -1, 64) +
		`,"assessedAt":"` + at.UTC().Format(time.RFC3339Nano) + `","weight":0.35},`
	return explanation[:i] + in + explanation[i:]
}

// WriteLimit writes, in one transaction, the rows that recording evs
// writes, with the statements recording uses and nothing else: each piece
// of evidence (its ID, RecordedAt and score values already set), its
// scores, and the states of targets(ev) upserted from states, each
// (student, standard) once, the explanation of each scored standard one
// input longer, as recording's grow. It reads nothing and decides nothing: it is
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
			for _, sc := range ev.Scores {
				if row, ok := states[[2]int64{ev.StudentID, sc.StandardID}]; ok {
					row[10] = withInput(row[10].(string), ev.ID, sc.Value, ev.AssessedAt)
				}
			}
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

// StateRows returns every stored mastery state of the district as the
// text of its row, every column but updated_at, by (student, standard).
func (s *Store) StateRows(ctx context.Context, districtID int64) (map[[2]int64]string, error) {
	out := map[[2]int64]string{}
	err := s.reader().each(ctx, `
SELECT student_id, standard_id, value, level, level_label, mastered, evidence_count, last_assessed, trend, explanation,
    model_p, model_next, model_low, model_high, model_n, model_verdict
FROM mastery_states WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var k [2]int64
		var ms MasteryState
		var explanation string
		mc := modelCol{dst: &ms.Model}
		if err := row.Scan(&k[0], &k[1], &ms.Value, &ms.Level, &ms.LevelLabel, &ms.Mastered, &ms.EvidenceCount,
			tsCol{&ms.LastAssessed}, &ms.Trend, &explanation, &mc.p, &mc.next, &mc.low, &mc.high, &mc.n, &mc.verdict); err != nil {
			return err
		}
		out[k] = fmt.Sprintf("%v %v %q %v %d %s %v %s %v %v %v %v %v %q", ms.Value, ms.Level, ms.LevelLabel, ms.Mastered, ms.EvidenceCount,
			ms.LastAssessed.Format(time.RFC3339Nano), ms.Trend, explanation, mc.p, mc.next, mc.low, mc.high, mc.n, mc.verdict.String)
		return nil
	})
	return out, err
}

// KTRows returns the logistic model's stored state of every student of a
// district and the counts of its items, as text, keyed by a name of the
// row, so that a test can compare two states of the model.
func (s *Store) KTRows(ctx context.Context, districtID int64) (map[string]string, error) {
	out := map[string]string{}
	r := s.reader()
	err := r.each(ctx, `SELECT student_id, trace, last_assessed, last_recorded, last_evidence, last_position FROM kt_students WHERE district_id = $1`,
		[]any{districtID}, func(row scanner) error {
			var id, ev int64
			var trace string
			var a, rec time.Time
			var pos int
			if err := row.Scan(&id, &trace, tsCol{&a}, tsCol{&rec}, &ev, &pos); err != nil {
				return err
			}
			out[fmt.Sprintf("student %d", id)] = fmt.Sprintf("%s %s %s %d %d", trace, a.Format(time.RFC3339Nano), rec.Format(time.RFC3339Nano), ev, pos)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT student_id, standard_id, trace FROM kt_standard_traces WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var id, std int64
		var trace string
		if err := row.Scan(&id, &std, &trace); err != nil {
			return err
		}
		out[fmt.Sprintf("student %d standard %d", id, std)] = trace
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT id, responses, right_count FROM items WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var id int64
		var n, right int
		if err := row.Scan(&id, &n, &right); err != nil {
			return err
		}
		out[fmt.Sprintf("item %d", id)] = fmt.Sprintf("%d %d", n, right)
		return nil
	})
	return out, err
}
