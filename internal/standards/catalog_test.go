package standards

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCatalog(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	sc := DefaultScale()
	sc.ID = 7
	other := Scale{ID: 8, Name: "Two levels", Levels: []Level{{Value: 0, Label: "Not yet"}, {Value: 1, Label: "Yes"}}, MasteryCut: 1}
	c := NewCatalog(CatalogParts{
		Language: "es-mx",
		// Out of order: the catalog lists frameworks by id.
		Frameworks: []Framework{{ID: 2, Title: "4Cs", ScaleID: 8, Language: "en"}, {ID: 1, Title: "Matemáticas", ScaleID: 7, Language: "es"}},
		Scales:     []Scale{sc, other},
		Standards: []Standard{
			{ID: 10, FrameworkID: 1, Code: "6.RP"},
			{ID: 11, FrameworkID: 1, Code: "6.RP.1", ParentID: id(10)},
			{ID: 12, FrameworkID: 1, Code: "6.RP.2", ParentID: id(10), Retired: true},
			{ID: 13, FrameworkID: 1, Code: "6.RP.3", ParentID: id(10)},
			{ID: 20, FrameworkID: 2, Code: "C1"},
		},
		Prerequisites: []Prerequisite{{StandardID: 13, PrerequisiteID: 11}, {StandardID: 13, PrerequisiteID: 20}, {StandardID: 11, PrerequisiteID: 30}},
		Courses:       map[int64][]int64{5: {20, 13, 12, 11}},
	})
	codes := func(sts []Standard) []string {
		var out []string
		for _, st := range sts {
			out = append(out, st.Code)
		}
		return out
	}
	if c.Language() != "es-MX" {
		t.Errorf("Language = %q", c.Language())
	}
	if got := []int64{c.Frameworks()[0].ID, c.Frameworks()[1].ID}; !cmp.Equal(got, []int64{1, 2}) {
		t.Errorf("frameworks in order %v, want by id", got)
	}
	if diff := cmp.Diff([]string{"6.RP.1", "6.RP.3", "C1"}, codes(c.CourseStandards(5))); diff != "" {
		t.Errorf("course's standards: in hierarchy order, the retired one left out (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"6.RP", "6.RP.1", "6.RP.2", "6.RP.3"}, codes(c.FrameworkStandards(1))); diff != "" {
		t.Errorf("framework's standards (-want +got):\n%s", diff)
	}
	if st, ok := c.Standard(12); !ok || !st.Retired {
		t.Errorf("a retired standard is still found: %+v, %v", st, ok)
	}
	if _, ok := c.Standard(99); ok {
		t.Error("a standard of no framework was found")
	}
	if got := c.ScaleOf(Standard{FrameworkID: 2}); got.ID != 8 {
		t.Errorf("ScaleOf a 4Cs standard = scale %d", got.ID)
	}
	if got := c.ScaleOf(Standard{FrameworkID: 9}); got.Name != DefaultScale().Name {
		t.Errorf("ScaleOf a standard of an unknown framework = %q, want the default", got.Name)
	}
	if c.LangOf(Standard{FrameworkID: 1}) != "es" || c.LangOf(Standard{FrameworkID: 9}) != DefaultLanguage {
		t.Error("LangOf")
	}
	if diff := cmp.Diff([]int64{11, 20}, c.Prerequisites(13)); diff != "" {
		t.Errorf("Prerequisites(13) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{13}, c.Dependents(20)); diff != "" {
		t.Errorf("Dependents(20) (-want +got):\n%s", diff)
	}
	// What a page listing 11 and 13 must read besides: 30 and 20, once
	// each; 11 is listed already.
	if diff := cmp.Diff([]int64{30, 20}, c.PrerequisitesOfAll([]int64{11, 13})); diff != "" {
		t.Errorf("PrerequisitesOfAll (-want +got):\n%s", diff)
	}
}
