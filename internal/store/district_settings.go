package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

// SettingChange is one change of a district's setting T (its pace
// thresholds, its summative policy): the setting before, nil while the
// district had the defaults, and after; who changed it, when and why.
type SettingChange[T any] struct {
	ID, DistrictID int64
	Old            *T
	New            T
	ChangedBy      int64
	ChangedAt      time.Time
	Reason         string
}

// districtSetting says where a district's setting is kept: a JSON column
// of districts (NULL while the district has the defaults), and a table of
// its changes with the setting before and after.
type districtSetting struct {
	column         string
	changes        string
	oldCol, newCol string
}

// setSetting checks who changes a district's setting, writes it and
// records the change in r's transaction. old is nil while the district
// had the defaults.
func (r *runner) setSetting(ctx context.Context, ds districtSetting, districtID, changedBy int64, old, new any, reason string) error {
	var errs problem.Fields
	if err := r.checkRef(ctx, &errs, "changedBy", "person", tPeople, districtID, &changedBy); err != nil {
		return err
	}
	if changedBy == 0 {
		errs.Add("changedBy", "required")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if _, err := r.exec(ctx, `UPDATE districts SET `+ds.column+` = $2 WHERE id = $1`, districtID, jsonText(new)); err != nil {
		return err
	}
	var oldText any
	if old != nil {
		oldText = jsonText(old)
	}
	_, err := r.exec(ctx, `
INSERT INTO `+ds.changes+` (district_id, `+ds.oldCol+`, `+ds.newCol+`, changed_by, changed_at, reason)
VALUES ($1, $2, $3, $4, $5, $6)`, districtID, oldText, jsonText(new), changedBy, r.s.ts(r.s.nowUTC()), reason)
	return err
}

// settingChanges lists the changes of a district's setting, oldest first.
func settingChanges[T any](ctx context.Context, s *Store, ds districtSetting, districtID int64) (out []SettingChange[T], err error) {
	r := s.reader()
	if err := r.districtExists(ctx, districtID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT id, district_id, `+ds.oldCol+`, `+ds.newCol+`, changed_by, changed_at, reason
FROM `+ds.changes+` WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
		var c SettingChange[T]
		var old sql.NullString
		if err := row.Scan(&c.ID, &c.DistrictID, &old, jsonCol{&c.New}, &c.ChangedBy, tsCol{&c.ChangedAt}, &c.Reason); err != nil {
			return err
		}
		if old.Valid {
			var v T
			if err := (jsonCol{&v}).Scan(old.String); err != nil {
				return err
			}
			c.Old = &v
		}
		out = append(out, c)
		return nil
	})
	return out, err
}
