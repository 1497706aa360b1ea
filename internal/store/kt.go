package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
)

// ktFit is a district's logistic model as the store runs it: the model
// and each standard's weights, related standards named by standard id.
// Until a model is fitted to the district's evidence it is the ability
// model alone (mastery.AbilityModel).
type ktFit struct {
	model     mastery.LogisticModel
	fitted    bool
	standards map[int64]*mastery.StandardWeights
	// unnamed are the weights of each standard's unnamed item: what a
	// score naming no item answered.
	unnamed map[int64]*mastery.ItemWeights
}

// ktStandardRow is a kt_standard_weights row's JSON.
type ktStandardRow struct {
	mastery.StandardWeights
	Unnamed *mastery.ItemWeights `json:"unnamed,omitempty"`
}

// loadKT reads the district's fitted logistic model.
func (r *runner) loadKT(ctx context.Context, districtID int64) (*ktFit, error) {
	f := &ktFit{model: mastery.AbilityModel(mastery.DefaultAbilityParams()), standards: map[int64]*mastery.StandardWeights{},
		unnamed: map[int64]*mastery.ItemWeights{}}
	err := r.each(ctx, `SELECT model FROM kt_models WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		f.fitted = true
		return row.Scan(jsonCol{&f.model})
	})
	if err != nil {
		return nil, fmt.Errorf("loading the logistic model: %w", err)
	}
	err = r.each(ctx, `SELECT standard_id, weights FROM kt_standard_weights WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var id int64
		var w ktStandardRow
		if err := row.Scan(&id, jsonCol{&w}); err != nil {
			return err
		}
		f.standards[id] = &w.StandardWeights
		if w.Unnamed != nil && w.Unnamed.Responses > 0 {
			f.unnamed[id] = w.Unnamed
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading the logistic model's standards: %w", err)
	}
	return f, nil
}

// ktKey is where a response comes in a student's record: the order the
// models read responses in, which is the order the methods count
// evidence in, then the score's position in its evidence.
type ktKey struct {
	assessed, recorded time.Time
	evidence           int64
	position           int
}

func compareKeys(a, b ktKey) int {
	return cmp.Or(a.assessed.Compare(b.assessed), a.recorded.Compare(b.recorded),
		cmp.Compare(a.evidence, b.evidence), cmp.Compare(a.position, b.position))
}

// ktResponse is one score as the model reads it.
type ktResponse struct {
	key      ktKey
	standard int64
	item     int64 // 0: no item
	correct  bool
}

// ktStudent is the model's stored state of one student.
type ktStudent struct {
	id     int64
	state  mastery.OnlineStudent
	last   ktKey
	exists bool // a kt_students row was read
}

// ktResponses returns the responses of ev, in the order of their keys.
func (e *engine) ktResponses(ev *evidence.Evidence) []ktResponse {
	out := make([]ktResponse, 0, len(ev.Scores))
	for i, sc := range ev.Scores {
		scale, ok := e.m.scaleOf(sc.StandardID)
		if !ok {
			continue
		}
		out = append(out, ktResponse{
			key:      ktKey{assessed: ev.AssessedAt, recorded: ev.RecordedAt, evidence: ev.ID, position: i},
			standard: sc.StandardID, item: sc.ItemID, correct: mastery.AtMastery(scale, sc.Value),
		})
	}
	return out
}

// ktItems reads the fitted weights of the items named in rs; an item the
// model was not fitted on is left out (the model falls back to its
// standard).
func (e *engine) ktItems(ctx context.Context, rs []ktResponse, into map[int64]*mastery.ItemWeights) error {
	var ids []int64
	for _, r := range rs {
		if _, ok := into[r.item]; r.item != 0 && !ok {
			ids = append(ids, r.item)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return e.r.each(ctx, `SELECT id, easiness, rating, fitted_responses FROM items WHERE district_id = $1 AND id IN ids($2) AND fitted_responses > 0`,
		[]any{e.districtID, e.r.s.ids(uniq(ids))}, func(row scanner) error {
			var id int64
			w := &mastery.ItemWeights{}
			if err := row.Scan(&id, &w.Easiness, &w.Rating, &w.Responses); err != nil {
				return err
			}
			into[id] = w
			return nil
		})
}

// online returns the model's reading of r.
func (f *ktFit) online(r ktResponse, items map[int64]*mastery.ItemWeights) mastery.OnlineResponse {
	item := f.unnamed[r.standard]
	if r.item != 0 {
		item = items[r.item]
	}
	return mastery.OnlineResponse{Standard: r.standard, Item: item, Weights: f.standards[r.standard], Correct: r.correct}
}

// ktStandardsFor returns the standards whose traces the responses rs read:
// their own and their related standards.
func (f *ktFit) standardsFor(rs []ktResponse) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.standard)
		if w := f.standards[r.standard]; w != nil {
			for _, rel := range w.Related {
				out = append(out, rel.Standard)
			}
		}
	}
	return uniq(out)
}

// loadKTStudent reads a student's state, the overall trace and the
// traces on stds, and the fitted weights of the items, in one statement:
// recording and predicting read it on every response.
func loadKTStudent(ctx context.Context, r *runner, districtID, student int64, stds, itemIDs []int64, items map[int64]*mastery.ItemWeights) (*ktStudent, error) {
	st := &ktStudent{id: student, state: mastery.OnlineStudent{Standards: map[int64]*mastery.StandardTrace{}}}
	var ids []int64
	for _, id := range itemIDs {
		if _, ok := items[id]; id != 0 && !ok {
			ids = append(ids, id)
		}
	}
	err := r.each(ctx, `
SELECT 0, 0, trace, last_assessed, last_recorded, last_evidence, last_position,
    CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS BIGINT)
FROM kt_students WHERE district_id = $1 AND student_id = $2
UNION ALL
SELECT 1, standard_id, trace, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM kt_standard_traces WHERE district_id = $1 AND student_id = $2 AND standard_id IN ids($3)
UNION ALL
SELECT 2, id, NULL, NULL, NULL, NULL, NULL, easiness, rating, fitted_responses
FROM items WHERE district_id = $1 AND id IN ids($4) AND fitted_responses > 0`,
		[]any{districtID, student, r.s.ids(stds), r.s.ids(uniq(ids))}, func(row scanner) error {
			var kind int
			var id int64
			var trace sql.NullString
			var ev, pos sql.NullInt64
			var easy, rating sql.NullFloat64
			var n sql.NullInt64
			var key ktKey
			if err := row.Scan(&kind, &id, &trace, tsCol{&key.assessed}, tsCol{&key.recorded}, &ev, &pos, &easy, &rating, &n); err != nil {
				return err
			}
			switch kind {
			case 0:
				st.exists = true
				key.evidence, key.position = ev.Int64, int(pos.Int64)
				st.last = key
				return jsonCol{&st.state.Student}.Scan(trace.String)
			case 1:
				t := &mastery.StandardTrace{}
				st.state.Standards[id] = t
				return jsonCol{t}.Scan(trace.String)
			default:
				items[id] = &mastery.ItemWeights{Easiness: easy.Float64, Rating: rating.Float64, Responses: int(n.Int64)}
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reading the model's state of student %d: %w", student, err)
	}
	return st, nil
}

// itemsOf returns the items rs name.
func itemsOf(rs []ktResponse) []int64 {
	var out []int64
	for _, r := range rs {
		if r.item != 0 {
			out = append(out, r.item)
		}
	}
	return out
}

// saveKTStudent writes what changed of a student's state.
func (e *engine) saveKTStudent(ctx context.Context, st *ktStudent) error {
	s := e.r.s
	_, err := e.r.exec(ctx, `INSERT INTO kt_students (district_id, student_id, trace, last_assessed, last_recorded, last_evidence, last_position)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (district_id, student_id) DO UPDATE SET trace = excluded.trace, last_assessed = excluded.last_assessed,
    last_recorded = excluded.last_recorded, last_evidence = excluded.last_evidence, last_position = excluded.last_position`,
		e.districtID, st.id, jsonText(st.state.Student), s.ts(st.last.assessed), s.ts(st.last.recorded), st.last.evidence, st.last.position)
	if err != nil {
		return fmt.Errorf("writing the model's state of student %d: %w", st.id, err)
	}
	var rows [][]any
	for _, id := range slices.Sorted(mapKeys(st.state.Changed)) {
		rows = append(rows, []any{e.districtID, st.id, id, jsonText(st.state.Standards[id])})
	}
	st.state.Changed = nil
	if err := e.r.insertRows(ctx, `INSERT INTO kt_standard_traces (district_id, student_id, standard_id, trace) VALUES `,
		` ON CONFLICT (district_id, student_id, standard_id) DO UPDATE SET trace = excluded.trace`, rows); err != nil {
		return fmt.Errorf("writing the model's traces of student %d: %w", st.id, err)
	}
	return nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ktRecord folds the responses of newly written evidence into the model,
// in the transaction that wrote it: for each student, when every new
// response comes after the latest one folded in, by the O(1) online
// update of the few rows involved; otherwise (backdated evidence) by
// replaying the student's responses. It also counts the responses on
// each item. It returns, for students replayed, the standards whose
// traces the replay changed besides those the evidence scores: their
// states must be recomputed too.
func (e *engine) ktRecord(ctx context.Context, evs []*evidence.Evidence) (map[int64][]int64, error) {
	byStudent := map[int64][]ktResponse{}
	var students []int64
	for _, ev := range evs {
		if _, ok := byStudent[ev.StudentID]; !ok {
			students = append(students, ev.StudentID)
		}
		byStudent[ev.StudentID] = append(byStudent[ev.StudentID], e.ktResponses(ev)...)
	}
	slices.Sort(students)
	f := e.m.kt
	items := map[int64]*mastery.ItemWeights{}
	var replay []int64
	var all []ktResponse
	for _, id := range students {
		rs := byStudent[id]
		slices.SortFunc(rs, func(a, b ktResponse) int { return compareKeys(a.key, b.key) })
		all = append(all, rs...)
		if len(rs) == 0 {
			continue
		}
		// The traces the responses read, and those of every standard whose
		// state is recomputed next (engine.recompute reads them from here).
		need := f.standardsFor(rs)
		scoredStds := make([]int64, len(rs))
		for i, r := range rs {
			scoredStds[i] = r.standard
		}
		need = uniq(append(need, e.targetsOf(scoredStds)...))
		st, err := loadKTStudent(ctx, e.r, e.districtID, id, need, itemsOf(rs), items)
		if err != nil {
			return nil, err
		}
		if st.exists && compareKeys(rs[0].key, st.last) <= 0 {
			replay = append(replay, id)
			continue
		}
		for _, r := range rs {
			f.model.Observe(&st.state, f.online(r, items))
		}
		st.last = rs[len(rs)-1].key
		if err := e.saveKTStudent(ctx, st); err != nil {
			return nil, err
		}
		e.keepKT(st)
	}
	if err := e.countItems(ctx, all, 1); err != nil {
		return nil, err
	}
	return e.ktReplay(ctx, replay)
}

// countItems adds sign times the responses rs to their items' counts.
func (e *engine) countItems(ctx context.Context, rs []ktResponse, sign int) error {
	type count struct{ n, right int }
	counts := map[int64]count{}
	for _, r := range rs {
		if r.item == 0 {
			continue
		}
		c := counts[r.item]
		c.n += sign
		if r.correct {
			c.right += sign
		}
		counts[r.item] = c
	}
	for _, id := range slices.Sorted(mapKeys(counts)) {
		c := counts[id]
		if _, err := e.r.exec(ctx, `UPDATE items SET responses = responses + $3, right_count = right_count + $4 WHERE district_id = $1 AND id = $2`,
			e.districtID, id, c.n, c.right); err != nil {
			return fmt.Errorf("counting responses on item %d: %w", id, err)
		}
	}
	return nil
}

// studentResponses reads the responses that count of the given students,
// each student's in order.
func (e *engine) studentResponses(ctx context.Context, students []int64) (map[int64][]ktResponse, error) {
	out := map[int64][]ktResponse{}
	err := e.r.each(ctx, `
SELECT sc.student_id, sc.standard_id, sc.item_id, sc.value, sc.assessed_at, sc.recorded_at, sc.evidence_id, sc.position
FROM evidence_scores sc JOIN evidence ev ON ev.id = sc.evidence_id
WHERE sc.district_id = $1 AND sc.student_id IN ids($2) AND ev.void_at IS NULL`, []any{e.districtID, e.r.s.ids(students)}, func(row scanner) error {
		var student int64
		var r ktResponse
		var item *int64
		var value float64
		if err := row.Scan(&student, &r.standard, nullCol[int64]{&item}, &value, tsCol{&r.key.assessed}, tsCol{&r.key.recorded},
			&r.key.evidence, &r.key.position); err != nil {
			return err
		}
		scale, ok := e.m.scaleOf(r.standard)
		if !ok {
			return nil
		}
		if item != nil {
			r.item = *item
		}
		r.correct = mastery.AtMastery(scale, value)
		out[student] = append(out[student], r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading responses: %w", err)
	}
	for _, rs := range out {
		slices.SortFunc(rs, func(a, b ktResponse) int { return compareKeys(a.key, b.key) })
	}
	return out, nil
}

// ktReplay recomputes the model's state of the given students from their
// responses that count, in order: what a rebuild computes. It returns the
// standards of each student whose trace it changed.
func (e *engine) ktReplay(ctx context.Context, students []int64) (map[int64][]int64, error) {
	if len(students) == 0 {
		return nil, nil
	}
	if err := e.flush(ctx); err != nil {
		return nil, err
	}
	students = uniq(students)
	resp, err := e.studentResponses(ctx, students)
	if err != nil {
		return nil, err
	}
	old := map[[2]int64]string{}
	err = e.r.each(ctx, `SELECT student_id, standard_id, trace FROM kt_standard_traces WHERE district_id = $1 AND student_id IN ids($2)`,
		[]any{e.districtID, e.r.s.ids(students)}, func(row scanner) error {
			var k [2]int64
			var trace string
			err := row.Scan(&k[0], &k[1], &trace)
			old[k] = trace
			return err
		})
	if err != nil {
		return nil, err
	}
	for _, id := range students {
		delete(e.ktStates, id)
	}
	return e.ktFold(ctx, students, resp, old)
}

// ktFold computes the state of students from their responses, in order,
// and writes it. old, when not nil, holds the students' stored standard
// traces (by student and standard, as JSON): only those that changed are
// written, those left without responses deleted, and the standards of
// both returned by student. With old nil nothing is stored for the
// students yet (a rebuild) and every trace is written.
func (e *engine) ktFold(ctx context.Context, students []int64, resp map[int64][]ktResponse, old map[[2]int64]string) (map[int64][]int64, error) {
	f := e.m.kt
	items := map[int64]*mastery.ItemWeights{}
	var stRows, trRows [][]any
	var gone []int64
	changed := map[int64][]int64{}
	s := e.r.s
	for _, id := range students {
		rs := resp[id]
		if len(rs) == 0 {
			gone = append(gone, id)
			continue
		}
		if err := e.ktItems(ctx, rs, items); err != nil {
			return nil, err
		}
		var st mastery.OnlineStudent
		for _, r := range rs {
			f.model.Observe(&st, f.online(r, items))
		}
		st.Changed = nil
		last := rs[len(rs)-1].key
		e.keepKT(&ktStudent{id: id, state: st, last: last, exists: true})
		stRows = append(stRows, []any{e.districtID, id, jsonText(st.Student), s.ts(last.assessed), s.ts(last.recorded), last.evidence, last.position})
		for _, std := range slices.Sorted(mapKeys(st.Standards)) {
			text := jsonText(st.Standards[std])
			k := [2]int64{id, std}
			if old == nil || old[k] != text {
				trRows = append(trRows, []any{e.districtID, id, std, text})
				if old != nil {
					changed[id] = append(changed[id], std)
				}
			}
			delete(old, k)
		}
	}
	var stale [][2]int64
	for k := range old {
		stale = append(stale, k)
		changed[k[0]] = append(changed[k[0]], k[1])
	}
	for id := range changed {
		slices.Sort(changed[id])
	}
	for _, k := range stale {
		if _, err := e.r.exec(ctx, `DELETE FROM kt_standard_traces WHERE district_id = $1 AND student_id = $2 AND standard_id = $3`, e.districtID, k[0], k[1]); err != nil {
			return nil, err
		}
	}
	if len(gone) > 0 {
		if _, err := e.r.exec(ctx, `DELETE FROM kt_students WHERE district_id = $1 AND student_id IN ids($2)`, e.districtID, e.r.s.ids(gone)); err != nil {
			return nil, err
		}
	}
	if err := e.r.insertRows(ctx, `INSERT INTO kt_students (district_id, student_id, trace, last_assessed, last_recorded, last_evidence, last_position) VALUES `,
		` ON CONFLICT (district_id, student_id) DO UPDATE SET trace = excluded.trace, last_assessed = excluded.last_assessed,
    last_recorded = excluded.last_recorded, last_evidence = excluded.last_evidence, last_position = excluded.last_position`, stRows); err != nil {
		return nil, fmt.Errorf("writing the model's states: %w", err)
	}
	if err := e.r.insertRows(ctx, `INSERT INTO kt_standard_traces (district_id, student_id, standard_id, trace) VALUES `,
		` ON CONFLICT (district_id, student_id, standard_id) DO UPDATE SET trace = excluded.trace`, trRows); err != nil {
		return nil, fmt.Errorf("writing the model's traces: %w", err)
	}
	return changed, nil
}

// keepKT keeps a student's state for the recomputation that follows.
func (e *engine) keepKT(st *ktStudent) {
	if e.ktStates == nil {
		e.ktStates = map[int64]*ktStudent{}
	}
	e.ktStates[st.id] = st
}

// ktVoid takes voided responses out of the model: the student's state is
// replayed and the items' counts lowered.
func (e *engine) ktVoid(ctx context.Context, student int64, rs []ktResponse) ([]int64, error) {
	if err := e.countItems(ctx, rs, -1); err != nil {
		return nil, err
	}
	changed, err := e.ktReplay(ctx, []int64{student})
	return changed[student], err
}

// ktRebuild replaces the model's state of every student of the district,
// and the counts of every item, by what the evidence that counts gives,
// replaying each student's responses in order: exactly what recording
// them one at a time gives.
func (e *engine) ktRebuild(ctx context.Context) error {
	for _, q := range []string{
		`DELETE FROM kt_standard_traces WHERE district_id = $1`,
		`DELETE FROM kt_students WHERE district_id = $1`,
		`UPDATE items SET responses = 0, right_count = 0 WHERE district_id = $1 AND (responses <> 0 OR right_count <> 0)`,
	} {
		if _, err := e.r.exec(ctx, q, e.districtID); err != nil {
			return fmt.Errorf("clearing the model's states: %w", err)
		}
	}
	var students []int64
	err := e.r.each(ctx, `SELECT DISTINCT student_id FROM evidence WHERE district_id = $1 AND void_at IS NULL ORDER BY student_id`,
		[]any{e.districtID}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			students = append(students, id)
			return err
		})
	if err != nil {
		return err
	}
	for done := 0; done < len(students); done += studentsPerChunk {
		chunk := students[done:min(done+studentsPerChunk, len(students))]
		resp, err := e.studentResponses(ctx, chunk)
		if err != nil {
			return err
		}
		if _, err := e.ktFold(ctx, chunk, resp, nil); err != nil {
			return err
		}
		var all []ktResponse
		for _, id := range chunk {
			all = append(all, resp[id]...)
		}
		if err := e.countItems(ctx, all, 1); err != nil {
			return err
		}
	}
	return nil
}

// PredictResponse returns the probability that a student answers right
// their next question on a standard, item itemID when not 0, as the
// district's logistic model sees it from the evidence recorded so far:
// a prediction, read before the response is recorded.
func (s *Store) PredictResponse(ctx context.Context, districtID, studentID, standardID, itemID int64) (p float64, err error) {
	defer wrap(&err, "PredictResponse(student %d, standard %d)", studentID, standardID)
	r := s.reader()
	m, err := s.model(ctx, r, districtID, anyVersion)
	if err != nil {
		return 0, err
	}
	if _, ok := m.std[standardID]; !ok {
		return 0, problem.NotFound("standard", standardID)
	}
	f := m.kt
	resp := []ktResponse{{standard: standardID, item: itemID}}
	items := map[int64]*mastery.ItemWeights{}
	st, err := loadKTStudent(ctx, r, districtID, studentID, f.standardsFor(resp), itemsOf(resp), items)
	if err != nil {
		return 0, err
	}
	return f.model.PredictOnline(&st.state, f.online(resp[0], items)), nil
}

// ktLoadStates reads, when the district has a fitted logistic model, the
// model's states of the work items' students that the engine does not
// hold yet, with their traces on the items' targets: one query.
func (e *engine) ktLoadStates(ctx context.Context, items []*work) error {
	if f := e.m.kt; f == nil || !f.fitted {
		return nil
	}
	if e.ktStates == nil {
		e.ktStates = map[int64]*ktStudent{}
	}
	var students, stds []int64
	for _, w := range items {
		if _, ok := e.ktStates[w.student]; ok {
			continue
		}
		e.ktStates[w.student] = &ktStudent{id: w.student, state: mastery.OnlineStudent{Standards: map[int64]*mastery.StandardTrace{}}}
		students = append(students, w.student)
		stds = append(stds, w.targets...)
	}
	if len(students) == 0 {
		return nil
	}
	err := e.r.each(ctx, `SELECT student_id, standard_id, trace FROM kt_standard_traces
WHERE district_id = $1 AND student_id IN ids($2) AND standard_id IN ids($3)`,
		[]any{e.districtID, e.r.s.ids(students), e.r.s.ids(uniq(stds))}, func(row scanner) error {
			var id, std int64
			t := &mastery.StandardTrace{}
			if err := row.Scan(&id, &std, jsonCol{t}); err != nil {
				return err
			}
			e.ktStates[id].state.Standards[std] = t
			return nil
		})
	if err != nil {
		return fmt.Errorf("reading the model's traces: %w", err)
	}
	return nil
}
