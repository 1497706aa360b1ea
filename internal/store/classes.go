package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateClass stores a new class and sets its ID.
func (s *Store) CreateClass(ctx context.Context, c *roster.Class) (err error) {
	defer wrap(&err, "CreateClass")
	if err := c.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, c.DistrictID); err != nil {
			return err
		}
		if err := r.checkClass(ctx, c); err != nil {
			return err
		}
		c.RetiredAt = nil
		err := r.queryRow(ctx, `
INSERT INTO classes (district_id, school_id, course_id, term_id, sourced_id, title, code, period)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			c.DistrictID, c.SchoolID, c.CourseID, c.TermID, c.SourcedID, c.Title, c.Code, c.Period).Scan(&c.ID)
		return conflictOr(err, "sourcedId", c.SourcedID)
	})
}

// UpdateClass changes a class.
func (s *Store) UpdateClass(ctx context.Context, c *roster.Class) (err error) {
	defer wrap(&err, "UpdateClass(%d)", c.ID)
	if err := c.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tClasses, "class", c.DistrictID, c.ID); err != nil {
			return err
		}
		if err := r.checkClass(ctx, c); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
UPDATE classes SET school_id = $3, course_id = $4, term_id = $5, sourced_id = $6, title = $7, code = $8, period = $9
WHERE district_id = $1 AND id = $2 RETURNING retired_at`,
			c.DistrictID, c.ID, c.SchoolID, c.CourseID, c.TermID, c.SourcedID, c.Title, c.Code, c.Period).Scan(tsPtrCol{&c.RetiredAt})
		return conflictOr(err, "sourcedId", c.SourcedID)
	})
}

func (r *runner) checkClass(ctx context.Context, c *roster.Class) error {
	if err := r.checkSourcedID(ctx, tClasses, "class", c.DistrictID, c.ID, c.SourcedID); err != nil {
		return err
	}
	var errs problem.Fields
	for _, ref := range []struct {
		field, what, table string
		id                 int64
	}{
		{"schoolId", "school", tSchools, c.SchoolID},
		{"courseId", "course", tCourses, c.CourseID},
		{"termId", "term", tTerms, c.TermID},
	} {
		if err := r.checkRef(ctx, &errs, ref.field, ref.what, ref.table, c.DistrictID, &ref.id); err != nil {
			return err
		}
	}
	return errs.Err()
}

const classCols = `c.id, c.district_id, c.school_id, c.course_id, c.term_id, c.sourced_id, c.title, c.code, c.period, c.retired_at`

func scanClass(row scanner) (c roster.Class, err error) {
	err = row.Scan(&c.ID, &c.DistrictID, &c.SchoolID, &c.CourseID, &c.TermID, &c.SourcedID, &c.Title, &c.Code, &c.Period, tsPtrCol{&c.RetiredAt})
	return c, err
}

// Class returns a class of the district, retired or not.
func (s *Store) Class(ctx context.Context, districtID, id int64) (_ roster.Class, err error) {
	defer wrap(&err, "Class(%d)", id)
	return s.class(ctx, s.reader(), districtID, id)
}

func (s *Store) class(ctx context.Context, r *runner, districtID, id int64) (roster.Class, error) {
	c, err := scanClass(r.queryRow(ctx, `SELECT `+classCols+` FROM classes c WHERE c.district_id = $1 AND c.id = $2`, districtID, id))
	return c, noRows(err, "class", id)
}

// Classes lists the district's classes by id, narrowed by f.
func (s *Store) Classes(ctx context.Context, districtID int64, f RosterFilter) (out []roster.Class, next int64, err error) {
	defer wrap(&err, "Classes")
	p := f.Page
	err = s.reader().each(ctx, `SELECT `+classCols+` FROM classes c WHERE c.district_id = $1 AND c.id > $2`+retiredClause("c", f.IncludeRetired)+` ORDER BY c.id LIMIT $3`,
		[]any{districtID, p.After, p.limit() + 1}, func(row scanner) error {
			c, err := scanClass(row)
			out = append(out, c)
			return err
		})
	out, next = pageOf(out, p.limit(), func(c roster.Class) int64 { return c.ID })
	return out, next, err
}
