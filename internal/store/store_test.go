package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pgtest"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// engines are the databases every store test runs on. Each call of url
// gives a fresh database holding the schema and nothing else, a copy of
// one migrated once (storetest); testMigrations migrates from nothing.
var engines = []struct {
	name string
	url  func(t testing.TB) string
}{
	{store.SQLite, storetest.SQLite},
	{store.Postgres, storetest.Postgres},
}

// TestStore runs the one store suite on every engine, each behaviour on a
// fresh database.
func TestStore(t *testing.T) {
	tests := []struct {
		name string
		f    func(t *testing.T, e *env)
	}{
		{"migrations", testMigrations},
		{"roster", testRoster},
		{"pagination", testPagination},
		{"duplicate sourcedId", testDuplicateSourcedID},
		{"cross-district", testCrossDistrict},
		{"standards", testStandards},
		{"prerequisites", testPrerequisites},
		{"framework language", testFrameworkLanguage},
		{"district language", testDistrictLanguage},
		{"evidence", testEvidence},
		{"evidence refused", testEvidenceRefused},
		{"evidence append-only", testAppendOnly},
		{"mastery", testMastery},
		{"mastery as of", testMasteryAsOf},
		{"batch", testBatch},
		{"policy", testPolicy},
		{"course policy", testCoursePolicy},
		{"rebuild", testRebuild},
		{"hierarchy changes", testHierarchyChanges},
		{"retired standard", testRetiredStandard},
		{"concurrent writers", testConcurrentWriters},
		{"models", testModels},
		{"two servers", testTwoServers},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.f(t, open(t, eng.url(t)))
				})
			}
		})
	}
}

// env is an open store with a clock and a record of OnChange calls. The
// clock is both the district's today and the clock of signing in.
type env struct {
	s   *store.Store
	url string
	ctx context.Context
	clk *clock

	mu      sync.Mutex
	changes []store.Change
}

func open(t *testing.T, url string) *env {
	t.Helper()
	e := &env{url: url, ctx: context.Background(), clk: newClock()}
	s, err := store.Open(e.ctx, store.Config{URL: url, Now: e.clk.now, WallClock: e.clk.now, OnChange: func(c store.Change) {
		e.mu.Lock()
		e.changes = append(e.changes, c)
		e.mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e.s = s
	return e
}

func (e *env) takeChanges() []store.Change {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.changes
	e.changes = nil
	return c
}

// clock is a test clock that moves a millisecond at each reading. It
// starts off UTC and between microseconds, to show that the store keeps
// times in UTC, to the microsecond.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

var start = time.Date(2025, 3, 3, 9, 30, 0, 123456789, time.FixedZone("EST", -5*3600))

func newClock() *clock { return &clock{t: start} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantInvalid checks that err is an InvalidError of the given record (-1
// for a single record) naming field, and that its reason contains reason.
func wantInvalid(t *testing.T, err error, record int, field, reason string) {
	t.Helper()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v, want an InvalidError naming %s", err, field)
	}
	if ie.Record != record {
		t.Errorf("error %v is about record %d, want %d", err, ie.Record, record)
	}
	for _, f := range ie.Fields {
		if f.Field == field && strings.Contains(f.Reason, reason) {
			return
		}
	}
	t.Errorf("error %v does not name %s with a reason containing %q", err, field, reason)
}

func wantKind(t *testing.T, err, kind error, mentions string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want %v", err, kind)
	}
	if !strings.Contains(err.Error(), mentions) {
		t.Errorf("error %q does not mention %q", err, mentions)
	}
}

// district is a small district: a school, a term, a course and its class
// with a teacher and three students, one guardian, and a framework on the
// four-level scale shaped
//
//	domain
//	├── cluster
//	│   ├── s1
//	│   └── s2
//	└── s3
type district struct {
	d                           roster.District
	school                      roster.School
	term                        roster.Term
	course                      roster.Course
	class                       roster.Class
	teacher, guardian           roster.Person
	alice, bob, cleo            roster.Person
	scale                       standards.Scale
	fw                          standards.Framework
	domain, cluster, s1, s2, s3 standards.Standard
}

func newDistrict(t *testing.T, e *env, name string) *district {
	t.Helper()
	ctx, s := e.ctx, e.s
	x := &district{d: roster.District{Name: name, SourcedID: "d-" + name}}
	ok(t, s.CreateDistrict(ctx, &x.d))
	id := x.d.ID
	x.school = roster.School{DistrictID: id, Name: "Ridge Middle", SourcedID: "sch-1"}
	ok(t, s.CreateSchool(ctx, &x.school))
	x.term = roster.Term{DistrictID: id, Title: "2024-25", Type: roster.TermSchoolYear,
		StartDate: time.Date(2024, 8, 26, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC)}
	ok(t, s.CreateTerm(ctx, &x.term))
	x.course = roster.Course{DistrictID: id, SchoolID: &x.school.ID, Title: "Math 6", Code: "M6", Grades: []string{"06"}, SourcedID: "crs-1"}
	ok(t, s.CreateCourse(ctx, &x.course))
	x.class = roster.Class{DistrictID: id, SchoolID: x.school.ID, CourseID: x.course.ID, TermID: x.term.ID, Title: "Math 6 - P1", Period: "1"}
	ok(t, s.CreateClass(ctx, &x.class))
	person := func(p *roster.Person) {
		t.Helper()
		p.DistrictID = id
		p.SchoolIDs = []int64{x.school.ID}
		ok(t, s.CreatePerson(ctx, p))
	}
	x.teacher = roster.Person{GivenName: "Tess", FamilyName: "Ng", Roles: []roster.Role{roster.RoleTeacher}, Username: "tng"}
	person(&x.teacher)
	x.alice = roster.Person{GivenName: "Alice", FamilyName: "Zane", Roles: []roster.Role{roster.RoleStudent}, Grade: "06", SourcedID: "stu-a"}
	person(&x.alice)
	x.bob = roster.Person{GivenName: "Bob", FamilyName: "Adams", Roles: []roster.Role{roster.RoleStudent}, Grade: "06"}
	person(&x.bob)
	x.cleo = roster.Person{GivenName: "Cleo", FamilyName: "Adams", Roles: []roster.Role{roster.RoleStudent}, Grade: "06"}
	person(&x.cleo)
	x.guardian = roster.Person{GivenName: "Gus", FamilyName: "Zane", Roles: []roster.Role{roster.RoleGuardian}}
	person(&x.guardian)
	for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
		ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: x.class.ID, PersonID: p.ID, Role: roster.EnrolledStudent}))
	}
	ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: x.class.ID, PersonID: x.teacher.ID, Role: roster.EnrolledTeacher, Primary: true}))

	x.scale = standards.DefaultScale()
	x.scale.DistrictID = id
	ok(t, s.CreateScale(ctx, &x.scale))
	x.fw = standards.Framework{DistrictID: id, Title: "Grade 6 Math", Kind: standards.Academic, ScaleID: x.scale.ID}
	ok(t, s.CreateFramework(ctx, &x.fw))
	std := func(st *standards.Standard, parent *standards.Standard, pos int) {
		t.Helper()
		st.DistrictID, st.FrameworkID, st.Position = id, x.fw.ID, pos
		if parent != nil {
			st.ParentID = &parent.ID
		}
		ok(t, s.CreateStandard(ctx, st))
	}
	x.domain = standards.Standard{Code: "6.RP", Statement: "Ratios and proportional relationships", Type: "Domain"}
	std(&x.domain, nil, 0)
	x.cluster = standards.Standard{Code: "6.RP.A", Statement: "Understand ratio concepts", Type: "Cluster"}
	std(&x.cluster, &x.domain, 0)
	x.s3 = standards.Standard{Code: "6.RP.B", Statement: "Use ratio reasoning", Type: "Standard"}
	std(&x.s3, &x.domain, 1)
	// s2 is created before s1 but placed after it.
	x.s2 = standards.Standard{Code: "6.RP.A.2", Statement: "Understand unit rates", Type: "Standard"}
	std(&x.s2, &x.cluster, 2)
	x.s1 = standards.Standard{Code: "6.RP.A.1", Statement: "Understand ratios", Type: "Standard"}
	std(&x.s1, &x.cluster, 1)
	ok(t, s.SetCourseStandards(ctx, id, x.course.ID, []int64{x.s3.ID, x.s1.ID, x.s2.ID, x.cluster.ID}))
	return x
}

func lvl(v float64) *float64 { return &v }

// ev is evidence of student on the given scores,
// assessed daysAgo days before the clock starts.
func (x *district) ev(student roster.Person, daysAgo int, scores ...evidence.Score) evidence.Evidence {
	return evidence.Evidence{
		DistrictID: x.d.ID, StudentID: student.ID, ClassID: &x.class.ID, Kind: evidence.Formative,
		Title: "Exit ticket", Scores: scores, AssessedAt: start.AddDate(0, 0, -daysAgo), RecordedBy: x.teacher.ID,
	}
}

func level(st standards.Standard, v float64) evidence.Score {
	return evidence.Score{StandardID: st.ID, Level: lvl(v)}
}

func testMigrations(t *testing.T, e *env) {
	// The suite's databases are copies of one migrated already: this
	// behaviour migrates an empty one itself.
	if e.s.Engine() == store.Postgres {
		e = open(t, pgtest.URL(t))
	} else {
		e = open(t, filepath.Join(t.TempDir(), "empty.db"))
	}
	applied, err := e.s.Migrate(e.ctx)
	ok(t, err)
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", applied)
	}
	// The last migration took effect: mastery_states has no foreign keys
	// left (on PostgreSQL they are dropped by name, which would silently
	// do nothing were the names wrong).
	db := rawDB(t, e)
	q := `SELECT count(*) FROM pragma_foreign_key_list('mastery_states')`
	if e.s.Engine() == store.Postgres {
		q = `SELECT count(*) FROM pg_constraint WHERE conrelid = 'mastery_states'::regclass AND contype = 'f'`
	}
	var fks int
	ok(t, db.QueryRowContext(e.ctx, q).Scan(&fks))
	if fks != 0 {
		t.Errorf("mastery_states has %d foreign keys after the migrations, want 0", fks)
	}
	// A second store on the same database finds the schema in place.
	s2, err := store.Open(e.ctx, store.Config{URL: e.url})
	ok(t, err)
	defer s2.Close()
	ok(t, s2.Ping(e.ctx))
	if s2.Engine() != e.s.Engine() {
		t.Errorf("engine %q, want %q", s2.Engine(), e.s.Engine())
	}
}

func testRoster(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "north")
	id := x.d.ID

	got, err := s.District(ctx, id)
	ok(t, err)
	if diff := cmp.Diff(x.d, got); diff != "" {
		t.Errorf("District (-created +read):\n%s", diff)
	}
	if got.CreatedAt.Location() != time.UTC || got.CreatedAt.Nanosecond()%1000 != 0 {
		t.Errorf("CreatedAt %v: want UTC to the microsecond", got.CreatedAt)
	}

	term, err := s.Term(ctx, id, x.term.ID)
	ok(t, err)
	if diff := cmp.Diff(x.term, term); diff != "" {
		t.Errorf("Term (-created +read):\n%s", diff)
	}
	course, err := s.Course(ctx, id, x.course.ID)
	ok(t, err)
	if diff := cmp.Diff(x.course, course); diff != "" {
		t.Errorf("Course (-created +read):\n%s", diff)
	}
	class, err := s.Class(ctx, id, x.class.ID)
	ok(t, err)
	if diff := cmp.Diff(x.class, class); diff != "" {
		t.Errorf("Class (-created +read):\n%s", diff)
	}
	alice, err := s.PersonBySourcedID(ctx, id, "stu-a")
	ok(t, err)
	if diff := cmp.Diff(x.alice, alice); diff != "" {
		t.Errorf("PersonBySourcedID (-created +read):\n%s", diff)
	}
	_, err = s.PersonBySourcedID(ctx, id, "nobody")
	wantKind(t, err, problem.ErrNotFound, "nobody")

	// Updates are read back.
	x.school.Name = "Ridge Middle School"
	ok(t, s.UpdateSchool(ctx, &x.school))
	school, err := s.School(ctx, id, x.school.ID)
	ok(t, err)
	if school.Name != "Ridge Middle School" {
		t.Errorf("school name after update %q", school.Name)
	}
	x.alice.Roles = append(x.alice.Roles, roster.RoleTeacher)
	x.alice.Email = "alice@example.org"
	ok(t, s.UpdatePerson(ctx, &x.alice))
	alice, err = s.Person(ctx, id, x.alice.ID)
	ok(t, err)
	if diff := cmp.Diff(x.alice, alice); diff != "" {
		t.Errorf("Person after update (-want +got):\n%s", diff)
	}
	err = s.UpdateSchool(ctx, &roster.School{ID: 999999, DistrictID: id, Name: "x"})
	wantKind(t, err, problem.ErrNotFound, "school 999999")
	err = s.CreateClass(ctx, &roster.Class{DistrictID: id, SchoolID: x.school.ID, CourseID: 424242, TermID: x.term.ID, Title: "x"})
	wantInvalid(t, err, -1, "courseId", "no course 424242 in this district")

	// Filters.
	students, _, err := s.People(ctx, id, store.PersonFilter{Role: roster.RoleStudent})
	ok(t, err)
	if got, want := names(students), []string{"Alice Zane", "Bob Adams", "Cleo Adams"}; !slices.Equal(got, want) {
		t.Errorf("students %v, want %v", got, want)
	}
	teachers, _, err := s.People(ctx, id, store.PersonFilter{Role: roster.RoleTeacher, SchoolID: x.school.ID})
	ok(t, err)
	if got, want := names(teachers), []string{"Tess Ng", "Alice Zane"}; !slices.Equal(got, want) {
		t.Errorf("teachers of the school %v, want %v", got, want)
	}
	none, _, err := s.People(ctx, id, store.PersonFilter{SchoolID: x.school.ID + 1000})
	ok(t, err)
	if len(none) != 0 {
		t.Errorf("people of an unknown school: %v", names(none))
	}

	// Class membership, in name order.
	cs, err := s.ClassStudents(ctx, id, x.class.ID)
	ok(t, err)
	if got, want := names(cs), []string{"Bob Adams", "Cleo Adams", "Alice Zane"}; !slices.Equal(got, want) {
		t.Errorf("class students %v, want %v", got, want)
	}
	ct, err := s.ClassTeachers(ctx, id, x.class.ID)
	ok(t, err)
	if got, want := names(ct), []string{"Tess Ng"}; !slices.Equal(got, want) {
		t.Errorf("class teachers %v, want %v", got, want)
	}
	enr, err := s.Enrollments(ctx, id, x.class.ID)
	ok(t, err)
	if len(enr) != 4 || !enr[3].Primary || enr[3].Role != roster.EnrolledTeacher {
		t.Errorf("enrollments %+v: want 3 students then the primary teacher", enr)
	}
	classes, err := s.PersonClasses(ctx, id, x.teacher.ID)
	ok(t, err)
	if len(classes) != 1 || classes[0].ID != x.class.ID {
		t.Errorf("teacher's classes %+v", classes)
	}
	err = s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: x.class.ID, PersonID: x.guardian.ID, Role: roster.EnrolledStudent})
	wantInvalid(t, err, -1, "personId", "is not a student")
	err = s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: x.class.ID, PersonID: x.bob.ID, Role: roster.EnrolledStudent})
	wantKind(t, err, problem.ErrConflict, "personId")

	// Guardians.
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: id, GuardianID: x.guardian.ID, StudentID: x.cleo.ID, Relationship: "father"}))
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: id, GuardianID: x.guardian.ID, StudentID: x.bob.ID}))
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: id, GuardianID: x.guardian.ID, StudentID: x.bob.ID, Relationship: "uncle"}))
	kids, err := s.Children(ctx, id, x.guardian.ID)
	ok(t, err)
	if got, want := names(kids), []string{"Bob Adams", "Cleo Adams"}; !slices.Equal(got, want) {
		t.Errorf("children %v, want %v", got, want)
	}
	gs, err := s.Guardians(ctx, id, x.bob.ID)
	ok(t, err)
	if got, want := names(gs), []string{"Gus Zane"}; !slices.Equal(got, want) {
		t.Errorf("guardians %v, want %v", got, want)
	}
	err = s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: id, GuardianID: x.teacher.ID, StudentID: x.bob.ID})
	wantInvalid(t, err, -1, "guardianId", "is not a guardian")

	// Demographics.
	_, err = s.Demographics(ctx, id, x.bob.ID)
	wantKind(t, err, problem.ErrNotFound, "demographics")
	yes := true
	born := time.Date(2013, 5, 17, 0, 0, 0, 0, time.UTC)
	dem := roster.Demographics{DistrictID: id, StudentID: x.bob.ID, BirthDate: &born, Sex: "male",
		Races: []string{"asian", "white"}, EnglishLearner: &yes}
	ok(t, s.SetDemographics(ctx, dem))
	dem.Sex = "female"
	ok(t, s.SetDemographics(ctx, dem))
	gotDem, err := s.Demographics(ctx, id, x.bob.ID)
	ok(t, err)
	if diff := cmp.Diff(dem, gotDem); diff != "" {
		t.Errorf("Demographics (-set +read):\n%s", diff)
	}
	err = s.SetDemographics(ctx, roster.Demographics{DistrictID: id, StudentID: x.teacher.ID})
	wantInvalid(t, err, -1, "studentId", "is not a student")
}

func names(ps []roster.Person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name()
	}
	return out
}

func testPagination(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := roster.District{Name: "paged"}
	ok(t, s.CreateDistrict(ctx, &d))
	var want []int64
	for i := range 7 {
		sc := roster.School{DistrictID: d.ID, Name: fmt.Sprintf("School %d", i)}
		ok(t, s.CreateSchool(ctx, &sc))
		want = append(want, sc.ID)
	}
	var got []int64
	var pages int
	for p := (store.Page{Limit: 3}); ; pages++ {
		items, next, err := s.Schools(ctx, d.ID, store.RosterFilter{Page: p})
		ok(t, err)
		for _, sc := range items {
			got = append(got, sc.ID)
		}
		if next == 0 {
			break
		}
		p.After = next
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged school ids (-want +got):\n%s", diff)
	}
	if pages != 2 {
		t.Errorf("%d follow-up pages, want 2 (3 + 3 + 1)", pages)
	}
	all, next, err := s.Schools(ctx, d.ID, store.RosterFilter{})
	ok(t, err)
	if len(all) != 7 || next != 0 {
		t.Errorf("default page: %d schools, next %d; want 7, 0", len(all), next)
	}
}

func testDuplicateSourcedID(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "dup")
	id := x.d.ID
	err := s.CreateSchool(ctx, &roster.School{DistrictID: id, Name: "Other", SourcedID: "sch-1"})
	wantKind(t, err, problem.ErrConflict, "sourcedId")
	err = s.CreatePerson(ctx, &roster.Person{DistrictID: id, GivenName: "A", Roles: []roster.Role{roster.RoleStudent}, SourcedID: "stu-a"})
	wantKind(t, err, problem.ErrConflict, "sourcedId")
	err = s.CreatePerson(ctx, &roster.Person{DistrictID: id, GivenName: "T", Roles: []roster.Role{roster.RoleTeacher}, Username: "tng"})
	wantKind(t, err, problem.ErrConflict, "username")
	// Taking another record's sourcedId by update is a conflict too.
	x.bob.SourcedID = "stu-a"
	err = s.UpdatePerson(ctx, &x.bob)
	wantKind(t, err, problem.ErrConflict, "sourcedId")
	err = s.CreateDistrict(ctx, &roster.District{Name: "again", SourcedID: "d-dup"})
	wantKind(t, err, problem.ErrConflict, "sourcedId")
	// The same sourcedId in another district is another record.
	other := roster.District{Name: "other"}
	ok(t, s.CreateDistrict(ctx, &other))
	ok(t, s.CreateSchool(ctx, &roster.School{DistrictID: other.ID, Name: "Other", SourcedID: "sch-1"}))
}

func testCrossDistrict(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "one")
	y := newDistrict(t, e, "two")
	ev := x.ev(x.alice, 1, level(x.s1, 3))
	ok(t, s.RecordEvidence(ctx, &ev))

	for _, c := range []struct {
		name string
		err  error
	}{
		{"school", second(s.School(ctx, y.d.ID, x.school.ID))},
		{"term", second(s.Term(ctx, y.d.ID, x.term.ID))},
		{"course", second(s.Course(ctx, y.d.ID, x.course.ID))},
		{"class", second(s.Class(ctx, y.d.ID, x.class.ID))},
		{"person", second(s.Person(ctx, y.d.ID, x.alice.ID))},
		{"standard", second(s.Standard(ctx, y.d.ID, x.s1.ID))},
		{"framework", second(s.Framework(ctx, y.d.ID, x.fw.ID))},
		{"scale", second(s.Scale(ctx, y.d.ID, x.scale.ID))},
		{"evidence", second(s.Evidence(ctx, y.d.ID, ev.ID))},
		{"mastery", second(s.MasteryOf(ctx, y.d.ID, x.alice.ID, x.s1.ID))},
		{"class students", second(s.ClassStudents(ctx, y.d.ID, x.class.ID))},
		{"class mastery", second(s.ClassMastery(ctx, y.d.ID, x.class.ID))},
		{"update school", s.UpdateSchool(ctx, &roster.School{ID: x.school.ID, DistrictID: y.d.ID, Name: "taken"})},
		{"void", s.VoidEvidence(ctx, y.d.ID, ev.ID, y.teacher.ID, "wrong district")},
		{"course policy", s.SetPolicy(ctx, y.d.ID, &x.course.ID, mastery.DefaultPolicy(), y.teacher.ID, "")},
	} {
		if !errors.Is(c.err, problem.ErrNotFound) {
			t.Errorf("%s of district %d read through district %d: got %v, want not found", c.name, x.d.ID, y.d.ID, c.err)
		}
	}
	// References into another district are refused by name.
	err := s.CreateClass(ctx, &roster.Class{DistrictID: y.d.ID, SchoolID: x.school.ID, CourseID: y.course.ID, TermID: y.term.ID, Title: "x"})
	wantInvalid(t, err, -1, "schoolId", fmt.Sprintf("no school %d in this district", x.school.ID))
	bad := y.ev(y.alice, 1, level(x.s1, 3))
	err = s.RecordEvidence(ctx, &bad)
	wantInvalid(t, err, -1, "scores[0].standardId", fmt.Sprintf("no standard %d in this district", x.s1.ID))
	school, err := s.School(ctx, x.d.ID, x.school.ID)
	ok(t, err)
	if school.Name == "taken" {
		t.Error("another district renamed the school")
	}
}

// rawDB opens the store's database directly, to check what no store method
// shows.
func rawDB(t *testing.T, e *env) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if e.s.Engine() == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, e.url)
	ok(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func second[T any](_ T, err error) error { return err }

func testStandards(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "std")
	id := x.d.ID
	all, err := s.AllStandards(ctx, id, x.fw.ID)
	ok(t, err)
	if got, want := codes(all), []string{"6.RP", "6.RP.A", "6.RP.A.1", "6.RP.A.2", "6.RP.B"}; !slices.Equal(got, want) {
		t.Errorf("hierarchy order %v, want %v", got, want)
	}
	cs, err := s.CourseStandards(ctx, id, x.course.ID)
	ok(t, err)
	if got, want := codes(cs), []string{"6.RP.A", "6.RP.A.1", "6.RP.A.2", "6.RP.B"}; !slices.Equal(got, want) {
		t.Errorf("course standards %v, want %v", got, want)
	}
	page, next, err := s.Standards(ctx, id, x.fw.ID, store.Page{Limit: 2})
	ok(t, err)
	if len(page) != 2 || next != page[1].ID || page[0].ID != x.domain.ID {
		t.Errorf("first page of standards %v, next %d", codes(page), next)
	}
	st, err := s.Standard(ctx, id, x.s1.ID)
	ok(t, err)
	if diff := cmp.Diff(x.s1, st); diff != "" {
		t.Errorf("Standard (-created +read):\n%s", diff)
	}

	// A parent in another framework is refused.
	fw2 := standards.Framework{DistrictID: id, Title: "4Cs", Kind: standards.Disposition, ScaleID: x.scale.ID}
	ok(t, s.CreateFramework(ctx, &fw2))
	err = s.CreateStandard(ctx, &standards.Standard{DistrictID: id, FrameworkID: fw2.ID, Statement: "Collaborates", ParentID: &x.domain.ID})
	wantInvalid(t, err, -1, "parentId", "not in framework")
	err = s.CreateStandard(ctx, &standards.Standard{DistrictID: id, FrameworkID: x.fw.ID, Statement: "x", ParentID: ref(987654)})
	wantInvalid(t, err, -1, "parentId", "no standard 987654 in this district")
	// A loop in the hierarchy is refused.
	x.domain.ParentID = &x.s1.ID
	err = s.UpdateStandard(ctx, &x.domain)
	wantInvalid(t, err, -1, "parentId", "loop")
	// Moving s3 under the cluster is fine, and shows in the order.
	x.s3.ParentID = &x.cluster.ID
	x.s3.Position = 0
	ok(t, s.UpdateStandard(ctx, &x.s3))
	all, err = s.AllStandards(ctx, id, x.fw.ID)
	ok(t, err)
	if got, want := codes(all), []string{"6.RP", "6.RP.A", "6.RP.B", "6.RP.A.1", "6.RP.A.2"}; !slices.Equal(got, want) {
		t.Errorf("hierarchy order after the move %v, want %v", got, want)
	}
	err = s.SetCourseStandards(ctx, id, x.course.ID, []int64{x.s1.ID, 55555})
	wantInvalid(t, err, -1, "standardIds[1]", "no standard 55555")
}

func ref(id int64) *int64 { return &id }

func codes(sts []standards.Standard) []string {
	out := make([]string, len(sts))
	for i, st := range sts {
		out[i] = st.Code
	}
	return out
}

func testPrerequisites(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "pre")
	id := x.d.ID
	ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s2.ID, PrerequisiteID: x.s1.ID}))
	ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s3.ID, PrerequisiteID: x.s2.ID}))
	ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s3.ID, PrerequisiteID: x.s2.ID}))
	err := s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s1.ID, PrerequisiteID: x.s3.ID})
	wantKind(t, err, problem.ErrInvalid, "cycle")
	err = s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s1.ID, PrerequisiteID: x.s1.ID})
	wantKind(t, err, problem.ErrInvalid, "its own prerequisite")
	got, err := s.Prerequisites(ctx, id)
	ok(t, err)
	want := []standards.Prerequisite{
		{DistrictID: id, StandardID: x.s2.ID, PrerequisiteID: x.s1.ID},
		{DistrictID: id, StandardID: x.s3.ID, PrerequisiteID: x.s2.ID},
	}
	slices.SortFunc(want, func(a, b standards.Prerequisite) int { return int(a.StandardID - b.StandardID) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Prerequisites (-want +got):\n%s", diff)
	}
}

func testEvidence(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "ev")
	id := x.d.ID
	pts := 8.0
	first := x.ev(x.alice, 3, level(x.s1, 2), evidence.Score{StandardID: x.s2.ID, Points: &pts, MaxPoints: 10})
	first.Comment = "Good start"
	first.ArtifactURL = "https://example.org/work/1"
	first.AssessedAt = first.AssessedAt.Add(987 * time.Nanosecond) // stored to the microsecond
	ok(t, s.RecordEvidence(ctx, &first))
	if first.ID == 0 || first.Attempt != 1 || first.RecordedAt.IsZero() {
		t.Fatalf("RecordEvidence did not set ID, Attempt and RecordedAt: %+v", first)
	}
	if got, want := first.Scores[1].Value, x.scale.FromRaw(8, 0, 10); got != want {
		t.Errorf("8 of 10 points on a 1-4 scale gave %g, want %g", got, want)
	}
	got, err := s.Evidence(ctx, id, first.ID)
	ok(t, err)
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("Evidence (-recorded +read):\n%s", diff)
	}
	second := x.ev(x.alice, 1, level(x.s1, 3))
	ok(t, s.RecordEvidence(ctx, &second))
	third := x.ev(x.alice, 2, level(x.s3, 4))
	ok(t, s.RecordEvidence(ctx, &third))
	other := x.ev(x.bob, 0, level(x.s1, 1))
	ok(t, s.RecordEvidence(ctx, &other))

	list := func(f store.EvidenceFilter) []int64 {
		t.Helper()
		var ids []int64
		for {
			evs, next, err := s.StudentEvidence(ctx, id, x.alice.ID, f)
			ok(t, err)
			for _, ev := range evs {
				ids = append(ids, ev.ID)
			}
			if next == 0 {
				return ids
			}
			f.Page.After = next
		}
	}
	if got, want := list(store.EvidenceFilter{Page: store.Page{Limit: 2}}), []int64{second.ID, third.ID, first.ID}; !slices.Equal(got, want) {
		t.Errorf("newest assessed first, in pages of 2: %v, want %v", got, want)
	}
	if got, want := list(store.EvidenceFilter{StandardID: x.s1.ID}), []int64{second.ID, first.ID}; !slices.Equal(got, want) {
		t.Errorf("evidence on s1: %v, want %v", got, want)
	}

	// Voiding.
	err = s.VoidEvidence(ctx, id, second.ID, x.teacher.ID, "  ")
	wantInvalid(t, err, -1, "reason", "")
	ok(t, s.VoidEvidence(ctx, id, second.ID, x.teacher.ID, "scored the wrong student"))
	err = s.VoidEvidence(ctx, id, second.ID, x.teacher.ID, "again")
	wantKind(t, err, problem.ErrConflict, "already voided")
	err = s.VoidEvidence(ctx, id, 123456789, x.teacher.ID, "no such evidence")
	wantKind(t, err, problem.ErrNotFound, "evidence 123456789")
	voided, err := s.Evidence(ctx, id, second.ID)
	ok(t, err)
	if voided.Void == nil || voided.Void.By != x.teacher.ID || voided.Void.Reason != "scored the wrong student" || voided.Void.At.IsZero() {
		t.Errorf("voided evidence reads back with Void %+v", voided.Void)
	}
	if got, want := list(store.EvidenceFilter{}), []int64{third.ID, first.ID}; !slices.Equal(got, want) {
		t.Errorf("without voided: %v, want %v", got, want)
	}
	if got, want := list(store.EvidenceFilter{IncludeVoided: true}), []int64{second.ID, third.ID, first.ID}; !slices.Equal(got, want) {
		t.Errorf("with voided: %v, want %v", got, want)
	}
	// Voiding the latest evidence on s1 brings back the state of the first.
	ms, err := s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	if ms.EvidenceCount != 1 || ms.Explanation.Inputs[0].EvidenceID != first.ID {
		t.Errorf("after voiding, s1 counts %d pieces of evidence (%+v), want only the first", ms.EvidenceCount, ms.Explanation.Inputs)
	}
}

func testEvidenceRefused(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "refused")
	pts := 12.0
	for _, c := range []struct {
		name          string
		edit          func(ev *evidence.Evidence)
		field, reason string
	}{
		{"in the future", func(ev *evidence.Evidence) { ev.AssessedAt = start.Add(48 * time.Hour) }, "assessedAt", "in the future"},
		{"level not on the scale", func(ev *evidence.Evidence) { ev.Scores = []evidence.Score{level(x.s1, 2.5)} }, "scores[0].level", "not a level"},
		{"points outside the range", func(ev *evidence.Evidence) {
			ev.Scores = []evidence.Score{{StandardID: x.s1.ID, Points: &pts, MaxPoints: 10}}
		}, "scores[0].points", "outside 0..10"},
		{"unknown standard", func(ev *evidence.Evidence) { ev.Scores = []evidence.Score{{StandardID: 99, Level: lvl(3)}} }, "scores[0].standardId", "no standard 99 in this district"},
		{"unknown student", func(ev *evidence.Evidence) { ev.StudentID = 777777 }, "studentId", "no student 777777 in this district"},
		{"not a student", func(ev *evidence.Evidence) { ev.StudentID = x.teacher.ID }, "studentId", "is not a student"},
		{"unknown class", func(ev *evidence.Evidence) { ev.ClassID = ref(888888) }, "classId", "student " + fmt.Sprint(x.alice.ID) + " was not enrolled in class 888888 on"},
		{"unknown recorder", func(ev *evidence.Evidence) { ev.RecordedBy = 666666 }, "recordedBy", "no person 666666"},
		{"no scores", func(ev *evidence.Evidence) { ev.Scores = nil }, "scores", "at least one standard"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := x.ev(x.alice, 1, level(x.s1, 3))
			c.edit(&ev)
			err := s.RecordEvidence(ctx, &ev)
			wantInvalid(t, err, -1, c.field, c.reason)
		})
	}
	evs, _, err := s.StudentEvidence(ctx, x.d.ID, x.alice.ID, store.EvidenceFilter{IncludeVoided: true})
	ok(t, err)
	ms, err := s.StudentMastery(ctx, x.d.ID, x.alice.ID)
	ok(t, err)
	if len(evs) != 0 || len(ms) != 0 {
		t.Errorf("refused evidence left %d records and %d states", len(evs), len(ms))
	}
	if c := e.takeChanges(); len(c) != 0 {
		t.Errorf("refused evidence announced changes %+v", c)
	}
}

// testAppendOnly checks that the database itself refuses to rewrite or
// delete evidence, whatever SQL reaches it.
func testAppendOnly(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "append")
	ev := x.ev(x.alice, 1, level(x.s1, 3))
	ok(t, s.RecordEvidence(ctx, &ev))
	ok(t, s.VoidEvidence(ctx, x.d.ID, ev.ID, x.teacher.ID, "mistake"))
	db := rawDB(t, e)
	for _, q := range []string{
		fmt.Sprintf(`UPDATE evidence SET title = 'rewritten' WHERE id = %d`, ev.ID),
		fmt.Sprintf(`UPDATE evidence SET void_reason = 'another reason' WHERE id = %d`, ev.ID),
		fmt.Sprintf(`DELETE FROM evidence_scores WHERE evidence_id = %d`, ev.ID),
		fmt.Sprintf(`UPDATE evidence_scores SET value = 4 WHERE evidence_id = %d`, ev.ID),
		fmt.Sprintf(`DELETE FROM evidence WHERE id = %d`, ev.ID),
	} {
		if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want refused as append-only", q, err)
		}
	}
}

// expected computes, with the mastery package directly, what the store
// should hold for student on the district's tree, given the non-void
// evidence and the policy.
func expected(x *district, pol mastery.Policy, evs []evidence.Evidence, student int64) map[int64]mastery.State {
	obs := map[int64][]mastery.Observation{}
	for _, ev := range evs {
		if ev.StudentID != student || ev.Void != nil {
			continue
		}
		for _, sc := range ev.Scores {
			obs[sc.StandardID] = append(obs[sc.StandardID], mastery.Observation{EvidenceID: ev.ID, Value: sc.Value, AssessedAt: ev.AssessedAt, RecordedAt: ev.RecordedAt})
		}
	}
	out := map[int64]mastery.State{}
	leaf := func(st standards.Standard) {
		if o := obs[st.ID]; len(o) > 0 {
			out[st.ID] = pol.Decide(x.scale, o, mastery.Tracer{Params: mastery.DefaultBKTParams()})
		}
	}
	parent := func(st standards.Standard, kids ...standards.Standard) {
		var children []mastery.Child
		for _, k := range kids {
			children = append(children, mastery.Child{StandardID: k.ID, State: out[k.ID]})
		}
		if o := obs[st.ID]; len(o) > 0 {
			children = append(children, mastery.Child{StandardID: st.ID, State: pol.Decide(x.scale, o, mastery.Tracer{Params: mastery.DefaultBKTParams()})})
		}
		if r := mastery.Rollup(pol.Rollup, x.scale, children); r.EvidenceCount > 0 {
			out[st.ID] = r
		}
	}
	leaf(x.s1)
	leaf(x.s2)
	leaf(x.s3)
	parent(x.cluster, x.s1, x.s2)
	parent(x.domain, x.cluster, x.s3)
	return out
}

// statesOf returns the stored states of a student by standard.
func statesOf(t *testing.T, e *env, districtID, student int64) map[int64]mastery.State {
	t.Helper()
	ms, err := e.s.StudentMastery(e.ctx, districtID, student)
	ok(t, err)
	out := map[int64]mastery.State{}
	for _, m := range ms {
		out[m.StandardID] = m.State
	}
	return out
}

var equateEmpty = cmpopts.EquateEmpty()

func testMastery(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "mastery")
	id := x.d.ID
	_, err := s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	wantKind(t, err, problem.ErrNotFound, "mastery")
	e.takeChanges()

	var evs []evidence.Evidence
	rec := func(ev evidence.Evidence) {
		t.Helper()
		ok(t, s.RecordEvidence(ctx, &ev))
		evs = append(evs, ev)
	}
	rec(x.ev(x.alice, 10, level(x.s1, 2)))
	if got := e.takeChanges(); len(got) != 1 || got[0].StudentID != x.alice.ID || got[0].Evidence != 1 ||
		!slices.Equal(got[0].StandardIDs, []int64{x.domain.ID, x.cluster.ID, x.s1.ID}) {
		t.Errorf("OnChange got %+v, want alice's s1, cluster and domain", got)
	}
	rec(x.ev(x.alice, 8, level(x.s1, 3), level(x.s2, 2)))
	rec(x.ev(x.alice, 9, level(x.s1, 4)))      // assessed before the one above
	rec(x.ev(x.alice, 5, level(x.s3, 3)))      // the domain's other child
	rec(x.ev(x.alice, 4, level(x.cluster, 1))) // direct evidence on a parent
	rec(x.ev(x.bob, 3, level(x.s2, 4)))

	pol := mastery.DefaultPolicy()
	for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
		want := expected(x, pol, evs, p.ID)
		got := statesOf(t, e, id, p.ID)
		if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
			t.Errorf("%s's states (-computed +stored):\n%s", p.Name(), diff)
		}
	}
	// The parents really are rollups of their children.
	cl, err := s.MasteryOf(ctx, id, x.alice.ID, x.cluster.ID)
	ok(t, err)
	if cl.Explanation.Rollup != mastery.RollupMean || len(cl.Explanation.Children) != 3 || cl.EvidenceCount != 5 {
		t.Errorf("alice's cluster state %+v: want a mean of s1, s2 and its own evidence, counting 5", cl.State)
	}
	if cl.UpdatedAt.IsZero() || cl.LastAssessed.IsZero() {
		t.Errorf("cluster state lacks times: %+v", cl)
	}

	// The class matrix: students by name against the course's standards.
	cm, err := s.ClassMastery(ctx, id, x.class.ID)
	ok(t, err)
	if got, want := names(cm.Students), []string{"Bob Adams", "Cleo Adams", "Alice Zane"}; !slices.Equal(got, want) {
		t.Fatalf("matrix rows %v, want %v", got, want)
	}
	if got, want := codes(cm.Standards), []string{"6.RP.A", "6.RP.A.1", "6.RP.A.2", "6.RP.B"}; !slices.Equal(got, want) {
		t.Fatalf("matrix columns %v, want %v", got, want)
	}
	filled := func(row []*store.MasteryState) (n int) {
		for _, c := range row {
			if c != nil {
				n++
			}
		}
		return n
	}
	if got := []int{filled(cm.Cells[0]), filled(cm.Cells[1]), filled(cm.Cells[2])}; !slices.Equal(got, []int{2, 0, 4}) {
		t.Errorf("filled cells per student %v, want [2 0 4] (bob: cluster and s2; alice: all)", got)
	}
	if c := cm.Cells[2][1]; c == nil || c.StudentID != x.alice.ID || c.StandardID != x.s1.ID {
		t.Errorf("cell [alice][s1] = %+v", c)
	}
	// A cell is the stored state without its explanation.
	for j, std := range cm.Standards {
		c := cm.Cells[2][j]
		one, err := s.MasteryOf(ctx, id, x.alice.ID, std.ID)
		ok(t, err)
		if len(one.Explanation.Inputs) == 0 && len(one.Explanation.Children) == 0 {
			t.Errorf("MasteryOf(alice, %s) has an empty explanation", std.Code)
		}
		one.Explanation = mastery.Explanation{}
		if c == nil {
			t.Errorf("cell [alice][%s] is empty", std.Code)
			continue
		}
		if diff := cmp.Diff(one, *c); diff != "" {
			t.Errorf("cell [alice][%s] differs from MasteryOf without explanation (-MasteryOf +cell):\n%s", std.Code, diff)
		}
	}
	sm, err := s.StandardMastery(ctx, id, x.class.ID, x.s2.ID)
	ok(t, err)
	if len(sm) != 2 || sm[0].StudentID != x.bob.ID || sm[1].StudentID != x.alice.ID {
		t.Errorf("StandardMastery on s2: %+v, want bob then alice", sm)
	}
}

// testMasteryAsOf replays a student's evidence up to past times: each
// time's states are those the engine computes from the evidence assessed
// by then, voided evidence left out, and the last are the stored states.
func testMasteryAsOf(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "as of")
	id := x.d.ID
	var evs []evidence.Evidence
	rec := func(ev evidence.Evidence) evidence.Evidence {
		t.Helper()
		ok(t, s.RecordEvidence(ctx, &ev))
		evs = append(evs, ev)
		return ev
	}
	rec(x.ev(x.alice, 40, level(x.s1, 3)))
	rec(x.ev(x.alice, 30, level(x.s1, 4), level(x.s2, 2)))
	wrong := rec(x.ev(x.alice, 25, level(x.s3, 4)))
	rec(x.ev(x.alice, 20, level(x.s1, 2))) // later, after the cut below
	rec(x.ev(x.alice, 5, level(x.cluster, 3)))
	rec(x.ev(x.bob, 28, level(x.s2, 4))) // another student's
	ok(t, s.VoidEvidence(ctx, id, wrong.ID, x.teacher.ID, "the wrong student"))
	evs[2].Void = &evidence.Void{Reason: "the wrong student"}

	at := []time.Time{start.AddDate(0, 0, -50), start.AddDate(0, 0, -30), start.AddDate(0, 0, -21), start}
	got, err := s.MasteryAsOf(ctx, id, x.alice.ID, at)
	ok(t, err)
	if len(got) != len(at) {
		t.Fatalf("MasteryAsOf gave %d sets of states for %d times", len(got), len(at))
	}
	pol := mastery.DefaultPolicy()
	for i, when := range at {
		var by []evidence.Evidence
		for _, ev := range evs {
			if !ev.AssessedAt.After(when) {
				by = append(by, ev)
			}
		}
		want := expected(x, pol, by, x.alice.ID)
		if diff := cmp.Diff(want, got[i], equateEmpty); diff != "" {
			t.Errorf("alice's states as of %s (-computed +replayed):\n%s", when.Format(time.DateOnly), diff)
		}
	}
	if len(got[0]) != 0 {
		t.Errorf("before any evidence alice has states %v", got[0])
	}
	if s1 := got[1][x.s1.ID]; !s1.Mastered {
		t.Errorf("as of the day of the 4, s1 is %+v, want mastered", s1)
	}
	if diff := cmp.Diff(statesOf(t, e, id, x.alice.ID), got[len(got)-1], equateEmpty); diff != "" {
		t.Errorf("alice's states as of now differ from the stored ones (-stored +replayed):\n%s", diff)
	}
	_, err = s.MasteryAsOf(ctx, id, 999999, at)
	wantKind(t, err, problem.ErrNotFound, "student")
}

func testBatch(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "batch")
	id := x.d.ID
	batch := []evidence.Evidence{
		x.ev(x.alice, 3, level(x.s1, 3)),
		x.ev(x.bob, 2, level(x.s1, 7)),
		x.ev(x.cleo, 1, level(x.s2, 3)),
	}
	err := s.RecordEvidenceBatch(ctx, batch)
	wantInvalid(t, err, 1, "scores[0].level", "7 is not a level")
	for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
		evs, _, err := s.StudentEvidence(ctx, id, p.ID, store.EvidenceFilter{})
		ok(t, err)
		if len(evs) != 0 || len(statesOf(t, e, id, p.ID)) != 0 {
			t.Errorf("a refused batch wrote %d records or states for %s", len(evs), p.Name())
		}
	}
	if batch[0].ID != 0 {
		t.Errorf("a refused batch left ID %d on its first record", batch[0].ID)
	}

	batch[1].Scores = []evidence.Score{level(x.s1, 1), level(x.s3, 2)}
	batch = append(batch, x.ev(x.alice, 2, level(x.s1, 4), level(x.s2, 1)), x.ev(x.alice, 4, level(x.s3, 2)))
	ok(t, s.RecordEvidenceBatch(ctx, batch))
	for i, ev := range batch {
		if ev.ID == 0 {
			t.Fatalf("record %d has no ID", i)
		}
		got, err := s.Evidence(ctx, id, ev.ID)
		ok(t, err)
		if diff := cmp.Diff(ev, got); diff != "" {
			t.Errorf("record %d (-recorded +read):\n%s", i, diff)
		}
	}
	for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
		if diff := cmp.Diff(expected(x, mastery.DefaultPolicy(), batch, p.ID), statesOf(t, e, id, p.ID), equateEmpty); diff != "" {
			t.Errorf("%s's states after the batch (-computed +stored):\n%s", p.Name(), diff)
		}
	}
	changes := e.takeChanges()
	if len(changes) != 3 || changes[0].StudentID != x.alice.ID || changes[0].Evidence != 3 {
		t.Errorf("OnChange after the batch: %+v, want one change per student, alice's with 3 records", changes)
	}
}

func testPolicy(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "policy")
	id := x.d.ID
	p, err := s.DistrictPolicy(ctx, id)
	ok(t, err)
	if p != mastery.DefaultPolicy() {
		t.Errorf("a new district's policy is %+v, want the default", p)
	}
	var evs []evidence.Evidence
	for _, ev := range []evidence.Evidence{
		x.ev(x.alice, 5, level(x.s1, 4)),
		x.ev(x.alice, 3, level(x.s1, 1), level(x.s3, 3)),
		x.ev(x.bob, 3, level(x.s2, 2)),
	} {
		ok(t, s.RecordEvidence(ctx, &ev))
		evs = append(evs, ev)
	}
	e.takeChanges()
	err = s.SetPolicy(ctx, id, nil, mastery.Policy{Method: mastery.Method{Name: "best"}}, x.teacher.ID, "")
	wantInvalid(t, err, -1, "method.name", "best")
	err = s.SetPolicy(ctx, id, nil, mastery.DefaultPolicy(), 0, "")
	wantInvalid(t, err, -1, "changedBy", "required")

	highest := mastery.Policy{Method: mastery.Method{Name: mastery.Highest}, Rollup: mastery.RollupLowest}
	ok(t, s.SetPolicy(ctx, id, nil, highest, x.teacher.ID, "the board chose highest"))
	for _, st := range []roster.Person{x.alice, x.bob} {
		if diff := cmp.Diff(expected(x, highest, evs, st.ID), statesOf(t, e, id, st.ID), equateEmpty); diff != "" {
			t.Errorf("%s after the policy change (-computed +stored):\n%s", st.Name(), diff)
		}
	}
	ms, err := s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	if ms.Value != 4 || ms.Explanation.Method != mastery.Highest {
		t.Errorf("alice's s1 under highest: %g by %s, want 4 by highest", ms.Value, ms.Explanation.Method)
	}
	if c := e.takeChanges(); len(c) != 2 {
		t.Errorf("policy change announced %d changes, want one per student with evidence (2)", len(c))
	}
	changes, err := s.PolicyChanges(ctx, id)
	ok(t, err)
	def := mastery.DefaultPolicy()
	want := []store.PolicyChange{{DistrictID: id, Old: &def, New: &highest, ChangedBy: x.teacher.ID,
		Reason: "the board chose highest", Recomputed: 7}}
	if diff := cmp.Diff(want, changes, cmpopts.IgnoreFields(store.PolicyChange{}, "ID", "ChangedAt")); diff != "" {
		t.Errorf("PolicyChanges (-want +got):\n%s", diff)
	}
	if len(changes) == 1 && (changes[0].ChangedAt.Before(start) || changes[0].ID == 0) {
		t.Errorf("policy change at %v with id %d", changes[0].ChangedAt, changes[0].ID)
	}
	p, err = s.DistrictPolicy(ctx, id)
	ok(t, err)
	if p != highest {
		t.Errorf("district policy %+v, want %+v", p, highest)
	}
}

func testCoursePolicy(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "course")
	id := x.d.ID
	_, err := s.CoursePolicy(ctx, id, x.course.ID)
	wantKind(t, err, problem.ErrNotFound, "course")
	var evs []evidence.Evidence
	for _, ev := range []evidence.Evidence{
		x.ev(x.alice, 5, level(x.s1, 4), level(x.s2, 4)),
		x.ev(x.alice, 3, level(x.s1, 1), level(x.s2, 1)),
	} {
		ok(t, s.RecordEvidence(ctx, &ev))
		evs = append(evs, ev)
	}
	// A second course maps s1 only and overrides the policy.
	algebra := roster.Course{DistrictID: id, Title: "Algebra readiness"}
	ok(t, s.CreateCourse(ctx, &algebra))
	ok(t, s.SetCourseStandards(ctx, id, algebra.ID, []int64{x.s1.ID}))
	highest := mastery.Policy{Method: mastery.Method{Name: mastery.Highest}, Rollup: mastery.RollupMean}
	ok(t, s.SetPolicy(ctx, id, &algebra.ID, highest, x.teacher.ID, "a readiness course counts the best attempt"))
	got, err := s.CoursePolicy(ctx, id, algebra.ID)
	ok(t, err)
	if *got != highest {
		t.Errorf("CoursePolicy %+v, want %+v", *got, highest)
	}
	s1, err := s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	s2, err := s.MasteryOf(ctx, id, x.alice.ID, x.s2.ID)
	ok(t, err)
	if s1.Value != 4 || s1.Explanation.Method != mastery.Highest || s2.Explanation.Method != mastery.DecayingAverage {
		t.Errorf("s1 %g by %s, s2 by %s: want s1 by the course's highest (4), s2 by the district's decaying average",
			s1.Value, s1.Explanation.Method, s2.Explanation.Method)
	}
	// The cluster's rollup follows the new s1.
	cl, err := s.MasteryOf(ctx, id, x.alice.ID, x.cluster.ID)
	ok(t, err)
	if want := (s1.Value + s2.Value) / 2; cl.Value < want-1e-9 || cl.Value > want+1e-9 {
		t.Errorf("cluster %g, want the mean of s1 and s2 (%g)", cl.Value, want)
	}
	// Rebuilding agrees with the incremental result under an override.
	before := allStates(t, e, x)
	_, err = s.RebuildMastery(ctx, id, nil)
	ok(t, err)
	if diff := cmp.Diff(before, allStates(t, e, x), equateEmpty); diff != "" {
		t.Errorf("rebuild under an override changed states (-before +after):\n%s", diff)
	}

	ok(t, s.ClearCoursePolicy(ctx, id, algebra.ID, x.teacher.ID))
	s1, err = s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	if s1.Explanation.Method != mastery.DecayingAverage {
		t.Errorf("after clearing the override s1 is computed by %s", s1.Explanation.Method)
	}
	err = s.ClearCoursePolicy(ctx, id, algebra.ID, x.teacher.ID)
	wantKind(t, err, problem.ErrNotFound, "override")
	changes, err := s.PolicyChanges(ctx, id)
	ok(t, err)
	if len(changes) != 2 || changes[0].Old != nil || *changes[0].New != highest || changes[1].New != nil ||
		*changes[1].CourseID != algebra.ID || changes[0].Recomputed != 3 {
		t.Errorf("PolicyChanges %+v: want the override set (3 states recomputed: s1, cluster, domain) and then cleared", changes)
	}
	// Unmapping s1 from a course with an override recomputes it too.
	ok(t, s.SetPolicy(ctx, id, &algebra.ID, highest, x.teacher.ID, ""))
	ok(t, s.SetCourseStandards(ctx, id, algebra.ID, nil))
	s1, err = s.MasteryOf(ctx, id, x.alice.ID, x.s1.ID)
	ok(t, err)
	if s1.Explanation.Method != mastery.DecayingAverage {
		t.Errorf("after unmapping s1 it is computed by %s", s1.Explanation.Method)
	}
}

// allStates returns every stored state of the district's students, without
// the time it was written.
func allStates(t *testing.T, e *env, x *district) map[string]mastery.State {
	t.Helper()
	out := map[string]mastery.State{}
	for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
		for std, st := range statesOf(t, e, x.d.ID, p.ID) {
			out[fmt.Sprintf("%s/%d", p.GivenName, std)] = st
		}
	}
	return out
}

func testRebuild(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "rebuild")
	id := x.d.ID
	ok(t, s.SetPolicy(ctx, id, nil, mastery.Policy{Method: mastery.Method{Name: mastery.PowerLaw}, Rollup: mastery.RollupAllMastered}, x.teacher.ID, ""))
	var ids []int64
	rec := func(ev evidence.Evidence) {
		t.Helper()
		ok(t, s.RecordEvidence(ctx, &ev))
		ids = append(ids, ev.ID)
	}
	// Out of order, on leaves and a parent, for three students.
	rec(x.ev(x.alice, 3, level(x.s1, 3)))
	rec(x.ev(x.alice, 9, level(x.s1, 1), level(x.s2, 2)))
	rec(x.ev(x.alice, 6, level(x.s1, 2)))
	rec(x.ev(x.alice, 6, level(x.s1, 4))) // same day: recorded later counts later
	rec(x.ev(x.alice, 1, level(x.cluster, 3)))
	rec(x.ev(x.bob, 2, level(x.s3, 4)))
	rec(x.ev(x.bob, 7, level(x.s3, 2), level(x.s2, 3)))
	rec(x.ev(x.cleo, 4, level(x.s2, 1)))
	ok(t, s.VoidEvidence(ctx, id, ids[2], x.teacher.ID, "wrong task"))
	ok(t, s.VoidEvidence(ctx, id, ids[7], x.teacher.ID, "wrong student")) // cleo is left with nothing
	batch := []evidence.Evidence{x.ev(x.bob, 5, level(x.s1, 3)), x.ev(x.alice, 8, level(x.s3, 1))}
	ok(t, s.RecordEvidenceBatch(ctx, batch))

	before := allStates(t, e, x)
	if _, ok := before[fmt.Sprintf("Cleo/%d", x.s2.ID)]; ok {
		t.Errorf("cleo keeps a state on s2 after her only evidence was voided")
	}
	var calls [][2]int
	stats, err := s.RebuildMastery(ctx, id, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	ok(t, err)
	after := allStates(t, e, x)
	if diff := cmp.Diff(before, after, equateEmpty); diff != "" {
		t.Errorf("rebuild changed states (-incremental +rebuilt):\n%s", diff)
	}
	if stats.Evidence != 8 || stats.States != len(after) {
		t.Errorf("stats %+v, want 8 evidence and %d states", stats, len(after))
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{2, 2} {
		t.Errorf("progress calls %v, want to end at 2 of 2 students", calls)
	}
	// Rebuilding again changes nothing.
	_, err = s.RebuildMastery(ctx, id, nil)
	ok(t, err)
	if diff := cmp.Diff(after, allStates(t, e, x), equateEmpty); diff != "" {
		t.Errorf("second rebuild changed states:\n%s", diff)
	}
}

// testHierarchyChanges checks that adding and moving standards keeps the
// stored states those a rebuild would give: under all_mastered a new,
// unassessed child makes its parent not mastered.
func testHierarchyChanges(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "tree")
	id := x.d.ID
	ok(t, s.SetPolicy(ctx, id, nil, mastery.Policy{Method: mastery.Method{Name: mastery.MostRecent}, Rollup: mastery.RollupAllMastered}, x.teacher.ID, ""))
	for _, ev := range []evidence.Evidence{
		x.ev(x.alice, 3, level(x.s1, 4), level(x.s2, 3), level(x.s3, 3)),
		x.ev(x.bob, 3, level(x.s3, 2)),
	} {
		ok(t, s.RecordEvidence(ctx, &ev))
	}
	cl, err := s.MasteryOf(ctx, id, x.alice.ID, x.cluster.ID)
	ok(t, err)
	if !cl.Mastered {
		t.Fatalf("alice's cluster is not mastered with s1 and s2 mastered: %+v", cl.State)
	}
	s4 := standards.Standard{DistrictID: id, FrameworkID: x.fw.ID, ParentID: &x.cluster.ID, Code: "6.RP.A.3", Statement: "Solve problems", Position: 3}
	ok(t, s.CreateStandard(ctx, &s4))
	cl, err = s.MasteryOf(ctx, id, x.alice.ID, x.cluster.ID)
	ok(t, err)
	if cl.Mastered || len(cl.Explanation.Children) != 3 {
		t.Errorf("after a new unassessed child the cluster is %+v, want not mastered with 3 children", cl.State)
	}
	check := func(when string) {
		t.Helper()
		before := allStates(t, e, x)
		_, err := s.RebuildMastery(ctx, id, nil)
		ok(t, err)
		if diff := cmp.Diff(before, allStates(t, e, x), equateEmpty); diff != "" {
			t.Errorf("%s: stored states differ from rebuilt (-stored +rebuilt):\n%s", when, diff)
		}
	}
	check("after adding a standard")
	x.s3.ParentID = &x.cluster.ID
	ok(t, s.UpdateStandard(ctx, &x.s3))
	check("after moving a standard")
	x.s1.Position = 9
	ok(t, s.UpdateStandard(ctx, &x.s1))
	check("after reordering")
}

// testConcurrentWriters records and voids evidence of the same students
// from several goroutines at once, while the policy changes. Whatever order
// the transactions run in, the stored states must be those a rebuild gives:
// no writer may compute a student's mastery without evidence another one
// committed.
// testRetiredStandard retires a standard by changing it: its parent's
// rollup goes on without it in the same write, it takes no new evidence,
// and bringing it back puts it in the rollup again.
func testRetiredStandard(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "retired")
	ok(t, s.RecordEvidence(ctx, ptr(x.ev(x.alice, 2, level(x.s1, 2), level(x.s2, 4)))))
	value := func(st standards.Standard) float64 {
		t.Helper()
		ms, err := s.MasteryOf(ctx, x.d.ID, x.alice.ID, st.ID)
		ok(t, err)
		return ms.Value
	}
	if got := value(x.cluster); got != 3 {
		t.Fatalf("cluster before: %g, want 3 (the mean of 2 and 4)", got)
	}

	x.s2.Retired = true
	ok(t, s.UpdateStandard(ctx, &x.s2))
	if got, want := value(x.cluster), value(x.s1); got != want {
		t.Errorf("cluster with s2 retired: %g, want %g as s1 alone gives", got, want)
	}
	if got, want := value(x.domain), value(x.s1); got != want {
		t.Errorf("domain with s2 retired: %g, want %g as s1 alone gives", got, want)
	}
	if got := value(x.s2); got != 4 {
		t.Errorf("retired s2: %g, want its own 4", got)
	}
	err := s.RecordEvidence(ctx, ptr(x.ev(x.alice, 1, level(x.s1, 3), level(x.s2, 1))))
	wantInvalid(t, err, -1, "scores[1].standardId", "is retired")
	stds, err := s.CourseStandards(ctx, x.d.ID, x.course.ID)
	ok(t, err)
	if got, want := codes(stds), []string{x.cluster.Code, x.s1.Code, x.s3.Code}; !slices.Equal(got, want) {
		t.Errorf("course standards with s2 retired %v, want %v", got, want)
	}

	x.s2.Retired = false
	ok(t, s.UpdateStandard(ctx, &x.s2))
	if got := value(x.cluster); got != 3 {
		t.Errorf("cluster with s2 back: %g, want 3", got)
	}
	ok(t, s.RecordEvidence(ctx, ptr(x.ev(x.alice, 1, level(x.s2, 1)))))

	// Under a retired parent: with the cluster retired, the domain rolls
	// s1 and s2 up itself, and retiring s2 then recomputes the domain, the
	// standard that rolled s2 up, not the retired cluster alone. What the
	// writes leave is what a rebuild from the evidence gives.
	x.cluster.Retired = true
	ok(t, s.UpdateStandard(ctx, &x.cluster))
	x.s2.Retired = true
	ok(t, s.UpdateStandard(ctx, &x.s2))
	if got, want := value(x.domain), value(x.s1); got != want {
		t.Errorf("domain with the cluster and s2 retired: %g, want %g as s1 alone gives", got, want)
	}
	before := statesOf(t, e, x.d.ID, x.alice.ID)
	_, err = s.RebuildMastery(ctx, x.d.ID, nil)
	ok(t, err)
	if diff := cmp.Diff(before, statesOf(t, e, x.d.ID, x.alice.ID), equateEmpty); diff != "" {
		t.Errorf("retiring under a retired parent left states a rebuild changes (-written +rebuilt):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

func testConcurrentWriters(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "busy")
	id := x.d.ID
	students := []roster.Person{x.alice, x.bob}
	leaves := []standards.Standard{x.s1, x.s2, x.s3}
	const writers, each = 4, 12
	errs := make(chan error, writers+1)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			ev := func() evidence.Evidence {
				st := students[rng.IntN(len(students))]
				return x.ev(st, 1+rng.IntN(20), level(leaves[rng.IntN(len(leaves))], float64(1+rng.IntN(4))))
			}
			for i := range each {
				var err error
				switch i % 4 {
				case 0, 1:
					one := ev()
					err = s.RecordEvidence(ctx, &one)
				case 2:
					err = s.RecordEvidenceBatch(ctx, []evidence.Evidence{ev(), ev(), ev()})
				case 3:
					one := ev()
					if err = s.RecordEvidence(ctx, &one); err == nil {
						err = s.VoidEvidence(ctx, id, one.ID, x.teacher.ID, "entered twice")
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		pol := mastery.Policy{Method: mastery.Method{Name: mastery.Mean}, Rollup: mastery.RollupLowest}
		if err := s.SetPolicy(ctx, id, nil, pol, x.teacher.ID, "mid-term change"); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	before := allStates(t, e, x)
	stats, err := s.RebuildMastery(ctx, id, nil)
	ok(t, err)
	if want := writers * each / 4 * (2 + 3); stats.Evidence != want {
		t.Errorf("rebuild counted %d pieces of evidence, want %d", stats.Evidence, want)
	}
	if diff := cmp.Diff(before, allStates(t, e, x), equateEmpty); diff != "" {
		t.Errorf("states written by concurrent writers differ from rebuilt ones (-stored +rebuilt):\n%s", diff)
	}
}

// testDistrictLanguage keeps the language a district writes its own text
// in: English unless it says otherwise, a BCP 47 tag in RFC 5646's case,
// and a clear refusal of anything else.
func testDistrictLanguage(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := roster.District{Name: "Riverside"}
	ok(t, s.CreateDistrict(ctx, &d))
	got, err := s.District(ctx, d.ID)
	ok(t, err)
	if got.Language != "en" {
		t.Errorf("a district created without a language writes in %q, want en", got.Language)
	}
	es := roster.District{Name: "Valle", Language: "es-mx"}
	ok(t, s.CreateDistrict(ctx, &es))
	ok(t, s.SetDistrictLanguage(ctx, d.ID, "ES"))
	ds, err := s.Districts(ctx)
	ok(t, err)
	var langs []string
	for _, x := range ds {
		langs = append(langs, x.Language)
	}
	if diff := cmp.Diff([]string{"es", "es-MX"}, langs); diff != "" {
		t.Errorf("districts' languages (-want +got):\n%s", diff)
	}
	wantInvalid(t, s.SetDistrictLanguage(ctx, d.ID, "Spanish"), -1, "language", "not a language tag")
	wantInvalid(t, s.CreateDistrict(ctx, &roster.District{Name: "Bad", Language: "en_US"}), -1, "language", "not a language tag")
	wantKind(t, s.SetDistrictLanguage(ctx, 999999, "en"), problem.ErrNotFound, "999999")
	got, err = s.District(ctx, d.ID)
	ok(t, err)
	if got.Language != "es" {
		t.Errorf("after a refused change the district writes in %q, want es kept", got.Language)
	}
}
