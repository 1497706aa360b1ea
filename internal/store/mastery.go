package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// MasteryState is a student's stored mastery of one standard.
type MasteryState struct {
	DistrictID, StudentID, StandardID int64
	mastery.State
	UpdatedAt time.Time
}

// ClassMatrix is a class's students against the standards of its course.
type ClassMatrix struct {
	Class     roster.Class
	Students  []roster.Person
	Standards []standards.Standard
	// Cells is indexed [student][standard]; nil means no evidence yet.
	Cells [][]*MasteryState
}

const stateCols = `ms.district_id, ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered,
    ms.evidence_count, ms.last_assessed, ms.trend, ms.explanation, ms.updated_at, ` + modelCols

// modelCols are the columns of a state's model estimate, read by
// modelCol.
const modelCols = `ms.model_p, ms.model_next, ms.model_low, ms.model_high, ms.model_n, ms.model_verdict`

// scanState scans the stateCols of a row, after lead when the row starts
// with other columns.
func scanState(row scanner, lead ...any) (ms MasteryState, err error) {
	mc := modelCol{dst: &ms.Model}
	err = row.Scan(append(lead, &ms.DistrictID, &ms.StudentID, &ms.StandardID, &ms.Value, &ms.Level, &ms.LevelLabel, &ms.Mastered,
		&ms.EvidenceCount, tsCol{&ms.LastAssessed}, &ms.Trend, jsonCol{&ms.Explanation}, tsCol{&ms.UpdatedAt},
		&mc.p, &mc.next, &mc.low, &mc.high, &mc.n, &mc.verdict)...)
	mc.set()
	return ms, err
}

// modelCol scans the model columns into a *mastery.MasteryEstimate, left
// nil when the state has none.
type modelCol struct {
	dst                **mastery.MasteryEstimate
	p, next, low, high sql.NullFloat64
	n                  sql.NullInt64
	verdict            sql.NullString
}

func (c *modelCol) set() {
	if !c.p.Valid {
		*c.dst = nil
		return
	}
	*c.dst = &mastery.MasteryEstimate{PMastered: c.p.Float64, PCorrectNext: c.next.Float64, Low: c.low.Float64,
		High: c.high.Float64, Evidence: int(c.n.Int64), Verdict: mastery.Verdict(c.verdict.String)}
}

// modelArgs returns the model columns' values of a state.
func modelArgs(est *mastery.MasteryEstimate) []any {
	if est == nil {
		return []any{nil, nil, nil, nil, nil, nil}
	}
	return []any{est.PMastered, est.PCorrectNext, est.Low, est.High, est.Evidence, string(est.Verdict)}
}

// StudentMastery returns a student's mastery states, in the order the
// standards are shown (frameworks by id, then hierarchy order). Standards
// without evidence have no state and are left out.
func (s *Store) StudentMastery(ctx context.Context, districtID, studentID int64) (out []MasteryState, err error) {
	defer wrap(&err, "StudentMastery(%d)", studentID)
	r := s.reader()
	if err := r.mustExist(ctx, tPeople, "student", districtID, studentID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT `+stateCols+` FROM mastery_states ms WHERE ms.district_id = $1 AND ms.student_id = $2`,
		[]any{districtID, studentID}, func(row scanner) error {
			ms, err := scanState(row)
			out = append(out, ms)
			return err
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	m, err := s.model(ctx, r, districtID, anyVersion)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b MasteryState) int {
		return cmp.Or(m.std[a.StandardID].order-m.std[b.StandardID].order, cmp.Compare(a.StandardID, b.StandardID))
	})
	return out, nil
}

// MasteryOf returns a student's mastery of one standard;
// problem.ErrNotFound when there is no evidence on it yet.
func (s *Store) MasteryOf(ctx context.Context, districtID, studentID, standardID int64) (_ MasteryState, err error) {
	defer wrap(&err, "MasteryOf(student %d, standard %d)", studentID, standardID)
	ms, err := scanState(s.reader().queryRow(ctx, `
SELECT `+stateCols+` FROM mastery_states ms
WHERE ms.district_id = $1 AND ms.student_id = $2 AND ms.standard_id = $3`, districtID, studentID, standardID))
	return ms, noRows(err, "mastery of student "+fmt.Sprint(studentID)+" on standard", standardID)
}

// ClassMastery returns a class's students (by name) against the standards
// of its course (in hierarchy order), with each student's state.
//
// The cells carry no explanation (their Explanation is the zero value):
// a matrix shows values and levels, and decoding the stored explanation of
// every cell took half the time of the whole read. MasteryOf returns one
// cell with its explanation.
func (s *Store) ClassMastery(ctx context.Context, districtID, classID int64) (cm ClassMatrix, err error) {
	defer wrap(&err, "ClassMastery(%d)", classID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if cm.Class, err = s.class(ctx, r, districtID, classID); err != nil {
			return err
		}
		if cm.Students, err = s.classPeople(ctx, r, districtID, classID, roster.EnrolledStudent); err != nil {
			return err
		}
		if cm.Standards, err = s.courseStandards(ctx, r, districtID, cm.Class.CourseID); err != nil {
			return err
		}
		row := make(map[int64]int, len(cm.Students))
		students := make([]int64, len(cm.Students))
		for i, p := range cm.Students {
			row[p.ID] = i
			students[i] = p.ID
		}
		col := make(map[int64]int, len(cm.Standards))
		stds := make([]int64, len(cm.Standards))
		for j, st := range cm.Standards {
			col[st.ID] = j
			stds[j] = st.ID
		}
		cm.Cells = make([][]*MasteryState, len(cm.Students))
		for i := range cm.Cells {
			cm.Cells[i] = make([]*MasteryState, len(cm.Standards))
		}
		if len(students) == 0 || len(stds) == 0 {
			return nil
		}
		// All the cells live in one slice, filled in the order the rows
		// come; the matrix points into it.
		cells := make([]MasteryState, 0, len(students)*len(stds))
		// The students and standards just read are passed as lists, so
		// that the primary key (student, standard) finds each cell
		// directly instead of joining enrollments and course standards
		// again.
		return r.each(ctx, `
SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered,
    ms.evidence_count, ms.last_assessed, ms.trend, ms.updated_at, `+modelCols+`
FROM mastery_states ms
WHERE ms.student_id IN ids($2) AND ms.standard_id IN ids($3) AND ms.district_id = $1`,
			[]any{districtID, s.ids(students), s.ids(stds)}, func(rs scanner) error {
				cells = append(cells, MasteryState{DistrictID: districtID})
				ms := &cells[len(cells)-1]
				mc := modelCol{dst: &ms.Model}
				if err := rs.Scan(&ms.StudentID, &ms.StandardID, &ms.Value, &ms.Level, &ms.LevelLabel, &ms.Mastered,
					&ms.EvidenceCount, tsCol{&ms.LastAssessed}, &ms.Trend, tsCol{&ms.UpdatedAt},
					&mc.p, &mc.next, &mc.low, &mc.high, &mc.n, &mc.verdict); err != nil {
					return err
				}
				mc.set()
				i, ok1 := row[ms.StudentID]
				j, ok2 := col[ms.StandardID]
				if ok1 && ok2 {
					cm.Cells[i][j] = ms
				}
				return nil
			})
	})
	return cm, err
}

// StandardMastery returns the states on one standard of the class's
// students that have one, in the class's student order; the students are
// those of ClassStudents, whose enrollment is active now.
func (s *Store) StandardMastery(ctx context.Context, districtID, classID, standardID int64) (out []MasteryState, err error) {
	defer wrap(&err, "StandardMastery(class %d, standard %d)", classID, standardID)
	r := s.reader()
	if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
		return nil, err
	}
	if err := r.mustExist(ctx, tStandards, "standard", districtID, standardID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT `+stateCols+` FROM mastery_states ms
JOIN enrollments e ON e.person_id = ms.student_id AND e.class_id = $2 AND e.role = 'student'`+activeEnrollment("e")+`
JOIN people p ON p.id = ms.student_id AND p.retired_at IS NULL
WHERE ms.district_id = $1 AND ms.standard_id = $3
ORDER BY p.family_name, p.given_name, p.id`, s.activeArgs(districtID, classID, standardID), func(row scanner) error {
		ms, err := scanState(row)
		out = append(out, ms)
		return err
	})
	return out, err
}

// engine loads and saves the mastery states of one district inside a
// write transaction; what the states are is decided by the mastery
// package (mastery.Recompute). Every path that writes mastery (recording,
// voiding, policy and hierarchy changes, rebuilding) goes through
// mastery.Recompute, so that all of them agree to the last bit.
type engine struct {
	r          *runner
	districtID int64
	m          *model
	pol        *policies
	now        time.Time
	// ktStates are the logistic model's states of students, by student,
	// holding at least the traces of the standards being recomputed.
	ktStates map[int64]*ktStudent
	// pending are inserts, on PostgreSQL, that go ahead of the engine's
	// next read in the same statement (engine.withPending), or on their
	// own (engine.flush) when no read comes first.
	pending []pendingInsert
}

// pendingInsert is a multi-row insert, head + "(...), (...)", not yet
// sent.
type pendingInsert struct {
	head string
	rows [][]any
}

// withPending returns q, a SELECT whose parameters are args, preceded by
// the pending inserts as data-modifying WITH clauses, and the parameters
// of both; the inserts are no longer pending. PostgreSQL runs every such
// clause to completion whatever the SELECT reads, in the same round trip:
// recording one piece of evidence writes its evidence and scores and
// reads its states in one statement instead of three. The SELECT sees
// the database as it was before the inserts, so it must not read what
// they write.
func (e *engine) withPending(q string, args []any) (string, []any) {
	if len(e.pending) == 0 {
		return q, args
	}
	var b strings.Builder
	b.WriteString("WITH ")
	p := len(args) + 1
	for i, ins := range e.pending {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("w")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(" AS (")
		b.WriteString(ins.head)
		for j, row := range ins.rows {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for k, v := range row {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
				p++
				args = append(args, v)
			}
			b.WriteByte(')')
		}
		b.WriteByte(')')
	}
	b.WriteString(q)
	e.pending = nil
	return b.String(), args
}

// flush sends the pending inserts on their own.
func (e *engine) flush(ctx context.Context) error {
	for len(e.pending) > 0 {
		ins := e.pending[0]
		e.pending = e.pending[1:]
		if err := e.r.insertRows(ctx, ins.head, "", ins.rows); err != nil {
			return err
		}
	}
	return nil
}

// work is the recomputation of some standards of one student.
type work struct {
	student int64
	// targets are the standards to recompute with all their ancestors,
	// deepest first, so children are done before their parents.
	targets []int64
	// obs are the student's non-void observations on the targets, in the
	// order they count: assessed, then recorded, then evidence id.
	obs map[int64][]mastery.Observation
	// stored are the student's states of children of targets that are not
	// targets themselves: they did not change.
	stored map[int64]mastery.State
	// evidence is the number of evidence records written for the student.
	evidence int
	// fresh are the observations of the evidence just written for the
	// student, by standard, when it is the whole change: then the targets'
	// histories can be grown from their stored states (engine.grow)
	// rather than read again.
	fresh map[int64][]mastery.Observation
}

// studentsPerChunk bounds how many students' evidence is held in memory
// at once by recomputations of many students.
const studentsPerChunk = 256

// recompute recomputes the given work items (one per student) and writes
// the results: states are upserted, and targets left without evidence lose
// their state. It returns the changes to announce and the number of states
// written.
func (e *engine) recompute(ctx context.Context, items []*work) ([]Change, int, error) {
	var changes []Change
	written := 0
	for len(items) > 0 {
		n := min(len(items), studentsPerChunk)
		chunk := items[:n]
		items = items[n:]
		if err := e.ktLoadStates(ctx, chunk); err != nil {
			return nil, 0, err
		}
		rest, err := e.grow(ctx, chunk)
		if err != nil {
			return nil, 0, err
		}
		if err := e.flush(ctx); err != nil {
			return nil, 0, err
		}
		if len(rest) > 0 {
			if err := e.load(ctx, rest, true); err != nil {
				return nil, 0, err
			}
		}
		var rows [][]any
		for _, w := range chunk {
			states := mastery.Recompute(e.studentDistrict(e.district(), w.student), w.targets, w.obs, w.stored)
			var gone []int64
			for _, id := range w.targets {
				st, ok := states[id]
				if !ok {
					gone = append(gone, id)
					continue
				}
				rows = append(rows, e.stateRow(w.student, id, st))
			}
			if len(gone) > 0 {
				if _, err := e.r.exec(ctx, `DELETE FROM mastery_states WHERE district_id = $1 AND student_id = $2 AND standard_id IN ids($3)`,
					e.districtID, w.student, e.r.s.ids(gone)); err != nil {
					return nil, 0, fmt.Errorf("deleting mastery states: %w", err)
				}
			}
			ids := slices.Clone(w.targets)
			slices.Sort(ids)
			changes = append(changes, Change{DistrictID: e.districtID, StudentID: w.student, StandardIDs: ids, Evidence: w.evidence})
			w.obs, w.stored, w.fresh = nil, nil, nil
		}
		if err := e.r.insertRows(ctx, insertStateHead, upsertStateTail, rows); err != nil {
			return nil, 0, fmt.Errorf("writing mastery states: %w", err)
		}
		written += len(rows)
	}
	return changes, written, nil
}

const insertStateHead = `INSERT INTO mastery_states (district_id, student_id, standard_id, value, level, level_label, mastered,
    evidence_count, last_assessed, trend, explanation, updated_at,
    model_p, model_next, model_low, model_high, model_n, model_verdict) VALUES `

const upsertStateTail = ` ON CONFLICT (student_id, standard_id) DO UPDATE SET
    value = excluded.value, level = excluded.level, level_label = excluded.level_label, mastered = excluded.mastered,
    evidence_count = excluded.evidence_count, last_assessed = excluded.last_assessed, trend = excluded.trend,
    explanation = excluded.explanation, updated_at = excluded.updated_at,
    model_p = excluded.model_p, model_next = excluded.model_next, model_low = excluded.model_low,
    model_high = excluded.model_high, model_n = excluded.model_n, model_verdict = excluded.model_verdict`

func (e *engine) stateRow(student, standard int64, st mastery.State) []any {
	return append([]any{e.districtID, student, standard, st.Value, st.Level, st.LevelLabel, st.Mastered,
		st.EvidenceCount, e.r.s.tsOrNull(&st.LastAssessed), st.Trend, explanationJSON(st.Explanation), e.r.s.ts(e.now)},
		modelArgs(st.Model)...)
}

// load reads the observations of the work items' students on their
// targets, and, when stored is set, the states of the targets' children
// that are not targets. Items must be of distinct students. Both reads
// look up exactly the (student, standard) pairs needed, in one query each.
func (e *engine) load(ctx context.Context, items []*work, stored bool) error {
	byStudent := make(map[int64]*work, len(items))
	students := make([]int64, 0, len(items))
	var obsStudents, obsStds, kidStudents, kidStds []int64
	for _, w := range items {
		byStudent[w.student] = w
		students = append(students, w.student)
		w.obs = map[int64][]mastery.Observation{}
		w.stored = map[int64]mastery.State{}
		own := make(map[int64]bool, len(w.targets))
		for _, id := range w.targets {
			own[id] = true
			obsStudents = append(obsStudents, w.student)
			obsStds = append(obsStds, id)
		}
		if !stored {
			continue
		}
		for _, id := range w.targets {
			for _, k := range e.m.graph.Children(id) {
				if !own[k] {
					own[k] = true
					kidStudents = append(kidStudents, w.student)
					kidStds = append(kidStds, k)
				}
			}
		}
	}
	s := e.r.s
	// On SQLite the students' voided evidence is looked up apart, so that
	// the scores are read without their evidence. PostgreSQL, where each
	// query costs a round trip to the server, checks the evidence of each
	// score itself.
	var voided map[int64]bool
	if s.engine == SQLite {
		var err error
		if voided, err = e.voided(ctx, students); err != nil {
			return err
		}
	}
	// Observations come unordered and are put in order here, per
	// (student, standard): cheaper than a sort of the whole result in SQL.
	pairSQL, pairArgs := s.pairsSQL(obsStudents, obsStds)
	err := e.r.each(ctx, s.pick(`
SELECT sc.student_id, sc.standard_id, sc.evidence_id, sc.value, sc.assessed_at, sc.recorded_at
FROM `+pairSQL+`
CROSS JOIN evidence_scores sc
WHERE sc.district_id = $1 AND sc.student_id = p.a AND sc.standard_id = p.b`, `
SELECT sc.student_id, sc.standard_id, sc.evidence_id, sc.value, sc.assessed_at, sc.recorded_at
FROM `+pairSQL+`
JOIN evidence_scores sc ON sc.district_id = $1 AND sc.student_id = p.a AND sc.standard_id = p.b
JOIN evidence e ON e.id = sc.evidence_id AND e.void_at IS NULL`),
		append([]any{e.districtID}, pairArgs...), e.observe(byStudent, voided))
	for _, w := range items {
		for _, obs := range w.obs {
			slices.SortFunc(obs, mastery.CompareObservations)
		}
	}
	if err != nil {
		return fmt.Errorf("loading observations: %w", err)
	}
	if len(kidStds) == 0 {
		return nil
	}
	// A rollup reads its children's values, not their explanations, so
	// the explanations are left unread. The rebuild test guards this: a
	// rollup that did read them would make rebuilt states differ.
	pairSQL, pairArgs = s.pairsSQL(kidStudents, kidStds)
	err = e.r.each(ctx, s.pick(`
SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered, ms.evidence_count, ms.last_assessed, ms.trend
FROM `+pairSQL+`
CROSS JOIN mastery_states ms
WHERE ms.student_id = p.a AND ms.standard_id = p.b AND ms.district_id = $1`, `
SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered, ms.evidence_count, ms.last_assessed, ms.trend
FROM `+pairSQL+`
JOIN mastery_states ms ON ms.student_id = p.a AND ms.standard_id = p.b
WHERE ms.district_id = $1`),
		append([]any{e.districtID}, pairArgs...), func(row scanner) error {
			var student, std int64
			var st mastery.State
			if err := row.Scan(&student, &std, &st.Value, &st.Level, &st.LevelLabel, &st.Mastered, &st.EvidenceCount,
				tsCol{&st.LastAssessed}, &st.Trend); err != nil {
				return err
			}
			byStudent[student].stored[std] = st
			return nil
		})
	if err != nil {
		return fmt.Errorf("loading mastery states: %w", err)
	}
	return nil
}

// voided returns the ids of the students' voided evidence. Voiding is
// rare, and looking the voided evidence up apart lets observations be read
// from the scores alone.
func (e *engine) voided(ctx context.Context, students []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := e.r.each(ctx, `SELECT id FROM evidence WHERE district_id = $1 AND student_id IN ids($2) AND void_at IS NOT NULL`,
		[]any{e.districtID, e.r.s.ids(students)}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			out[id] = true
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("loading voided evidence: %w", err)
	}
	return out, nil
}

// observe returns the function that reads a row of (student, standard,
// evidence, value, assessed, recorded) into the student's work, leaving
// out voided evidence.
func (e *engine) observe(byStudent map[int64]*work, voided map[int64]bool) func(row scanner) error {
	return func(row scanner) error {
		var student, std int64
		var o mastery.Observation
		if err := row.Scan(&student, &std, &o.EvidenceID, &o.Value, tsCol{&o.AssessedAt}, tsCol{&o.RecordedAt}); err != nil {
			return err
		}
		if !voided[o.EvidenceID] {
			w := byStudent[student]
			w.obs[std] = append(w.obs[std], o)
		}
		return nil
	}
}

// newEngine returns an engine for the district using the cached model and
// policies, loaded through r when not cached or cached at another
// config_version than the district's (read through r when version is
// anyVersion).
func (r *runner) newEngine(ctx context.Context, districtID, version int64) (*engine, error) {
	if version == anyVersion {
		var err error
		if version, err = r.configVersion(ctx, districtID); err != nil {
			return nil, err
		}
	}
	m, err := r.s.model(ctx, r, districtID, version)
	if err != nil {
		return nil, err
	}
	pol, err := r.s.policiesOf(ctx, r, districtID, version)
	if err != nil {
		return nil, err
	}
	return &engine{r: r, districtID: districtID, m: m, pol: pol, now: r.s.nowUTC()}, nil
}

// recomputeStandards recomputes, for every student with a state on any of
// stds, the states of stds and their ancestors. It reads the hierarchy
// afresh through r, because the caller may just have changed it; pol, when
// not nil, are the policies to apply (the caller may just have changed
// those too).
func (r *runner) recomputeStandards(ctx context.Context, districtID int64, pol *policies, stds []int64) ([]Change, int, error) {
	if err := r.lockDistrict(ctx, districtID); err != nil {
		return nil, 0, err
	}
	m, err := loadModel(ctx, r, districtID)
	if err != nil {
		return nil, 0, err
	}
	if pol == nil {
		if pol, err = loadPolicies(ctx, r, districtID); err != nil {
			return nil, 0, err
		}
	}
	e := &engine{r: r, districtID: districtID, m: m, pol: pol, now: r.s.nowUTC()}
	var live []int64
	for _, id := range stds {
		if _, ok := m.std[id]; ok {
			live = append(live, id)
		}
	}
	if len(live) == 0 {
		return nil, 0, nil
	}
	var students []int64
	err = r.each(ctx, `SELECT DISTINCT student_id FROM mastery_states WHERE district_id = $1 AND standard_id IN ids($2) ORDER BY student_id`,
		[]any{districtID, r.s.ids(live)}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			students = append(students, id)
			return err
		})
	if err != nil {
		return nil, 0, err
	}
	targets := e.targetsOf(live)
	items := make([]*work, len(students))
	for i, st := range students {
		items[i] = &work{student: st, targets: targets}
	}
	return e.recompute(ctx, items)
}

// notify tells the OnChange listener about changes, after the commit.
func (s *Store) notify(changes []Change) {
	// Live updates: the watchers of this server, and on PostgreSQL the
	// other servers, learn of the changes too (notify.go).
	s.shareChanges(changes)
	if s.onChange == nil {
		return
	}
	for _, c := range changes {
		s.onChange(c)
	}
}

// explanationJSON encodes an explanation as json.Marshal does, byte for
// byte, without reflection: a piece of evidence rewrites several states,
// each with an explanation listing all the evidence behind it, and
// encoding those took a tenth of the time of recording a batch. Values it
// cannot write exactly as json.Marshal would (odd strings, numbers that
// are not finite, years outside 0-9999) go through json.Marshal instead.
func explanationJSON(e mastery.Explanation) string {
	b, ok := appendExplanation(make([]byte, 0, 64+len(e.Inputs)*96+len(e.Children)*80), e)
	if !ok {
		return jsonText(e)
	}
	return string(b)
}

func appendExplanation(b []byte, e mastery.Explanation) ([]byte, bool) {
	ok := true
	b = append(b, '{')
	sep := func() {
		if len(b) > 1 {
			b = append(b, ',')
		}
	}
	if e.Method != "" {
		b = append(b, `"method":`...)
		b, ok = appendJSONString(b, string(e.Method), ok)
	}
	if e.Weight != 0 {
		sep()
		b = append(b, `"weight":`...)
		b, ok = appendJSONFloat(b, e.Weight, ok)
	}
	if e.N != 0 {
		sep()
		b = append(b, `"n":`...)
		b = strconv.AppendInt(b, int64(e.N), 10)
	}
	if e.Rollup != "" {
		sep()
		b = append(b, `"rollup":`...)
		b, ok = appendJSONString(b, string(e.Rollup), ok)
	}
	if len(e.Inputs) > 0 {
		sep()
		b = append(b, `"inputs":[`...)
		for i, in := range e.Inputs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"evidenceId":`...)
			b = strconv.AppendInt(b, in.EvidenceID, 10)
			b = append(b, `,"value":`...)
			b, ok = appendJSONFloat(b, in.Value, ok)
			b = append(b, `,"assessedAt":`...)
			b, ok = appendJSONTime(b, in.AssessedAt, ok)
			b = append(b, `,"weight":`...)
			b, ok = appendJSONFloat(b, in.Weight, ok)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(e.Children) > 0 {
		sep()
		b = append(b, `"children":[`...)
		for i, c := range e.Children {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"standardId":`...)
			b = strconv.AppendInt(b, c.StandardID, 10)
			b = append(b, `,"value":`...)
			b, ok = appendJSONFloat(b, c.Value, ok)
			b = append(b, `,"mastered":`...)
			b = strconv.AppendBool(b, c.Mastered)
			b = append(b, `,"assessed":`...)
			b = strconv.AppendBool(b, c.Assessed)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	sep()
	b = append(b, `"cut":`...)
	b, ok = appendJSONFloat(b, e.Cut, ok)
	if m := e.Model; m != nil {
		b = append(b, `,"model":{"model":`...)
		b, ok = appendJSONString(b, m.Model, ok)
		b = append(b, `,"params":{"prior":`...)
		b, ok = appendJSONFloat(b, m.Params.Prior, ok)
		b = append(b, `,"learn":`...)
		b, ok = appendJSONFloat(b, m.Params.Learn, ok)
		b = append(b, `,"guess":`...)
		b, ok = appendJSONFloat(b, m.Params.Guess, ok)
		b = append(b, `,"slip":`...)
		b, ok = appendJSONFloat(b, m.Params.Slip, ok)
		if m.Params.Forget != 0 {
			b = append(b, `,"forget":`...)
			b, ok = appendJSONFloat(b, m.Params.Forget, ok)
		}
		b = append(b, `},"fitted":`...)
		b = strconv.AppendBool(b, m.Fitted)
		if a := m.Ability; a != nil {
			p := a.Params
			b = append(b, `,"ability":{"params":{"priorVar":`...)
			for i, f := range []struct {
				key string
				v   float64
			}{{"", p.PriorVar}, {`,"standardPriorVar":`, p.StandardPriorVar}, {`,"drift":`, p.Drift},
				{`,"standardDrift":`, p.StandardDrift}, {`,"itemRate":`, p.ItemRate}, {`,"itemDecay":`, p.ItemDecay}} {
				if i > 0 {
					b = append(b, f.key...)
				}
				b, ok = appendJSONFloat(b, f.v, ok)
			}
			for _, ab := range []struct {
				key string
				v   *mastery.Ability
			}{{`},"student":{"mean":`, &a.Student}, {`},"standard":{"mean":`, &a.Standard}} {
				b = append(b, ab.key...)
				b, ok = appendJSONFloat(b, ab.v.Mean, ok)
				b = append(b, `,"var":`...)
				b, ok = appendJSONFloat(b, ab.v.Var, ok)
				b = append(b, `,"n":`...)
				b = strconv.AppendInt(b, int64(ab.v.N), 10)
			}
			b = append(b, `},"rating":`...)
			b, ok = appendJSONFloat(b, a.Rating, ok)
			b = append(b, '}')
		}
		b = append(b, `,"responses":`...)
		b = strconv.AppendInt(b, int64(m.Responses), 10)
		b = append(b, `,"right":`...)
		b = strconv.AppendInt(b, int64(m.Right), 10)
		b = append(b, `,"confidence":`...)
		b, ok = appendJSONFloat(b, m.Confidence, ok)
		b = append(b, `,"masteredBy":`...)
		b, ok = appendJSONString(b, string(m.MasteredBy), ok)
		b = append(b, '}')
	}
	return append(b, '}'), ok
}

// appendJSONString appends s quoted; ok turns false when s holds a byte
// json.Marshal would escape.
func appendJSONString(b []byte, s string, ok bool) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			ok = false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), ok
}

// appendJSONFloat appends f in json.Marshal's format: the shortest
// decimal that reads back as f, in exponent form only for very small or
// large magnitudes, with a two-digit negative exponent shortened.
func appendJSONFloat(b []byte, f float64, ok bool) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, ok
}

// appendJSONTime appends t as time.Time's MarshalJSON does.
func appendJSONTime(b []byte, t time.Time, ok bool) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), ok
}

// MasteryAsOf returns a student's mastery states as they stood at each of
// the times in at (out[i] is at[i]'s, by standard id): computed from the
// evidence assessed up to that time, and not void now, by the policies and
// knowledge tracing models in force now, exactly as the stored states are.
// A standard without evidence by a time has no state then. At a time after
// every assessment the states are the stored ones, so that a growth chart
// ends where the student's page stands.
func (s *Store) MasteryAsOf(ctx context.Context, districtID, studentID int64, at []time.Time) (out []map[int64]mastery.State, err error) {
	defer wrap(&err, "MasteryAsOf(%d)", studentID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tPeople, "student", districtID, studentID); err != nil {
			return err
		}
		e, err := r.newEngine(ctx, districtID, anyVersion)
		if err != nil {
			return err
		}
		var stds []int64
		err = r.each(ctx, `SELECT DISTINCT standard_id FROM evidence_scores WHERE district_id = $1 AND student_id = $2`,
			[]any{districtID, studentID}, func(row scanner) error {
				var id int64
				if err := row.Scan(&id); err != nil {
					return err
				}
				if _, ok := e.m.std[id]; ok {
					stds = append(stds, id)
				}
				return nil
			})
		if err != nil {
			return err
		}
		all := &work{student: studentID, targets: e.targetsOf(stds)}
		if err := e.load(ctx, []*work{all}, false); err != nil {
			return err
		}
		// Every standard with evidence is a target, so no state of a
		// child is needed from the store: a child that is not a target
		// has no evidence and no state.
		out = mastery.Replay(e.district(), all.targets, all.obs, at)
		return nil
	})
	return out, err
}
