package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
)

// StatesOf returns the mastery states of some students on some standards,
// in no particular order; pairs without evidence have no state. The class
// heatmap asks it for the states of its students on prerequisites that
// its course does not teach (last year's standards), to flag a student
// stalled on a standard whose prerequisite they have not mastered.
func (s *Store) StatesOf(ctx context.Context, districtID int64, studentIDs, standardIDs []int64) (out []MasteryState, err error) {
	defer wrap(&err, "StatesOf")
	if len(studentIDs) == 0 || len(standardIDs) == 0 {
		return nil, nil
	}
	err = s.reader().each(ctx, `SELECT `+stateCols+` FROM mastery_states ms
WHERE ms.district_id = $1 AND ms.student_id IN ids($2) AND ms.standard_id IN ids($3)`,
		[]any{districtID, s.ids(studentIDs), s.ids(standardIDs)}, func(row scanner) error {
			ms, err := scanState(row)
			out = append(out, ms)
			return err
		})
	return out, err
}

// MatrixStates is StatesOf without the states' explanations (their
// Explanation is the zero value), for pages that show the values and
// levels of many states at once: decoding every stored explanation took
// half the time of reading a class's matrix.
func (s *Store) MatrixStates(ctx context.Context, districtID int64, studentIDs, standardIDs []int64) (out []MasteryState, err error) {
	defer wrap(&err, "MatrixStates")
	if len(studentIDs) == 0 || len(standardIDs) == 0 {
		return nil, nil
	}
	// The students and standards are passed as lists, so that the primary
	// key (student, standard) finds each state directly.
	err = s.reader().each(ctx, `
SELECT ms.student_id, ms.standard_id, ms.value, ms.level, ms.level_label, ms.mastered,
    ms.evidence_count, ms.last_assessed, ms.trend, ms.updated_at, `+modelCols+`
FROM mastery_states ms
WHERE ms.student_id IN ids($2) AND ms.standard_id IN ids($3) AND ms.district_id = $1`,
		[]any{districtID, s.ids(studentIDs), s.ids(standardIDs)}, func(row scanner) error {
			ms := MasteryState{DistrictID: districtID}
			mc := modelCol{dst: &ms.Model}
			if err := row.Scan(&ms.StudentID, &ms.StandardID, &ms.Value, &ms.Level, &ms.LevelLabel, &ms.Mastered,
				&ms.EvidenceCount, tsCol{&ms.LastAssessed}, &ms.Trend, tsCol{&ms.UpdatedAt},
				&mc.p, &mc.next, &mc.low, &mc.high, &mc.n, &mc.verdict); err != nil {
				return err
			}
			mc.set()
			out = append(out, ms)
			return nil
		})
	return out, err
}

// SchoolClasses lists the classes of some schools of the district, by
// id: what a school administrator or a coach looks after. Retired classes
// are left out.
func (s *Store) SchoolClasses(ctx context.Context, districtID int64, schoolIDs []int64) (out []roster.Class, err error) {
	defer wrap(&err, "SchoolClasses")
	if len(schoolIDs) == 0 {
		return nil, nil
	}
	err = s.reader().each(ctx, `SELECT `+classCols+` FROM classes c WHERE c.district_id = $1 AND c.school_id IN ids($2) AND c.retired_at IS NULL ORDER BY c.id`,
		[]any{districtID, s.ids(schoolIDs)}, func(row scanner) error {
			c, err := scanClass(row)
			out = append(out, c)
			return err
		})
	return out, err
}

// ClassListing is what a list of classes shows of one class beyond the
// class itself, and how the actor is related to it.
type ClassListing struct {
	SchoolID    int64
	SchoolName  string
	CourseTitle string
	// Teaches is set when the actor teaches the class now (an active
	// teacher enrollment, and the teacher role).
	Teaches bool
}

// ClassListings returns, in one query, the listing of each of the
// district's classes among ids, by class id; ids of no class of the
// district are left out. It is ClassRelation, Course and School for a
// whole list of classes at once.
func (s *Store) ClassListings(ctx context.Context, actor access.Actor, ids []int64) (_ map[int64]ClassListing, err error) {
	defer wrap(&err, "ClassListings(%d classes)", len(ids))
	out := make(map[int64]ClassListing, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	teacher := actor.Has(roster.RoleTeacher)
	err = s.reader().each(ctx, `
SELECT c.id, c.school_id, sch.name, co.title, `+teachesClass+`
FROM classes c
JOIN schools sch ON sch.district_id = c.district_id AND sch.id = c.school_id
JOIN courses co ON co.district_id = c.district_id AND co.id = c.course_id
WHERE c.district_id = $1 AND c.id IN ids($3)`,
		s.activeArgs(actor.DistrictID, actor.PersonID, s.ids(ids)),
		func(row scanner) error {
			var id int64
			var l ClassListing
			if err := row.Scan(&id, &l.SchoolID, &l.SchoolName, &l.CourseTitle, &l.Teaches); err != nil {
				return err
			}
			l.Teaches = l.Teaches && teacher
			out[id] = l
			return nil
		})
	return out, err
}
