package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// StudentPlan is a student's plan in one class, as the pages read it.
type StudentPlan struct {
	Class roster.Class
	pathways.Plan
	// Stored is false for a student who has no plan of their own yet:
	// Plan is then the class pathway applied to them, as it would be
	// stored.
	Stored    bool
	UpdatedAt time.Time
}

// ClassPlanning is what a class's "ready today" and recommendations are
// computed from, read in one transaction: the class, its students, its
// pathway, each student's plan, their mastery states on every standard
// they have evidence on, and their interests.
type ClassPlanning struct {
	Class    roster.Class
	Students []roster.Person
	Pathway  pathways.Pathway
	// Plans are by student id; a student without one stored has the
	// pathway applied (Stored false).
	Plans map[int64]StudentPlan
	// States are by student id, then standard id. They carry no
	// explanation.
	States    map[int64]map[int64]mastery.State
	Interests map[int64][]string
}

// coursePlanScope returns what a pathway or a plan of a class of course
// courseID is checked against: the course's standards and, for going
// beyond it, every other course's.
func (s *Store) coursePlanScope(ctx context.Context, r *runner, districtID int64, course roster.Course, cat *standards.Catalog) (pathways.Course, error) {
	c := pathways.Course{Title: course.Title, Standards: map[int64]bool{}, Beyond: map[int64]bool{}}
	for _, st := range cat.CourseStandards(course.ID) {
		c.Standards[st.ID] = true
	}
	err := r.each(ctx, `SELECT DISTINCT standard_id FROM course_standards WHERE district_id = $1 AND course_id <> $2`,
		[]any{districtID, course.ID}, func(row scanner) error {
			var id int64
			if err := row.Scan(&id); err != nil {
				return err
			}
			if st, ok := cat.Standard(id); ok && !st.Retired && !c.Standards[id] {
				c.Beyond[id] = true
			}
			return nil
		})
	c.Label = func(id int64) string {
		if st, ok := cat.Standard(id); ok {
			return st.Code
		}
		return ""
	}
	return c, err
}

// ClassPathway returns a class's pathway, its targets in order; a class
// whose teacher has not set one has none.
func (s *Store) ClassPathway(ctx context.Context, districtID, classID int64) (pw pathways.Pathway, err error) {
	defer wrap(&err, "ClassPathway(%d)", classID)
	r := s.reader()
	if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
		return pw, err
	}
	return s.classPathway(ctx, r, districtID, classID)
}

func (s *Store) classPathway(ctx context.Context, r *runner, districtID, classID int64) (pw pathways.Pathway, err error) {
	pw = pathways.Pathway{DistrictID: districtID, ClassID: classID, Targets: []pathways.PathwayTarget{}}
	err = r.each(ctx, `SELECT standard_id, introduce_by FROM pathway_targets WHERE district_id = $1 AND class_id = $2 ORDER BY position`,
		[]any{districtID, classID}, func(row scanner) error {
			var t pathways.PathwayTarget
			if err := row.Scan(&t.StandardID, tsPtrCol{&t.IntroduceBy}); err != nil {
				return err
			}
			pw.Targets = append(pw.Targets, t)
			return nil
		})
	return pw, err
}

// SetClassPathway replaces a class's pathway, checked against the class's
// course (pathways.Pathway.Validate). Students' plans are not changed:
// ApplyPathway does that.
func (s *Store) SetClassPathway(ctx context.Context, pw pathways.Pathway) (err error) {
	defer wrap(&err, "SetClassPathway(%d)", pw.ClassID)
	cat, err := s.Catalog(ctx, pw.DistrictID)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		class, err := s.class(ctx, r, pw.DistrictID, pw.ClassID)
		if err != nil {
			return err
		}
		course, err := s.course(ctx, r, pw.DistrictID, class.CourseID)
		if err != nil {
			return err
		}
		scope, err := s.coursePlanScope(ctx, r, pw.DistrictID, course, cat)
		if err != nil {
			return err
		}
		if err := pw.Validate(scope); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM pathway_targets WHERE district_id = $1 AND class_id = $2`, pw.DistrictID, pw.ClassID); err != nil {
			return err
		}
		rows := make([][]any, len(pw.Targets))
		for i, t := range pw.Targets {
			rows[i] = []any{pw.DistrictID, pw.ClassID, t.StandardID, i, s.tsOrNull(t.IntroduceBy)}
		}
		return r.insertRows(ctx, `INSERT INTO pathway_targets (district_id, class_id, standard_id, position, introduce_by) VALUES `, ``, rows)
	})
}

// ApplyPathway applies a class's pathway to the plan of every student
// enrolled in it now (pathways.Apply), as person by, and returns how many
// plans it wrote. entry is the audit entry of the change: one is written
// for each student, with its StudentID set, in the same transaction.
func (s *Store) ApplyPathway(ctx context.Context, districtID, classID, by int64, entry AuditEntry) (n int, err error) {
	defer wrap(&err, "ApplyPathway(%d)", classID)
	cat, err := s.Catalog(ctx, districtID)
	if err != nil {
		return 0, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		cp, err := s.classPlanning(ctx, r, cat, districtID, classID, false)
		if err != nil {
			return err
		}
		audit := make([]AuditEntry, 0, len(cp.Students))
		for _, st := range cp.Students {
			e := entry
			e.StudentID = st.ID
			audit = append(audit, e)
		}
		if err := checkChangeAudit(districtID, audit); err != nil {
			return err
		}
		for _, st := range cp.Students {
			old := cp.Plans[st.ID]
			if !old.Stored {
				old.Plan = pathways.Plan{StudentID: st.ID}
			}
			states := cp.States[st.ID]
			p := pathways.Apply(old.Plan, cp.Pathway, by, func(id int64) bool { return states[id].Mastered })
			if err := s.writePlan(ctx, r, p, by); err != nil {
				return err
			}
			n++
		}
		return r.insertChangeAudit(ctx, audit)
	})
	return n, err
}

// SavePlan replaces a student's plan in a class, checked against the
// class's course (pathways.Plan.Validate: a standard outside it is
// refused, named, unless a teacher added it to go beyond the course), as
// person by. The student must be enrolled in the class. The audit entries
// of the change are written in its transaction.
func (s *Store) SavePlan(ctx context.Context, p pathways.Plan, by int64, audit ...AuditEntry) (err error) {
	defer wrap(&err, "SavePlan(student %d, class %d)", p.StudentID, p.ClassID)
	if err := checkChangeAudit(p.DistrictID, audit); err != nil {
		return err
	}
	cat, err := s.Catalog(ctx, p.DistrictID)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		class, err := s.class(ctx, r, p.DistrictID, p.ClassID)
		if err != nil {
			return err
		}
		enrolled, err := r.exists(ctx, `SELECT 1 FROM enrollments WHERE district_id = $1 AND class_id = $2 AND person_id = $3 AND role = 'student' AND retired_at IS NULL`,
			p.DistrictID, p.ClassID, p.StudentID)
		if err != nil {
			return err
		}
		if !enrolled {
			return problem.Invalid("studentId", "student %d is not enrolled in class %d", p.StudentID, p.ClassID)
		}
		course, err := s.course(ctx, r, p.DistrictID, class.CourseID)
		if err != nil {
			return err
		}
		scope, err := s.coursePlanScope(ctx, r, p.DistrictID, course, cat)
		if err != nil {
			return err
		}
		if err := p.Validate(scope); err != nil {
			return err
		}
		if err := s.writePlan(ctx, r, p, by); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// writePlan replaces a student's plan in r's transaction.
func (s *Store) writePlan(ctx context.Context, r *runner, p pathways.Plan, by int64) error {
	var updatedBy any
	if by != 0 {
		updatedBy = by
	}
	d := p.DistrictID
	if _, err := r.exec(ctx, `DELETE FROM plan_targets WHERE district_id = $1 AND student_id = $2 AND class_id = $3`, d, p.StudentID, p.ClassID); err != nil {
		return err
	}
	_, err := r.exec(ctx, `
INSERT INTO plans (district_id, student_id, class_id, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (student_id, class_id) DO UPDATE SET updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		d, p.StudentID, p.ClassID, s.ts(s.nowUTC()), updatedBy)
	if err != nil {
		return err
	}
	rows := make([][]any, len(p.Targets))
	for i, t := range p.Targets {
		var addedBy any
		if t.AddedBy != 0 {
			addedBy = t.AddedBy
		}
		rows[i] = []any{d, p.StudentID, p.ClassID, t.StandardID, i, s.tsOrNull(t.Due), string(t.Origin), addedBy, t.Beyond}
	}
	return r.insertRows(ctx, `INSERT INTO plan_targets (district_id, student_id, class_id, standard_id, position, due, origin, added_by, beyond) VALUES `, ``, rows)
}

// StudentPlans returns a student's plan in each class they attend (by
// class id); a class without a plan for them gives its pathway applied.
func (s *Store) StudentPlans(ctx context.Context, districtID, studentID int64) (out []StudentPlan, states map[int64]mastery.State, err error) {
	defer wrap(&err, "StudentPlans(%d)", studentID)
	classes, err := s.PersonClasses(ctx, districtID, studentID)
	if err != nil {
		return nil, nil, err
	}
	states = map[int64]mastery.State{}
	err = s.inReadTx(ctx, func(r *runner) error {
		err := r.each(ctx, `SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered,
    ms.evidence_count, ms.last_assessed, ms.trend, ms.updated_at, `+modelCols+`
FROM mastery_states ms WHERE ms.district_id = $1 AND ms.student_id = $2`, []any{districtID, studentID}, func(row scanner) error {
			ms, err := scanBareState(row)
			states[ms.StandardID] = ms.State
			return err
		})
		if err != nil {
			return err
		}
		for _, c := range classes {
			plans, err := s.classPlans(ctx, r, districtID, c.ID, studentID)
			if err != nil {
				return err
			}
			sp, ok := plans[studentID]
			if !ok {
				pw, err := s.classPathway(ctx, r, districtID, c.ID)
				if err != nil {
					return err
				}
				sp.Plan = pathways.Apply(pathways.Plan{StudentID: studentID}, pw, 0, func(id int64) bool { return states[id].Mastered })
			}
			sp.Class = c
			out = append(out, sp)
		}
		return nil
	})
	return out, states, err
}

// scanBareState scans a state without its explanation: student_id,
// standard_id, value, level, level_label, mastered, evidence_count,
// last_assessed, trend, updated_at and the model columns.
func scanBareState(rs scanner) (ms MasteryState, err error) {
	mc := modelCol{dst: &ms.Model}
	err = rs.Scan(&ms.StudentID, &ms.StandardID, &ms.Value, &ms.Level, &ms.LevelLabel, &ms.Mastered,
		&ms.EvidenceCount, tsCol{&ms.LastAssessed}, &ms.Trend, tsCol{&ms.UpdatedAt},
		&mc.p, &mc.next, &mc.low, &mc.high, &mc.n, &mc.verdict)
	mc.set()
	return ms, err
}

// classPlans reads the stored plans of a class, of one student when
// studentID is not 0.
func (s *Store) classPlans(ctx context.Context, r *runner, districtID, classID, studentID int64) (map[int64]StudentPlan, error) {
	out := map[int64]StudentPlan{}
	q := `SELECT student_id, updated_at FROM plans WHERE district_id = $1 AND class_id = $2`
	tq := `SELECT student_id, standard_id, due, origin, added_by, beyond FROM plan_targets WHERE district_id = $1 AND class_id = $2`
	args := []any{districtID, classID}
	if studentID != 0 {
		q += ` AND student_id = $3`
		tq += ` AND student_id = $3`
		args = append(args, studentID)
	}
	err := r.each(ctx, q, args, func(row scanner) error {
		var sp StudentPlan
		if err := row.Scan(&sp.StudentID, tsCol{&sp.UpdatedAt}); err != nil {
			return err
		}
		sp.DistrictID, sp.ClassID, sp.Stored = districtID, classID, true
		sp.Targets = []pathways.Target{}
		out[sp.StudentID] = sp
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, tq+` ORDER BY student_id, position`, args, func(row scanner) error {
		var student int64
		var t pathways.Target
		var origin string
		var addedBy *int64
		if err := row.Scan(&student, &t.StandardID, tsPtrCol{&t.Due}, &origin, nullCol[int64]{&addedBy}, &t.Beyond); err != nil {
			return err
		}
		t.Origin = pathways.Origin(origin)
		if addedBy != nil {
			t.AddedBy = *addedBy
		}
		sp := out[student]
		sp.Targets = append(sp.Targets, t)
		out[student] = sp
		return nil
	})
	return out, err
}

// ClassPlanning reads what a class's recommendations are computed from
// (see ClassPlanning), in one read transaction.
func (s *Store) ClassPlanning(ctx context.Context, districtID, classID int64) (cp ClassPlanning, err error) {
	defer wrap(&err, "ClassPlanning(%d)", classID)
	cat, err := s.Catalog(ctx, districtID)
	if err != nil {
		return cp, err
	}
	err = s.inReadTx(ctx, func(r *runner) error {
		cp, err = s.classPlanning(ctx, r, cat, districtID, classID, true)
		return err
	})
	return cp, err
}

// planStandards are the standards whose states a class's plans depend
// on: the targets of its pathway and plans, and their prerequisites as
// far down as recommendations look (pathways.SearchDepth levels).
func planStandards(cat *standards.Catalog, pw pathways.Pathway, plans map[int64]StudentPlan) []int64 {
	seen := map[int64]bool{}
	var level []int64
	add := func(id int64) {
		if !seen[id] {
			seen[id] = true
			level = append(level, id)
		}
	}
	for _, t := range pw.Targets {
		add(t.StandardID)
	}
	for _, sp := range plans {
		for _, t := range sp.Targets {
			add(t.StandardID)
		}
	}
	all := slices.Clone(level)
	for depth := 0; depth <= pathways.SearchDepth && len(level) > 0; depth++ {
		next := level
		level = nil
		for _, id := range next {
			for _, pre := range cat.Prerequisites(id) {
				add(pre)
			}
		}
		all = append(all, level...)
	}
	return all
}

func (s *Store) classPlanning(ctx context.Context, r *runner, cat *standards.Catalog, districtID, classID int64, withInterests bool) (cp ClassPlanning, err error) {
	if cp.Class, err = s.class(ctx, r, districtID, classID); err != nil {
		return cp, err
	}
	if cp.Students, err = s.classPeople(ctx, r, districtID, classID, roster.EnrolledStudent); err != nil {
		return cp, err
	}
	if cp.Pathway, err = s.classPathway(ctx, r, districtID, classID); err != nil {
		return cp, err
	}
	if cp.Plans, err = s.classPlans(ctx, r, districtID, classID, 0); err != nil {
		return cp, err
	}
	cp.States = make(map[int64]map[int64]mastery.State, len(cp.Students))
	cp.Interests = map[int64][]string{}
	ids := make([]int64, len(cp.Students))
	for i, p := range cp.Students {
		ids[i] = p.ID
		cp.States[p.ID] = map[int64]mastery.State{}
	}
	if len(ids) == 0 {
		return cp, nil
	}
	// The states the plans depend on, found by the primary key (student,
	// standard) as the heatmap finds its cells: the students and the
	// standards are passed as lists.
	stds := planStandards(cat, cp.Pathway, cp.Plans)
	if len(stds) == 0 {
		return s.planInterests(ctx, r, &cp, districtID, ids, withInterests)
	}
	err = r.each(ctx, `SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered,
    ms.evidence_count, ms.last_assessed, ms.trend, ms.updated_at, `+modelCols+`
FROM mastery_states ms WHERE ms.student_id IN ids($2) AND ms.standard_id IN ids($3) AND ms.district_id = $1`,
		[]any{districtID, s.ids(ids), s.ids(stds)}, func(row scanner) error {
			ms, err := scanBareState(row)
			if m := cp.States[ms.StudentID]; m != nil {
				m[ms.StandardID] = ms.State
			}
			return err
		})
	if err != nil {
		return cp, err
	}
	for _, p := range cp.Students {
		if _, ok := cp.Plans[p.ID]; ok {
			continue
		}
		states := cp.States[p.ID]
		cp.Plans[p.ID] = StudentPlan{Class: cp.Class,
			Plan: pathways.Apply(pathways.Plan{StudentID: p.ID}, cp.Pathway, 0, func(id int64) bool { return states[id].Mastered })}
	}
	return s.planInterests(ctx, r, &cp, districtID, ids, withInterests)
}

// planInterests finishes a ClassPlanning: each plan names its class, and
// the students' interests are read when asked for.
func (s *Store) planInterests(ctx context.Context, r *runner, cp *ClassPlanning, districtID int64, ids []int64, withInterests bool) (ClassPlanning, error) {
	for id, sp := range cp.Plans {
		sp.Class = cp.Class
		cp.Plans[id] = sp
	}
	if !withInterests {
		return *cp, nil
	}
	err := r.each(ctx, `SELECT student_id, interest FROM student_interests WHERE student_id IN ids($2) AND district_id = $1 ORDER BY student_id, position`,
		[]any{districtID, s.ids(ids)}, func(row scanner) error {
			var id int64
			var in string
			if err := row.Scan(&id, &in); err != nil {
				return err
			}
			cp.Interests[id] = append(cp.Interests[id], in)
			return nil
		})
	return *cp, err
}

// StudentInterests returns what a student says they are interested in,
// in their order.
func (s *Store) StudentInterests(ctx context.Context, districtID, studentID int64) (out []string, err error) {
	defer wrap(&err, "StudentInterests(%d)", studentID)
	err = s.reader().each(ctx, `SELECT interest FROM student_interests WHERE district_id = $1 AND student_id = $2 ORDER BY position`,
		[]any{districtID, studentID}, func(row scanner) error {
			var in string
			err := row.Scan(&in)
			out = append(out, in)
			return err
		})
	return out, err
}

// CleanInterests trims a student's interests, drops empty and repeated
// ones (ignoring case) and refuses too many or too long, naming the
// limit.
func CleanInterests(in []string) ([]string, error) {
	var errs problem.Fields
	var out []string
	for i, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
			continue
		}
		if why := limits.TooLong(v, limits.Interest, "an interest"); why != "" {
			errs.AddItem("interests", i, "", why+" (limits.Interest)")
		}
		out = append(out, v)
	}
	if len(out) > limits.Interests {
		errs.Addf("interests", "a student may list at most %d interests (limits.Interests); there are %d", limits.Interests, len(out))
	}
	return out, errs.Err()
}

// SetStudentInterests replaces a student's interests (CleanInterests).
// The audit entries of the change are written in its transaction.
func (s *Store) SetStudentInterests(ctx context.Context, districtID, studentID int64, interests []string, audit ...AuditEntry) (err error) {
	defer wrap(&err, "SetStudentInterests(%d)", studentID)
	interests, err = CleanInterests(interests)
	if err != nil {
		return err
	}
	if err := checkChangeAudit(districtID, audit); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		var errs problem.Fields
		if err := r.checkRole(ctx, &errs, "studentId", districtID, studentID, roster.RoleStudent); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM student_interests WHERE district_id = $1 AND student_id = $2`, districtID, studentID); err != nil {
			return err
		}
		rows := make([][]any, len(interests))
		for i, v := range interests {
			rows[i] = []any{districtID, studentID, v, i}
		}
		if err := r.insertRows(ctx, `INSERT INTO student_interests (district_id, student_id, interest, position) VALUES `, ``, rows); err != nil {
			return fmt.Errorf("writing interests: %w", err)
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// course reads a course in r's transaction.
func (s *Store) course(ctx context.Context, r *runner, districtID, id int64) (roster.Course, error) {
	c, err := scanCourse(r.queryRow(ctx, `SELECT `+courseCols+` FROM courses WHERE district_id = $1 AND id = $2`, districtID, id))
	return c, noRows(err, "course", id)
}

// BeyondStandards returns the standards a teacher may add to a plan of a
// class of course courseID to go beyond it: those of the district's other
// courses, in the catalog's order.
func (s *Store) BeyondStandards(ctx context.Context, districtID, courseID int64) (out []standards.Standard, err error) {
	defer wrap(&err, "BeyondStandards(%d)", courseID)
	cat, err := s.Catalog(ctx, districtID)
	if err != nil {
		return nil, err
	}
	course, err := s.Course(ctx, districtID, courseID)
	if err != nil {
		return nil, err
	}
	scope, err := s.coursePlanScope(ctx, s.reader(), districtID, course, cat)
	if err != nil {
		return nil, err
	}
	for _, st := range cat.Standards() {
		if scope.Beyond[st.ID] {
			out = append(out, st)
		}
	}
	return out, nil
}
