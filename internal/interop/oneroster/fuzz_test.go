package oneroster

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
)

// FuzzReadOneRoster replaces users.csv of the 1.2 fixture with arbitrary
// bytes (the seed corpus in testdata/fuzz/FuzzReadOneRoster holds real and
// broken variants). Read must never panic; an error must be a
// *badinput.Error whose every problem names a file of the package, a line
// that exists, and a reason; a roster it accepts must write and read back
// the same.
func FuzzReadOneRoster(f *testing.F) {
	base := loadFS(f, "bulk-v1p2")
	f.Add(base["users.csv"].Data)
	f.Fuzz(func(t *testing.T, users []byte) {
		m := fstest.MapFS{}
		for k, v := range base {
			m[k] = v
		}
		m["users.csv"] = &fstest.MapFile{Data: users}
		r, err := Read(m, ReadOptions{})
		if err != nil {
			var e *badinput.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *badinput.Error", err, err)
			}
			for _, p := range e.Problems {
				file, ok := m[p.File]
				if !ok || p.Reason == "" || p.Line < 0 || p.Column < 0 {
					t.Fatalf("problem %q does not say where", p)
				}
				if lines := bytes.Count(file.Data, []byte{'\n'}) + 1; p.Line > lines {
					t.Fatalf("problem %q: line %d of a %d-line file", p, p.Line, lines)
				}
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, r, WriteOptions{Now: writeTime}); err != nil {
			t.Fatalf("Write of an accepted roster: %v", err)
		}
		z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		back, err := Read(z, ReadOptions{})
		if err != nil {
			t.Fatalf("Read(Write(...)): %v", err)
		}
		// A bulk file's dateLastModified is not written back: bulk files
		// leave it blank.
		if diff := cmp.Diff(r, back, records, cmpopts.IgnoreFields(Record{}, "DateLastModified")); diff != "" {
			t.Fatalf("records after write and read (-before +after):\n%s", diff)
		}
	})
}
