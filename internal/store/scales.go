package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/standards"
)

// CreateScale stores a new proficiency scale and sets its ID. Scales are
// never changed once stored: evidence was recorded on their levels.
func (s *Store) CreateScale(ctx context.Context, sc *standards.Scale) (err error) {
	defer wrap(&err, "CreateScale")
	if err := sc.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, sc.DistrictID); err != nil {
			return err
		}
		r.dropModel(sc.DistrictID)
		return r.queryRow(ctx, `INSERT INTO scales (district_id, name, levels, mastery_cut) VALUES ($1, $2, $3, $4) RETURNING id`,
			sc.DistrictID, sc.Name, jsonText(sc.Levels), sc.MasteryCut).Scan(&sc.ID)
	})
}

const scaleCols = `id, district_id, name, levels, mastery_cut`

func scanScale(row scanner) (sc standards.Scale, err error) {
	err = row.Scan(&sc.ID, &sc.DistrictID, &sc.Name, jsonCol{&sc.Levels}, &sc.MasteryCut)
	return sc, err
}

// Scale returns a scale of the district.
func (s *Store) Scale(ctx context.Context, districtID, id int64) (_ standards.Scale, err error) {
	defer wrap(&err, "Scale(%d)", id)
	sc, err := scanScale(s.reader().queryRow(ctx, `SELECT `+scaleCols+` FROM scales WHERE district_id = $1 AND id = $2`, districtID, id))
	return sc, noRows(err, "scale", id)
}

// Scales lists the district's scales by id.
func (s *Store) Scales(ctx context.Context, districtID int64) (_ []standards.Scale, err error) {
	defer wrap(&err, "Scales")
	return s.scales(ctx, s.reader(), districtID)
}

func (s *Store) scales(ctx context.Context, r *runner, districtID int64) (out []standards.Scale, err error) {
	err = r.each(ctx, `SELECT `+scaleCols+` FROM scales WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
		sc, err := scanScale(row)
		out = append(out, sc)
		return err
	})
	return out, err
}
