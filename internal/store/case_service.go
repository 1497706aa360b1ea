package store

import (
	"context"
	"errors"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
)

// CASEFrameworkOf is one framework of a district in CASE terms, with its
// id in the store, or why it could not be gathered.
type CASEFrameworkOf struct {
	FrameworkID int64
	Framework   *casepkg.Framework
	// Err is why the framework could not be gathered (Framework is then
	// nil): one framework the store cannot put in CASE terms does not keep
	// the others from being served.
	Err error
}

// CASEFrameworks returns every framework of the district in CASE terms,
// each as CASEFramework gives it, by framework id. They are read in one
// transaction, so that a CASE service answering from them sees one state
// of the database, never half of an import. A framework that cannot be put
// in CASE terms comes with its error; the call fails only when reading
// does.
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
			if err != nil && !errors.Is(err, errNotCASE) {
				return err
			}
			out = append(out, CASEFrameworkOf{FrameworkID: id, Framework: fw, Err: err})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// errNotCASE marks a framework whose records cannot be put in CASE terms
// (a hierarchy that loops, a parent in another framework).
var errNotCASE = errors.New("the framework cannot be put in CASE terms")
