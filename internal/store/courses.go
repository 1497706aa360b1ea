package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateCourse stores a new course and sets its ID.
func (s *Store) CreateCourse(ctx context.Context, c *roster.Course) (err error) {
	defer wrap(&err, "CreateCourse")
	if err := c.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, c.DistrictID); err != nil {
			return err
		}
		if err := r.checkCourse(ctx, c); err != nil {
			return err
		}
		c.RetiredAt = nil
		err := r.queryRow(ctx, `
INSERT INTO courses (district_id, school_id, sourced_id, title, code, grades)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			c.DistrictID, nullInt64(c.SchoolID), c.SourcedID, c.Title, c.Code, jsonText(c.Grades)).Scan(&c.ID)
		return conflictOr(err, "sourcedId", c.SourcedID)
	})
}

// UpdateCourse changes a course.
func (s *Store) UpdateCourse(ctx context.Context, c *roster.Course) (err error) {
	defer wrap(&err, "UpdateCourse(%d)", c.ID)
	if err := c.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tCourses, "course", c.DistrictID, c.ID); err != nil {
			return err
		}
		if err := r.checkCourse(ctx, c); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
UPDATE courses SET school_id = $3, sourced_id = $4, title = $5, code = $6, grades = $7
WHERE district_id = $1 AND id = $2 RETURNING retired_at`,
			c.DistrictID, c.ID, nullInt64(c.SchoolID), c.SourcedID, c.Title, c.Code, jsonText(c.Grades)).Scan(tsPtrCol{&c.RetiredAt})
		return conflictOr(err, "sourcedId", c.SourcedID)
	})
}

func (r *runner) checkCourse(ctx context.Context, c *roster.Course) error {
	if err := r.checkSourcedID(ctx, tCourses, "course", c.DistrictID, c.ID, c.SourcedID); err != nil {
		return err
	}
	var errs problem.Fields
	if err := r.checkRef(ctx, &errs, "schoolId", "school", tSchools, c.DistrictID, c.SchoolID); err != nil {
		return err
	}
	return errs.Err()
}

const courseCols = `id, district_id, school_id, sourced_id, title, code, grades, retired_at`

func scanCourse(row scanner) (c roster.Course, err error) {
	err = row.Scan(&c.ID, &c.DistrictID, nullCol[int64]{&c.SchoolID}, &c.SourcedID, &c.Title, &c.Code, jsonCol{&c.Grades}, tsPtrCol{&c.RetiredAt})
	return c, err
}

// Course returns a course of the district, retired or not.
func (s *Store) Course(ctx context.Context, districtID, id int64) (_ roster.Course, err error) {
	defer wrap(&err, "Course(%d)", id)
	c, err := scanCourse(s.reader().queryRow(ctx, `SELECT `+courseCols+` FROM courses WHERE district_id = $1 AND id = $2`, districtID, id))
	return c, noRows(err, "course", id)
}

// Courses lists the district's courses by id, narrowed by f.
func (s *Store) Courses(ctx context.Context, districtID int64, f RosterFilter) (out []roster.Course, next int64, err error) {
	defer wrap(&err, "Courses")
	p := f.Page
	err = s.reader().each(ctx, `SELECT `+courseCols+` FROM courses WHERE district_id = $1 AND id > $2`+retiredClause("", f.IncludeRetired)+` ORDER BY id LIMIT $3`,
		[]any{districtID, p.After, p.limit() + 1}, func(row scanner) error {
			c, err := scanCourse(row)
			out = append(out, c)
			return err
		})
	out, next = pageOf(out, p.limit(), func(c roster.Course) int64 { return c.ID })
	return out, next, err
}
