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

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/store"
)

// paceFixture records evidence so that, on the fixture's course of three
// standards over the school year (two expected by mid-March), Maya has
// mastered all three (ahead: done early), Omar one (on track) and Lena
// none (behind).
func paceFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.record(f.students[0], "Unit test", testNow.Add(-30*24*time.Hour), map[int64]float64{f.childA: 4, f.childB: 4})
	f.record(f.students[1], "Quiz", testNow.Add(-10*24*time.Hour), map[int64]float64{f.childA: 4})
	f.record(f.students[2], "Quiz", testNow.Add(-10*24*time.Hour), map[int64]float64{f.childA: 1})
	return f
}

func TestClassPaceAPI(t *testing.T) {
	f := paceFixture(t)
	res := f.do("GET", fmt.Sprintf("/api/v1/classes/%d/pace", f.class), nil)
	wantStatus(t, res, http.StatusOK)
	var got classPaceJSON
	res.json(t, &got)
	if got.ClassID != f.class || got.Thresholds != pathways.DefaultPaceThresholds() || got.Term.ID != f.term {
		t.Errorf("class %d, thresholds %+v, term %+v", got.ClassID, got.Thresholds, got.Term)
	}
	status := map[int64]pathways.PaceStatus{}
	for _, s := range got.Students {
		status[s.StudentID] = s.Status
		if s.Targets != 3 || s.Expected != 2 {
			t.Errorf("%s: %d targets, %d expected; want 3 and 2", s.Name, s.Targets, s.Expected)
		}
	}
	want := map[int64]pathways.PaceStatus{f.students[0]: pathways.PaceAhead, f.students[1]: pathways.PaceOnTrack, f.students[2]: pathways.PaceBehind}
	for id, w := range want {
		if status[id] != w {
			t.Errorf("student %d: %s, want %s", id, status[id], w)
		}
	}
	for _, s := range got.Students {
		if s.StudentID == f.students[0] && (!s.Done || s.Projected == nil) {
			t.Errorf("Maya finished: %+v", s)
		}
	}
	// A class of another district, or none, reads the same.
	wantStatus(t, f.do("GET", "/api/v1/classes/999999/pace", nil), http.StatusNotFound)
}

func TestClassPacePage(t *testing.T) {
	f := paceFixture(t)
	body := wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/classes/%d/pace", f.class)), http.StatusOK)
	for _, want := range []string{`id="pace-table"`, `data-status="ahead"`, `data-status="on_track"`, `data-status="behind"`,
		`id="class-pace-chart"`, "Behind means at least 2 targets short", "are expected mastered by today"} {
		if !strings.Contains(body, want) {
			t.Errorf("class pace page lacks %q", want)
		}
	}
	// The heatmap links to it.
	if body := wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK); !strings.Contains(body, fmt.Sprintf(`href="/classes/%d/pace"`, f.class)) {
		t.Error("the heatmap does not link to the class's pace")
	}
	// A guardian never opens a class.
	wantPage(t, f.signedIn(f.guardian).get(fmt.Sprintf("/classes/%d/pace", f.class)), http.StatusForbidden)
}

func TestSchoolPacePage(t *testing.T) {
	f := paceFixture(t)
	admin := f.signedIn(f.admin)
	body := wantPage(t, admin.get(fmt.Sprintf("/schools/%d/pace", f.school)), http.StatusOK)
	for _, want := range []string{`id="school-pace-classes"`, `id="school-pace-behind"`, "Lena Okafor", fmt.Sprintf(`href="/classes/%d/pace"`, f.class)} {
		if !strings.Contains(body, want) {
			t.Errorf("school pace page lacks %q", want)
		}
	}
	if strings.Contains(body, "Maya Chen") {
		t.Error("a student ahead is listed among those behind")
	}
	// Only the students listed are looked at, and the look is logged.
	entries, _, err := f.st.StudentAudit(context.Background(), f.district, f.students[2], store.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e store.AuditEntry) bool {
		return e.Detail == fmt.Sprintf("pace of school %d", f.school) && e.Allowed
	}) {
		t.Errorf("no audit entry of the school's pace for Lena: %+v", entries)
	}
	wantPage(t, admin.get("/schools/999999/pace"), http.StatusNotFound)
	wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/schools/%d/pace", f.school)), http.StatusForbidden)
	// The classes page links a leader to it.
	if body := wantPage(t, admin.get("/classes"), http.StatusOK); !strings.Contains(body, fmt.Sprintf(`href="/schools/%d/pace"`, f.school)) {
		t.Error("the classes page does not link to the school's pace")
	}
}

func TestStudentAndFamilyPace(t *testing.T) {
	f := paceFixture(t)
	f.linkFamily()
	body := wantPage(t, f.signedIn(f.students[0]).get("/me"), http.StatusOK)
	if !strings.Contains(body, `id="pace"`) || !strings.Contains(body, "You have mastered all 3 targets of Math 6") {
		t.Errorf("the student's page does not show their pace:\n%s", body)
	}
	body = wantPage(t, f.signedIn(f.guardian).get(fmt.Sprintf("/family/%d", f.students[0])), http.StatusOK)
	if !strings.Contains(body, "Maya has mastered all 3 targets of Math 6 and goes on to further work.") {
		t.Errorf("the family's page does not say the pace in words:\n%s", body)
	}
}

func TestFamilyPaceSentence(t *testing.T) {
	f := newFixture(t)
	pr := f.srv.catalog.Printer("en")
	term := pathways.PaceTerm{Start: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)}
	p := pathways.Pace{Targets: 12, Mastered: 5, Expected: 5, Status: pathways.PaceOnTrack,
		Projected: time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC), Earliest: time.Date(2027, 1, 14, 0, 0, 0, 0, time.UTC), Latest: time.Date(2027, 1, 26, 0, 0, 0, 0, time.UTC)}
	got := familyPaceSentence(pr, "Leo", "Math 6", p, term)
	if want := "Leo is on track to finish the 12 targets of Math 6 by January 20, 2027, give or take a week."; got != want {
		t.Errorf("got %q,\nwant %q", got, want)
	}
	p.Status, p.Latest, p.Projected = pathways.PaceBehind, time.Date(2027, 3, 20, 0, 0, 0, 0, time.UTC), time.Date(2027, 2, 20, 0, 0, 0, 0, time.UTC)
	if got := familyPaceSentence(pr, "Leo", "Math 6", p, term); !strings.Contains(got, "after the term ends on January 29, 2027") {
		t.Errorf("a late finish does not say the term ends first: %q", got)
	}
}

func TestAdminPace(t *testing.T) {
	f := newFixture(t)
	admin := f.signedIn(f.admin)
	body := wantPage(t, admin.get("/admin"), http.StatusOK)
	if !strings.Contains(body, `href="/admin/pace"`) {
		t.Error("the administration page does not link to the pace thresholds")
	}
	body = wantPage(t, admin.get("/admin/pace"), http.StatusOK)
	if !strings.Contains(body, `id="pace-form"`) || !strings.Contains(body, "Behind means at least 2 targets short") {
		t.Errorf("pace thresholds page:\n%s", body)
	}
	res := admin.post("/admin/pace", url.Values{"behind_targets": {"0"}, "behind_percent": {"x"}, "ahead_targets": {"3"}, "reason": {""}})
	body = wantPage(t, res, http.StatusUnprocessableEntity)
	for _, want := range []string{`id="behind_percent-error"`, `id="reason-error"`, `value="x"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	res = admin.post("/admin/pace", url.Values{"behind_targets": {"0"}, "behind_percent": {"10"}, "ahead_targets": {"3"}, "reason": {"why"}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="behind_targets-error"`) {
		t.Error("a bar out of range is not marked beside its field")
	}
	res = admin.post("/admin/pace", url.Values{"behind_targets": {"3"}, "behind_percent": {"10%"}, "ahead_targets": {"4"}, "reason": {"earlier warnings"}})
	if got := location(t, res); got != "/admin/pace?saved=1" {
		t.Errorf("after the change went to %q", got)
	}
	th, err := f.st.PaceThresholds(context.Background(), f.district)
	if err != nil || th != (pathways.PaceThresholds{BehindTargets: 3, BehindPercent: 10, AheadTargets: 4}) {
		t.Errorf("thresholds %+v, %v", th, err)
	}
	body = wantPage(t, admin.get("/admin/pace?saved=1"), http.StatusOK)
	if !strings.Contains(body, "earlier warnings") || !strings.Contains(body, `id="saved-notice"`) {
		t.Error("the change is not in the history")
	}
	// Only a district administrator changes them.
	wantPage(t, f.signedIn(f.teacher).post("/admin/pace", url.Values{"behind_targets": {"3"}, "behind_percent": {"10"}, "ahead_targets": {"4"}, "reason": {"x"}}), http.StatusForbidden)
}

func TestMyPathPace(t *testing.T) {
	f := paceFixture(t)
	body := wantPage(t, f.signedIn(f.students[1]).get("/me/path"), http.StatusOK)
	if !strings.Contains(body, `id="pace"`) || !strings.Contains(body, "targets of Math 6") {
		t.Errorf("my path does not show the student's pace:\n%s", body)
	}
}
