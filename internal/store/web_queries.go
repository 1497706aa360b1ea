package store

import (
	"context"

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
