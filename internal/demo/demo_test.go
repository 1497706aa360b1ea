package demo

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// testNow is a Monday afternoon in late November, a third of the way
// through the 2026-27 school year.
var testNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.FixedZone("CST", -6*3600))

// generated caches the default district and its evidence: the tests only
// read them.
var generated = sync.OnceValues(func() (*Dataset, error) { return Generate(Options{Seed: 1, Now: testNow}) })

func defaultDataset(t *testing.T) (*Dataset, []Evidence) {
	t.Helper()
	ds, err := generated()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return ds, defaultEvidence(ds)
}

var evidenceOnce sync.Once
var evidenceCache []Evidence

func defaultEvidence(ds *Dataset) []Evidence {
	evidenceOnce.Do(func() { evidenceCache = slices.Collect(ds.Evidence()) })
	return evidenceCache
}

// quickDiff is cmp.Diff, quick when x and y are the same: reflect.DeepEqual
// is stricter than cmp and much faster over a whole district (minutes
// faster under the race detector), so cmp walks only what it finds
// different, and has the last word.
func quickDiff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(Options{Seed: 7, Now: testNow, Students: 60})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(Options{Seed: 7, Now: testNow, Students: 60})
	if err != nil {
		t.Fatal(err)
	}
	if diff := quickDiff(a, b); diff != "" {
		t.Errorf("two districts from seed 7 differ (-first +second):\n%s", diff)
	}
	ea, eb := slices.Collect(a.Evidence()), slices.Collect(b.Evidence())
	if diff := quickDiff(ea, eb); diff != "" {
		t.Errorf("the evidence of two districts from seed 7 differs (-first +second):\n%s", diff)
	}
	if len(ea) == 0 {
		t.Fatal("no evidence")
	}

	c, err := Generate(Options{Seed: 8, Now: testNow, Students: 60})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(a.People, c.People) {
		t.Error("seeds 7 and 8 give the same people")
	}
	if cmp.Equal(a.Profiles, c.Profiles) {
		t.Error("seeds 7 and 8 give the same profiles")
	}
	if ec := slices.Collect(c.Evidence()); cmp.Equal(ea, ec) {
		t.Error("seeds 7 and 8 give the same evidence")
	}
	// The frameworks are the same whatever the seed.
	if diff := cmp.Diff(a.Frameworks, c.Frameworks); diff != "" {
		t.Errorf("frameworks depend on the seed:\n%s", diff)
	}
}

// A later date adds evidence after the earlier one's and changes none
// before it, so that the demo of one day and the next tell the same story.
func TestEvidenceGrowsWithTheDate(t *testing.T) {
	early, err := Generate(Options{Seed: 3, Now: testNow, Students: 60})
	if err != nil {
		t.Fatal(err)
	}
	later, err := Generate(Options{Seed: 3, Now: testNow.AddDate(0, 0, 14), Students: 60})
	if err != nil {
		t.Fatal(err)
	}
	var want []Evidence
	for ev := range later.Evidence() {
		if !ev.AssessedAt.After(testNow) {
			want = append(want, ev)
		}
	}
	got := slices.Collect(early.Evidence())
	if diff := quickDiff(want, got); diff != "" {
		t.Errorf("evidence up to %s differs between the two dates (-later +earlier):\n%s", testNow, diff)
	}
}

func TestGenerateOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		field   string // the field an invalid option is reported on
		schools int
	}{
		{name: "no date", opts: Options{Seed: 1}, field: "now"},
		{name: "too few students", opts: Options{Seed: 1, Now: testNow, Students: 5}, field: "students"},
		{name: "default size", opts: Options{Seed: 1, Now: testNow}, schools: 2},
		{name: "small", opts: Options{Seed: 1, Now: testNow, Students: 40}, schools: 2},
		{name: "large", opts: Options{Seed: 1, Now: testNow, Students: 3000}, schools: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Generate(tt.opts)
			if tt.field != "" {
				var ie *problem.InvalidError
				if !errors.As(err, &ie) || ie.Fields[0].Field != tt.field {
					t.Fatalf("Generate(%+v) = %v, want an invalid %q", tt.opts, err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.opts.Students
			if want == 0 {
				want = DefaultStudents
			}
			if got := countRole(ds, roster.RoleStudent); got != want {
				t.Errorf("students = %d, want %d", got, want)
			}
			if got := len(ds.Schools); got != tt.schools {
				t.Errorf("schools = %d, want %d", got, tt.schools)
			}
			for _, c := range ds.Classes {
				if n := classSize(ds, c.SourcedID); n > 30 || n < 1 {
					t.Errorf("class %s has %d students, want 1 to 30", c.SourcedID, n)
				}
			}
		})
	}
}

func countRole(ds *Dataset, r roster.Role) int {
	n := 0
	for _, p := range ds.People {
		if p.Has(r) {
			n++
		}
	}
	return n
}

func classSize(ds *Dataset, class string) int {
	n := 0
	for _, e := range ds.Enrollments {
		if e.Class == class && e.Role == roster.EnrolledStudent {
			n++
		}
	}
	return n
}

func TestDistrictShape(t *testing.T) {
	ds, _ := defaultDataset(t)
	people := map[string]Person{}
	for _, p := range ds.People {
		people[p.SourcedID] = p
	}
	between := func(name string, got, lo, hi int) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %d, want %d to %d", name, got, lo, hi)
		}
	}
	between("schools", len(ds.Schools), 2, 2)
	between("courses", len(ds.Courses), 6, 6)
	between("teachers", countRole(ds, roster.RoleTeacher), 12, 16)
	between("students", countRole(ds, roster.RoleStudent), 300, 300)
	between("district administrators", countRole(ds, roster.RoleDistrictAdmin), 1, 1)
	between("school administrators", countRole(ds, roster.RoleSchoolAdmin), 2, 2)
	between("coaches", countRole(ds, roster.RoleCoach), 1, 1)
	between("frameworks", len(ds.Frameworks), 4, 4)

	// The school year and its four quarters, which hold Now.
	year := ds.Terms[0]
	if year.Type != roster.TermSchoolYear || year.StartDate.After(testNow) || year.EndDate.Before(testNow) {
		t.Errorf("school year %s %s..%s does not hold %s", year.Type, year.StartDate, year.EndDate, testNow)
	}
	if len(ds.Terms) != 5 {
		t.Fatalf("%d terms, want the year and four quarters", len(ds.Terms))
	}
	for i, q := range ds.Terms[1:] {
		if q.Parent != year.SourcedID || q.Type != roster.TermGradingPeriod {
			t.Errorf("quarter %d: parent %q type %s, want %q gradingPeriod", i+1, q.Parent, q.Type, year.SourcedID)
		}
		if i > 0 && !q.StartDate.After(ds.Terms[i].EndDate) {
			t.Errorf("quarter %d starts %s, before quarter %d ends", i+1, q.StartDate, i)
		}
		if q.StartDate.Before(year.StartDate) || q.EndDate.After(year.EndDate) {
			t.Errorf("quarter %d %s..%s is outside the year", i+1, q.StartDate, q.EndDate)
		}
	}

	// Classes of 22-30, teachers with about two classes each, every student
	// in one math and one ELA class of their grade.
	courses := map[string]Course{}
	for _, c := range ds.Courses {
		courses[c.SourcedID] = c
	}
	classOf := map[string]Class{}
	for _, c := range ds.Classes {
		classOf[c.SourcedID] = c
		between("size of class "+c.SourcedID, classSize(ds, c.SourcedID), 22, 30)
	}
	taught := map[string]int{}
	subjects := map[string][]string{}
	for _, e := range ds.Enrollments {
		c := classOf[e.Class]
		if e.Role == roster.EnrolledTeacher {
			if e.Primary {
				taught[e.Person]++
			}
			continue
		}
		course := courses[c.Course]
		if "0"+course.Grade != people[e.Person].Grade {
			t.Errorf("student %s of grade %s is in %s of grade %s", e.Person, people[e.Person].Grade, c.SourcedID, course.Grade)
		}
		subjects[e.Person] = append(subjects[e.Person], course.Subject)
	}
	for id, subj := range subjects {
		slices.Sort(subj)
		if !slices.Equal(subj, []string{SubjectELA, SubjectMath}) {
			t.Errorf("student %s is in classes of %v, want one ELA and one math", id, subj)
		}
	}
	for id, n := range taught {
		between("classes of teacher "+id, n, 1, 3)
	}
	if got := classSize(ds, ds.Featured.Class); got != 28 {
		t.Errorf("the featured class has %d students, want 28", got)
	}
	if c := classOf[ds.Featured.Class]; courses[c.Course].Code != "MATH6" {
		t.Errorf("the featured class is of %s, want MATH6", courses[c.Course].Code)
	}
	coTaught := 0
	for _, e := range ds.Enrollments {
		if e.Class == ds.Featured.Class && e.Role == roster.EnrolledTeacher {
			coTaught++
		}
	}
	if coTaught != 2 {
		t.Errorf("the featured class has %d teachers, want a teacher and a co-teacher", coTaught)
	}

	// Guardians: one or two per student, families with two children, some
	// preferring Spanish, and the featured guardian one of them.
	guardiansOf := map[string]int{}
	childrenOf := map[string][]string{}
	for _, g := range ds.Guardianship {
		if !people[g.Guardian].Has(roster.RoleGuardian) || !people[g.Student].Has(roster.RoleStudent) {
			t.Errorf("guardianship %+v links the wrong roles", g)
		}
		guardiansOf[g.Student]++
		childrenOf[g.Guardian] = append(childrenOf[g.Guardian], g.Student)
	}
	for _, p := range ds.People {
		if p.Has(roster.RoleStudent) {
			between("guardians of "+p.SourcedID, guardiansOf[p.SourcedID], 1, 2)
		}
	}
	twoChildren, spanish := 0, 0
	for id, kids := range childrenOf {
		if len(kids) >= 2 {
			twoChildren++
		}
		if people[id].Language == "es" {
			spanish++
		}
	}
	between("guardians with two children", twoChildren, 20, 80)
	between("guardians preferring Spanish", spanish, 20, 120)
	fg := people[ds.Featured.Guardian]
	if fg.Language != "es" || len(childrenOf[fg.SourcedID]) != 2 || !slices.Contains(childrenOf[fg.SourcedID], ds.Featured.Student) {
		t.Errorf("featured guardian %s prefers %q and has children %v, want Spanish and two children, one of them %s",
			fg.SourcedID, fg.Language, childrenOf[fg.SourcedID], ds.Featured.Student)
	}
	multi := 0
	for _, p := range ds.People {
		if len(p.Roles) > 1 {
			multi++
		}
	}
	between("people with two roles", multi, 1, 2)

	// Sign-in names: unique, firstname.lastname at the district's domain.
	seen := map[string]bool{}
	pattern := regexp.MustCompile(`^[a-z-]+\.[a-z-]+[0-9]*@` + regexp.QuoteMeta(ds.Domain) + `$`)
	for _, p := range ds.People {
		if seen[p.Username] {
			t.Errorf("username %s is used twice", p.Username)
		}
		seen[p.Username] = true
		if !pattern.MatchString(p.Email) || !strings.HasPrefix(p.Email, p.Username+"@") {
			t.Errorf("%s %s: email %q, username %q", p.SourcedID, p.Name(), p.Email, p.Username)
		}
		if err := p.Person.Validate(); err != nil {
			t.Errorf("%s: %v", p.SourcedID, err)
		}
	}

	// The heatmap of each course shows 20 to 60 standards.
	for _, cs := range ds.CourseStandards {
		between("standards of "+cs.Course, len(cs.Standards), 20, 60)
	}
}

// Demographics are present for every student, in plausible proportions.
func TestDemographics(t *testing.T) {
	ds, _ := defaultDataset(t)
	n := float64(len(ds.Demographics))
	if n != float64(countRole(ds, roster.RoleStudent)) {
		t.Fatalf("%g demographics for %d students", n, countRole(ds, roster.RoleStudent))
	}
	share := map[string]float64{}
	start := schoolYearOf(testNow).year
	grade := map[string]string{}
	for _, p := range ds.People {
		grade[p.SourcedID] = p.Grade
	}
	for _, d := range ds.Demographics {
		for name, b := range map[string]*bool{"hispanic": d.HispanicOrLatino, "english learner": d.EnglishLearner,
			"disability": d.Disability, "economically disadvantaged": d.EconomicallyDisadvantaged} {
			if b == nil {
				t.Fatalf("%s: %s not set", d.Student, name)
			}
			if *b {
				share[name] += 1 / n
			}
		}
		for _, r := range d.Races {
			share[r] += 1 / n
		}
		if d.Sex != "male" && d.Sex != "female" {
			t.Errorf("%s: sex %q", d.Student, d.Sex)
		}
		// An 11-year-old starts grade 6.
		age := start - d.BirthDate.Year()
		if d.BirthDate.Month() >= time.September {
			age--
		}
		if want := int(grade[d.Student][1]-'0') + 5; age != want {
			t.Errorf("%s in grade %s was born %s: %d on 1 September, want %d", d.Student, grade[d.Student],
				d.BirthDate.Format(time.DateOnly), age, want)
		}
	}
	ranges := map[string][2]float64{
		"hispanic": {0.18, 0.40}, "english learner": {0.04, 0.20}, "disability": {0.08, 0.22},
		"economically disadvantaged": {0.30, 0.55}, raceWhite: {0.45, 0.85}, raceBlack: {0.08, 0.25},
		raceAsian: {0.03, 0.14},
	}
	for name, r := range ranges {
		if s := share[name]; s < r[0] || s > r[1] {
			t.Errorf("%s: %.0f%% of students, want %.0f%% to %.0f%%", name, 100*s, 100*r[0], 100*r[1])
		}
	}
}

// Every SourcedID a record refers to names a record of the right kind.
func TestReferencesResolve(t *testing.T) {
	ds, evs := defaultDataset(t)
	ids := map[string]string{} // SourcedID -> kind
	add := func(kind, id string) {
		t.Helper()
		if id == "" {
			t.Errorf("a %s has no SourcedID", kind)
		}
		if k, dup := ids[id]; dup {
			t.Errorf("SourcedID %s is both a %s and a %s", id, k, kind)
		}
		ids[id] = kind
	}
	want := func(kind, id, what string) {
		t.Helper()
		if ids[id] != kind {
			t.Errorf("%s refers to %q, which is no %s", what, id, kind)
		}
	}
	for _, s := range ds.Schools {
		add("school", s.SourcedID)
	}
	for _, tm := range ds.Terms {
		add("term", tm.SourcedID)
	}
	for _, tm := range ds.Terms[1:] {
		want("term", tm.Parent, "term "+tm.SourcedID)
	}
	for _, c := range ds.Courses {
		add("course", c.SourcedID)
	}
	people := map[string]Person{}
	for _, p := range ds.People {
		add("person", p.SourcedID)
		people[p.SourcedID] = p
		for _, s := range p.Schools {
			want("school", s, "person "+p.SourcedID)
		}
	}
	for _, c := range ds.Classes {
		add("class", c.SourcedID)
		want("school", c.School, "class "+c.SourcedID)
		want("course", c.Course, "class "+c.SourcedID)
		want("term", c.Term, "class "+c.SourcedID)
	}
	for _, e := range ds.Enrollments {
		add("enrollment", e.SourcedID)
		want("class", e.Class, "enrollment "+e.SourcedID)
		want("person", e.Person, "enrollment "+e.SourcedID)
		role := roster.RoleStudent
		if e.Role == roster.EnrolledTeacher {
			role = roster.RoleTeacher
		}
		if !people[e.Person].Has(role) {
			t.Errorf("enrollment %s: %s is enrolled as %s without the role", e.SourcedID, e.Person, e.Role)
		}
	}
	for _, g := range ds.Guardianship {
		want("person", g.Guardian, "guardianship")
		want("person", g.Student, "guardianship")
	}
	for _, d := range ds.Demographics {
		want("person", d.Student, "demographics")
	}
	for _, p := range ds.Profiles {
		want("person", p.Student, "profile")
	}
	for _, f := range ds.Frameworks {
		add("framework", f.SourcedID)
	}
	frameworkOf := map[string]string{}
	for _, s := range ds.Standards {
		add("standard", s.SourcedID)
		frameworkOf[s.SourcedID] = s.Framework
		want("framework", s.Framework, "standard "+s.SourcedID)
		if s.Parent != "" {
			// Parents come first, in the same framework, so Load can create
			// them in order.
			want("standard", s.Parent, "standard "+s.SourcedID)
			if frameworkOf[s.Parent] != s.Framework {
				t.Errorf("standard %s has its parent %s in another framework", s.SourcedID, s.Parent)
			}
		}
	}
	for _, p := range ds.Prerequisites {
		want("standard", p.Standard, "prerequisite")
		want("standard", p.Prerequisite, "prerequisite")
	}
	for _, cs := range ds.CourseStandards {
		want("course", cs.Course, "course standards")
		for _, s := range cs.Standards {
			want("standard", s, "course standards of "+cs.Course)
		}
	}
	for _, p := range ds.Pacing {
		want("course", p.Course, "pacing")
		want("standard", p.Standard, "pacing of "+p.Course)
	}
	want("class", ds.Featured.Class, "featured class")
	for _, id := range []string{ds.Featured.Teacher, ds.Featured.Student, ds.Featured.Guardian, ds.Featured.Admin} {
		want("person", id, "featured")
	}
	for i, ev := range evs {
		what := fmt.Sprintf("evidence %d", i)
		want("person", ev.Student, what)
		want("class", ev.Class, what)
		want("person", ev.RecordedBy, what)
		if len(ev.Standards) != len(ev.Scores) {
			t.Fatalf("%s: %d standards for %d scores", what, len(ev.Standards), len(ev.Scores))
		}
		for _, s := range ev.Standards {
			want("standard", s, what)
		}
		if ev.Voided != nil {
			want("person", ev.Voided.By, what)
		}
	}
}

// The prerequisites make no cycle: adding them one by one to a
// standards.Graph never meets one. Each course teaches a standard after its
// prerequisites in the same course.
func TestPrerequisitesHaveNoCycle(t *testing.T) {
	ds, _ := defaultDataset(t)
	num := map[string]int64{}
	var all []standards.Standard
	for i, s := range ds.Standards {
		num[s.SourcedID] = int64(i + 1)
		all = append(all, standards.Standard{ID: int64(i + 1)})
	}
	var added []standards.Prerequisite
	for _, p := range ds.Prerequisites {
		e := standards.Prerequisite{StandardID: num[p.Standard], PrerequisiteID: num[p.Prerequisite]}
		if err := standards.NewGraph(all, added).CheckPrerequisite(e.StandardID, e.PrerequisiteID); err != nil {
			t.Fatalf("%s before %s: %v", p.Prerequisite, p.Standard, err)
		}
		added = append(added, e)
	}
	if len(added) < 100 {
		t.Errorf("%d prerequisites, want the math progressions and every ELA standard's counterpart", len(added))
	}
	start := map[[2]string]time.Time{}
	for _, p := range ds.Pacing {
		start[[2]string{p.Course, p.Standard}] = p.Start
	}
	for _, p := range ds.Prerequisites {
		for _, c := range ds.Courses {
			s, ok1 := start[[2]string{c.SourcedID, p.Standard}]
			pre, ok2 := start[[2]string{c.SourcedID, p.Prerequisite}]
			if ok1 && ok2 && pre.After(s) {
				t.Errorf("%s teaches %s (%s) before its prerequisite %s (%s)", c.Code, p.Standard,
					s.Format(time.DateOnly), p.Prerequisite, pre.Format(time.DateOnly))
			}
		}
	}
}

func TestFrameworks(t *testing.T) {
	ds, _ := defaultDataset(t)
	// Every demo framework is written in English: a Spanish page marks it.
	for _, f := range ds.Frameworks {
		if f.Language != "en" {
			t.Errorf("framework %s: language %q, want en", f.SourcedID, f.Language)
		}
	}
	byCode := map[string]Standard{}
	byID := map[string]Standard{}
	count := map[string]int{}
	for _, s := range ds.Standards {
		byID[s.SourcedID] = s
		if s.Code != "" {
			byCode[s.Code] = s
		}
		if s.Type == "Standard" {
			count[s.Framework]++
		}
	}
	tests := []struct {
		code, sourcedID, parentStatement, typ string
		levels                                []string
	}{
		// CASE identifiers and the hierarchy come from the OpenSALT file.
		{"L.6.1", "8cca7e42-885d-11e7-aa3f-259ea9bb96cf", "Conventions of Standard English", "Standard", []string{"06"}},
		{"RL.8.1", "", "Key Ideas and Details", "Standard", []string{"08"}},
		{"W.7.1a", "", "", "Component", []string{"07"}},
		{"6.RP.A.2", "CCSS.Math.Content.6.RP.A.2", "Understand ratio concepts and use ratio reasoning to solve problems.", "Standard", []string{"06"}},
		{"6.RP.A.3a", "CCSS.Math.Content.6.RP.A.3a", "", "Component", []string{"06"}},
		{"6.RP.A", "", "Ratios and Proportional Relationships", "Cluster", []string{"06"}},
		{"4C.CL.1", "cairn-demo:4C.CL.1", "Collaboration", "Standard", []string{"06", "07", "08"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s, ok := byCode[tt.code]
			if !ok {
				t.Fatalf("no standard %s", tt.code)
			}
			if tt.sourcedID != "" && s.SourcedID != tt.sourcedID {
				t.Errorf("SourcedID %q, want %q", s.SourcedID, tt.sourcedID)
			}
			if tt.parentStatement != "" && byID[s.Parent].Statement != tt.parentStatement {
				t.Errorf("parent %q, want %q", byID[s.Parent].Statement, tt.parentStatement)
			}
			if s.Type != tt.typ || !slices.Equal(s.EducationLevels, tt.levels) {
				t.Errorf("type %q levels %v, want %q %v", s.Type, s.EducationLevels, tt.typ, tt.levels)
			}
		})
	}
	for fw, want := range map[string][2]int{frameworkELA: {123, 123}, frameworkMath: {60, 75},
		frameworkDispositions: {8, 12}, frameworkProfessional: {0, 0}} {
		if n := count[fw]; n < want[0] || n > want[1] {
			t.Errorf("%s has %d standards, want %d to %d", fw, n, want[0], want[1])
		}
	}
	prereq := map[[2]string]bool{}
	for _, p := range ds.Prerequisites {
		prereq[[2]string{byID[p.Prerequisite].Code, byID[p.Standard].Code}] = true
	}
	for _, e := range [][2]string{{"6.RP.A.1", "6.RP.A.2"}, {"6.RP.A.2", "6.RP.A.3"}, {"6.RP.A.3", "7.RP.A.2"},
		{"RL.6.1", "RL.7.1"}, {"L.7.6", "L.8.6"}} {
		if !prereq[e] {
			t.Errorf("%s is not a prerequisite of %s", e[0], e[1])
		}
	}
}

func TestCalendar(t *testing.T) {
	tests := []struct {
		now        string
		start, end string
	}{
		{"2026-11-23", "2026-08-17", "2027-06-04"},
		{"2026-08-17", "2026-08-17", "2027-06-04"}, // the first day
		{"2026-08-14", "2025-08-18", "2026-06-05"}, // summer: the year just ended
		{"2026-07-01", "2025-08-18", "2026-06-05"},
		{"2027-03-01", "2026-08-17", "2027-06-04"},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			now, _ := time.Parse(time.DateOnly, tt.now)
			c := schoolYearOf(now)
			if got := c.start.Format(time.DateOnly); got != tt.start {
				t.Errorf("start %s, want %s", got, tt.start)
			}
			if got := c.end.Format(time.DateOnly); got != tt.end {
				t.Errorf("end %s, want %s", got, tt.end)
			}
			if n := len(c.days); n < 175 || n > 190 {
				t.Errorf("%d school days, want about 180", n)
			}
			for _, d := range c.days {
				if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || d.Month() == time.December && d.Day() == 25 {
					t.Errorf("%s is a school day", d.Format("Mon 2006-01-02"))
				}
			}
			for q := 1; q < 4; q++ {
				if c.quarters[q][0] != c.quarters[q-1][1]+1 {
					t.Errorf("quarter %d starts at day %d, quarter %d ends at day %d", q+1, c.quarters[q][0], q, c.quarters[q-1][1])
				}
			}
		})
	}
}

// Evidence lies between the first day of school and Now, and within the
// school year, whatever the date.
func TestEvidenceWithinTheYear(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 8, 19, 10, 30, 0, 0, time.UTC), // the third morning of school
		testNow,
		time.Date(2027, 7, 10, 12, 0, 0, 0, time.UTC), // summer: the whole past year
	} {
		t.Run(now.Format(time.DateOnly), func(t *testing.T) {
			ds, err := Generate(Options{Seed: 2, Now: now, Students: 60})
			if err != nil {
				t.Fatal(err)
			}
			year := ds.Terms[0]
			n := 0
			var latest time.Time
			for ev := range ds.Evidence() {
				n++
				if ev.AssessedAt.After(now) || ev.AssessedAt.Before(year.StartDate) || ev.AssessedAt.After(year.EndDate.AddDate(0, 0, 1)) {
					t.Fatalf("evidence assessed %s, outside %s..%s and Now %s", ev.AssessedAt, year.StartDate, year.EndDate, now)
				}
				if ev.AssessedAt.After(latest) {
					latest = ev.AssessedAt
				}
			}
			if n == 0 {
				t.Fatal("no evidence")
			}
			if gap := now.Sub(latest); now.Before(year.EndDate) && gap > 24*time.Hour {
				t.Errorf("the latest evidence is %s before Now", gap)
			}
		})
	}
}

func TestEvidenceVolume(t *testing.T) {
	tests := []struct {
		now    time.Time
		lo, hi int
	}{
		{testNow, 18000, 32000},
		{time.Date(2027, 1, 20, 15, 0, 0, 0, time.UTC), 25000, 45000},
		{time.Date(2027, 6, 30, 15, 0, 0, 0, time.UTC), 50000, 80000},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.DateOnly), func(t *testing.T) {
			ds, err := Generate(Options{Seed: 1, Now: tt.now})
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[evidence.Kind]int{}
			n, points := 0, 0
			for ev := range ds.Evidence() {
				n++
				kinds[ev.Kind]++
				if ev.Scores[0].Points != nil {
					points++
				}
			}
			if n < tt.lo || n > tt.hi {
				t.Errorf("%d records, want %d to %d", n, tt.lo, tt.hi)
			}
			if f := float64(kinds[evidence.Formative]) / float64(n); f < 0.5 || f > 0.85 {
				t.Errorf("%.0f%% formative, want most", 100*f)
			}
			for _, k := range []evidence.Kind{evidence.Interim, evidence.Summative, evidence.PerformanceTask,
				evidence.Observation, evidence.SelfAssessment} {
				if kinds[k] == 0 {
					t.Errorf("no %s evidence", k)
				}
			}
			if f := float64(points) / float64(n); f < 0.1 || f > 0.5 {
				t.Errorf("%.0f%% of records in points, want some", 100*f)
			}
		})
	}
}

// Every record passes the validation the store applies, on the one scale.
func TestScoresAreValid(t *testing.T) {
	ds, evs := defaultDataset(t)
	num := map[string]int64{}
	for i, s := range ds.Standards {
		num[s.SourcedID] = int64(i + 1)
	}
	scaleOf := func(id int64) (standards.Scale, bool) { return ds.Scale, id > 0 && id <= int64(len(ds.Standards)) }
	if diff := cmp.Diff(standards.DefaultScale(), ds.Scale); diff != "" {
		t.Errorf("scale is not the default one:\n%s", diff)
	}
	for i, ev := range evs {
		e := ev.Evidence
		e.StudentID = 1
		e.Scores = slices.Clone(e.Scores)
		for j := range e.Scores {
			e.Scores[j].StandardID = num[ev.Standards[j]]
		}
		if err := e.Validate(ds.Now, scaleOf); err != nil {
			t.Fatalf("record %d (%s): %v", i, ev.Title, err)
		}
		for j, sc := range e.Scores {
			if sc.Value != ev.Scores[j].Value {
				t.Fatalf("record %d score %d: value %g, the store would compute %g", i, j, ev.Scores[j].Value, sc.Value)
			}
			if sc.Level != nil && *sc.Level != math.Trunc(*sc.Level) {
				t.Fatalf("record %d: level %g", i, *sc.Level)
			}
			if sc.Points != nil && sc.MaxPoints != 10 && sc.MaxPoints != 20 {
				t.Fatalf("record %d: points out of %g", i, sc.MaxPoints)
			}
		}
		if ev.Attempt < 1 {
			t.Fatalf("record %d: attempt %d", i, ev.Attempt)
		}
	}
}

// Attempts count the records of each student, standard and kind that
// count (not voided), in the order they were assessed.
func TestAttempts(t *testing.T) {
	_, evs := defaultDataset(t)
	type key struct {
		student, std string
		kind         evidence.Kind
	}
	seen := map[key]int{}
	retakes := 0
	for i, ev := range evs {
		if ev.Voided != nil {
			continue
		}
		want := 0
		for _, s := range ev.Standards {
			want = max(want, seen[key{ev.Student, s, ev.Kind}])
		}
		want++
		if ev.Attempt != want {
			t.Fatalf("record %d (%s, %s): attempt %d, want %d", i, ev.Student, ev.Title, ev.Attempt, want)
		}
		for _, s := range ev.Standards {
			seen[key{ev.Student, s, ev.Kind}] = want
		}
		if ev.Kind == evidence.Summative && ev.Attempt > 1 {
			retakes++
		}
	}
	if retakes == 0 {
		t.Error("no student retook a summative")
	}
}

// A few records are mistakes that the teacher voided, with a reason, and
// corrected with another record.
func TestVoidedRecords(t *testing.T) {
	_, evs := defaultDataset(t)
	reasons := map[string]int{}
	for i, ev := range evs {
		if ev.Voided == nil {
			continue
		}
		if ev.Voided.Reason == "" || ev.Voided.By != ev.RecordedBy {
			t.Errorf("record %d voided by %q (recorded by %q) for %q", i, ev.Voided.By, ev.RecordedBy, ev.Voided.Reason)
		}
		reasons[ev.Voided.Reason]++
		// The correction sits next to the mistake: same time, same class.
		var next Evidence
		if strings.HasPrefix(ev.Voided.Reason, "Duplicate") {
			next = evs[i-1]
		} else {
			next = evs[i+1]
		}
		if next.Voided != nil || !next.AssessedAt.Equal(ev.AssessedAt) || next.Class != ev.Class || next.Title != ev.Title {
			t.Errorf("record %d (%s) has no correction beside it", i, ev.Voided.Reason)
		}
		if strings.Contains(ev.Voided.Reason, "wrong student") && next.Student == ev.Student {
			t.Errorf("record %d: the correction of a wrong student is for the same student", i)
		}
	}
	total := 0
	for _, n := range reasons {
		total += n
	}
	if total < 10 || total > 200 || len(reasons) < 3 {
		t.Errorf("voided records by reason: %v; want a few dozen, for several reasons", reasons)
	}
}

// stallStats replays the evidence and sorts the values on standards with
// prerequisites by whether, just before, the evidence showed a
// prerequisite below the cut (decaying average under 3).
type stallStats struct {
	withPre, withoutPre []float64 // values on dependent standards, prerequisites mastered or not
	// stalled holds the students who are stuck now on a standard because
	// of a prerequisite.
	stalled map[string][]string // student -> standards
}

func replayStalls(ds *Dataset, evs []Evidence) stallStats {
	pre := map[string][]string{}
	for _, p := range ds.Prerequisites {
		pre[p.Standard] = append(pre[p.Standard], p.Prerequisite)
	}
	type key struct{ student, std string }
	avg, n := map[key]float64{}, map[key]int{}
	low := map[key]int{}
	st := stallStats{stalled: map[string][]string{}}
	for _, ev := range evs {
		if ev.Voided != nil {
			continue
		}
		for i, s := range ev.Standards {
			if len(pre[s]) == 0 {
				continue
			}
			mastered := true
			for _, p := range pre[s] {
				if k := (key{ev.Student, p}); n[k] > 0 && avg[k] < masteryCut {
					mastered = false
				}
			}
			v := ev.Scores[i].Value
			if mastered {
				st.withPre = append(st.withPre, v)
				continue
			}
			st.withoutPre = append(st.withoutPre, v)
			low[key{ev.Student, s}]++
		}
		for i, s := range ev.Standards {
			k := key{ev.Student, s}
			if n[k] == 0 {
				avg[k] = ev.Scores[i].Value
			} else {
				avg[k] = decayWeight*ev.Scores[i].Value + (1-decayWeight)*avg[k]
			}
			n[k]++
		}
	}
	// Stalled now: two or more records on a standard while a prerequisite
	// was below the cut, and still below the cut on both.
	for k, lows := range low {
		if lows < 2 || avg[k] >= masteryCut {
			continue
		}
		for _, p := range pre[k.std] {
			if pk := (key{k.student, p}); n[pk] > 0 && avg[pk] < masteryCut {
				st.stalled[k.student] = append(st.stalled[k.student], k.std)
				break
			}
		}
	}
	return st
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Students who have not mastered a prerequisite do clearly worse on the
// standard that depends on it, and some are visibly stuck there.
func TestStudentsStallOnUnmasteredPrerequisites(t *testing.T) {
	ds, evs := defaultDataset(t)
	st := replayStalls(ds, evs)
	with, without := mean(st.withPre), mean(st.withoutPre)
	t.Logf("mean value on a dependent standard: %.2f with its prerequisites mastered (%d records), %.2f without (%d)",
		with, len(st.withPre), without, len(st.withoutPre))
	if with-without < 0.8 {
		t.Errorf("prerequisites mastered %.2f, not mastered %.2f: want a gap of at least 0.8", with, without)
	}
	for _, v := range st.withoutPre {
		if v >= masteryCut {
			t.Fatalf("a score of %g on a standard whose prerequisite is not mastered: stalled scores stay at 1-2", v)
		}
	}
	if n := len(st.stalled); n < 15 {
		t.Errorf("%d students stalled on a prerequisite, want at least 15", n)
	}
	// The teacher's morning: a few students of the class stalled on its
	// course's standards.
	var course string
	for _, c := range ds.Classes {
		if c.SourcedID == ds.Featured.Class {
			course = c.Course
		}
	}
	mapped := map[string]bool{}
	for _, cs := range ds.CourseStandards {
		if cs.Course == course {
			for _, s := range cs.Standards {
				mapped[s] = true
			}
		}
	}
	inClass := 0
	for _, e := range ds.Enrollments {
		if e.Class == ds.Featured.Class && slices.ContainsFunc(st.stalled[e.Person], func(s string) bool { return mapped[s] }) {
			inClass++
		}
	}
	t.Logf("%d students stalled now, %d of them in the featured class on its standards", len(st.stalled), inClass)
	if inClass < 2 || inClass > 8 {
		t.Errorf("%d students of the featured class stalled, want a few", inClass)
	}
}

// Students who grow faster end the year with more standards mastered, and
// the featured student moves up a level on at least one standard.
func TestGrowth(t *testing.T) {
	ds, evs := defaultDataset(t)
	type key struct{ student, std string }
	avg := map[key]float64{}
	seq := map[key][]float64{}
	for _, ev := range evs {
		if ev.Voided != nil {
			continue
		}
		for i, s := range ev.Standards {
			k := key{ev.Student, s}
			if len(seq[k]) == 0 {
				avg[k] = ev.Scores[i].Value
			} else {
				avg[k] = decayWeight*ev.Scores[i].Value + (1-decayWeight)*avg[k]
			}
			seq[k] = append(seq[k], avg[k])
		}
	}
	mastered := map[string]float64{}
	assessed := map[string]float64{}
	for k, v := range avg {
		assessed[k.student]++
		if v >= masteryCut {
			mastered[k.student]++
		}
	}
	share := map[string][]float64{}
	for _, p := range ds.Profiles {
		share[p.Pattern] = append(share[p.Pattern], mastered[p.Student]/assessed[p.Student])
	}
	acc, str := mean(share[Accelerating]), mean(share[Struggling])
	t.Logf("share of assessed standards mastered: accelerating %.2f, steady %.2f, struggling %.2f", acc, mean(share[Steady]), str)
	if acc-str < 0.15 {
		t.Errorf("accelerating students master %.2f, struggling %.2f: want a clear difference", acc, str)
	}
	moved := false
	for k, s := range seq {
		if k.student == ds.Featured.Student && len(s) > 2 && s[0] < masteryCut && s[len(s)-1] >= masteryCut {
			moved = true
		}
	}
	if !moved {
		t.Error("the featured student crossed the mastery cut on no standard")
	}
}
