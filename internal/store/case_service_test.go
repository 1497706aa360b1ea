package store_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestCASEFrameworks reads every framework of a district in CASE terms:
// imported ones and one made in cairn, in id order, each as CASEFramework
// gives it, and none of another district's.
func TestCASEFrameworks(t *testing.T) {
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

			got, err := s.CASEFrameworks(ctx, x.d.ID)
			ok(t, err)
			var ids []int64
			for _, f := range got {
				ids = append(ids, f.FrameworkID)
				one, err := s.CASEFramework(ctx, x.d.ID, f.FrameworkID)
				ok(t, err)
				if diff := cmp.Diff(one, f.Framework); diff != "" {
					t.Errorf("framework %d differs from CASEFramework (-one +all):\n%s", f.FrameworkID, diff)
				}
			}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("framework ids (-want +got):\n%s", diff)
			}
			if len(got) > 1 && got[1].Framework.Framework.Title != "Example Fractions Progression" {
				t.Errorf("second framework %q", got[1].Framework.Framework.Title)
			}

			empty := emptyDistrict(t, e, "empty")
			got, err = s.CASEFrameworks(ctx, empty.ID)
			if err != nil || len(got) != 0 {
				t.Errorf("a district without frameworks: %d, %v", len(got), err)
			}
			if _, err := s.CASEFrameworks(ctx, 9999); !errors.Is(err, problem.ErrNotFound) {
				t.Errorf("no such district: %v, want not found", err)
			}
		})
	}
}
