package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// PaceChange records one change of the district's pace thresholds. Old is
// nil when the district had kept the defaults.
type PaceChange = SettingChange[pathways.PaceThresholds]

// paceSetting is where a district's pace thresholds are kept.
var paceSetting = districtSetting{column: "pace", changes: "pace_changes", oldCol: "old_thresholds", newCol: "new_thresholds"}

// PaceThresholds returns the district's pace thresholds:
// pathways.DefaultPaceThresholds() until it sets its own.
func (s *Store) PaceThresholds(ctx context.Context, districtID int64) (_ pathways.PaceThresholds, err error) {
	defer wrap(&err, "PaceThresholds(%d)", districtID)
	th, _, err := s.paceThresholds(ctx, s.reader(), districtID)
	return th, err
}

// paceThresholds returns the district's thresholds, and whether they are
// its own rather than the defaults.
func (s *Store) paceThresholds(ctx context.Context, r *runner, districtID int64) (pathways.PaceThresholds, bool, error) {
	var text sql.NullString
	if err := r.queryRow(ctx, `SELECT pace FROM districts WHERE id = $1`, districtID).Scan(&text); err != nil {
		return pathways.PaceThresholds{}, false, noRows(err, "district", districtID)
	}
	if !text.Valid {
		return pathways.DefaultPaceThresholds(), false, nil
	}
	var th pathways.PaceThresholds
	err := (jsonCol{&th}).Scan(text.String)
	return th, true, err
}

// SetPaceThresholds sets the district's pace thresholds and records the
// change, with who made it and why, in the same transaction.
func (s *Store) SetPaceThresholds(ctx context.Context, districtID int64, th pathways.PaceThresholds, changedBy int64, reason string) (err error) {
	defer wrap(&err, "SetPaceThresholds(%d)", districtID)
	if err := th.Validate(); err != nil {
		return err
	}
	if why := limits.TooLong(reason, limits.Reason, "a reason"); why != "" {
		return problem.Invalid("reason", "%s", why)
	}
	return s.inTx(ctx, func(r *runner) error {
		old, own, err := s.paceThresholds(ctx, r, districtID)
		if err != nil {
			return err
		}
		var was any
		if own {
			was = old
		}
		return r.setSetting(ctx, paceSetting, districtID, changedBy, was, th, reason)
	})
}

// PaceChanges lists the district's changes of its pace thresholds, oldest
// first.
func (s *Store) PaceChanges(ctx context.Context, districtID int64) (out []PaceChange, err error) {
	defer wrap(&err, "PaceChanges(%d)", districtID)
	return settingChanges[pathways.PaceThresholds](ctx, s, paceSetting, districtID)
}

// MasteredState is one standard a student has mastered, and the date of
// the latest evidence behind that mastery (zero when the state has none of
// its own, as a rollup may not).
type MasteredState struct {
	StudentID, StandardID int64
	At                    time.Time
}

// MasteredStates returns every standard the students have mastered now, in
// one statement: what pace counts against a plan.
func (s *Store) MasteredStates(ctx context.Context, districtID int64, studentIDs []int64) (out []MasteredState, err error) {
	defer wrap(&err, "MasteredStates(%d students)", len(studentIDs))
	if len(studentIDs) == 0 {
		return nil, nil
	}
	return s.masteredStates(ctx, s.reader(), districtID, studentIDs)
}

func (s *Store) masteredStates(ctx context.Context, r *runner, districtID int64, studentIDs []int64) (out []MasteredState, err error) {
	// Read from the index of cells (0005), which leads with the student:
	// the explanation is not needed. The unary plus keeps SQLite from
	// taking the district's index instead and reading every state of the
	// district (0.3 s for the demo's 32,000 states, against a class's 900).
	out = make([]MasteredState, 0, 16*len(studentIDs))
	err = r.each(ctx, `
SELECT ms.student_id, ms.standard_id, ms.last_assessed FROM mastery_states ms
WHERE ms.student_id IN ids($2) AND +ms.district_id = $1 AND ms.mastered = $3`,
		[]any{districtID, s.ids(studentIDs), true}, func(row scanner) error {
			var m MasteredState
			var at *time.Time
			if err := row.Scan(&m.StudentID, &m.StandardID, tsPtrCol{&at}); err != nil {
				return err
			}
			if at != nil {
				m.At = *at
			}
			out = append(out, m)
			return nil
		})
	return out, err
}

// PaceClass is a class as the pace of a school reads it: the class, its
// term and the students enrolled in it now.
type PaceClass struct {
	Class    roster.Class
	Term     roster.Term
	Students []PaceStudent
}

// PaceStudent is a student of a class on a school's pace overview.
type PaceStudent struct {
	ID                    int64
	GivenName, FamilyName string
}

// SchoolPace is what the pace overview of a school needs: the district's
// thresholds, the school's classes of today with their terms and
// students, and each student's masteries of their plan in each class.
type SchoolPace struct {
	School     roster.School
	Thresholds pathways.PaceThresholds
	Classes    []PaceClass
	// Plans are the counts against each student's stored plan, by class
	// and student; Pathways those against the class's pathway, for a
	// student without a plan of their own; Courses the masteries of the
	// targets the caller gave for the class's course, for a class
	// without a pathway (the caller knows how many targets those are).
	// A student with no mastery of any of those targets is missing from
	// Courses.
	Plans, Pathways, Courses map[ClassStudentKey]PlanCounts
}

// PlanCounts are a student's masteries of a plan's targets, counted by
// the database: the targets, those due by the day asked and those without
// a date, and the masteries.
type PlanCounts struct {
	Targets, DueBy, Undated int
	pathways.PaceCounts
}

// ClassStudentKey names a student in a class.
type ClassStudentKey struct{ ClassID, StudentID int64 }

// SchoolPace reads what the pace overview of a school needs: the school
// with the district's thresholds, the classes with their terms and active
// student enrollments, and, counted by the database, each student's
// targets and masteries (those since the term began apart, and the latest
// date) in each class: against their stored plan, against the class's
// pathway, and against the targets of the class's course that targets
// gives. Counting there hands the server one row per enrollment instead
// of one per target: some 1,000 rows instead of 40,000 for a school of
// 500. Five statements in all. Retired classes and people are left out. A
// school of another district is problem.ErrNotFound.
func (s *Store) SchoolPace(ctx context.Context, districtID, schoolID int64, day time.Time, targets func(courseID int64) []int64) (out SchoolPace, err error) {
	defer wrap(&err, "SchoolPace(%d)", schoolID)
	r := s.reader()
	var pace sql.NullString
	err = r.queryRow(ctx, `
SELECT s.id, s.district_id, s.sourced_id, s.name, d.pace
FROM schools s JOIN districts d ON d.id = s.district_id
WHERE s.district_id = $1 AND s.id = $2`, districtID, schoolID).Scan(&out.School.ID, &out.School.DistrictID, &out.School.SourcedID, &out.School.Name, &pace)
	if err != nil {
		return out, noRows(err, "school", schoolID)
	}
	out.Thresholds = pathways.DefaultPaceThresholds()
	if pace.Valid {
		if err := (jsonCol{&out.Thresholds}).Scan(pace.String); err != nil {
			return out, err
		}
	}
	index := map[int64]int{}
	args := s.activeArgs(districtID, schoolID, string(roster.EnrolledStudent))
	err = r.each(ctx, `
SELECT `+classCols+`, t.id, t.title, t.type, t.start_date, t.end_date, p.id, p.given_name, p.family_name
FROM classes c
JOIN terms t ON t.district_id = c.district_id AND t.id = c.term_id
LEFT JOIN enrollments e ON e.district_id = c.district_id AND e.class_id = c.id AND e.role = $3`+activeEnrollment("e")+`
LEFT JOIN people p ON p.district_id = e.district_id AND p.id = e.person_id AND p.retired_at IS NULL
WHERE c.district_id = $1 AND c.school_id = $2 AND c.retired_at IS NULL
ORDER BY c.title, c.id, p.family_name, p.given_name, p.id`, args, func(row scanner) error {
		var c roster.Class
		var t roster.Term
		var typ string
		var pid *int64
		var given, family *string
		if err := row.Scan(&c.ID, &c.DistrictID, &c.SchoolID, &c.CourseID, &c.TermID, &c.SourcedID, &c.Title, &c.Code, &c.Period, tsPtrCol{&c.RetiredAt},
			&t.ID, &t.Title, &typ, tsCol{&t.StartDate}, tsCol{&t.EndDate}, &pid, &given, &family); err != nil {
			return err
		}
		i, ok := index[c.ID]
		if !ok {
			t.DistrictID, t.Type = districtID, roster.TermType(typ)
			i = len(out.Classes)
			index[c.ID] = i
			out.Classes = append(out.Classes, PaceClass{Class: c, Term: t})
		}
		if pid != nil && given != nil && family != nil {
			out.Classes[i].Students = append(out.Classes[i].Students, PaceStudent{ID: *pid, GivenName: *given, FamilyName: *family})
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	// The targets of every course, in one list: the join with the
	// course's standards keeps each class to its own.
	var ids []int64
	seen := map[int64]bool{}
	for _, pc := range out.Classes {
		if seen[-pc.Class.CourseID] {
			continue
		}
		seen[-pc.Class.CourseID] = true
		for _, id := range targets(pc.Class.CourseID) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	// The joins are written in the order they are best taken (the
	// school's classes, their enrollments, each student's targets, the
	// student's state of each); CROSS JOIN holds SQLite to it, PostgreSQL
	// plans it as ever. The targets are found by their tables' keys (the
	// class, the student), never by the district, which the class's
	// composite keys already hold to; the list of a course's targets
	// only filters (unary plus: SQLite would otherwise look up every
	// target of the list for every student). A target counts as mastered
	// where the state says so; mastery_states is read from its index of
	// cells (0005).
	counts := func(table, due, where string, extra ...any) (map[ClassStudentKey]PlanCounts, error) {
		dated := `0, COUNT(*)`
		a := append(args, true)
		if due != "" {
			dated = `SUM(CASE WHEN x.` + due + ` IS NOT NULL AND x.` + due + ` <= $7 THEN 1 ELSE 0 END), SUM(CASE WHEN x.` + due + ` IS NULL THEN 1 ELSE 0 END)`
			a = append(a, s.ts(day))
		}
		m := make(map[ClassStudentKey]PlanCounts, 2*len(index))
		err := r.each(ctx, `
SELECT e.class_id, e.person_id, COUNT(*), `+dated+`,
    SUM(CASE WHEN ms.mastered = $6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN ms.mastered = $6 AND ms.last_assessed >= t.start_date THEN 1 ELSE 0 END),
    MAX(CASE WHEN ms.mastered = $6 THEN ms.last_assessed END)
FROM classes c CROSS JOIN terms t CROSS JOIN enrollments e CROSS JOIN `+table+` x
LEFT JOIN mastery_states ms ON ms.student_id = e.person_id AND ms.standard_id = x.standard_id AND ms.district_id = c.district_id
WHERE c.district_id = $1 AND c.school_id = $2 AND c.retired_at IS NULL
  AND t.district_id = c.district_id AND t.id = c.term_id
  AND e.district_id = c.district_id AND e.class_id = c.id AND e.role = $3`+activeEnrollment("e")+`
  AND `+where+`
GROUP BY e.class_id, e.person_id`, append(a, extra...), func(row scanner) error {
			var k ClassStudentKey
			var c PlanCounts
			var last *time.Time
			if err := row.Scan(&k.ClassID, &k.StudentID, &c.Targets, &c.DueBy, &c.Undated, &c.Mastered, &c.InTerm, tsPtrCol{&last}); err != nil {
				return err
			}
			if last != nil {
				c.Last = *last
			}
			m[k] = c
			return nil
		})
		return m, err
	}
	if out.Plans, err = counts("plan_targets", "due", `x.class_id = c.id AND x.student_id = e.person_id`); err != nil {
		return out, err
	}
	if out.Pathways, err = counts("pathway_targets", "introduce_by", `x.class_id = c.id`); err != nil {
		return out, err
	}
	// Against the course's targets, which every student of a class
	// shares, only the masteries are counted: each student's states are
	// one range of the index of cells, and each mastered one is checked
	// against the course by its key. This is most of the overview's
	// time (docs/performance.md).
	out.Courses = make(map[ClassStudentKey]PlanCounts, 2*len(index))
	err = r.each(ctx, `
SELECT e.class_id, e.person_id, COUNT(*), SUM(CASE WHEN ms.last_assessed >= t.start_date THEN 1 ELSE 0 END), MAX(ms.last_assessed)
FROM classes c CROSS JOIN terms t CROSS JOIN enrollments e CROSS JOIN mastery_states ms CROSS JOIN course_standards x
WHERE c.district_id = $1 AND c.school_id = $2 AND c.retired_at IS NULL
  AND t.district_id = c.district_id AND t.id = c.term_id
  AND e.district_id = c.district_id AND e.class_id = c.id AND e.role = $3`+activeEnrollment("e")+`
  AND ms.student_id = e.person_id AND ms.district_id = c.district_id AND ms.mastered = $6
  AND x.course_id = c.course_id AND x.standard_id = ms.standard_id AND +x.standard_id IN ids($7)
GROUP BY e.class_id, e.person_id`, append(args, true, s.ids(ids)), func(row scanner) error {
		var k ClassStudentKey
		var c PlanCounts
		var last *time.Time
		if err := row.Scan(&k.ClassID, &k.StudentID, &c.Mastered, &c.InTerm, tsPtrCol{&last}); err != nil {
			return err
		}
		if last != nil {
			c.Last = *last
		}
		out.Courses[k] = c
		return nil
	})
	return out, err
}
