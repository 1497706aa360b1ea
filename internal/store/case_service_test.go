package store_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestStoredFrameworks reads every framework of a district as stored, for
// the CASE service: imported ones and one made in cairn, in id order, each
// as StoredFramework gives it, and none of another district's.
func TestStoredFrameworks(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			ctx, s := e.ctx, e.s
			x := newDistrict(t, e, "served")
			other := emptyDistrict(t, e, "other")
			_, err := s.ImportCASE(ctx, other.ID, parseCASE(t, "smartlevel-v1p0.json"), store.ImportOptions{})
			ok(t, err)
			var want []int64
			want = append(want, x.fw.ID)
			for _, name := range []string{"fractions-prerequisites-v1p1.json", "act-math-ordering-v1p0.json"} {
				rep, err := s.ImportCASE(ctx, x.d.ID, parseCASE(t, name), store.ImportOptions{})
				ok(t, err)
				want = append(want, rep.FrameworkID)
			}

			got, err := s.StoredFrameworks(ctx, x.d.ID)
			ok(t, err)
			var ids []int64
			for _, f := range got {
				ids = append(ids, f.Framework.ID)
				one, err := s.StoredFramework(ctx, x.d.ID, f.Framework.ID)
				ok(t, err)
				if diff := cmp.Diff(one, f); diff != "" {
					t.Errorf("framework %d differs from StoredFramework (-one +all):\n%s", f.Framework.ID, diff)
				}
			}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("framework ids (-want +got):\n%s", diff)
			}
			if len(got) > 1 && got[1].Framework.Title != "Example Fractions Progression" {
				t.Errorf("second framework %q", got[1].Framework.Title)
			}

			empty := emptyDistrict(t, e, "empty")
			got, err = s.StoredFrameworks(ctx, empty.ID)
			if err != nil || len(got) != 0 {
				t.Errorf("a district without frameworks: %d, %v", len(got), err)
			}
			if _, err := s.StoredFrameworks(ctx, 9999); !errors.Is(err, problem.ErrNotFound) {
				t.Errorf("no such district: %v, want not found", err)
			}
		})
	}
}
