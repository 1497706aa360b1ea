package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// CreateDistrict stores a new district and sets its ID and CreatedAt.
func (s *Store) CreateDistrict(ctx context.Context, d *roster.District) (err error) {
	defer wrap(&err, "CreateDistrict")
	if err := d.Validate(); err != nil {
		return err
	}
	lang, err := standards.ParseLanguage(d.Language)
	if err != nil {
		return problem.Invalid("language", "%s", err)
	}
	d.Language = lang
	return s.inTx(ctx, func(r *runner) error {
		if d.SourcedID != "" {
			ok, err := r.exists(ctx, `SELECT 1 FROM districts WHERE sourced_id = $1`, d.SourcedID)
			if err != nil {
				return err
			}
			if ok {
				return conflictf("sourcedId", "%q is already used by another district", d.SourcedID)
			}
		}
		created := s.nowUTC()
		err := r.queryRow(ctx, `INSERT INTO districts (sourced_id, name, language, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			d.SourcedID, d.Name, d.Language, s.ts(created)).Scan(&d.ID)
		if err != nil {
			return conflictOr(err, "sourcedId", d.SourcedID)
		}
		d.CreatedAt = created
		return nil
	})
}

const districtCols = `id, sourced_id, name, language, created_at`

func scanDistrict(row scanner) (d roster.District, err error) {
	err = row.Scan(&d.ID, &d.SourcedID, &d.Name, &d.Language, tsCol{&d.CreatedAt})
	return d, err
}

// District returns district id.
func (s *Store) District(ctx context.Context, id int64) (_ roster.District, err error) {
	defer wrap(&err, "District(%d)", id)
	d, err := scanDistrict(s.reader().queryRow(ctx, `SELECT `+districtCols+` FROM districts WHERE id = $1`, id))
	return d, noRows(err, "district", id)
}

// Districts returns every district, by id.
func (s *Store) Districts(ctx context.Context) (out []roster.District, err error) {
	defer wrap(&err, "Districts")
	err = s.reader().each(ctx, `SELECT `+districtCols+` FROM districts ORDER BY id`, nil, func(row scanner) error {
		d, err := scanDistrict(row)
		out = append(out, d)
		return err
	})
	return out, err
}

// SetDistrictLanguage records the language the district writes its own
// text in, a BCP 47 tag such as "en" or "es-MX" ("" is English).
func (s *Store) SetDistrictLanguage(ctx context.Context, id int64, language string) (err error) {
	defer wrap(&err, "SetDistrictLanguage(%d)", id)
	lang, err := standards.ParseLanguage(language)
	if err != nil {
		return problem.Invalid("language", "%s", err)
	}
	return s.inTx(ctx, func(r *runner) error {
		res, err := r.exec(ctx, `UPDATE districts SET language = $2 WHERE id = $1`, id, lang)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return problem.NotFound("district", id)
		}
		r.dropCatalog(id)
		return nil
	})
}
