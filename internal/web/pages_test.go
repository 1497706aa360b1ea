package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// record stores one piece of evidence for a student of the fixture's
// class, recorded by its teacher, and returns its id.
func (f *fixture) record(student int64, title string, at time.Time, levels map[int64]float64) int64 {
	f.t.Helper()
	ev := evidence.Evidence{DistrictID: f.district, StudentID: student, ClassID: &f.class, Kind: evidence.Formative,
		Title: title, AssessedAt: at, RecordedBy: f.teacher}
	for std, lv := range levels {
		ev.Scores = append(ev.Scores, evidence.Score{StandardID: std, Level: &lv})
	}
	if err := f.st.RecordEvidence(context.Background(), &ev); err != nil {
		f.t.Fatalf("RecordEvidence: %v", err)
	}
	return ev.ID
}

// linkFamily makes the fixture's guardian the guardian of its first
// student.
func (f *fixture) linkFamily() {
	f.t.Helper()
	err := f.st.LinkGuardian(context.Background(), roster.GuardianLink{DistrictID: f.district, GuardianID: f.guardian,
		StudentID: f.students[0], Relationship: "father"})
	if err != nil {
		f.t.Fatal(err)
	}
}

// otherClass is a second class of the school with its own teacher and
// student, whom the fixture's teacher has no relation to.
type otherClass struct {
	class, teacher, student int64
}

func (f *fixture) otherClass() otherClass {
	f.t.Helper()
	ctx := context.Background()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	c := roster.Class{DistrictID: f.district, SchoolID: f.school, CourseID: f.course, TermID: f.term, Title: "Math 6 (Osei)", Period: "5"}
	must(f.st.CreateClass(ctx, &c))
	teacher := roster.Person{DistrictID: f.district, GivenName: "Ben", FamilyName: "Osei", Roles: []roster.Role{roster.RoleTeacher},
		SchoolIDs: []int64{f.school}, Username: "ben.osei"}
	must(f.st.CreatePerson(ctx, &teacher))
	student := roster.Person{DistrictID: f.district, GivenName: "Zoe", FamilyName: "Park", Roles: []roster.Role{roster.RoleStudent},
		SchoolIDs: []int64{f.school}, Username: "zoe.park"}
	must(f.st.CreatePerson(ctx, &student))
	must(f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: f.district, ClassID: c.ID, PersonID: teacher.ID, Role: roster.EnrolledTeacher}))
	must(f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: f.district, ClassID: c.ID, PersonID: student.ID, Role: roster.EnrolledStudent}))
	return otherClass{class: c.ID, teacher: teacher.ID, student: student.ID}
}

func TestHomePages(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	f.record(f.students[0], "Exit ticket", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3})
	tests := []struct {
		name   string
		person int64
		home   string
		h1     string
	}{
		{"teacher", f.teacher, "/classes", "<h1>My classes</h1>"},
		{"student", f.students[0], "/me", "Maya&#39;s path"},
		{"guardian", f.guardian, fmt.Sprintf("/family/%d", f.students[0]), "Maya Chen</h1>"},
		{"district admin", f.admin, "/admin", "<h1>Administration</h1>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.signedIn(tt.person)
			to := location(t, b.get("/"))
			if to == "/family" {
				to = location(t, b.get(to))
			}
			if to != tt.home {
				t.Fatalf("home is %q, want %q", to, tt.home)
			}
			body := wantPage(t, b.get(to), http.StatusOK)
			if !strings.Contains(body, tt.h1) {
				t.Errorf("home page lacks %q:\n%s", tt.h1, body)
			}
			if !strings.Contains(body, `id="who-role"`) || !strings.Contains(body, `id="signout-form"`) {
				t.Error("the header lacks who is signed in or the way out")
			}
		})
	}
	// A visitor sees the landing page with the way in.
	body := wantPage(t, f.browser().get("/"), http.StatusOK)
	if !strings.Contains(body, "<h1>Cedar Valley Unified</h1>") || !strings.Contains(body, `href="/signin"`) {
		t.Errorf("landing page:\n%s", body)
	}
}

// TestHelpfulRefusals checks that a page a role may never see says so
// (403, naming who may), while a student's page the person may not see
// reads exactly like one that does not exist (404).
func TestHelpfulRefusals(t *testing.T) {
	f := newFixture(t)
	teacher := f.signedIn(f.teacher)
	body := wantPage(t, teacher.get("/admin"), http.StatusForbidden)
	if !strings.Contains(body, "District administrator") || !strings.Contains(body, `href="/classes"`) {
		t.Errorf("403 page does not say who may, or where to go:\n%s", body)
	}
	body = wantPage(t, f.signedIn(f.guardian).get(fmt.Sprintf("/classes/%d", f.class)), http.StatusForbidden)
	if !strings.Contains(body, "Teacher") {
		t.Errorf("guardian on a class: %s", body)
	}
	body = wantPage(t, teacher.get("/no/such/page"), http.StatusNotFound)
	if !strings.Contains(body, "We could not find this page") {
		t.Errorf("404 page: %s", body)
	}
}

// errorMessage is the message of an error page.
var errorMessageRE = regexp.MustCompile(`<p id="error-message" data-status="(\d+)">([^<]*)</p>`)

func errorMessage(t testing.TB, r response) string {
	t.Helper()
	m := errorMessageRE.FindStringSubmatch(r.text())
	if m == nil {
		t.Fatalf("not an error page (status %d):\n%s", r.Status, r.Body)
	}
	return m[1] + " " + m[2]
}

func TestHiddenRecordsLookMissing(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	evOther := f.st
	_ = evOther
	ev := evidence.Evidence{DistrictID: f.district, StudentID: o.student, ClassID: &o.class, Kind: evidence.Formative,
		AssessedAt: testNow.Add(-time.Hour), RecordedBy: o.teacher, Scores: []evidence.Score{{StandardID: f.childA, Level: ptr(2.0)}}}
	if err := f.st.RecordEvidence(context.Background(), &ev); err != nil {
		t.Fatal(err)
	}
	f.linkFamily()
	const missing = 999999
	tests := []struct {
		name           string
		who            int64
		hidden, absent string
	}{
		{"teacher: another class's student", f.teacher, fmt.Sprintf("/students/%d", o.student), fmt.Sprintf("/students/%d", missing)},
		{"teacher: another class", f.teacher, fmt.Sprintf("/classes/%d", o.class), fmt.Sprintf("/classes/%d", missing)},
		{"teacher: another class's grid", f.teacher, fmt.Sprintf("/classes/%d/record", o.class), fmt.Sprintf("/classes/%d/record", missing)},
		{"teacher: another student's standard", f.teacher, fmt.Sprintf("/students/%d/standards/%d", o.student, f.childA), fmt.Sprintf("/students/%d/standards/%d", missing, f.childA)},
		{"teacher: another student's evidence", f.teacher, fmt.Sprintf("/evidence/%d", ev.ID), fmt.Sprintf("/evidence/%d", missing)},
		{"guardian: another child", f.guardian, fmt.Sprintf("/family/%d", f.students[1]), fmt.Sprintf("/family/%d", missing)},
		{"guardian: another child's standard", f.guardian, fmt.Sprintf("/students/%d/standards/%d", f.students[1], f.childA), fmt.Sprintf("/students/%d/standards/%d", missing, f.childA)},
		{"student: a classmate's standard", f.students[0], fmt.Sprintf("/students/%d/standards/%d", f.students[1], f.childA), fmt.Sprintf("/students/%d/standards/%d", missing, f.childA)},
		{"student: a classmate's evidence", f.students[0], fmt.Sprintf("/evidence/%d", ev.ID), fmt.Sprintf("/evidence/%d", missing)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := f.signedIn(tt.who)
			hidden, absent := b.get(tt.hidden), b.get(tt.absent)
			if hidden.Status != http.StatusNotFound || absent.Status != http.StatusNotFound {
				t.Fatalf("hidden %d, absent %d; want 404 for both", hidden.Status, absent.Status)
			}
			if h, a := errorMessage(t, hidden), errorMessage(t, absent); h != a {
				t.Errorf("a hidden record reads %q, a missing one %q", h, a)
			}
		})
	}
	// Refusals are in the audit log, not shown to anyone as views.
	refused := false
	entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{StudentID: o.student})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.ActorID == f.teacher && !e.Allowed {
			refused = true
		}
		if e.ActorID == f.teacher && e.Allowed {
			t.Errorf("the audit log says the teacher saw student %d: %+v", o.student, e)
		}
	}
	if !refused {
		t.Error("the refused attempts are not in the audit log")
	}
	// The guardian's look at another child's page too.
	entries, _, err = f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: f.guardian, StudentID: f.students[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e store.AuditEntry) bool { return !e.Allowed && e.Route == "GET /family/{id}" }) {
		t.Errorf("the guardian's look at another child's page is not in the audit log as refused: %+v", entries)
	}
}

func ptr[T any](v T) *T { return &v }

func TestHeatmap(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-24 * time.Hour)
	// Maya: the prerequisite A mastered, B not: not stalled.
	f.record(f.students[0], "Quiz", day, map[int64]float64{f.childA: 3, f.childB: 2})
	// Omar: neither A nor B mastered: stalled on B.
	f.record(f.students[1], "Quiz", day, map[int64]float64{f.childA: 2, f.childB: 1})
	// Lena: no evidence.
	b := f.signedIn(f.teacher)
	body := wantPage(t, b.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
	row := func(student int64) string {
		m := regexp.MustCompile(fmt.Sprintf(`<tr id="student-%d"[^>]*>.*?</tr>`, student)).FindString(body)
		if m == "" {
			t.Fatalf("no row for student %d", student)
		}
		return m
	}
	maya, omar, lena := row(f.students[0]), row(f.students[1]), row(f.students[2])
	// The level is written in each cell, with its colour class.
	if !strings.Contains(maya, fmt.Sprintf(`<td class="l3"><a href="/students/%d/standards/%d">3✓</a></td>`, f.students[0], f.childA)) {
		t.Errorf("Maya's A cell:\n%s", maya)
	}
	if !strings.Contains(maya, fmt.Sprintf(`<td class="l2"><a href="/students/%d/standards/%d">2</a></td>`, f.students[0], f.childB)) {
		t.Errorf("Maya's B cell:\n%s", maya)
	}
	if strings.Contains(maya, "⚑") {
		t.Error("Maya is flagged, though she has mastered the prerequisite")
	}
	if !strings.Contains(omar, `<span class="flag">⚑ stalled: 6.RP.A.2 (needs 6.RP.A.1)</span>`) ||
		!strings.Contains(omar, fmt.Sprintf(`<td class="l1 st"><a href="/students/%d/standards/%d">1⚑</a></td>`, f.students[1], f.childB)) {
		t.Errorf("Omar is not flagged as stalled on B below A:\n%s", omar)
	}
	if !strings.Contains(lena, `<td class="l0">–</td>`) {
		t.Errorf("Lena's empty cells:\n%s", lena)
	}
	if !strings.Contains(body, `id="stalled-summary"`) || !strings.Contains(body, "1 student is stalled") {
		t.Error("the page does not count the stalled students")
	}

	// Sorted by B, lowest first: Omar (1), Maya (2), Lena (none).
	body = wantPage(t, b.get(fmt.Sprintf("/classes/%d?sort=s%d", f.class, f.childB)), http.StatusOK)
	order := regexp.MustCompile(`<tr id="student-(\d+)"`).FindAllStringSubmatch(body, -1)
	got := make([]string, len(order))
	for i, m := range order {
		got[i] = m[1]
	}
	want := []string{fmt.Sprint(f.students[1]), fmt.Sprint(f.students[0]), fmt.Sprint(f.students[2])}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sorted by B: %v, want %v", got, want)
	}
	if !strings.Contains(body, `class="sorted" aria-current="true">6.RP.A.2</a>`) {
		t.Error("the sorted column is not marked")
	}

	// The heatmap's reads are in the audit log, one per student.
	entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: f.teacher})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, e := range entries {
		if e.Route == "GET /classes/{id}" && e.What == access.Mastery && e.Relation == access.TeacherOf && e.Allowed {
			seen[e.StudentID] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("heatmap views logged for %d students, want 3: %+v", len(seen), entries)
	}
}

func TestRecordEvidenceGrid(t *testing.T) {
	f := newFixture(t)
	b := f.signedIn(f.teacher)
	grid := fmt.Sprintf("/classes/%d/record?standard=%d&standard=%d", f.class, f.childA, f.childB)
	body := wantPage(t, b.get(grid), http.StatusOK)
	for _, s := range f.students {
		for _, std := range []int64{f.childA, f.childB} {
			if !strings.Contains(body, fmt.Sprintf(`name="%s"`, cellName(s, std))) {
				t.Errorf("no field for student %d, standard %d", s, std)
			}
		}
	}
	post := func(cells map[string]string) response {
		form := url.Values{"title": {"Exit ticket: <b>unit rates</b>"}, "kind": {"formative"}, "assessed": {"2025-03-13"},
			"standard": {fmt.Sprint(f.childA), fmt.Sprint(f.childB)}}
		for k, v := range cells {
			form.Set(k, v)
		}
		return b.post(fmt.Sprintf("/classes/%d/record", f.class), form)
	}
	count := func() int {
		n := 0
		for _, s := range f.students {
			evs, _, err := f.st.StudentEvidence(context.Background(), f.district, s, store.EvidenceFilter{})
			if err != nil {
				t.Fatal(err)
			}
			n += len(evs)
		}
		return n
	}

	// Bad cells are named beside themselves; what was typed stays; nothing
	// is written.
	res := post(map[string]string{cellName(f.students[0], f.childA): "3", cellName(f.students[1], f.childA): "9",
		cellName(f.students[2], f.childB): "abc"})
	body = wantPage(t, res, http.StatusUnprocessableEntity)
	for _, c := range []string{cellName(f.students[1], f.childA), cellName(f.students[2], f.childB)} {
		if !strings.Contains(body, fmt.Sprintf(`id="%s-error"`, c)) {
			t.Errorf("no error beside %s", c)
		}
	}
	if !strings.Contains(body, `value="abc"`) || !strings.Contains(body, `value="9"`) || !strings.Contains(body, "Exit ticket: &lt;b&gt;unit rates&lt;/b&gt;") {
		t.Error("the typed values are not kept")
	}
	if n := count(); n != 0 {
		t.Fatalf("%d records written from a refused grid", n)
	}
	// A future date is named beside the date.
	res = b.post(fmt.Sprintf("/classes/%d/record", f.class), url.Values{"kind": {"formative"}, "assessed": {"2025-04-01"},
		"standard": {fmt.Sprint(f.childA)}, cellName(f.students[0], f.childA): {"3"}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="assessed-error"`) {
		t.Error("no error beside a future date")
	}

	// A good grid: one batch, then back to the heatmap.
	res = post(map[string]string{cellName(f.students[0], f.childA): "3", cellName(f.students[0], f.childB): "4",
		cellName(f.students[1], f.childA): "7/10", cellName(f.students[2], f.childB): ""})
	if got, want := location(t, res), fmt.Sprintf("/classes/%d?recorded=2", f.class); got != want {
		t.Fatalf("after recording went to %q, want %q", got, want)
	}
	if n := count(); n != 2 {
		t.Errorf("%d records written, want 2", n)
	}
	ms, err := f.st.MasteryOf(context.Background(), f.district, f.students[0], f.childB)
	if err != nil || ms.Level != 4 {
		t.Errorf("Maya on B after the grid: %+v, %v", ms, err)
	}
	body = wantPage(t, b.get(fmt.Sprintf("/classes/%d?recorded=2", f.class)), http.StatusOK)
	if !strings.Contains(body, "Recorded 2 pieces of evidence.") {
		t.Error("the heatmap does not say what was recorded")
	}

	// One student's grid returns to the student's page.
	res = b.post(fmt.Sprintf("/classes/%d/record", f.class), url.Values{"kind": {"observation"}, "assessed": {"2025-03-14"},
		"standard": {fmt.Sprint(f.childA)}, "student": {fmt.Sprint(f.students[2])}, cellName(f.students[2], f.childA): {"2"}})
	if got := location(t, res); got != fmt.Sprintf("/students/%d?recorded=1", f.students[2]) {
		t.Errorf("one student's grid went to %q", got)
	}
	// A coach may look but not record.
	coach := roster.Person{DistrictID: f.district, GivenName: "Cy", FamilyName: "Coach", Roles: []roster.Role{roster.RoleCoach}, SchoolIDs: []int64{f.school}}
	if err := f.st.CreatePerson(context.Background(), &coach); err != nil {
		t.Fatal(err)
	}
	wantPage(t, f.signedIn(coach.ID).get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
	wantPage(t, f.signedIn(coach.ID).get(fmt.Sprintf("/classes/%d/record", f.class)), http.StatusForbidden)
}

func TestStudentPages(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	e1 := f.record(f.students[0], "Quiz 1", testNow.AddDate(0, -2, 0), map[int64]float64{f.childA: 2})
	f.record(f.students[0], "Quiz 2", testNow.AddDate(0, -1, 0), map[int64]float64{f.childA: 3})
	f.record(f.students[0], "Exit ticket", testNow.Add(-time.Hour), map[int64]float64{f.childA: 4, f.childB: 2})

	teacher := f.signedIn(f.teacher)
	body := wantPage(t, teacher.get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)
	for _, want := range []string{"Maya Chen", `<svg class="chart"`, "Quiz 1", "Exit ticket", `id="standard-` + fmt.Sprint(f.childA),
		"Model&#39;s estimate", "% likely mastered, ",
		fmt.Sprintf(`/classes/%d/record?student=%d`, f.class, f.students[0])} {
		if !strings.Contains(body, want) {
			t.Errorf("student page lacks %q", want)
		}
	}

	// A cell opens the evidence and how the value was computed.
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA)), http.StatusOK)
	ms, err := f.st.MasteryOf(context.Background(), f.district, f.students[0], f.childA)
	if err != nil {
		t.Fatal(err)
	}
	scale, _ := f.st.Scale(context.Background(), f.district, f.scale)
	if want := ms.Explanation.Summary(scale, ms.State); !strings.Contains(body, want) {
		t.Errorf("the explanation %q is not on the page", want)
	}
	for _, want := range []string{`id="inputs-table"`, "Quiz 2", "Comes next", "6.RP.A.2", `id="standard-chart"`,
		`id="model-estimate"`, "Chance the standard is mastered", "Bayesian Knowledge Tracing, default parameters: already mastered before any evidence 0.4"} {
		if !strings.Contains(body, want) {
			t.Errorf("standard page lacks %q", want)
		}
	}

	// Voiding a record: a reason is required, then it no longer counts.
	path := fmt.Sprintf("/evidence/%d/void", e1)
	res := teacher.post(path, url.Values{"reason": {"  "}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="reason-error"`) {
		t.Error("no error beside an empty reason")
	}
	res = teacher.post(path, url.Values{"reason": {"scored the wrong student"}})
	if got := location(t, res); got != fmt.Sprintf("/evidence/%d?voided=1", e1) {
		t.Errorf("after voiding went to %q", got)
	}
	ev, err := f.st.Evidence(context.Background(), f.district, e1)
	if err != nil || ev.Void == nil || ev.Void.By != f.teacher || ev.Void.Reason != "scored the wrong student" {
		t.Errorf("voided evidence: %+v, %v", ev.Void, err)
	}
	body = wantPage(t, teacher.get(fmt.Sprintf("/evidence/%d?voided=1", e1)), http.StatusOK)
	if !strings.Contains(body, `id="void-status"`) || strings.Contains(body, `id="void-form"`) {
		t.Error("the voided evidence page does not say so, or still offers to void")
	}
	res = teacher.post(path, url.Values{"reason": {"again"}})
	wantPage(t, res, http.StatusConflict) // already void

	// A guardian cannot void; the student sees their own page.
	wantPage(t, f.signedIn(f.guardian).post(fmt.Sprintf("/evidence/%d/void", e1), url.Values{"reason": {"x"}}), http.StatusForbidden)
	body = wantPage(t, f.signedIn(f.students[0]).get("/me"), http.StatusOK)
	for _, want := range []string{"Maya&#39;s path", "What each level means", "Shows the whole standard on their own", `<svg class="chart"`, "My evidence"} {
		if !strings.Contains(body, want) {
			t.Errorf("the student's page lacks %q", want)
		}
	}
}

func TestChildPage(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	// A second child, so that the page offers the switch.
	if err := f.st.LinkGuardian(context.Background(), roster.GuardianLink{DistrictID: f.district, GuardianID: f.guardian, StudentID: f.students[2]}); err != nil {
		t.Fatal(err)
	}
	f.record(f.students[0], "Exit ticket", testNow.Add(-2*time.Hour), map[int64]float64{f.childA: 2, f.childB: 1})
	// The teacher looks at Maya's record; the guardian will see that.
	wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)

	g := f.signedIn(f.guardian)
	to := location(t, g.get("/family"))
	body := wantPage(t, g.get(to), http.StatusOK)
	for _, want := range []string{
		`id="child-switch"`, fmt.Sprintf(`href="/family/%d"`, f.students[2]),
		"What is expected this year", "Where things stand", "Worked on in the last two weeks", "Next steps",
		"First, Maya needs to master this: Understand the concept of a ratio", "What you can do at home",
		"Who looked at this record", "Ana Rivera", "teacher",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the child page lacks %q", want)
		}
	}
}

func TestTokensPage(t *testing.T) {
	f := newFixture(t)
	b := f.signedIn(f.teacher)
	// Errors beside the fields, what was typed kept.
	res := b.post("/account/tokens", url.Values{"name": {""}, "scope": {"admin"}, "expires": {"30"}})
	body := wantPage(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="token-name-error"`) || !strings.Contains(body, `id="token-scope-error"`) {
		t.Errorf("no errors beside the fields:\n%s", body)
	}
	res = b.post("/account/tokens", url.Values{"name": {"gradebook"}, "scope": {"read"}, "expires": {"90"}})
	body = wantPage(t, res, http.StatusCreated)
	m := regexp.MustCompile(`id="new-token" class="secret" readonly value="(cairn_pat_[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the new token is not shown:\n%s", body)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Error("a page with a secret may be cached")
	}
	tok := m[1]
	// The token reads as the teacher, and only reads.
	api := f.as(tok)
	wantStatus(t, api.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil), http.StatusOK)
	res = api.do("POST", "/api/v1/evidence", map[string]any{"studentId": f.students[0], "kind": "formative",
		"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(f.childA, 3)}})
	wantStatus(t, res, http.StatusForbidden)
	// Shown once: the list has it, without its secret.
	body = wantPage(t, b.get("/account/tokens"), http.StatusOK)
	if strings.Contains(body, tok) || !strings.Contains(body, "gradebook") {
		t.Error("the token list shows the secret, or not the token")
	}
	toks, err := f.st.Tokens(context.Background(), f.teacher)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens %v, %v", toks, err)
	}
	location(t, b.post(fmt.Sprintf("/account/tokens/%d/revoke", toks[0].ID), nil))
	wantStatus(t, api.do("GET", "/api/v1/schools", nil), http.StatusUnauthorized)
	// Someone else's token cannot be revoked: it reads as missing.
	other := f.newToken(f.admin, access.TokenRead)
	atoks, _ := f.st.Tokens(context.Background(), f.admin)
	wantPage(t, b.post(fmt.Sprintf("/account/tokens/%d/revoke", atoks[0].ID), nil), http.StatusNotFound)
	wantStatus(t, f.as(other).do("GET", "/api/v1/schools", nil), http.StatusOK)
}

func TestResetLink(t *testing.T) {
	f := newFixture(t)
	admin := f.signedIn(f.admin)
	body := wantPage(t, admin.get("/admin/users?role=teacher"), http.StatusOK)
	if !strings.Contains(body, "Ana Rivera") || strings.Contains(body, "Maya Chen") {
		t.Error("the role filter does not filter")
	}
	res := admin.post(fmt.Sprintf("/admin/users/%d/reset", f.teacher), nil)
	body = wantPage(t, res, http.StatusCreated)
	m := regexp.MustCompile(`id="reset-url" class="secret" readonly value="[^"]*(/reset/[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no reset link on the page:\n%s", body)
	}
	link := m[1]
	// A token made with the old password is no good after the reset.
	api := f.as(f.newToken(f.teacher, access.TokenWrite))
	wantStatus(t, api.do("GET", "/api/v1/schools", nil), http.StatusOK)
	b := f.browser()
	body = wantPage(t, b.get(link), http.StatusOK)
	if !strings.Contains(body, "ana.rivera") || res.Header.Get("Referrer-Policy") == "" {
		t.Error("the reset page does not name the account")
	}
	if !strings.Contains(body, `id="reset-revokes"`) || !strings.Contains(body, "revokes all its personal access tokens") {
		t.Error("the reset page does not say that access tokens are revoked")
	}
	res = b.post(link, url.Values{"password": {"short"}, "confirm": {"short"}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="password-error"`) {
		t.Error("no error beside a short password")
	}
	res = b.post(link, url.Values{"password": {"a long new passphrase"}, "confirm": {"a long new passphrase."}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="confirm-error"`) {
		t.Error("no error beside a confirmation that differs")
	}
	res = b.post(link, url.Values{"password": {"a long new passphrase"}, "confirm": {"a long new passphrase"}})
	if got := location(t, res); got != "/signin?reset=1" {
		t.Errorf("after the reset went to %q", got)
	}
	wantStatus(t, api.do("GET", "/api/v1/schools", nil), http.StatusUnauthorized)
	if body := wantPage(t, b.get("/signin?reset=1"), http.StatusOK); !strings.Contains(body, "access tokens were revoked") {
		t.Error("the sign-in page after a reset does not say the access tokens were revoked")
	}
	location(t, b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {"a long new passphrase"}}))
	// The link works once.
	body = wantPage(t, f.browser().get(link), http.StatusNotFound)
	if !strings.Contains(body, `id="reset-gone"`) {
		t.Error("a used link does not say so")
	}
}

func TestAdminPages(t *testing.T) {
	f := newFixture(t)
	f.record(f.students[0], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: 2})
	wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)
	admin := f.signedIn(f.admin)
	for _, p := range []string{"/admin", "/admin/policy", "/admin/scales", "/admin/users"} {
		wantPage(t, admin.get(p), http.StatusOK)
	}
	body := wantPage(t, admin.get(fmt.Sprintf("/admin/audit?student=%d&allowed=yes", f.students[0])), http.StatusOK)
	if !strings.Contains(body, "Ana Rivera") || !strings.Contains(body, "GET /students/{id}") {
		t.Errorf("the audit search does not find the teacher's view:\n%s", body)
	}
	body = wantPage(t, admin.get("/admin/audit?actor=x&from=2025-13-01"), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="actor-error"`) || !strings.Contains(body, `id="from-error"`) || !strings.Contains(body, `value="x"`) {
		t.Error("bad search fields are not marked, or not kept")
	}

	// Changing the method: errors beside the fields, then recomputed.
	res := admin.post("/admin/policy", url.Values{"method": {"decaying_average"}, "weight": {"1.5"}, "rollup": {"mean"}, "reason": {""}})
	body = wantPage(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="weight-error"`) || !strings.Contains(body, `id="reason-error"`) || !strings.Contains(body, `value="1.5"`) {
		t.Errorf("policy form errors:\n%s", body)
	}
	res = admin.post("/admin/policy", url.Values{"method": {"most_recent"}, "rollup": {"mean"}, "reason": {"agreed by the board"}})
	if got := location(t, res); got != "/admin/policy?saved=1" {
		t.Errorf("after the change went to %q", got)
	}
	p, err := f.st.DistrictPolicy(context.Background(), f.district)
	if err != nil || p.Method.Name != "most_recent" {
		t.Errorf("policy %+v, %v", p, err)
	}
	body = wantPage(t, admin.get("/admin/policy?saved=1"), http.StatusOK)
	if !strings.Contains(body, "agreed by the board") || !strings.Contains(body, "Most recent") {
		t.Error("the change is not in the history")
	}
	if !strings.Contains(body, "Mastered follows the method&#39;s value; the model&#39;s estimate is shown beside it.") || !strings.Contains(body, "default parameters until") {
		t.Error("the policy page does not say what mastered follows, or how the model was fitted")
	}

	// Letting the model decide: a bad choice or confidence is marked
	// beside its field; a good one is stored and every state recomputed.
	res = admin.post("/admin/policy", url.Values{"method": {"most_recent"}, "rollup": {"mean"}, "reason": {"pilot"},
		"mastered_by": {"coin"}, "confidence": {"50"}})
	body = wantPage(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="mastered_by-error"`) || !strings.Contains(body, `id="confidence-error"`) {
		t.Errorf("model choice errors are not marked:\n%s", body)
	}
	res = admin.post("/admin/policy", url.Values{"method": {"most_recent"}, "rollup": {"mean"}, "reason": {"pilot"},
		"mastered_by": {"both"}, "confidence": {"90"}})
	if got := location(t, res); got != "/admin/policy?saved=1" {
		t.Errorf("after the model choice went to %q", got)
	}
	p, err = f.st.DistrictPolicy(context.Background(), f.district)
	if err != nil || p.MasteredBy != "both" || p.Confidence != 0.9 {
		t.Errorf("policy after the model choice %+v, %v", p, err)
	}
	ms, err := f.st.MasteryOf(context.Background(), f.district, f.students[0], f.childA)
	if err != nil || ms.Explanation.Model == nil || ms.Explanation.Model.MasteredBy != "both" || ms.Explanation.Model.Confidence != 0.9 {
		t.Errorf("state after the model choice: %+v, %v", ms.Explanation.Model, err)
	}
	body = wantPage(t, admin.get("/admin/policy"), http.StatusOK)
	if !strings.Contains(body, "Mastered needs both the method&#39;s value and the model, at least 90% sure.") || !strings.Contains(body, `value="90"`) {
		t.Error("the policy page does not show the model choice made")
	}

	// The policy form refuses a teacher; the log refuses the teacher.
	teacher := f.signedIn(f.teacher)
	wantPage(t, teacher.post("/admin/policy", url.Values{"method": {"mean"}, "reason": {"x"}}), http.StatusForbidden)
	wantPage(t, teacher.get("/admin/audit"), http.StatusForbidden)
}

// TestMarkupIsInert gives a student, an evidence title and a comment
// markup, and checks every page that shows them escapes it.
func TestMarkupIsInert(t *testing.T) {
	f := newFixture(t)
	const evil = `<script>alert(1)</script>`
	ctx := context.Background()
	p, err := f.st.Person(ctx, f.district, f.students[0])
	if err != nil {
		t.Fatal(err)
	}
	p.GivenName = evil
	if err := f.st.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	f.linkFamily()
	ev := evidence.Evidence{DistrictID: f.district, StudentID: f.students[0], ClassID: &f.class, Kind: evidence.Formative,
		Title: `<img src=x onerror=alert(2)>`, Comment: evil, AssessedAt: testNow.Add(-time.Hour), RecordedBy: f.teacher,
		Scores: []evidence.Score{{StandardID: f.childA, Level: ptr(3.0)}}}
	if err := f.st.RecordEvidence(ctx, &ev); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		who  int64
		path string
	}{
		{f.teacher, fmt.Sprintf("/classes/%d", f.class)},
		{f.teacher, fmt.Sprintf("/classes/%d/record", f.class)},
		{f.teacher, fmt.Sprintf("/students/%d", f.students[0])},
		{f.teacher, fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA)},
		{f.teacher, fmt.Sprintf("/evidence/%d", ev.ID)},
		{f.students[0], "/me"},
		{f.students[0], "/classes"}, // a 403 page with the student's name in the header
		{f.guardian, fmt.Sprintf("/family/%d", f.students[0])},
		{f.admin, "/admin/users?role=student"},
		{f.admin, fmt.Sprintf("/admin/audit?student=%d", f.students[0])},
	}
	for _, pg := range pages {
		t.Run(pg.path, func(t *testing.T) {
			res := f.signedIn(pg.who).get(pg.path)
			body := res.text()
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("status %d: the name is not on the page, escaped:\n%s", res.Status, body)
			}
			if strings.Contains(body, evil) || strings.Contains(body, "<img src=x") {
				t.Errorf("markup from the data is live on the page")
			}
		})
	}
	// Typed into a form, it comes back escaped too.
	res := f.signedIn(f.teacher).post(fmt.Sprintf("/evidence/%d/void", ev.ID), url.Values{"reason": {strings.Repeat("x", 1001) + evil}})
	if body := res.text(); strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("a typed reason is not escaped (status %d)", res.Status)
	}
	res = f.browser().post("/signin", url.Values{"username": {evil}, "password": {"x"}})
	if body := res.text(); strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;") {
		t.Error("a typed username is not escaped")
	}
}

func TestPageViewsAreAudited(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	f.record(f.students[0], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3})
	for _, v := range []struct {
		who  int64
		path string
		rel  access.Relation
	}{
		{f.teacher, fmt.Sprintf("/students/%d", f.students[0]), access.TeacherOf},
		{f.guardian, fmt.Sprintf("/family/%d", f.students[0]), access.GuardianOf},
		{f.students[0], "/me", access.Self},
		{f.admin, fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA), access.DistrictAdmin},
	} {
		wantPage(t, f.signedIn(v.who).get(v.path), http.StatusOK)
		entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: v.who, StudentID: f.students[0]})
		if err != nil {
			t.Fatal(err)
		}
		whats := map[access.What]bool{}
		for _, e := range entries {
			if !e.Allowed || e.Relation != v.rel || e.Action != access.View || e.At.IsZero() || e.RequestID == "" {
				t.Errorf("%s: entry %+v", v.path, e)
			}
			whats[e.What] = true
		}
		if !whats[access.Mastery] || !whats[access.Evidence] {
			t.Errorf("%s: logged %v, want mastery and evidence at least", v.path, whats)
		}
	}
	// The student's audit shows who viewed the record.
	entries, _, err := f.st.StudentAudit(context.Background(), f.district, f.students[0], store.Page{})
	if err != nil || len(entries) == 0 {
		t.Fatalf("StudentAudit: %d entries, %v", len(entries), err)
	}
	_ = errors.Is(err, problem.ErrNotFound)
}
