package oneroster

import (
	"archive/zip"
	"bytes"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// editedRoundTrip is a copy of the 1.2 round-trip set with edit applied to
// each file's text.
func editedRoundTrip(t *testing.T, edit func(name, text string) string) string {
	t.Helper()
	dir := t.TempDir()
	const src = "testdata/roundtrip-v1p2"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte(edit(e.Name(), string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func userIDs(r *Roster) []string {
	var ids []string
	for _, u := range r.Users {
		ids = append(ids, u.SourcedID)
	}
	return ids
}

// TestReadPartialEdges holds a partial read to leaving out every row that
// depends on a refused one, however it came to be refused, and to refusing
// the package when a whole file cannot be read.
func TestReadPartialEdges(t *testing.T) {
	t.Run("a duplicate of a refused row", func(t *testing.T) {
		dir := editedRoundTrip(t, func(name, s string) string {
			if name != "users.csv" {
				return s
			}
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			var good string
			for i, l := range lines {
				if strings.HasPrefix(l, "usr-s2,") {
					good = l
					lines[i] = strings.Replace(l, "Benjamin,Okafor", "Benjamin,", 1)
				}
			}
			if good == "" {
				t.Fatal("no usr-s2 in users.csv")
			}
			return strings.Join(append(lines, strings.Replace(good, "Benjamin", "Other", 1)), "\n") + "\n"
		})
		r, err := Read(os.DirFS(dir), ReadOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(userIDs(r), "usr-s2") {
			t.Error("the second usr-s2, a duplicate of a refused row, was read")
		}
		if !slices.ContainsFunc(r.Refused, func(p badinput.Problem) bool { return strings.Contains(p.String(), `duplicate sourcedId "usr-s2"`) }) {
			t.Errorf("the duplicate is not reported: %v", r.Refused)
		}
	})
	t.Run("a user whose primary role is refused", func(t *testing.T) {
		dir := editedRoundTrip(t, func(name, s string) string {
			if name != "roles.csv" {
				return s
			}
			return strings.Replace(s, "usr-s2,primary,student,,,org-hs,", "usr-s2,primary,student,,,org-zz,", 1)
		})
		r, err := Read(os.DirFS(dir), ReadOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(userIDs(r), "usr-s2") {
			t.Error("usr-s2 is read without the primary role its refused row gave")
		}
		for _, e := range r.Enrollments {
			if e.UserSourcedID == "usr-s2" {
				t.Errorf("enrollment %s of usr-s2 is read", e.SourcedID)
			}
		}
	})
	t.Run("an agent refused for want of a role", func(t *testing.T) {
		dir := editedRoundTrip(t, func(name, s string) string {
			if name != "roles.csv" {
				return s
			}
			var out []string
			for _, l := range strings.Split(s, "\n") {
				if !strings.HasPrefix(l, "role-s1,") {
					out = append(out, l)
				}
			}
			return strings.Join(out, "\n")
		})
		r, err := Read(os.DirFS(dir), ReadOptions{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, u := range r.Users {
			if u.SourcedID == "usr-s1" {
				t.Error("usr-s1 is read without a primary role")
			}
			if slices.Contains(u.AgentSourcedIDs, "usr-s1") {
				t.Errorf("user %s is read naming the refused usr-s1 as an agent", u.SourcedID)
			}
		}
		for _, p := range r.Refused {
			named = named || (p.File == "users.csv" && p.Field == "agentSourcedIds")
		}
		if !named {
			t.Errorf("no user is refused for naming usr-s1: %v", r.Refused)
		}
	})
	t.Run("a file that cannot be opened", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		zw.RegisterCompressor(99, func(w io.Writer) (io.WriteCloser, error) { return nopCloser{w}, nil })
		const src = "testdata/roundtrip-v1p2"
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			method := zip.Deflate
			if e.Name() == "users.csv" {
				method = 99 // a method no reader knows
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name(), Method: method})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
		}
		zw.Close()
		r, err := ReadZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "x.zip", ReadOptions{Partial: true})
		if err == nil {
			t.Fatalf("a partial read without users.csv went on (%d users, mode %s): it would retire every user", len(r.Users), r.Mode("users.csv"))
		}
		if !strings.Contains(err.Error(), "users.csv") {
			t.Errorf("the refusal does not name users.csv: %v", err)
		}
	})
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
