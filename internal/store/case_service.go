package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
)

// CASEFrameworkOf is one framework of a district in CASE terms, with its
// id in the store.
type CASEFrameworkOf struct {
	FrameworkID int64
	Framework   *casepkg.Framework
}

// CASEFrameworks returns every framework of the district in CASE terms,
// each as CASEFramework gives it, by framework id. They are read in one
// transaction, so that a CASE service answering from them sees one state
// of the database, never half of an import.
func (s *Store) CASEFrameworks(ctx context.Context, districtID int64) (_ []CASEFrameworkOf, err error) {
	defer wrap(&err, "CASEFrameworks")
	var out []CASEFrameworkOf
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
		out = make([]CASEFrameworkOf, 0, len(ids))
		for _, id := range ids {
			fw, _, err := s.caseFramework(ctx, r, districtID, id)
			if err != nil {
				return err
			}
			out = append(out, CASEFrameworkOf{FrameworkID: id, Framework: fw})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
