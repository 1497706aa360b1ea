package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/importplan"
)

// StoredFrameworks returns every framework of the district as
// StoredFramework gives it, by framework id. They are read in one
// transaction, so that a CASE service answering from them sees one state
// of the database, never half of an import.
func (s *Store) StoredFrameworks(ctx context.Context, districtID int64) (_ []importplan.StoredFramework, err error) {
	defer wrap(&err, "StoredFrameworks")
	var out []importplan.StoredFramework
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, districtID); err != nil {
			return err
		}
		var ids []int64
		err := r.each(ctx, `SELECT id FROM frameworks WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			ids = append(ids, id)
			return err
		})
		if err != nil {
			return err
		}
		out = make([]importplan.StoredFramework, 0, len(ids))
		for _, id := range ids {
			fw, err := s.storedFramework(ctx, r, districtID, id)
			if err != nil {
				return err
			}
			out = append(out, fw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
