package cartridge

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/standards"
)

// FuzzParse feeds ReadZip arbitrary bytes: a zip, or a manifest alone (the
// seed corpus in testdata/fuzz/FuzzParse holds both, good and broken).
// It must never panic; an error must be a *badinput.Error whose every
// problem names a file and says why, at a line inside the input when the
// input is the manifest; a cartridge it accepts must hold only what cairn
// can import: titles within their limit, http(s) addresses, files with a
// path in the package.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"testdata/thin-cc13.xml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(zipDir(f, "testdata/fractions-cc13"))
	f.Add(zipDir(f, "testdata/links-cc11"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadZip(bytes.NewReader(data), int64(len(data)), "fuzz.imscc")
		if err != nil {
			var e *badinput.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *badinput.Error", err, err)
			}
			lines := bytes.Count(data, []byte{'\n'}) + 1
			for _, p := range e.Problems {
				if p.File == "" || p.Reason == "" || p.Line < 0 || p.Column < 0 {
					t.Fatalf("problem %q: no file or reason, or a negative position", p)
				}
				if looksLikeXML(data) && p.File == ManifestFile && p.Line > lines {
					t.Fatalf("problem %q: line %d of a %d-line manifest", p, p.Line, lines)
				}
			}
			return
		}
		if len(c.Entries) > limits.CartridgeActivities {
			t.Fatalf("%d entries", len(c.Entries))
		}
		for _, e := range c.Entries {
			if e.Title == "" || limits.TooLong(e.Title, limits.Title, "") != "" {
				t.Fatalf("entry %+v: empty or long title", e)
			}
			if len(e.Standards) > limits.CartridgeAlignments {
				t.Fatalf("entry %+v: %d standards", e, len(e.Standards))
			}
			for _, a := range e.Standards {
				if a.GUID == "" || len(a.GUID) > limits.Identifier {
					t.Fatalf("entry %+v: GUID %q", e, a.GUID)
				}
			}
			switch e.Kind {
			case KindWebLink, KindLTI:
				u, err := url.Parse(e.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || len(e.URL) > limits.URL {
					t.Fatalf("entry %+v: address %q", e, e.URL)
				}
			case KindFile:
				if unsafePath(e.File) != "" || e.File == "" {
					t.Fatalf("entry %+v: file %q", e, e.File)
				}
				// A damaged file shows only when it is read: no panic, and
				// never more than its size.
				if b, err := c.ReadFile(e, 1<<20); err == nil && int64(len(b)) != e.Size {
					t.Fatalf("ReadFile(%q): %d bytes, want %d", e.File, len(b), e.Size)
				}
			}
		}
		// Every GUID is a standard of the district (one per first letter),
		// so that every entry is planned: the playlists must be valid.
		resolve := func(id string) (standards.Standard, bool) {
			if id == "" {
				return standards.Standard{}, false
			}
			return standards.Standard{ID: int64(id[0]) + 1, Code: id[:1], Statement: "s"}, true
		}
		p, err := Plan(c, PlanOptions{DistrictID: 1, OwnerID: 1, Resolve: resolve})
		if err != nil {
			var e *badinput.Error
			if !errors.As(err, &e) {
				t.Fatalf("Plan: %v", err)
			}
			return
		}
		for _, pl := range p.Playlists {
			if err := pl.Validate(); err != nil {
				t.Fatalf("planned playlist %q: %v", pl.Title, err)
			}
		}
	})
}
