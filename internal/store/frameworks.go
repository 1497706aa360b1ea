package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

// CreateFramework stores a new framework and sets its ID.
func (s *Store) CreateFramework(ctx context.Context, f *standards.Framework) (err error) {
	defer wrap(&err, "CreateFramework")
	if err := f.Validate(); err != nil {
		return err
	}
	f.Language = f.Lang()
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, f.DistrictID); err != nil {
			return err
		}
		r.dropModel(f.DistrictID)
		if err := r.checkFramework(ctx, f); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
INSERT INTO frameworks (district_id, sourced_id, title, kind, creator, version, subject, scale_id, language, changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			f.DistrictID, f.SourcedID, f.Title, string(f.Kind), f.Creator, f.Version, f.Subject, f.ScaleID, f.Language, r.s.ts(r.s.nowUTC())).Scan(&f.ID)
		return conflictOr(err, "sourcedId", f.SourcedID)
	})
}

// UpdateFramework changes a framework. Its scale cannot change once
// evidence has been recorded on its standards, because that evidence was
// recorded on the old scale's levels.
func (s *Store) UpdateFramework(ctx context.Context, f *standards.Framework) (err error) {
	defer wrap(&err, "UpdateFramework(%d)", f.ID)
	if err := f.Validate(); err != nil {
		return err
	}
	f.Language = f.Lang()
	return s.inTx(ctx, func(r *runner) error {
		r.dropModel(f.DistrictID)
		var oldScale int64
		err := r.queryRow(ctx, `SELECT scale_id FROM frameworks WHERE district_id = $1 AND id = $2`, f.DistrictID, f.ID).Scan(&oldScale)
		if err != nil {
			return noRows(err, "framework", f.ID)
		}
		if err := r.checkFramework(ctx, f); err != nil {
			return err
		}
		if oldScale != f.ScaleID {
			// A standard has a mastery state exactly when evidence that
			// counts was recorded on it or below it.
			used, err := r.exists(ctx, `
SELECT 1 FROM mastery_states ms
WHERE ms.district_id = $1 AND ms.standard_id IN (SELECT id FROM standards WHERE district_id = $1 AND framework_id = $2)
LIMIT 1`, f.DistrictID, f.ID)
			if err != nil {
				return err
			}
			if used {
				return problem.Invalid("scaleId", "evidence that counts has been recorded on this framework's standards with scale %d, so its scale cannot change", oldScale)
			}
		}
		_, err = r.exec(ctx, `
UPDATE frameworks SET sourced_id = $3, title = $4, kind = $5, creator = $6, version = $7, subject = $8, scale_id = $9, language = $10,
    changed_at = $11
WHERE district_id = $1 AND id = $2`,
			f.DistrictID, f.ID, f.SourcedID, f.Title, string(f.Kind), f.Creator, f.Version, f.Subject, f.ScaleID, f.Language, r.s.ts(r.s.nowUTC()))
		return conflictOr(err, "sourcedId", f.SourcedID)
	})
}

func (r *runner) checkFramework(ctx context.Context, f *standards.Framework) error {
	if err := r.checkSourcedID(ctx, tFrameworks, "framework", f.DistrictID, f.ID, f.SourcedID); err != nil {
		return err
	}
	var errs problem.Fields
	if err := r.checkRef(ctx, &errs, "scaleId", "scale", tScales, f.DistrictID, &f.ScaleID); err != nil {
		return err
	}
	return errs.Err()
}

const frameworkCols = `id, district_id, sourced_id, title, kind, creator, version, subject, scale_id, language`

// frameworkDest is where a row of frameworkCols is scanned to, then any
// more columns.
func frameworkDest(f *standards.Framework, more ...any) []any {
	return append([]any{&f.ID, &f.DistrictID, &f.SourcedID, &f.Title, (*string)(&f.Kind), &f.Creator, &f.Version, &f.Subject, &f.ScaleID, &f.Language}, more...)
}

func scanFramework(row scanner) (f standards.Framework, err error) {
	err = row.Scan(frameworkDest(&f)...)
	return f, err
}

// Framework returns a framework of the district.
func (s *Store) Framework(ctx context.Context, districtID, id int64) (_ standards.Framework, err error) {
	defer wrap(&err, "Framework(%d)", id)
	f, err := scanFramework(s.reader().queryRow(ctx, `SELECT `+frameworkCols+` FROM frameworks WHERE district_id = $1 AND id = $2`, districtID, id))
	return f, noRows(err, "framework", id)
}

// Frameworks lists the district's frameworks by id.
func (s *Store) Frameworks(ctx context.Context, districtID int64) (out []standards.Framework, err error) {
	defer wrap(&err, "Frameworks")
	err = s.reader().each(ctx, `SELECT `+frameworkCols+` FROM frameworks WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
		f, err := scanFramework(row)
		out = append(out, f)
		return err
	})
	return out, err
}

// frameworkChanged records that cairn changed the frameworks of the
// given standards now: it is the lastChangeDateTime a CASE export gives
// what changed (see StoredFramework and casepkg.ExportStored).
func (r *runner) frameworkChanged(ctx context.Context, districtID int64, standardIDs ...int64) error {
	_, err := r.exec(ctx, `
UPDATE frameworks SET changed_at = $2
WHERE district_id = $1 AND id IN (SELECT framework_id FROM standards WHERE district_id = $1 AND id IN ids($3))`,
		districtID, r.s.ts(r.s.nowUTC()), r.s.ids(standardIDs))
	return err
}
