package oneroster

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// TestWriteMasteryGradebook writes mastery on two frameworks with scales
// of their own: each standard is named by its framework's CASE export,
// and each part is scored on its scale, in the order the scales first
// appear.
func TestWriteMasteryGradebook(t *testing.T) {
	framework := func(id int64, title string, std standards.Standard) importplan.StoredFramework {
		return importplan.StoredFramework{
			Framework: standards.Framework{ID: id, Title: title, Kind: standards.Academic},
			Standards: []importplan.CASEStandard{{Standard: std}},
			Changed:   time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		}
	}
	s1 := standards.Standard{ID: 11, FrameworkID: 1, Code: "M.1", Statement: "Add fractions."}
	s2 := standards.Standard{ID: 22, FrameworkID: 2, SourcedID: "not-a-uuid", Code: "W.1", Statement: "Write an argument."}
	four := standards.DefaultScale()
	four.ID = 5
	two := standards.Scale{ID: 6, Name: "Two", Levels: []standards.Level{{Value: 0, Label: "Not yet"}, {Value: 1, Label: "Met"}}, MasteryCut: 1}
	at := time.Date(2025, 1, 20, 14, 0, 0, 0, time.UTC)
	result := func(student string, std standards.Standard, sc standards.Scale, v float64) importplan.MasteryResult {
		return importplan.MasteryResult{ClassSourcedID: "cls-1", SchoolSourcedID: "org-1", TermSourcedID: "term-1", StudentSourcedID: student,
			Standard: std, Scale: sc, Value: v, Level: "x", AssessedAt: at}
	}
	m := importplan.StoredMastery{
		Results: []importplan.MasteryResult{
			result("usr-1", s2, two, 1),
			result("usr-1", s1, four, 3.5),
			result("usr-2", s2, two, 0),
		},
		Frameworks: []importplan.StoredFramework{framework(2, "Writing", s2), framework(1, "Math", s1)},
	}
	var buf bytes.Buffer
	n, err := WriteMasteryGradebook(&buf, m, writeTime)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d results, want 3", n)
	}
	files := readZipCSV(t, buf.Bytes())
	caseID := func(fw importplan.StoredFramework, id int64) string {
		ids, err := casepkg.ItemIdentifiers(fw)
		if err != nil {
			t.Fatal(err)
		}
		return ids[id]
	}
	w1, m1 := caseID(m.Frameworks[0], 22), caseID(m.Frameworks[1], 11)
	var got [][]string
	for _, li := range files["lineItems.csv"][1:] {
		got = append(got, []string{li[0], li[10], li[11]})
	}
	want := [][]string{{"cls-1." + w1, "0", "1"}, {"cls-1." + m1, "1", "4"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("line items: sourcedId, min, max (-want +got):\n%s", diff)
	}
	var objectives []string
	for _, r := range files["resultLearningObjectiveIds.csv"][1:] {
		objectives = append(objectives, r[5])
	}
	if diff := cmp.Diff([]string{w1, w1, m1}, objectives); diff != "" {
		t.Errorf("results' learning objectives (-want +got):\n%s", diff)
	}

	// No mastery: the category alone.
	buf.Reset()
	if n, err := WriteMasteryGradebook(&buf, importplan.StoredMastery{}, writeTime); err != nil || n != 0 {
		t.Fatalf("no mastery: %d, %v", n, err)
	}
	files = readZipCSV(t, buf.Bytes())
	if len(files["categories.csv"]) != 2 || len(files["results.csv"]) > 1 {
		t.Errorf("no mastery gives %v", files)
	}
}

// TestWriteStored checks that records kept from an import come back as
// read, and that a kept record that does not decode refuses the export.
func TestWriteStored(t *testing.T) {
	sr := importplan.StoredRoster{
		RosterRecords: importplan.RosterRecords{
			District: roster.District{ID: 1, SourcedID: "dist-1", Name: "District"},
			People:   []roster.Person{{ID: 4, DistrictID: 1, SourcedID: "usr-1", GivenName: "Ana", FamilyName: "Ruiz", Roles: []roster.Role{roster.RoleStudent}}},
		},
		Kept: []importplan.KeptJSON{{Entity: string(Users), Record: []byte(
			`{"sourcedId":"usr-1","status":"active","dateLastModified":"2024-05-06T07:08:09Z","enabledUser":true,"givenName":"Ana","familyName":"Ruiz","identifier":"SIS-77","roles":[]}`)}},
	}
	var buf bytes.Buffer
	ro, err := WriteStored(&buf, sr, WriteOptions{Now: writeTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(ro.Users) != 1 || ro.Users[0].Identifier != "SIS-77" {
		t.Errorf("users %+v, want usr-1 with the identifier kept", ro.Users)
	}
	users := readZipCSV(t, buf.Bytes())["users.csv"]
	if len(users) != 2 || !strings.Contains(strings.Join(users[1], ","), "SIS-77") {
		t.Errorf("users.csv %q lacks the kept identifier", users)
	}
	code := ""
	for _, row := range readZipCSV(t, buf.Bytes())["manifest.csv"] {
		if row[0] == "source.systemCode" {
			code = row[1]
		}
	}
	if code != "dist-1" {
		t.Errorf("source.systemCode %q, want the district's sourcedId dist-1", code)
	}

	sr.Kept = append(sr.Kept, importplan.KeptJSON{Entity: string(Classes), Record: []byte(`{"sourcedId":`)})
	if _, err := WriteStored(&bytes.Buffer{}, sr, WriteOptions{Now: writeTime}); err == nil || !strings.Contains(err.Error(), "kept classes record") {
		t.Errorf("a kept record that does not decode: %v, want an error naming it", err)
	}
}

// readZipCSV reads every CSV file of a zip.
func readZipCSV(t *testing.T, b []byte) map[string][][]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = rows
	}
	return files
}
