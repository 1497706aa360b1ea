package casepkg

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
)

// FuzzParseCASE feeds Parse arbitrary bytes (the seed corpus in
// testdata/fuzz/FuzzParseCASE holds real and broken packages). Parse must
// never panic; an error must be a *badinput.Error whose every problem says
// where (a line and column inside the input) and why; a package it accepts
// must be a well-formed framework that survives export and import.
func FuzzParseCASE(f *testing.F) {
	f.Add([]byte(`{"CFDocument":{"identifier":"d0000000-0000-4000-8000-000000000000","uri":"u","creator":"c","title":"t","lastChangeDateTime":"2024-01-01T00:00:00Z"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			var e *badinput.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *badinput.Error", err, err)
			}
			lines := bytes.Count(data, []byte{'\n'}) + 1
			for _, pr := range e.Problems {
				if pr.File != "fuzz.json" || pr.Reason == "" || pr.Line < 1 || pr.Line > lines || pr.Column < 1 {
					t.Fatalf("problem %q: line %d, column %d of a %d-line input", pr, pr.Line, pr.Column, lines)
				}
			}
			return
		}
		checkFramework(t, &p.Framework)
		pkg, err := Export(&p.Framework, ExportOptions{Now: exportTime})
		if err != nil {
			t.Fatalf("Export of an accepted package: %v", err)
		}
		var buf bytes.Buffer
		if err := pkg.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf, "again.json")
		if err != nil {
			t.Fatalf("Parse(Export(...)): %v", err)
		}
		if diff := cmp.Diff(p.Framework.Standards, again.Framework.Standards); diff != "" && allUUIDs(&p.Framework) {
			t.Fatalf("standards after export and import (-first +second):\n%s", diff)
		}
	})
}

// allUUIDs reports whether every identifier is already a lower-case UUID,
// so that export keeps them as they are.
func allUUIDs(fw *Framework) bool {
	for _, s := range fw.Standards {
		if caseID(s.SourcedID, "") != s.SourcedID || (s.ParentSourcedID != "" && caseID(s.ParentSourcedID, "") != s.ParentSourcedID) {
			return false
		}
	}
	return true
}

// checkFramework checks what the store relies on: unique identifiers, each
// standard after its parent, positions 1..n among siblings, prerequisites
// between known standards.
func checkFramework(t *testing.T, fw *Framework) {
	t.Helper()
	seen := map[string]bool{}
	next := map[string]int{}
	for _, s := range fw.Standards {
		if seen[s.SourcedID] {
			t.Fatalf("standard %q twice", s.SourcedID)
		}
		if s.ParentSourcedID != "" && !seen[s.ParentSourcedID] {
			t.Fatalf("standard %q comes before its parent %q", s.SourcedID, s.ParentSourcedID)
		}
		seen[s.SourcedID] = true
		next[s.ParentSourcedID]++
		if s.Position != next[s.ParentSourcedID] {
			t.Fatalf("standard %q at position %d, want %d", s.SourcedID, s.Position, next[s.ParentSourcedID])
		}
	}
	for _, e := range fw.Prerequisites {
		if !seen[e.StandardSourcedID] || !seen[e.PrerequisiteSourcedID] || e.StandardSourcedID == e.PrerequisiteSourcedID {
			t.Fatalf("prerequisite %+v between unknown or equal standards", e)
		}
	}
}
