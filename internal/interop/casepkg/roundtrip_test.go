package casepkg

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var updateRoundTrip = flag.Bool("update-roundtrip", false, "rewrite testdata/roundtrip/*.json")

// RoundTripOptions are the options the round-trip golden files are
// exported with (the store's round-trip test uses them too).
var roundTripOptions = ExportOptions{Now: exportTime, BaseURL: "https://cairn.example.org/ims/case/v1p1", Creator: "Example District"}

// TestPackageRoundTrip imports each good package and exports it again:
// the export is the golden file in testdata/roundtrip, and it is the
// package imported, apart from what docs/interop.md lists as normalised
// (normalise below does exactly that, no more).
func TestPackageRoundTrip(t *testing.T) {
	for _, tt := range goodPackages {
		t.Run(tt.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(bytes.NewReader(src), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			pkg, err := Export(&p.Framework, roundTripOptions)
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			var out bytes.Buffer
			if err := pkg.WriteJSON(&out); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "roundtrip", tt.file)
			if *updateRoundTrip {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update-roundtrip writes it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("export differs from %s (-want +got):\n%s", golden, diff)
			}
			if diff := cmp.Diff(normalise(t, src), normalise(t, out.Bytes())); diff != "" {
				t.Errorf("export is not the package imported, normalised (-imported +exported):\n%s", diff)
			}
		})
	}
}

// normalise applies to a CFPackage what an export is allowed to change,
// as docs/interop.md lists it:
//   - a CASE 1.0 package becomes a 1.1 one: caseVersion "1.1" on the
//     document, no CFPackageURI or CFDocumentURI, no CFDefinitions given
//     as an empty array;
//   - identifiers are written in lower case;
//   - a field CASE 1.1 gives as a list (subject, educationLevel,
//     conceptKeywords) and the package gave as one string is a list;
//   - items are listed in the framework's order and associations with
//     those cairn acts on first: order within CFItems and CFAssociations
//     does not count;
//   - an association repeated exactly is written once;
//   - an optional field given as "" or null is left out.
func normalise(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	lowerIDs := func(m map[string]any) {
		if s, ok := m["identifier"].(string); ok {
			m["identifier"] = strings.ToLower(s)
		}
	}
	lists := func(m map[string]any) {
		for k, v := range m {
			if v == nil || v == "" {
				delete(m, k)
			}
		}
		for _, k := range []string{"subject", "educationLevel", "conceptKeywords"} {
			if s, ok := m[k].(string); ok {
				m[k] = []any{s}
			}
		}
	}
	doc := root["CFDocument"].(map[string]any)
	doc["caseVersion"] = "1.1"
	delete(doc, "CFPackageURI")
	lowerIDs(doc)
	lists(doc)
	if _, ok := root["CFDefinitions"].([]any); ok {
		delete(root, "CFDefinitions")
	}
	for _, list := range []string{"CFItems", "CFAssociations"} {
		arr, _ := root[list].([]any)
		byID := map[string]any{}
		for _, x := range arr {
			m := x.(map[string]any)
			delete(m, "CFDocumentURI")
			lowerIDs(m)
			lists(m)
			for _, end := range []string{"originNodeURI", "destinationNodeURI"} {
				if n, ok := m[end].(map[string]any); ok {
					lowerIDs(n)
				}
			}
			byID[m["identifier"].(string)] = m
		}
		if arr != nil {
			root[list] = byID
		}
	}
	return root
}

// TestRoundTripIdentifiers checks what made an export fail: two
// associations of one type between the same two nodes keep their own
// identifiers, and an exact duplicate is a warning with its place.
func TestRoundTripIdentifiers(t *testing.T) {
	p, err := parseFile(t, filepath.Join("testdata", "publisher-fields-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantNote := "publisher-fields-v1p1.json:157:21: CFAssociations[9].identifier: association \"e2000000-0000-4000-8000-0000000b0009\" (isPeerOf): the same association as CFAssociations[8], repeated exactly: kept once"
	if !slices.Contains(p.Notes, wantNote) {
		t.Errorf("notes %q\nlack %q", p.Notes, wantNote)
	}
	pkg, err := Export(&p.Framework, roundTripOptions)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range pkg.CFAssociations {
		if a.AssociationType == IsRelatedTo || a.AssociationType == Precedes {
			ids = append(ids, a.Identifier)
		}
	}
	want := []string{"e2000000-0000-4000-8000-0000000b0005", "e2000000-0000-4000-8000-0000000b0006", "e2000000-0000-4000-8000-0000000b0007", "e2000000-0000-4000-8000-0000000b0008"}
	if !slices.Equal(ids, want) {
		t.Errorf("precedes and isRelatedTo identifiers %q, want %q", ids, want)
	}
}

// TestExportChangedInCairn changes an imported framework as cairn may (a
// standard moved, the top-level order swapped, the prerequisites gone)
// and checks that the export says the framework as it is now: what no
// longer holds left out, what is new with the time of the change, the
// rest as published.
func TestExportChangedInCairn(t *testing.T) {
	p, err := parseFile(t, filepath.Join("testdata", "publisher-fields-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	fw := p.Framework
	const (
		ps  = "e2000000-0000-4000-8000-000000000001"
		pe2 = "e2000000-0000-4000-8000-000000000003"
		ls  = "e2000000-0000-4000-8000-000000000004"
	)
	fw.Standards = slices.Clone(fw.Standards)
	for i := range fw.Standards {
		switch s := &fw.Standards[i]; s.SourcedID {
		case ps:
			s.Position = 2
		case ls:
			s.Position = 1
		case pe2:
			s.ParentSourcedID, s.Position = ls, 1
		}
	}
	// Standards are depth first, siblings in order.
	order := map[string]int{ls: 0, pe2: 1, ps: 2, "e2000000-0000-4000-8000-000000000002": 3}
	slices.SortFunc(fw.Standards, func(a, b Standard) int { return order[a.SourcedID] - order[b.SourcedID] })
	fw.Prerequisites = nil
	fw.Changed = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	const changed = "2026-02-03T04:05:06Z"
	pkg, err := Export(&fw, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]CFAssociation{}
	var moved []CFAssociation
	for _, a := range pkg.CFAssociations {
		byID[a.Identifier] = a
		if a.AssociationType == IsChildOf && a.OriginNodeURI.Identifier == pe2 {
			moved = append(moved, a)
		}
	}
	for _, gone := range []string{"e2000000-0000-4000-8000-0000000b0004", "e2000000-0000-4000-8000-0000000b0005", "e2000000-0000-4000-8000-0000000b0006"} {
		if _, ok := byID[gone]; ok {
			t.Errorf("association %s, which cairn no longer holds, is exported", gone)
		}
	}
	if len(moved) != 1 || moved[0].DestinationNodeURI.Identifier != ls || moved[0].LastChangeDateTime != changed {
		t.Errorf("the moved standard's parent associations: %+v", moved)
	}
	for _, kept := range []string{"e2000000-0000-4000-8000-0000000b0003", "e2000000-0000-4000-8000-0000000b0007", "e2000000-0000-4000-8000-0000000b0008", "e2000000-0000-4000-8000-0000000b0009"} {
		if a, ok := byID[kept]; !ok || a.LastChangeDateTime == changed {
			t.Errorf("association %s: %+v, want it as published", kept, a)
		}
	}
	if pkg.CFDocument.LastChangeDateTime != changed {
		t.Errorf("document lastChangeDateTime %s, want %s", pkg.CFDocument.LastChangeDateTime, changed)
	}
	for _, it := range pkg.CFItems {
		if it.Identifier == ps && it.LastChangeDateTime != "2023-06-01T10:00:00+00:00" {
			t.Errorf("unchanged item PS: lastChangeDateTime %s", it.LastChangeDateTime)
		}
	}
	var buf bytes.Buffer
	if err := pkg.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Parse(&buf, "export.json")
	if err != nil {
		t.Fatal(err)
	}
	type place struct {
		id, parent string
		pos        int
	}
	var got []place
	for _, s := range back.Framework.Standards {
		got = append(got, place{s.SourcedID, s.ParentSourcedID, s.Position})
	}
	want := []place{{ls, "", 1}, {pe2, ls, 1}, {ps, "", 2}, {"e2000000-0000-4000-8000-000000000002", ps, 1}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(place{})); diff != "" {
		t.Errorf("the export read back (-want +got):\n%s", diff)
	}
	if len(back.Framework.Prerequisites) != 0 {
		t.Errorf("prerequisites read back: %+v", back.Framework.Prerequisites)
	}
}
