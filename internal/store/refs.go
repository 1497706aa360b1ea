package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-learning/cairn/internal/problem"
)

// The tables whose rows are addressed by (district_id, id). Table names are
// only ever these constants, never input.
const (
	tSchools     = "schools"
	tTerms       = "terms"
	tCourses     = "courses"
	tClasses     = "classes"
	tPeople      = "people"
	tEnrollments = "enrollments"
	tScales      = "scales"
	tFrameworks  = "frameworks"
	tStandards   = "standards"
)

// inDistrict reports whether table has row id in the district.
func (r *runner) inDistrict(ctx context.Context, table string, districtID, id int64) (bool, error) {
	return r.exists(ctx, `SELECT 1 FROM `+table+` WHERE district_id = $1 AND id = $2`, districtID, id)
}

// checkRef adds a reason to errs when id is set but table has no such row in
// the district.
func (r *runner) checkRef(ctx context.Context, errs *problem.Fields, field, what, table string, districtID int64, id *int64) error {
	if id == nil || *id == 0 {
		return nil
	}
	ok, err := r.inDistrict(ctx, table, districtID, *id)
	if err != nil {
		return err
	}
	if !ok {
		errs.Addf(field, "no %s %d in this district", what, *id)
	}
	return nil
}

// mustExist returns problem.NotFound unless table has row id in the district.
func (r *runner) mustExist(ctx context.Context, table, what string, districtID, id int64) error {
	ok, err := r.inDistrict(ctx, table, districtID, id)
	if err != nil {
		return err
	}
	if !ok {
		return problem.NotFound(what, id)
	}
	return nil
}

// districtExists returns problem.NotFound for an unknown district.
func (r *runner) districtExists(ctx context.Context, districtID int64) error {
	ok, err := r.exists(ctx, `SELECT 1 FROM districts WHERE id = $1`, districtID)
	if err != nil {
		return err
	}
	if !ok {
		return problem.NotFound("district", districtID)
	}
	return nil
}

// checkSourcedID returns problem.ErrConflict naming the field when another
// row of table in the district already has sourcedID.
func (r *runner) checkSourcedID(ctx context.Context, table, what string, districtID, id int64, sourcedID string) error {
	if sourcedID == "" {
		return nil
	}
	var other int64
	err := r.queryRow(ctx, `SELECT id FROM `+table+` WHERE district_id = $1 AND sourced_id = $2 AND id <> $3`, districtID, sourcedID, id).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return conflictf("sourcedId", "%q is already used by %s %d in this district", sourcedID, what, other)
}

// conflictOr turns a unique violation that slipped past the checks (two
// writers at once on PostgreSQL) into problem.ErrConflict.
func conflictOr(err error, field, value string) error {
	if isUniqueViolation(err) {
		return conflictf(field, "%q is already used in this district", value)
	}
	return err
}

// noRows turns sql.ErrNoRows into problem.NotFound.
func noRows(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return problem.NotFound(what, id)
	}
	return err
}

// pageOf trims items fetched with limit+1 to the page and returns the
// cursor of the next page, 0 when there is none.
func pageOf[T any](items []T, limit int, id func(T) int64) ([]T, int64) {
	if len(items) > limit {
		items = items[:limit]
		return items, id(items[len(items)-1])
	}
	return items, 0
}

// conflictf returns a problem.ErrConflict naming the field and the reason.
func conflictf(field, format string, args ...any) error {
	return problem.Conflict(field, format, args...)
}
