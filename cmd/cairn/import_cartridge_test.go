package main

import (
	"archive/zip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

const cartridgeData = "../../internal/interop/cartridge/testdata"

// cartridgeDB is a district with the fractions framework and a teacher,
// ms.rivera.
func cartridgeDB(t *testing.T) string {
	t.Helper()
	db := interopDB(t)
	mustCairn(t, "import", "case", "--db", db, filepath.Join(caseData, "fractions-prerequisites-v1p1.json"))
	st := openStore(t, db)
	p := roster.Person{DistrictID: 1, GivenName: "Ana", FamilyName: "Rivera", Username: "ms.rivera", Roles: []roster.Role{roster.RoleTeacher}}
	if err := st.CreatePerson(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	s := roster.Person{DistrictID: 1, GivenName: "Sam", FamilyName: "Lee", Username: "sam", Roles: []roster.Role{roster.RoleStudent}}
	if err := st.CreatePerson(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestImportCartridgeCommand(t *testing.T) {
	db := cartridgeDB(t)
	src := filepath.Join(cartridgeData, "fractions-cc13")

	out := mustCairn(t, "import", "cartridge", "--db", db, "--teacher", "ms.rivera", "--dry-run", src)
	for _, want := range []string{
		`Common Cartridge 1.3 "Grade 3 Fractions", 8 entries`,
		"Grade 3 Fractions · 3.NF.A.1: 4 activities",
		"Grade 3 Fractions · 3.NF.A.2: 3 activities",
		`warning: imsmanifest.xml:63: "Fraction games" names no standard: not imported; add it to a playlist by hand`,
		"dry run: would make 2 playlists with 7 activities; nothing was written",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	st := openStore(t, db)
	mine := func() int {
		ps, err := st.SearchPlaylists(context.Background(), 1, store.PlaylistQuery{OwnerID: 1})
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	if n := mine(); n != 0 {
		t.Fatalf("after a dry run: %d playlists", n)
	}

	// The package as an LMS exports it: a zip.
	imscc := zipFolder(t, src)
	out = mustCairn(t, "import", "cartridge", imscc, "--db", db, "--teacher", "MS.RIVERA")
	if !strings.Contains(out, "made 2 playlists with 7 activities for ms.rivera") {
		t.Errorf("import output:\n%s", out)
	}
	ps, err := st.SearchPlaylists(context.Background(), 1, store.PlaylistQuery{OwnerID: 1, Words: "fair shares"})
	if err != nil || len(ps) != 1 {
		t.Fatalf("search for the imported page: %d playlists, %v", len(ps), err)
	}
	var page int64
	for _, a := range ps[0].Activities {
		if a.Title == "Fair shares" {
			page = a.ID
		}
	}
	f, err := st.ActivityFile(context.Background(), 1, page)
	want, _ := os.ReadFile(filepath.Join(src, "pages", "fair-shares.html"))
	if err != nil || string(f.Data) != string(want) || f.ContentType != "text/html" {
		t.Errorf("the page's file: %q %q, %v; want the cartridge's", f.ContentType, f.Data, err)
	}

	out = mustCairn(t, "import", "cartridge", "--db", db, "--teacher", "ms.rivera", src)
	if !strings.Contains(out, "nothing changed: the teacher already has these playlists") || mine() != 2 {
		t.Errorf("second import made %d playlists:\n%s", mine(), out)
	}
}

func TestImportCartridgeCommandRefused(t *testing.T) {
	db := cartridgeDB(t)
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.xml")
	os.WriteFile(broken, []byte("<?xml version=\"1.0\"?>\n<manifest xmlns=\"http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1\">\n<resources>\n</manifest>\n"), 0o644)
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
		err    string
	}{
		{"broken manifest", []string{"--teacher", "ms.rivera", broken},
			"imsmanifest.xml:4:12: not well-formed XML: element <resources> closed by </manifest>", "1 problem, nothing was imported"},
		{"no teacher", []string{broken}, "", "give --teacher USERNAME"},
		{"not a teacher", []string{"--teacher", "sam", broken}, "", "sam is not a teacher"},
		{"unknown teacher", []string{"--teacher", "nobody", broken}, "", "nobody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := cairn(t, append([]string{"import", "cartridge", "--db", db}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("err = %v, stderr:\n%s\nwant %q and %q", err, stderr, tc.err, tc.stderr)
			}
		})
	}
}

// zipFolder zips the files of dir into a .imscc file.
func zipFolder(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), filepath.Base(dir)+".imscc")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return name
}
