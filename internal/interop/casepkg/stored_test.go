package casepkg

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/standards"
)

// storedFramework is a framework made in cairn as the store hands it
// over: a retired standard between a root and its grandchild, URIs on the
// two that are not retired.
func storedFramework() importplan.StoredFramework {
	id := func(v int64) *int64 { return &v }
	std := func(i int64, code string, parent *int64, retired bool) standards.Standard {
		return standards.Standard{ID: i, DistrictID: 1, FrameworkID: 7, Code: code, Statement: "Statement " + code, ParentID: parent, Retired: retired}
	}
	return importplan.StoredFramework{
		Framework: standards.Framework{ID: 7, DistrictID: 1, Title: "Made here", Kind: standards.Academic, ScaleID: 3},
		URI:       "https://example.org/doc",
		Standards: []importplan.CASEStandard{
			{Standard: std(1, "A", nil, false), URI: "https://example.org/a"},
			{Standard: std(2, "B", id(1), true), URI: "https://example.org/b"},
			{Standard: std(3, "C", id(2), false), URI: "https://example.org/c"},
		},
		Prerequisites: []standards.Prerequisite{
			{StandardID: 3, PrerequisiteID: 1},
			{StandardID: 3, PrerequisiteID: 2},
			{StandardID: 3, PrerequisiteID: 99}, // another framework's
		},
		Changed: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}
}

// TestFromStored checks that a stored framework is gathered as
// FromStandards gathers it, with each published URI on its own standard
// though a retired one is left out between them.
func TestFromStored(t *testing.T) {
	sf := storedFramework()
	fw, err := FromStored(sf)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ SourcedID, Parent, URI string }
	var got []row
	for _, s := range fw.Standards {
		got = append(got, row{s.SourcedID, s.ParentSourcedID, s.URI})
	}
	want := []row{{"cairn:standard:1", "", "https://example.org/a"}, {"cairn:standard:3", "cairn:standard:1", "https://example.org/c"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("standards (-want +got):\n%s", diff)
	}
	wantPre := []Prerequisite{{StandardSourcedID: "cairn:standard:3", PrerequisiteSourcedID: "cairn:standard:1"}}
	if diff := cmp.Diff(wantPre, fw.Prerequisites); diff != "" {
		t.Errorf("prerequisites (-want +got):\n%s", diff)
	}
	if fw.URI != sf.URI || !fw.Changed.Equal(sf.Changed) || fw.Framework.ID != 0 || fw.Framework.Title != "Made here" {
		t.Errorf("framework %+v, URI %q, changed %v", fw.Framework, fw.URI, fw.Changed)
	}

	// C's nearest ancestor that is not retired is looked for through B
	// and A, both retired, and A's parent is C.
	loop := storedFramework()
	loop.Standards[0].ParentID, loop.Standards[0].Retired = &loop.Standards[2].ID, true
	if _, err := FromStored(loop); err == nil || !strings.Contains(err.Error(), "loops") {
		t.Errorf("a looping hierarchy: %v, want an error", err)
	}
	if _, err := ItemIdentifiers(loop); err == nil || !strings.Contains(err.Error(), "framework 7") {
		t.Errorf("identifiers of a looping hierarchy: %v, want an error naming the framework", err)
	}
}

// TestItemIdentifiers checks that each standard that is not retired is
// named as ExportStored names its item, whatever the export's options.
func TestItemIdentifiers(t *testing.T) {
	sf := storedFramework()
	ids, err := ItemIdentifiers(sf)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := ExportStored(sf, ExportOptions{Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Creator: "Someone", BaseURL: "https://cairn.example.org/ims/case/v1p1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.CFItems) != 2 {
		t.Fatalf("%d items, want 2", len(pkg.CFItems))
	}
	want := map[int64]string{1: pkg.CFItems[0].Identifier, 3: pkg.CFItems[1].Identifier}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("identifiers by standard id (-want +got):\n%s", diff)
	}
	if pkg.CFItems[0].HumanCodingScheme != "A" || pkg.CFItems[1].HumanCodingScheme != "C" {
		t.Errorf("items %q, %q; want A, C", pkg.CFItems[0].HumanCodingScheme, pkg.CFItems[1].HumanCodingScheme)
	}
}
