package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
	"github.com/cairn-learning/cairn/internal/web"
)

const (
	caseData      = "../../internal/interop/casepkg/testdata"
	onerosterData = "../../internal/interop/oneroster/testdata"
)

// interopDB makes a database with one empty district.
func interopDB(t *testing.T) string {
	t.Helper()
	db := storetest.SQLite(t)
	st, err := store.Open(context.Background(), store.Config{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateDistrict(context.Background(), &roster.District{Name: "Riverside Unified"}); err != nil {
		t.Fatal(err)
	}
	return db
}

// cairn runs the binary's run function and returns its standard output,
// standard error and error.
func cairn(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustCairn(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := cairn(t, args...)
	if err != nil {
		t.Fatalf("cairn %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// reportRow returns the numbers of a kind's row of an import report:
// created, updated, retired, removed, unchanged.
func reportRow(t *testing.T, out, kind string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(kind) + `((?:\s+\d+){5})\s*$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no row %q in the report:\n%s", kind, out)
	}
	return strings.Join(strings.Fields(m[1]), " ")
}

func openStore(t *testing.T, db string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestImportCASECommand(t *testing.T) {
	db := interopDB(t)
	file := filepath.Join(caseData, "fractions-prerequisites-v1p1.json")

	out := mustCairn(t, "import", "case", "--db", db, "--dry-run", file)
	if got := reportRow(t, out, "standards"); got != "7 0 0 0 0" {
		t.Errorf("dry run standards row %q, want 7 created", got)
	}
	if !strings.Contains(out, "dry run: nothing was written") {
		t.Errorf("dry run output does not say nothing was written:\n%s", out)
	}
	if fws, err := openStore(t, db).Frameworks(context.Background(), 1); err != nil || len(fws) != 0 {
		t.Fatalf("after a dry run: %d frameworks (%v), want none", len(fws), err)
	}

	// Flags after the file work too.
	out = mustCairn(t, "import", "case", file, "--db", db)
	for kind, want := range map[string]string{"frameworks": "1 0 0 0 0", "standards": "7 0 0 0 0", "prerequisites": "3 0 0 0 0"} {
		if got := reportRow(t, out, kind); got != want {
			t.Errorf("%s row %q, want %q", kind, got, want)
		}
	}
	if !strings.Contains(out, `CASE 1.1 framework "Example Fractions Progression" (framework 1)`) {
		t.Errorf("output does not name the framework:\n%s", out)
	}
	out = mustCairn(t, "import", "case", "--db", db, file)
	if got := reportRow(t, out, "standards"); got != "0 0 0 0 7" || !strings.Contains(out, "nothing changed") {
		t.Errorf("second import: standards %q, want 7 unchanged and 'nothing changed':\n%s", got, out)
	}

	// From a CASE server.
	body, err := os.ReadFile(filepath.Join(caseData, "smartlevel-v1p0.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/ims/case/v1p0/CFPackages/c5fb0918-d7ef-11e6-bb8a-8a9a03b2b0f9") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	out = mustCairn(t, "import", "case", "--db", db, srv.URL+"/ims/case/v1p0/CFPackages/c5fb0918-d7ef-11e6-bb8a-8a9a03b2b0f9")
	if got := reportRow(t, out, "frameworks"); got != "1 0 0 0 0" {
		t.Errorf("import from a server: frameworks %q\n%s", got, out)
	}
}

func TestImportCASECommandRefused(t *testing.T) {
	db := interopDB(t)
	tests := []struct {
		name, file string
		want       []string // lines of standard error, by pattern
	}{
		{"wrong version", "bad/wrong-version.json", []string{`wrong-version\.json:5:20: CFDocument\.caseVersion: .*"2\.0" is not a CASE version cairn reads`}},
		{"several problems", "bad/schema-v1p1.json", []string{
			`schema-v1p1\.json:8:27: CFDocument\.lastChangeDateTime: .*is not a date and time`,
			`schema-v1p1\.json:18:5: CFItems\[1\]\.fullStatement: .*required`,
			`schema-v1p1\.json:25:21: CFItems\[2\]\.identifier: .*is not a UUID`,
		}},
		{"hierarchy loop", "bad/hierarchy-loop.json", []string{`hierarchy-loop\.json:\d+:\d+: `}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := cairn(t, "import", "case", "--db", db, filepath.Join(caseData, tt.file))
			if err == nil || exitCode(err) != 1 {
				t.Fatalf("import of %s: error %v (exit %d), want a refusal with exit status 1\n%s", tt.file, err, exitCode(err), out)
			}
			if !strings.Contains(err.Error(), "nothing was imported") {
				t.Errorf("error %q does not say nothing was imported", err)
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(`(?m)^.*` + w).MatchString(errOut) {
					t.Errorf("standard error has no line matching %q:\n%s", w, errOut)
				}
			}
			if fws, err := openStore(t, db).Frameworks(context.Background(), 1); err != nil || len(fws) != 0 {
				t.Errorf("after a refused import: %d frameworks (%v), want none", len(fws), err)
			}
		})
	}
}

func TestImportOneRosterCommand(t *testing.T) {
	db := interopDB(t)
	bulk := filepath.Join(onerosterData, "bulk-v1p2")

	out := mustCairn(t, "import", "oneroster", bulk, "--db", db, "--dry-run")
	if got := reportRow(t, out, "people"); got != "13 0 0 0 0" || !strings.Contains(out, "dry run: nothing was written") {
		t.Errorf("dry run: people %q\n%s", got, out)
	}
	st := openStore(t, db)
	if ps, _, err := st.People(context.Background(), 1, store.PersonFilter{}); err != nil || len(ps) != 0 {
		t.Fatalf("after a dry run: %d people (%v), want none", len(ps), err)
	}

	out = mustCairn(t, "import", "oneroster", "--db", db, bulk)
	for kind, want := range map[string]string{"people": "13 0 0 0 0", "enrollments": "9 0 0 0 0", "classes": "3 0 0 0 0", "guardian links": "3 0 0 0 0"} {
		if got := reportRow(t, out, kind); got != want {
			t.Errorf("%s row %q, want %q", kind, got, want)
		}
	}
	if !strings.Contains(out, "OneRoster 1.2 (bulk)") || !strings.Contains(out, `warning: user "usr-pr1": no role cairn uses (proctor)`) {
		t.Errorf("output lacks the version or the note on the proctor:\n%s", out)
	}

	out = mustCairn(t, "import", "oneroster", "--db", db, filepath.Join(onerosterData, "delta-v1p2"))
	if got := reportRow(t, out, "enrollments"); got != "1 0 1 0 0" {
		t.Errorf("delta: enrollments %q, want 1 created, 1 retired\n%s", got, out)
	}
	if strings.Contains(out, `"usr-s2": no role`) {
		t.Errorf("the delta's note on usr-s2's roles should not be there: usr-s2 keeps the roles it has\n%s", out)
	}

	// A zip of the 1.1 package goes into a district of its own.
	zipped := zipDir(t, filepath.Join(onerosterData, "bulk-v1p1"))
	mustCairn(t, "district", "create", "--db", db, "--name", "Second")
	out = mustCairn(t, "import", "oneroster", "--db", db, "--district", "2", zipped)
	if !strings.Contains(out, "OneRoster 1.1 (bulk)") || reportRow(t, out, "people") == "0 0 0 0 0" {
		t.Errorf("1.1 zip import:\n%s", out)
	}
	// Two districts: --district is needed.
	_, _, err := cairn(t, "import", "oneroster", "--db", db, zipped)
	if !errors.Is(err, errUsage) {
		t.Errorf("import without --district into a database of two districts: %v, want a usage error", err)
	}
}

// zipDir writes the files of dir into a zip, in a folder as SIS exports
// often have them, and returns its path.
func zipDir(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "roster.zip")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		w, err := zw.Create("export/" + p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// badPackage copies the 1.2 bulk package into a folder, changes one line
// of one file and returns the folder.
func badPackage(t *testing.T, file, old, new string) string {
	t.Helper()
	return editedPackage(t, "bulk-v1p2", file, old, new)
}

// editedPackage copies a package of the OneRoster test data into a
// folder, changes one line of one file and returns the folder.
func editedPackage(t *testing.T, fixture, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(onerosterData, fixture)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s has no %q", file, old)
			}
			b = bytes.Replace(b, []byte(old), []byte(new), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportOneRosterCommandRefused(t *testing.T) {
	db := interopDB(t)
	tests := []struct {
		name string
		dir  string
		want string // a line of standard error, as a pattern
	}{
		{"wrong version", badPackage(t, "manifest.csv", "oneroster.version,1.2", "oneroster.version,2.0"), `manifest\.csv:3:\d+: .*2\.0`},
		{"missing file", badPackage(t, "manifest.csv", "file.roles,bulk", "file.roles,absent"), `users\.csv.*roles\.csv`},
		{"unknown class", badPackage(t, "enrollments.csv", "enr-8,,,cls-ela7-hr", "enr-8,,,cls-nowhere"), `enrollments\.csv:9:4: classSourcedId: .*"cls-nowhere"`},
		{"duplicate sourcedId", badPackage(t, "users.csv", "usr-s2,", "usr-s1,"), `users\.csv:3:1: sourcedId: .*"usr-s1"`},
		{"not a date", badPackage(t, "academicSessions.csv", "2024-08-19", "2024-19-08"), `academicSessions\.csv:\d+:\d+: startDate: .*2024-19-08`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := cairn(t, "import", "oneroster", "--db", db, tt.dir)
			if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "nothing was imported") {
				t.Fatalf("error %v (exit %d), want a refusal saying nothing was imported\nstdout:\n%s\nstderr:\n%s", err, exitCode(err), out, errOut)
			}
			if !regexp.MustCompile(`(?m)^.*` + tt.want).MatchString(errOut) {
				t.Errorf("standard error has no line matching %q:\n%s", tt.want, errOut)
			}
			st := openStore(t, db)
			ps, _, err := st.People(context.Background(), 1, store.PersonFilter{})
			if err != nil || len(ps) != 0 {
				t.Errorf("after a refused import: %d people (%v), want none", len(ps), err)
			}
		})
	}
}

// TestImportOneRosterCommandWarnings imports what real exports hold: a
// OneRoster 1.1 set where a student is enrolled as a teacher is imported,
// with a warning at the line and without the enrollment; a set with a bad
// row is refused, or with --partial imported without it.
func TestImportOneRosterCommandWarnings(t *testing.T) {
	db := interopDB(t)
	odd := editedPackage(t, "bulk-v1p1", "enrollments.csv", "enr-3,,,cls-alg1-p1,org-hs,usr-s2,student", "enr-3,,,cls-alg1-p1,org-hs,usr-s2,teacher")
	out := mustCairn(t, "import", "oneroster", "--db", db, odd)
	if !strings.Contains(out, `warning: enrollments.csv:4:7: role: user "usr-s2" is enrolled as a teacher, but users.csv does not make them one`) {
		t.Errorf("no warning on the student enrolled as a teacher:\n%s", out)
	}
	if got := reportRow(t, out, "enrollments"); got != "7 0 0 0 0" {
		t.Errorf("enrollments %q, want 7 created (the student's enrollment as teacher left out)\n%s", got, out)
	}

	mustCairn(t, "district", "create", "--db", db, "--name", "Second")
	bad := badPackage(t, "users.csv", ",Farah,Kaur,", ",Farah,,")
	_, errOut, err := cairn(t, "import", "oneroster", "--db", db, "--district", "2", bad)
	if err == nil || !strings.Contains(errOut, "users.csv:7:8: familyName: required, but blank") {
		t.Fatalf("all or nothing: %v\n%s", err, errOut)
	}
	out = mustCairn(t, "import", "oneroster", "--db", db, "--district", "2", "--partial", bad)
	for _, want := range []string{
		"left out: users.csv:7:8: familyName: required, but blank",
		`left out: enrollments.csv:6:6: userSourcedId: user "usr-a1" is refused (users.csv line 7 has an error)`,
		"partial: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("partial import output lacks %q:\n%s", want, out)
		}
	}
	if got := reportRow(t, out, "people"); got != "12 0 0 0 0" {
		t.Errorf("people %q, want 12 created (all but the aide with no family name)\n%s", got, out)
	}
}

func TestImportExportUsage(t *testing.T) {
	db := interopDB(t)
	for _, args := range [][]string{
		{"import"},
		{"import", "xapi"},
		{"import", "case", "--db", db},
		{"import", "case", "--db", db, "a.json", "b.json"},
		{"import", "oneroster", "--db", db, "--nope", "x"},
		{"export"},
		{"export", "case", "--db", db},
		{"export", "oneroster", "--db", db, "extra"},
	} {
		if _, _, err := cairn(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("cairn %s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
	out, _, err := cairn(t, "import", "--help")
	if err != nil || !strings.Contains(out, "cairn import oneroster ZIP|DIR") {
		t.Errorf("import --help: %v\n%s", err, out)
	}
}

func TestExportCommands(t *testing.T) {
	db := interopDB(t)
	mustCairn(t, "import", "case", "--db", db, filepath.Join(caseData, "fractions-prerequisites-v1p1.json"))
	mustCairn(t, "import", "oneroster", "--db", db, filepath.Join(onerosterData, "bulk-v1p2"))
	dir := t.TempDir()

	// CASE, by id, identifier or title; to a file or standard output.
	var first []byte
	for i, which := range []string{"1", "d1000000-0000-4000-8000-000000000000", "example fractions progression"} {
		out := mustCairn(t, "export", "case", "--db", db, which)
		var pkg casepkg.CFPackage
		if err := json.Unmarshal([]byte(out), &pkg); err != nil {
			t.Fatalf("export case %s: %v\n%s", which, err, out)
		}
		if pkg.CFDocument.Identifier != "d1000000-0000-4000-8000-000000000000" || len(pkg.CFItems) != 7 {
			t.Errorf("export case %s: document %s with %d items", which, pkg.CFDocument.Identifier, len(pkg.CFItems))
		}
		if i == 0 {
			first = []byte(out)
		}
	}
	file := filepath.Join(dir, "fractions.json")
	out := mustCairn(t, "export", "case", "--db", db, "--out", file, "1")
	if !strings.Contains(out, "7 standards") {
		t.Errorf("export case --out: %s", out)
	}
	back, err := casepkg.Parse(bytes.NewReader(first), "export")
	if err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	if back.Version != casepkg.Version11 {
		t.Errorf("export is CASE %s, want 1.1", back.Version)
	}
	if _, _, err := cairn(t, "export", "case", "--db", db, "Geometry"); err == nil || !strings.Contains(err.Error(), `"Example Fractions Progression"`) {
		t.Errorf("export of an unknown framework: %v, want an error naming the frameworks there are", err)
	}

	// The roster, imported again into the same district, changes nothing.
	rosterZip := filepath.Join(dir, "roster.zip")
	out = mustCairn(t, "export", "oneroster", "--db", db, "--out", rosterZip)
	if !strings.Contains(out, "13 people") || !strings.Contains(out, "9 enrollments") {
		t.Errorf("export oneroster: %s", out)
	}
	out = mustCairn(t, "import", "oneroster", "--db", db, rosterZip)
	if !strings.Contains(out, "nothing changed") {
		t.Errorf("importing the export changed something:\n%s", out)
	}

	// The gradebook is a OneRoster gradebook package.
	gb := filepath.Join(dir, "gradebook.zip")
	out = mustCairn(t, "export", "gradebook", "--db", db, "--out", gb)
	if !strings.Contains(out, "0 results") {
		t.Errorf("export gradebook without evidence: %s", out)
	}
	z, err := zip.OpenReader(gb)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	if !strings.Contains(strings.Join(names, " "), "manifest.csv") || !strings.Contains(strings.Join(names, " "), "categories.csv") {
		t.Errorf("gradebook files %v", names)
	}
	rc, err := z.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	manifest, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(manifest), "oneroster.version,1.2") {
		t.Errorf("gradebook manifest:\n%s", manifest)
	}
	if _, err := oneroster.Open(rosterZip, oneroster.ReadOptions{}); err != nil {
		t.Errorf("the roster export does not read: %v", err)
	}
}

// TestImportCASEFromCairn pulls a framework from one cairn's CASE service
// into another cairn's database, and then imports the same file the first
// cairn was given: the identifiers came across, so nothing changes.
func TestImportCASEFromCairn(t *testing.T) {
	file := filepath.Join(caseData, "fractions-prerequisites-v1p1.json")
	served := interopDB(t)
	mustCairn(t, "import", "case", "--db", served, file)
	st := openStore(t, served)
	srv, err := web.New(web.Config{Store: st, DistrictID: 1})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	res, err := http.Get(hs.URL + "/ims/case/v1p1/CFDocuments")
	if err != nil {
		t.Fatal(err)
	}
	var docs struct{ CFDocuments []casepkg.CFDocument }
	err = json.NewDecoder(res.Body).Decode(&docs)
	res.Body.Close()
	if err != nil || len(docs.CFDocuments) != 1 {
		t.Fatalf("the documents of the serving cairn: %+v, %v", docs, err)
	}

	db := interopDB(t)
	out := mustCairn(t, "import", "case", "--db", db, hs.URL+"/ims/case/v1p1/CFPackages/"+docs.CFDocuments[0].Identifier)
	for kind, want := range map[string]string{"frameworks": "1 0 0 0 0", "standards": "7 0 0 0 0", "prerequisites": "3 0 0 0 0"} {
		if got := reportRow(t, out, kind); got != want {
			t.Errorf("%s row %q, want %q\n%s", kind, got, want, out)
		}
	}
	out = mustCairn(t, "import", "case", "--db", db, file)
	if !strings.Contains(out, "nothing changed") {
		t.Errorf("importing the original after the pull changed something:\n%s", out)
	}

	// An identifier the server does not have is refused, and nothing is
	// written.
	_, _, err = cairn(t, "import", "case", "--db", db, hs.URL+"/ims/case/v1p1/CFPackages/00000000-0000-4000-8000-000000000000")
	if err == nil || !strings.Contains(err.Error(), "no such package") {
		t.Errorf("an unknown package: %v", err)
	}
}

// TestExportCASEAsPublished imports a package whose associations repeat a
// type between the same two items, and one exactly: the import notes the
// exact duplicate with its place, and the export is the package as
// published (the round-trip golden file of casepkg).
func TestExportCASEAsPublished(t *testing.T) {
	db := interopDB(t)
	out := mustCairn(t, "import", "case", "--db", db, filepath.Join(caseData, "publisher-fields-v1p1.json"))
	if !strings.Contains(out, "publisher-fields-v1p1.json:157:21: CFAssociations[9].identifier: ") {
		t.Errorf("the import does not note the repeated association with its place:\n%s", out)
	}
	got := mustCairn(t, "export", "case", "--db", db, "e2000000-0000-4000-8000-000000000000")
	want, err := os.ReadFile(filepath.Join(caseData, "roundtrip", "publisher-fields-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("export case is not the package as published:\n%s", got)
	}
}
