package oneroster

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var writeTime = time.Date(2025, 2, 1, 7, 30, 0, 0, time.UTC)

func readDir(t testing.TB, dir string, opt ReadOptions) *Roster {
	t.Helper()
	r, err := Read(os.DirFS(filepath.Join("testdata", dir)), opt)
	if err != nil {
		t.Fatalf("Read(%s): %v", dir, err)
	}
	return r
}

// loadFS copies a fixture folder into memory so that a test can break one
// file of it.
func loadFS(t testing.TB, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(filepath.Join("testdata", dir)), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("testdata", dir, p))
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type golden struct {
	Roster *Roster  `json:"roster"`
	Domain *Domain  `json:"domain"`
	Diff   []string `json:"diffFromNothing"`
}

func TestReadGolden(t *testing.T) {
	for _, dir := range []string{"bulk-v1p1", "bulk-v1p2"} {
		t.Run(dir, func(t *testing.T) {
			r := readDir(t, dir, ReadOptions{})
			var diff []string
			for _, c := range Diff(nil, r) {
				diff = append(diff, fmt.Sprintf("%s %s: %d created", c.Entity, c.Mode, len(c.Created)))
			}
			got, err := json.MarshalIndent(golden{r, r.ToDomain(), diff}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", dir+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("roster differs from %s (-want +got):\n%s", path, d)
			}
		})
	}
}

// TestReadAwkward checks what real exports do: a byte-order mark, CRLF
// line ends, quoted fields with commas, doubled quotes and line breaks,
// vocabulary in the wrong case, TRUE for true, blank optional columns,
// metadata columns, trailing blank lines.
func TestReadAwkward(t *testing.T) {
	r := readDir(t, "bulk-v1p1", ReadOptions{})
	u := r.Users[0]
	if u.SourcedID != "usr-s1" {
		t.Fatalf("first user %q: the byte-order mark was not removed from the header", u.SourcedID)
	}
	if diff := cmp.Diff([]UserID{{"LDAP", "alopez"}, {"SIS", "100234"}}, u.UserIDs); diff != "" {
		t.Errorf("userIds (-want +got):\n%s", diff)
	}
	if got := u.Metadata["metadata.district.homeLanguage"]; got != "es" {
		t.Errorf("metadata = %q, want es", got)
	}
	if r.Users[1].Role != "student" || !r.Users[1].EnabledUser {
		t.Errorf("Student/TRUE read as role %q, enabled %v; want student, true", r.Users[1].Role, r.Users[1].EnabledUser)
	}
	if got := r.Users[4].GivenName + "|" + r.Users[4].FamilyName; got != `Evan "Ed"|Smith, Jr.` {
		t.Errorf("quoted names = %q", got)
	}
	if got := r.Classes[0].Location; got != "Room 204\nNorth building" {
		t.Errorf("multi-line location = %q", got)
	}
	if got := r.Classes[1]; got.ClassType != "scheduled" || got.Title != `Algebra I - Period 3, "Honors"` || !cmp.Equal(got.TermSourcedIDs, []string{"as-2025-s1", "as-2025-s2"}) {
		t.Errorf("class 2 = %+v", got)
	}
	if r.Classes[1].Metadata != nil {
		t.Errorf("a blank metadata field gave %v, want no metadata", r.Classes[1].Metadata)
	}
	if got := len(r.Enrollments); got != 9 {
		t.Errorf("%d enrollments, want 9 (trailing blank lines are not rows)", got)
	}
	if e := r.Enrollments[6]; e.Primary == nil || !*e.Primary {
		t.Errorf("primary TRUE read as %v", e.Primary)
	}
	if e := r.Enrollments[2]; e.Primary != nil || !e.BeginDate.IsZero() {
		t.Errorf("blank primary and beginDate read as %v, %v", e.Primary, e.BeginDate)
	}
}

func TestReadZipWithFolder(t *testing.T) {
	m := loadFS(t, "bulk-v1p2")
	path := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, file := range m {
		w, err := zw.Create("RUSD-export/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(file.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := Open(path, ReadOptions{})
	if err != nil {
		t.Fatalf("Open(zip): %v", err)
	}
	want := readDir(t, "bulk-v1p2", ReadOptions{})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("zip read differs from the folder (-folder +zip):\n%s", diff)
	}
}

// records compares what a roster holds, not how it was packaged.
var records = cmpopts.IgnoreFields(Roster{}, "Manifest", "Warnings")

func writeRead(t *testing.T, r *Roster) *Roster {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, WriteOptions{Now: writeTime}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(z, ReadOptions{})
	if err != nil {
		t.Fatalf("Read(Write(...)): %v", err)
	}
	var again bytes.Buffer
	if err := Write(&again, back, WriteOptions{Now: writeTime}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("writing the re-read roster gave different bytes")
	}
	return back
}

func TestWriteReadRoundTrip(t *testing.T) {
	t.Run("1.2 gives the same records", func(t *testing.T) {
		r := readDir(t, "bulk-v1p2", ReadOptions{})
		back := writeRead(t, r)
		// Every row is written active and dated: with its own date, or
		// the time of writing.
		want := deepDated(r, writeTime)
		if diff := cmp.Diff(want, back, records); diff != "" {
			t.Errorf("records after write and read (-before +after):\n%s", diff)
		}
		if back.Version != Version12 || back.Mode("users.csv") != Bulk || back.Mode("results.csv") != Absent {
			t.Errorf("manifest read back: version %s, users %s, results %s", back.Version, back.Mode("users.csv"), back.Mode("results.csv"))
		}
	})
	t.Run("1.1 is written as 1.2 with the same meaning", func(t *testing.T) {
		r := readDir(t, "bulk-v1p1", ReadOptions{})
		back := writeRead(t, r)
		if diff := cmp.Diff(r.ToDomain(), back.ToDomain()); diff != "" {
			t.Errorf("cairn roster after writing 1.1 as 1.2 (-1.1 +1.2):\n%s", diff)
		}
		var roles []string
		for _, ro := range back.Roles {
			if strings.HasPrefix(ro.UserSourcedID, "usr-adm") || ro.UserSourcedID == "usr-t1" {
				roles = append(roles, ro.UserSourcedID+" "+ro.RoleType+" "+ro.Role+" "+ro.OrgSourcedID)
			}
		}
		want := []string{"usr-t1 primary teacher org-hs", "usr-t1 secondary teacher org-ms", "usr-adm1 primary districtAdministrator org-district", "usr-adm2 primary siteAdministrator org-hs"}
		if diff := cmp.Diff(want, roles); diff != "" {
			t.Errorf("roles made from 1.1 users (-want +got):\n%s", diff)
		}
	})
}

// deepDated returns a copy of r whose undated records have when.
func deepDated(r *Roster, when time.Time) *Roster {
	b, _ := json.Marshal(r)
	var c Roster
	json.Unmarshal(b, &c)
	for _, e := range AllEntities {
		n, _ := c.Rows(e)
		for i := range n {
			rec := c.record(e, i)
			if rec.DateLastModified.IsZero() {
				rec.DateLastModified = when
			}
		}
	}
	return &c
}

// TestDistrictRoundTrip exports a district as the store holds it and reads
// it back into cairn's terms.
func TestDistrictRoundTrip(t *testing.T) {
	id := func(v int64) *int64 { return &v }
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	begin := day(2024, 8, 19)
	yes, no := true, false
	d := District{
		RosterRecords: importplan.RosterRecords{
			District: roster.District{ID: 1, Name: "Riverside Unified"},
			Schools:  []roster.School{{ID: 2, SourcedID: "sch-hs", Name: "Riverside High"}, {ID: 3, Name: "Lincoln Middle"}},
			Terms: []roster.Term{
				{ID: 4, SourcedID: "y25", Title: "2024-2025", Type: roster.TermSchoolYear, StartDate: begin, EndDate: day(2025, 6, 6)},
				{ID: 5, Title: "Fall", Type: roster.TermSemester, StartDate: begin, EndDate: day(2024, 12, 20), ParentID: id(4)},
			},
			Courses: []roster.Course{{ID: 6, SchoolID: id(2), Title: "Algebra I", Code: "MATH-101", Grades: []string{"09"}}, {ID: 7, Title: "Advisory"}},
			Classes: []roster.Class{{ID: 8, SchoolID: 2, CourseID: 6, TermID: 5, Title: "Algebra I P1", Code: "A1", Period: "1,2"}},
			People: []roster.Person{
				{ID: 10, SourcedID: "stu-1", GivenName: "Ana", FamilyName: "López", Roles: []roster.Role{roster.RoleStudent}, SchoolIDs: []int64{2}, Grade: "09", Language: "es"},
				{ID: 11, GivenName: "Dana", FamilyName: "O'Brien", Email: "d@example.org", Username: "dobrien", Roles: []roster.Role{roster.RoleTeacher, roster.RoleCoach}, SchoolIDs: []int64{2, 3}},
				{ID: 12, GivenName: "Gloria", FamilyName: "López", Roles: []roster.Role{roster.RoleGuardian}},
				{ID: 13, GivenName: "Jae", FamilyName: "Park", Roles: []roster.Role{roster.RoleDistrictAdmin}},
				{ID: 14, GivenName: "Kenji", FamilyName: "Ito", Roles: []roster.Role{roster.RoleSchoolAdmin}, SchoolIDs: []int64{3}},
			},
			Enrollments: []roster.Enrollment{
				{ID: 20, ClassID: 8, PersonID: 11, Role: roster.EnrolledTeacher, Primary: true, BeginDate: &begin},
				{ID: 21, ClassID: 8, PersonID: 10, Role: roster.EnrolledStudent},
			},
			Guardians:    []roster.GuardianLink{{GuardianID: 12, StudentID: 10, Relationship: "parent"}},
			Demographics: []roster.Demographics{{StudentID: 10, BirthDate: ptr(day(2010, 3, 14)), Sex: "female", Races: []string{"asian", "white"}, HispanicOrLatino: &yes, EnglishLearner: &no}},
		},
	}
	r, err := FromDistrict(d)
	if err != nil {
		t.Fatal(err)
	}
	got := writeRead(t, r).ToDomain()
	want := &Domain{
		District: &roster.District{SourcedID: "cairn-district-1", Name: "Riverside Unified"},
		Schools:  []roster.School{{SourcedID: "sch-hs", Name: "Riverside High"}, {SourcedID: "cairn-school-3", Name: "Lincoln Middle"}},
		Terms: []TermRef{
			{Term: roster.Term{SourcedID: "y25", Title: "2024-2025", Type: roster.TermSchoolYear, StartDate: begin, EndDate: day(2025, 6, 6)}},
			{Term: roster.Term{SourcedID: "cairn-term-5", Title: "Fall", Type: roster.TermSemester, StartDate: begin, EndDate: day(2024, 12, 20)}, ParentSourcedID: "y25"},
		},
		Courses: []CourseRef{{Course: roster.Course{SourcedID: "cairn-course-6", Title: "Algebra I", Code: "MATH-101", Grades: []string{"09"}}, SchoolSourcedID: "sch-hs"}, {Course: roster.Course{SourcedID: "cairn-course-7", Title: "Advisory"}}},
		Classes: []ClassRef{{Class: roster.Class{SourcedID: "cairn-class-8", Title: "Algebra I P1", Code: "A1", Period: "1,2"}, SchoolSourcedID: "sch-hs", CourseSourcedID: "cairn-course-6", TermSourcedID: "cairn-term-5"}},
		People: []PersonRef{
			{Person: roster.Person{SourcedID: "stu-1", GivenName: "Ana", FamilyName: "López", Roles: []roster.Role{roster.RoleStudent}, Grade: "09", Language: "es"}, SchoolSourcedIDs: []string{"sch-hs"}},
			{Person: roster.Person{SourcedID: "cairn-person-11", GivenName: "Dana", FamilyName: "O'Brien", Email: "d@example.org", Username: "dobrien", Roles: []roster.Role{roster.RoleTeacher, roster.RoleCoach}}, SchoolSourcedIDs: []string{"sch-hs", "cairn-school-3"}},
			{Person: roster.Person{SourcedID: "cairn-person-12", GivenName: "Gloria", FamilyName: "López", Roles: []roster.Role{roster.RoleGuardian}}},
			{Person: roster.Person{SourcedID: "cairn-person-13", GivenName: "Jae", FamilyName: "Park", Roles: []roster.Role{roster.RoleDistrictAdmin}}},
			{Person: roster.Person{SourcedID: "cairn-person-14", GivenName: "Kenji", FamilyName: "Ito", Roles: []roster.Role{roster.RoleSchoolAdmin}}, SchoolSourcedIDs: []string{"cairn-school-3"}},
		},
		Enrollments: []EnrollmentRef{
			{Enrollment: roster.Enrollment{SourcedID: "cairn-enrollment-20", Role: roster.EnrolledTeacher, Primary: true, BeginDate: &begin}, ClassSourcedID: "cairn-class-8", PersonSourcedID: "cairn-person-11"},
			{Enrollment: roster.Enrollment{SourcedID: "cairn-enrollment-21", Role: roster.EnrolledStudent}, ClassSourcedID: "cairn-class-8", PersonSourcedID: "stu-1"},
		},
		GuardianLinks: []GuardianLink{{GuardianSourcedID: "cairn-person-12", StudentSourcedID: "stu-1", Relationship: "parent"}},
		Demographics:  []DemographicRef{{Demographics: roster.Demographics{BirthDate: ptr(day(2010, 3, 14)), Sex: "female", Races: []string{"asian", "white"}, HispanicOrLatino: &yes, EnglishLearner: &no}, StudentSourcedID: "stu-1"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("district after export and import (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

func TestDelta(t *testing.T) {
	base := readDir(t, "bulk-v1p2", ReadOptions{})
	known := base.Snapshot()
	delta := readDir(t, "delta-v1p2", ReadOptions{Known: known})
	got := Diff(known, delta)
	for _, tt := range []struct {
		e    Entity
		want EntityChanges
	}{
		{Users, EntityChanges{Entity: Users, Mode: Delta, Created: []string{"usr-s9"}, Updated: []string{"usr-s2"}, Retired: []string{"usr-pr1"}}},
		{Roles, EntityChanges{Entity: Roles, Mode: Delta, Created: []string{"role-s9"}, Retired: []string{"role-pr1"}}},
		{Enrollments, EntityChanges{Entity: Enrollments, Mode: Delta, Created: []string{"enr-20"}, Retired: []string{"enr-3"}}},
		{Classes, EntityChanges{Entity: Classes, Mode: Absent}},
	} {
		if diff := cmp.Diff(tt.want, got.For(tt.e)); diff != "" {
			t.Errorf("changes of %s (-want +got):\n%s", tt.e, diff)
		}
	}
	if u := delta.Users[2]; u.Status != ToBeDeleted || u.DateLastModified != time.Date(2025, 1, 10, 8, 0, 0, 0, time.UTC) {
		t.Errorf("tobedeleted user read as %+v", u.Record)
	}

	// Without the records that exist, the delta's references dangle.
	_, err := Read(os.DirFS("testdata/delta-v1p2"), ReadOptions{})
	want := strings.Join([]string{
		`users.csv:2:21: primaryOrgSourcedId: no org "org-hs": orgs.csv is not in this package`,
		`users.csv:3:21: primaryOrgSourcedId: no org "org-hs": orgs.csv is not in this package`,
		`users.csv:3:14: agentSourcedIds: no user "usr-p1" in users.csv or among the records that exist`,
		`roles.csv:2:9: orgSourcedId: no org "org-hs": orgs.csv is not in this package`,
		`enrollments.csv:3:4: classSourcedId: no class "cls-alg1-p1": classes.csv is not in this package`,
		`enrollments.csv:3:5: schoolSourcedId: no org "org-hs": orgs.csv is not in this package`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("delta without the existing records:\n got: %v\nwant: %s", err, want)
	}

	// A bulk file retires what it no longer lists; reading the same bulk
	// again changes nothing.
	again := DiffRosters(base, base)
	for _, c := range again {
		if len(c.Created)+len(c.Updated)+len(c.Retired) != 0 {
			t.Errorf("%s: the same bulk twice changed %+v", c.Entity, c)
		}
	}
	smaller := *base
	smaller.Enrollments = base.Enrollments[1:]
	if got := DiffRosters(base, &smaller).For(Enrollments); !cmp.Equal(got.Retired, []string{"enr-1"}) || got.Unchanged != len(smaller.Enrollments) {
		t.Errorf("bulk without enr-1: %+v, want enr-1 retired", got)
	}
}

func TestReadBad(t *testing.T) {
	// edit replaces text in one file of the 1.2 fixture.
	type edit struct{ file, old, new string }
	for _, tt := range []struct {
		name  string
		edits []edit
		drop  []string
		want  string
	}{
		{"wrong version", []edit{{"manifest.csv", "oneroster.version,1.2", "oneroster.version,2.0"}}, nil,
			`manifest.csv:3:2: oneroster.version: "2.0" is not a OneRoster version cairn reads (1.1 or 1.2)`},
		{"version 1.0", []edit{{"manifest.csv", "oneroster.version,1.2", "oneroster.version,1.0"}}, nil,
			`manifest.csv:3:2: oneroster.version: OneRoster 1.0 is not supported: export the roster as OneRoster 1.1 or 1.2`},
		{"no manifest", nil, []string{"manifest.csv"},
			`manifest.csv: missing: OneRoster 1.1 and 1.2 packages start with manifest.csv, which gives the version and lists the files`},
		{"missing required file", nil, []string{"classes.csv"},
			`manifest.csv: file.classes: the manifest says classes.csv is bulk, but the package has no classes.csv`},
		{"enrollment of an unknown class", []edit{{"enrollments.csv", "enr-8,,,cls-ela7-hr", "enr-8,,,cls-ela8-hr"}}, nil,
			`enrollments.csv:9:4: classSourcedId: no class "cls-ela8-hr" in classes.csv`},
		{"duplicate sourcedId", []edit{{"users.csv", "usr-t2,", "usr-t1,"}}, nil,
			"users.csv:6:1: sourcedId: duplicate sourcedId \"usr-t1\": line 5 has it too\n" +
				"roles.csv:7:4: userSourcedId: no user \"usr-t2\" in users.csv\n" +
				"enrollments.csv:8:6: userSourcedId: no user \"usr-t2\" in users.csv"},
		{"date that is not a date", []edit{{"academicSessions.csv", "Fall 2024,semester,2024-08-19", "Fall 2024,semester,08/19/2024"}}, nil,
			`academicSessions.csv:3:6: startDate: "08/19/2024" is not a date: want YYYY-MM-DD, such as 2024-08-26`},
		{"end before start", []edit{{"academicSessions.csv", "2024-08-19,2024-12-20", "2024-12-20,2024-08-19"}}, nil,
			`academicSessions.csv:3:7: endDate: 2024-08-19 is before the startDate 2024-12-20`},
		{"missing column", []edit{{"orgs.csv", "sourcedId,status,dateLastModified,name,type", "sourcedId,status,dateLastModified,name,kind"}}, nil,
			"orgs.csv:1: missing column type: an active row needs it"},
		{"1.1 role column in 1.2", []edit{{"users.csv", ",pronouns,", ",role,"}}, nil,
			`users.csv:1:22: OneRoster 1.2 users.csv has no role column: a user's roles and organisations are rows of roles.csv (the manifest says oneroster.version 1.2)`},
		{"tobedeleted in bulk", []edit{{"courses.csv", "crs-adv,,", "crs-adv,tobedeleted,"}}, nil,
			`courses.csv:4:2: status: tobedeleted belongs in a delta file: the manifest says courses.csv is bulk, so leave the record out instead`},
		{"unknown vocabulary", []edit{{"classes.csv", "homeroom", "lecture"}}, nil,
			`classes.csv:5:8: classType: "lecture" is not one of homeroom, scheduled or an ext: extension`},
		{"bare quote", []edit{{"orgs.csv", "Mathematics Department", `Math "Dept"`}}, nil,
			`orgs.csv:5:17: a " inside a field that does not start with ": quote the whole field and double the " inside it ("")`},
		{"not UTF-8", []edit{{"users.csv", "Kaur", "Ka\xfcr"}}, nil,
			`users.csv:7:8: familyName: not valid UTF-8: save the file as UTF-8`},
		{"no primary role", []edit{{"roles.csv", "role-c1,,,usr-c1,primary", "role-c1,,,usr-c1,secondary"}}, nil,
			`users.csv:8: user "usr-c1" has no primary role in roles.csv: every user needs one`},
		{"two primary roles", []edit{{"roles.csv", "role-t1b,,,usr-t1,secondary", "role-t1b,,,usr-t1,primary"}}, nil,
			`roles.csv:6:5: roleType: user "usr-t1" already has a primary role (line 5): a user has exactly one`},
		{"unknown agent", []edit{{"users.csv", "usr-p1,usr-g1", "usr-p1,usr-g7"}}, nil,
			`users.csv:2:14: agentSourcedIds: no user "usr-g7" in users.csv`},
		{"blank required field", []edit{{"users.csv", ",Farah,Kaur,", ",Farah,,"}}, nil,
			`users.csv:7:8: familyName: required, but blank`},
		{"bad boolean", []edit{{"users.csv", "usr-t2,,,true", "usr-t2,,,yes"}}, nil,
			`users.csv:6:4: enabledUser: "yes" is not true or false`},
		{"1.1 administrator in 1.2 roles", []edit{{"roles.csv", "districtAdministrator", "administrator"}}, nil,
			`roles.csv:13:6: role: "administrator" is a OneRoster 1.1 role: 1.2 has districtAdministrator, siteAdministrator, systemAdministrator and principal`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := loadFS(t, "bulk-v1p2")
			for _, e := range tt.edits {
				data := string(m[e.file].Data)
				if !strings.Contains(data, e.old) {
					t.Fatalf("%s has no %q", e.file, e.old)
				}
				m[e.file] = &fstest.MapFile{Data: []byte(strings.Replace(data, e.old, e.new, 1))}
			}
			for _, f := range tt.drop {
				delete(m, f)
			}
			r, err := Read(m, ReadOptions{})
			if err == nil {
				t.Fatalf("Read accepted the bad package (%d users)", len(r.Users))
			}
			if !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// TestReadManyProblems checks the cap: the first 100 problems in detail and
// a count of the rest.
func TestReadManyProblems(t *testing.T) {
	m := loadFS(t, "bulk-v1p2")
	var b strings.Builder
	b.WriteString("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "e%d,,,no-such-class,org-hs,usr-s1,student,,,\n", i)
	}
	m["enrollments.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	_, err := Read(m, ReadOptions{})
	var e *badinput.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *badinput.Error", err)
	}
	if len(e.Problems) != 100 || e.More != 50 {
		t.Errorf("%d problems and %d more, want 100 and 50", len(e.Problems), e.More)
	}
	if !strings.HasSuffix(err.Error(), "\nand 50 more problems") {
		t.Error("the error does not end with the count of the rest")
	}
	if got, want := e.Problems[99].String(), `enrollments.csv:101:4: classSourcedId: no class "no-such-class" in classes.csv`; got != want {
		t.Errorf("100th problem = %s, want %s", got, want)
	}
}

func TestMapRole(t *testing.T) {
	for _, tt := range []struct {
		role  string
		orgs  []string
		want  roster.Role
		known bool
	}{
		{"student", nil, roster.RoleStudent, true},
		{"aide", nil, roster.RoleTeacher, true},
		{"parent", nil, roster.RoleGuardian, true},
		{"relative", nil, roster.RoleGuardian, true},
		{"administrator", []string{"school", "district"}, roster.RoleDistrictAdmin, true},
		{"administrator", []string{"school"}, roster.RoleSchoolAdmin, true},
		{"principal", nil, roster.RoleSchoolAdmin, true},
		{"systemAdministrator", nil, roster.RoleDistrictAdmin, true},
		{"counselor", nil, roster.RoleCoach, true},
		{"proctor", nil, "", false},
		{"ext:librarian", nil, "", false},
	} {
		got, ok := MapRole(tt.role, tt.orgs)
		if got != tt.want || ok != tt.known {
			t.Errorf("MapRole(%s, %v) = %q, %v; want %q, %v", tt.role, tt.orgs, got, ok, tt.want, tt.known)
		}
	}
}

// editFS returns the fixture dir with each old text of a file replaced.
func editFS(t *testing.T, dir string, edits ...[3]string) fstest.MapFS {
	t.Helper()
	m := loadFS(t, dir)
	for _, e := range edits {
		data := string(m[e[0]].Data)
		if !strings.Contains(data, e[1]) {
			t.Fatalf("%s has no %q", e[0], e[1])
		}
		m[e[0]] = &fstest.MapFile{Data: []byte(strings.Replace(data, e[1], e[2], 1))}
	}
	return m
}

func problemStrings(ps []badinput.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// TestReadWarnings reads packages that the standard allows but that are
// odd, as real exports are: they are read, with a warning at each place.
func TestReadWarnings(t *testing.T) {
	m := editFS(t, "bulk-v1p1",
		[3]string{"enrollments.csv", "enr-3,,,cls-alg1-p1,org-hs,usr-s2,student", "enr-3,,,cls-alg1-p1,org-hs,usr-s2,teacher"},
		[3]string{"manifest.csv", "file.demographics,bulk", "fiel.demographics,bulk"},
		[3]string{"orgs.csv", "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId", "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,principal"},
	)
	r, err := Read(m, ReadOptions{})
	if err != nil {
		t.Fatalf("Read refused a package the standard allows: %v", err)
	}
	want := []string{
		"manifest.csv:10:1: fiel.demographics: not a manifest property of OneRoster (did you mean file.demographics?); ignored",
		"demographics.csv: in the package but not in the manifest: not read",
		"orgs.csv:1:8: principal: not a column of OneRoster 1.1 orgs.csv (extra columns are named metadata.something): ignored",
		`enrollments.csv:4:7: role: user "usr-s2" is enrolled as a teacher, but users.csv does not make them one: the enrollment is not imported, and gives no access`,
	}
	if diff := cmp.Diff(want, problemStrings(r.Warnings)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	for _, w := range r.Warnings {
		if !w.IsWarning() {
			t.Errorf("%s: severity %q, want warning", w, w.Severity)
		}
	}
	// The student enrolled as a teacher gets no teacher's relation to
	// the class: the enrollment is left out of what is imported.
	d := r.ToDomain()
	for _, e := range d.Enrollments {
		if e.SourcedID == "enr-3" {
			t.Errorf("enr-3 (a student enrolled as a teacher) was mapped to %+v", e)
		}
	}
	if !slices.ContainsFunc(d.Skipped, func(s string) bool { return strings.Contains(s, `enrollment "enr-3"`) }) {
		t.Errorf("Skipped does not say enr-3 was left out: %q", d.Skipped)
	}

	// A file the manifest leaves blank is absent, as exports mean it.
	m = editFS(t, "bulk-v1p2", [3]string{"manifest.csv", "file.userResources,absent", "file.userResources,"})
	r, err = Read(m, ReadOptions{})
	if err != nil || r.Mode("userResources.csv") != Absent || len(r.Warnings) != 1 || r.Warnings[0].String() != "manifest.csv:23:2: file.userResources: blank: read as absent" {
		t.Errorf("a blank manifest mode: %v, warnings %q", err, problemStrings(r.Warnings))
	}

	// A package refused for an error still shows its warnings.
	m = editFS(t, "bulk-v1p1",
		[3]string{"manifest.csv", "source.systemCode,EXSIS", "source.sytemCode,EXSIS"},
		[3]string{"academicSessions.csv", "2024-08-19", "19/08/2024"},
	)
	_, err = Read(m, ReadOptions{})
	var be *badinput.Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *badinput.Error", err)
	}
	if got := problemStrings(be.Warnings); !slices.Equal(got, []string{"manifest.csv:18:1: source.sytemCode: not a manifest property of OneRoster (did you mean source.systemCode?); ignored"}) {
		t.Errorf("warnings of a refused package: %q", got)
	}
}

// TestReadPartial reads a package with bad rows as a partial read does:
// the bad rows, and the rows that refer to them, are left out and
// reported with their place; the rest is read.
func TestReadPartial(t *testing.T) {
	edits := [][3]string{
		{"academicSessions.csv", "Fall 2024,semester,2024-08-19", "Fall 2024,semester,08/19/2024"},
		{"users.csv", ",Farah,Kaur,", ",Farah,,"},
		{"enrollments.csv", "enr-8,,,cls-ela7-hr", "enr-8,,,cls-ela8-hr"},
	}
	m := editFS(t, "bulk-v1p2", edits...)
	if _, err := Read(m, ReadOptions{}); err == nil {
		t.Fatal("Read without Partial accepted bad rows")
	}
	r, err := Read(m, ReadOptions{Partial: true})
	if err != nil {
		t.Fatalf("partial Read: %v", err)
	}
	full := readDir(t, "bulk-v1p2", ReadOptions{})
	var got []string
	for _, p := range r.Refused {
		got = append(got, p.String())
	}
	if len(got) < 4 {
		t.Fatalf("refused: %q", got)
	}
	for _, want := range []string{
		`academicSessions.csv:3:6: startDate: "08/19/2024" is not a date: want YYYY-MM-DD, such as 2024-08-26`,
		`users.csv:7:8: familyName: required, but blank`,
		`enrollments.csv:9:4: classSourcedId: no class "cls-ela8-hr" in classes.csv`,
	} {
		if !slices.Contains(got, want) {
			t.Errorf("refused lacks %s\nall: %q", want, got)
		}
	}
	// What refers to a refused row is refused too, naming it: the
	// quarter of the refused semester.
	held := func(e Entity) []string { return sortedKeys(r.Held[e]) }
	if got := held(AcademicSessions); !slices.Equal(got, []string{"as-2025-q1", "as-2025-s1"}) {
		t.Errorf("held sessions %q, want as-2025-q1 and as-2025-s1", got)
	}
	if !slices.Contains(got, `academicSessions.csv:5:8: parentSourcedId: academic session "as-2025-s1" is refused (academicSessions.csv line 3 has an error)`) {
		t.Errorf("the quarter's refusal does not name the semester's: %q", got)
	}
	if got := held(Users); !slices.Equal(got, []string{"usr-a1"}) {
		t.Errorf("held users %q, want usr-a1", got)
	}
	if len(r.Users) != len(full.Users)-1 || len(r.AcademicSessions) != len(full.AcademicSessions)-2 {
		t.Errorf("%d users and %d sessions read, want 1 and 2 fewer than %d and %d", len(r.Users), len(r.AcademicSessions), len(full.Users), len(full.AcademicSessions))
	}
	for _, e := range r.Enrollments {
		if e.UserSourcedID == "usr-a1" || e.SourcedID == "enr-8" {
			t.Errorf("enrollment %s of a refused row was kept", e.SourcedID)
		}
	}
	for _, c := range r.Classes {
		if slices.Contains(c.TermSourcedIDs, "as-2025-s1") {
			t.Errorf("class %s of the refused session was kept", c.SourcedID)
		}
	}
	// Held records are neither changed nor retired by the bulk files.
	for _, c := range Diff(full.Snapshot(), r) {
		for _, id := range c.Retired {
			if r.IsHeld(c.Entity, id) {
				t.Errorf("%s %s is retired, but its row was only refused", c.Entity, id)
			}
		}
	}

	// A user found without a primary role once every file is read takes
	// the rows read before with them.
	m = editFS(t, "bulk-v1p2", [3]string{"roles.csv", "role-a1,,,usr-a1,primary", "role-a1,,,usr-a1,secondary"})
	r, err = Read(m, ReadOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	got = problemStrings(r.Refused)
	want := []string{
		`users.csv:7: user "usr-a1" has no primary role in roles.csv: every user needs one`,
		`roles.csv:8: user "usr-a1" is refused (users.csv line 7 has an error)`,
		`enrollments.csv:6: user "usr-a1" is refused (users.csv line 7 has an error)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
	if slices.ContainsFunc(r.Enrollments, func(e Enrollment) bool { return e.UserSourcedID == "usr-a1" }) {
		t.Error("an enrollment of the refused user was kept")
	}

	// A problem with a whole file refuses the package even so.
	m = editFS(t, "bulk-v1p2", [3]string{"orgs.csv", "sourcedId,status,dateLastModified,name,type", "sourcedId,status,dateLastModified,name,kind"})
	if _, err := Read(m, ReadOptions{Partial: true}); err == nil || !strings.Contains(err.Error(), "missing column type") {
		t.Errorf("partial Read of a file without a required column: %v", err)
	}
	m = editFS(t, "bulk-v1p2", [3]string{"orgs.csv", "Mathematics Department", `Math "Dept"`})
	if _, err := Read(m, ReadOptions{Partial: true}); err == nil {
		t.Error("partial Read accepted broken quoting")
	}
}
