package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateSchool stores a new school and sets its ID.
func (s *Store) CreateSchool(ctx context.Context, sc *roster.School) (err error) {
	defer wrap(&err, "CreateSchool")
	if err := sc.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, sc.DistrictID); err != nil {
			return err
		}
		if err := r.checkSourcedID(ctx, tSchools, "school", sc.DistrictID, 0, sc.SourcedID); err != nil {
			return err
		}
		sc.RetiredAt = nil
		err := r.queryRow(ctx, `INSERT INTO schools (district_id, sourced_id, name) VALUES ($1, $2, $3) RETURNING id`,
			sc.DistrictID, sc.SourcedID, sc.Name).Scan(&sc.ID)
		return conflictOr(err, "sourcedId", sc.SourcedID)
	})
}

// UpdateSchool changes a school.
func (s *Store) UpdateSchool(ctx context.Context, sc *roster.School) (err error) {
	defer wrap(&err, "UpdateSchool(%d)", sc.ID)
	if err := sc.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tSchools, "school", sc.DistrictID, sc.ID); err != nil {
			return err
		}
		if err := r.checkSourcedID(ctx, tSchools, "school", sc.DistrictID, sc.ID, sc.SourcedID); err != nil {
			return err
		}
		err := r.queryRow(ctx, `UPDATE schools SET sourced_id = $3, name = $4 WHERE district_id = $1 AND id = $2 RETURNING retired_at`,
			sc.DistrictID, sc.ID, sc.SourcedID, sc.Name).Scan(tsPtrCol{&sc.RetiredAt})
		return conflictOr(err, "sourcedId", sc.SourcedID)
	})
}

const schoolCols = `id, district_id, sourced_id, name, retired_at`

func scanSchool(row scanner) (sc roster.School, err error) {
	err = row.Scan(&sc.ID, &sc.DistrictID, &sc.SourcedID, &sc.Name, tsPtrCol{&sc.RetiredAt})
	return sc, err
}

// School returns a school of the district, retired or not.
func (s *Store) School(ctx context.Context, districtID, id int64) (_ roster.School, err error) {
	defer wrap(&err, "School(%d)", id)
	sc, err := scanSchool(s.reader().queryRow(ctx, `SELECT `+schoolCols+` FROM schools WHERE district_id = $1 AND id = $2`, districtID, id))
	return sc, noRows(err, "school", id)
}

// Schools lists the district's schools by id, narrowed by f.
func (s *Store) Schools(ctx context.Context, districtID int64, f RosterFilter) (out []roster.School, next int64, err error) {
	defer wrap(&err, "Schools")
	p := f.Page
	err = s.reader().each(ctx, `SELECT `+schoolCols+` FROM schools WHERE district_id = $1 AND id > $2`+retiredClause("", f.IncludeRetired)+` ORDER BY id LIMIT $3`,
		[]any{districtID, p.After, p.limit() + 1}, func(row scanner) error {
			sc, err := scanSchool(row)
			out = append(out, sc)
			return err
		})
	out, next = pageOf(out, p.limit(), func(sc roster.School) int64 { return sc.ID })
	return out, next, err
}
