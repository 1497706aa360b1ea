package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// classHistory is the fixture's class with a past and a future student: Pia
// left it a month ago (and the school: she is at another one now), Finn
// joins it in two months. A principal of the school sees the class.
type classHistory struct {
	past, future, principal int64
}

func (f *fixture) classHistory() classHistory {
	f.t.Helper()
	ctx := context.Background()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	other := roster.School{DistrictID: f.district, Name: "Lake Middle"}
	must(f.st.CreateSchool(ctx, &other))
	person := func(given, family string, role roster.Role, school int64) int64 {
		p := roster.Person{DistrictID: f.district, GivenName: given, FamilyName: family, Roles: []roster.Role{role},
			SchoolIDs: []int64{school}, Username: strings.ToLower(given + "." + family)}
		must(f.st.CreatePerson(ctx, &p))
		return p.ID
	}
	var h classHistory
	h.past = person("Pia", "Quist", roster.RoleStudent, other.ID)
	h.future = person("Finn", "Berg", roster.RoleStudent, f.school)
	h.principal = person("Pat", "Reyes", roster.RoleSchoolAdmin, f.school)
	began, ended, begins := testNow.AddDate(0, -6, 0), testNow.AddDate(0, -1, 0), testNow.AddDate(0, 2, 0)
	must(f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: f.district, ClassID: f.class, PersonID: h.past,
		Role: roster.EnrolledStudent, BeginDate: &began, EndDate: &ended}))
	must(f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: f.district, ClassID: f.class, PersonID: h.future,
		Role: roster.EnrolledStudent, BeginDate: &begins}))
	// Pia has evidence from when she was in the class.
	f.record(h.past, "Quiz", testNow.AddDate(0, -2, 0), map[int64]float64{f.childA: 2})
	f.record(f.students[0], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3})
	return h
}

// TestClassPathsFollowEnrollmentDates: a teacher and a school
// administrator reach, through the class, exactly the students they reach
// directly. A student whose enrollment in the class ended, or has not
// begun, is on none of its lists, gets no evidence from its grid, and no
// read of them through it is logged as allowed.
func TestClassPathsFollowEnrollmentDates(t *testing.T) {
	f := newFixture(t)
	h := f.classHistory()
	current := f.students[:]
	for _, who := range []struct {
		name   string
		person int64
	}{{"teacher", f.teacher}, {"school admin", h.principal}} {
		t.Run(who.name, func(t *testing.T) {
			api := f.as(f.newToken(who.person, access.TokenWrite))
			// The direct check, to compare with.
			for _, id := range []int64{h.past} {
				wantStatus(t, api.do("GET", fmt.Sprintf("/api/v1/students/%d/mastery", id), nil), http.StatusNotFound)
			}

			var students list[struct{ ID int64 }]
			api.do("GET", fmt.Sprintf("/api/v1/classes/%d/students", f.class), nil).json(t, &students)
			var got []int64
			for _, p := range students.Items {
				got = append(got, p.ID)
			}
			if !sameIDs(got, current) {
				t.Errorf("class students %v, want %v", got, current)
			}

			var matrix classMatrixJSON
			api.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil).json(t, &matrix)
			got = got[:0]
			for _, p := range matrix.Students {
				got = append(got, p.ID)
			}
			if !sameIDs(got, current) || len(matrix.Cells) != len(current) {
				t.Errorf("matrix students %v (%d rows), want %v", got, len(matrix.Cells), current)
			}

			var one classStandardMasteryJSON
			api.do("GET", fmt.Sprintf("/api/v1/classes/%d/standards/%d/mastery", f.class, f.childA), nil).json(t, &one)
			for _, m := range one.Items {
				if m.StudentID == h.past {
					t.Errorf("the class's mastery on a standard lists the student who left")
				}
			}
			for _, m := range one.Items {
				if !slices.Contains(current, m.StudentID) {
					t.Errorf("the class's mastery on a standard lists student %d", m.StudentID)
				}
			}

			var enr list[roster.Enrollment]
			api.do("GET", fmt.Sprintf("/api/v1/classes/%d/enrollments", f.class), nil).json(t, &enr)
			for _, e := range enr.Items {
				if e.PersonID == h.past {
					t.Errorf("the enrollments list the student who left the school: %+v", e)
				}
				if e.PersonID == h.future && who.person == f.teacher {
					t.Errorf("the teacher sees the enrollment of a student who joins in two months: %+v", e)
				}
			}

			b := f.signedIn(who.person)
			body := wantPage(t, b.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
			grid := wantPage(t, b.get(fmt.Sprintf("/classes/%d/record?standard=%d", f.class, f.childA)), http.StatusOK)
			for _, name := range []string{"Pia", "Quist", "Finn", "Berg"} {
				if strings.Contains(body, name) {
					t.Errorf("the heatmap shows %s", name)
				}
				if strings.Contains(grid, name) {
					t.Errorf("the grid shows %s", name)
				}
			}
			if !strings.Contains(body, "Maya") || !strings.Contains(grid, "Maya") {
				t.Error("the heatmap or the grid lacks a student of the class")
			}

			// The grid records nothing for a student no longer in the class,
			// as the API refuses the same write: a score for one refuses the
			// whole grid, saying so, and one for a student who does not
			// exist reads the same.
			title := fmt.Sprintf("Exit ticket %d", who.person)
			form := url.Values{"title": {title}, "kind": {"formative"}, "assessed": {testNow.AddDate(0, 0, -1).Format("2006-01-02")},
				"standard": {fmt.Sprint(f.childA)}, cellName(f.students[1], f.childA): {"3"}}
			var refusals []string
			for _, stray := range []int64{h.past, h.future, 999999} {
				sent := url.Values{cellName(stray, f.childA): {"4"}}
				for k, v := range form {
					sent[k] = v
				}
				res := b.post(fmt.Sprintf("/classes/%d/record", f.class), sent)
				if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "Nothing was recorded") {
					t.Fatalf("grid with a score for student %d: status %d, want 422 saying nothing was recorded:\n%s", stray, res.Status, res.Body)
				}
				refusals = append(refusals, problemText(string(res.Body)))
			}
			if refusals[0] != refusals[1] || refusals[0] != refusals[2] {
				t.Errorf("the grid refuses a past, a future and a missing student in different words: %q", refusals)
			}
			for _, id := range []int64{f.students[1], h.past, h.future} {
				evs, _, err := f.st.StudentEvidence(context.Background(), f.district, id, store.EvidenceFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, ev := range evs {
					if ev.Title == title {
						t.Errorf("the grid recorded evidence for student %d, who is not in the class today", id)
					}
				}
			}
			if res := b.post(fmt.Sprintf("/classes/%d/record", f.class), form); res.Status != http.StatusSeeOther {
				t.Fatalf("grid: status %d:\n%s", res.Status, res.Body)
			}
			direct := f.evidenceBody(h.past, testNow.Add(-time.Hour), level(f.childA, 3))
			delete(direct, "recordedBy")
			if res := api.do("POST", "/api/v1/evidence", direct); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "no student") {
				t.Errorf("the API records for the student who left: %d %s", res.Status, res.Body)
			}

			// Nothing about them is logged as an allowed read or change, and
			// what is logged names the relation each student was seen on.
			wantRel := map[int64]access.Relation{f.teacher: access.TeacherOf, h.principal: access.SchoolStaff}[who.person]
			entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: who.person})
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, e := range entries {
				if !e.Allowed {
					continue
				}
				// Finn is at the principal's school: she sees him directly,
				// and so his enrollment.
				if e.StudentID == h.past || (e.StudentID == h.future && who.person == f.teacher) {
					t.Errorf("logged as allowed: %s %s of student %d on %q (%s)", e.Action, e.What, e.StudentID, e.Relation, e.Detail)
				}
				if e.Relation != wantRel {
					t.Errorf("logged on %q, want %q: %+v", e.Relation, wantRel, e)
				}
				seen++
			}
			if seen == 0 {
				t.Error("no read through the class is logged")
			}
		})
	}
}

// sameIDs reports whether a and b hold the same ids, in any order.
func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestEvidenceClassMustBeTheStudents: evidence names a class the student
// was in on the day assessed; another class of the school, another
// school's and one that does not exist are refused in the same words, and
// the evidence page never shows the title of a class the reader could not
// otherwise see.
func TestEvidenceClassMustBeTheStudents(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	const missing = 999999
	at := testNow.Add(-time.Hour)
	body := func(class int64) map[string]any {
		b := f.evidenceBody(f.students[0], at, level(f.childA, 3))
		b["classId"] = class
		delete(b, "recordedBy")
		return b
	}
	wantStatus(t, teacher.do("POST", "/api/v1/evidence", body(f.class)), http.StatusCreated)
	hidden := teacher.do("POST", "/api/v1/evidence", body(o.class))
	absent := teacher.do("POST", "/api/v1/evidence", body(missing))
	wantStatus(t, hidden, http.StatusUnprocessableEntity)
	wantStatus(t, absent, http.StatusUnprocessableEntity)
	hp, ap := hidden.problem(t), absent.problem(t)
	if strings.ReplaceAll(hp.Detail, fmt.Sprintf("class %d", o.class), "class N") != strings.ReplaceAll(ap.Detail, fmt.Sprintf("class %d", missing), "class N") || hp.Type != ap.Type {
		t.Errorf("a class of another teacher and a missing class answer differently:\n%s\n%s", hidden.Body, absent.Body)
	}
	if want := fmt.Sprintf("student %d was not enrolled in class %d on %s", f.students[0], missing, at.Format("2006-01-02")); !strings.Contains(string(absent.Body), want) {
		t.Errorf("refusal %s lacks %q", absent.Body, want)
	}

	// The batch and the grid say the same.
	batch := teacher.do("POST", "/api/v1/evidence/batch", []any{body(f.class), body(o.class)})
	wantStatus(t, batch, http.StatusUnprocessableEntity)
	if !strings.Contains(string(batch.Body), fmt.Sprintf("was not enrolled in class %d", o.class)) {
		t.Errorf("batch refusal: %s", batch.Body)
	}
}

// problemText is the grid page's problem message, the words a refusal
// shows above the grid.
func problemText(page string) string {
	i := strings.Index(page, `id="record-problem"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	if j := strings.Index(rest, "</"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
