package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestCatalog checks that a district's catalog holds what pages read of
// its standards, that every write it depends on is seen at once by the
// store that made it, and that a write by another server on the same
// database is seen from the next request's actor on.
func TestCatalog(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			ctx, s := e.ctx, e.s
			x := newDistrict(t, e, "catalog")
			id := x.d.ID
			cat, err := s.Catalog(ctx, id)
			ok(t, err)

			codesOf := func(sts []standards.Standard) []string { return codes(sts) }
			if diff := cmp.Diff([]string{"6.RP", "6.RP.A", "6.RP.A.1", "6.RP.A.2", "6.RP.B"}, codesOf(cat.FrameworkStandards(x.fw.ID))); diff != "" {
				t.Errorf("framework's standards in hierarchy order (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"6.RP.A", "6.RP.A.1", "6.RP.A.2", "6.RP.B"}, codesOf(cat.CourseStandards(x.course.ID))); diff != "" {
				t.Errorf("course's standards (-want +got):\n%s", diff)
			}
			if got := cat.ScaleOf(x.s1); got.ID != x.scale.ID {
				t.Errorf("ScaleOf(s1) = scale %d, want %d", got.ID, x.scale.ID)
			}
			if fws := cat.Frameworks(); len(fws) != 1 || fws[0].Title != x.fw.Title {
				t.Errorf("Frameworks = %+v", fws)
			}
			if cat.Language() != "en" || len(cat.Prerequisites(x.s2.ID)) != 0 {
				t.Errorf("language %q, prerequisites of s2 %v", cat.Language(), cat.Prerequisites(x.s2.ID))
			}
			if again, err := s.Catalog(ctx, id); err != nil || again != cat {
				t.Errorf("a second read gave another catalog (%v): it is not kept", err)
			}

			// Each write it depends on is seen by the next read.
			ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s2.ID, PrerequisiteID: x.s1.ID}))
			cat, err = s.Catalog(ctx, id)
			ok(t, err)
			if diff := cmp.Diff([]int64{x.s1.ID}, cat.Prerequisites(x.s2.ID)); diff != "" {
				t.Errorf("prerequisites of s2 after adding one (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int64{x.s2.ID}, cat.Dependents(x.s1.ID)); diff != "" {
				t.Errorf("dependents of s1 (-want +got):\n%s", diff)
			}
			ok(t, s.SetDistrictLanguage(ctx, id, "es-mx"))
			if cat, err = s.Catalog(ctx, id); err != nil || cat.Language() != "es-MX" {
				t.Errorf("language after setting it: %q (%v)", cat.Language(), err)
			}
			ok(t, s.SetCourseStandards(ctx, id, x.course.ID, []int64{x.s2.ID}))
			cat, err = s.Catalog(ctx, id)
			ok(t, err)
			if diff := cmp.Diff([]string{"6.RP.A.2"}, codesOf(cat.CourseStandards(x.course.ID))); diff != "" {
				t.Errorf("course's standards after mapping it again (-want +got):\n%s", diff)
			}
			s4 := standards.Standard{DistrictID: id, FrameworkID: x.fw.ID, Code: "6.RP.A.0", Statement: "Name ratios", ParentID: &x.cluster.ID}
			ok(t, s.CreateStandard(ctx, &s4))
			cat, err = s.Catalog(ctx, id)
			ok(t, err)
			if got, found := cat.Standard(s4.ID); !found || got.Code != "6.RP.A.0" {
				t.Errorf("new standard: %+v, %v", got, found)
			}
			if diff := cmp.Diff([]string{"6.RP", "6.RP.A", "6.RP.A.0", "6.RP.A.1", "6.RP.A.2", "6.RP.B"}, codesOf(cat.FrameworkStandards(x.fw.ID))); diff != "" {
				t.Errorf("hierarchy order after a new standard at position 0 (-want +got):\n%s", diff)
			}

			// Another server's change is seen once this one's actor is read.
			b, err := store.Open(ctx, store.Config{URL: e.url})
			ok(t, err)
			defer b.Close()
			ok(t, b.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s3.ID, PrerequisiteID: x.s2.ID}))
			if _, err := s.Actor(ctx, id, x.teacher.ID); err != nil {
				t.Fatal(err)
			}
			cat, err = s.Catalog(ctx, id)
			ok(t, err)
			if diff := cmp.Diff([]int64{x.s2.ID}, cat.Prerequisites(x.s3.ID)); diff != "" {
				t.Errorf("prerequisites of s3 added by another server (-want +got):\n%s", diff)
			}

			// A CASE import by another server is seen the same way: the
			// import advances config_version like every other change of
			// the hierarchy.
			if _, err := b.ImportCASE(ctx, id, parseCASE(t, "smartlevel-v1p0.json"), store.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Actor(ctx, id, x.teacher.ID); err != nil {
				t.Fatal(err)
			}
			cat, err = s.Catalog(ctx, id)
			ok(t, err)
			if got := len(cat.Frameworks()); got != 2 {
				t.Errorf("frameworks after another server imported one: %d, want 2", got)
			}

			// A district that does not exist has no catalog.
			if _, err := s.Catalog(ctx, id+1000); err == nil {
				t.Error("a catalog of a district that does not exist")
			}
		})
	}
}
