package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// TestPlansAPI sets a class pathway, applies it, adjusts a student's plan
// through the API and reads the recommendations back.
func TestPlansAPI(t *testing.T) {
	f := newFixture(t)
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	maya := f.students[0]

	// A pathway of a standard outside the course is refused, named.
	other := standards.Standard{DistrictID: f.district, FrameworkID: f.framework, Code: "7.RP.A.1", Statement: "Compute unit rates.", Position: 5}
	if err := f.st.CreateStandard(context.Background(), &other); err != nil {
		t.Fatal(err)
	}
	res := teacher.do("PUT", fmt.Sprintf("/api/v1/classes/%d/pathway", f.class), map[string]any{
		"targets": []map[string]any{{"standardId": f.childA}, {"standardId": other.ID}}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if p := res.problem(t); !strings.Contains(string(res.Body), "7.RP.A.1") {
		t.Errorf("refusal does not name the standard: %+v", p)
	}

	res = teacher.do("PUT", fmt.Sprintf("/api/v1/classes/%d/pathway", f.class), map[string]any{
		"targets": []map[string]any{{"standardId": f.childB, "introduceBy": "2025-03-20T00:00:00Z"}, {"standardId": f.childA}},
		"apply":   true})
	wantStatus(t, res, http.StatusOK)
	var pw pathwayJSON
	res.json(t, &pw)
	if pw.Applied != 3 || len(pw.Targets) != 2 || pw.Targets[0].StandardID != f.childB {
		t.Fatalf("got %+v", pw)
	}
	wantStatus(t, teacher.do("GET", fmt.Sprintf("/api/v1/classes/%d/pathway", f.class), nil), http.StatusOK)

	// Maya's plan: childB first, but it builds on childA, so childA is
	// what she is recommended, for childB.
	res = teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/plan", maya), nil)
	wantStatus(t, res, http.StatusOK)
	var plans list[planJSON]
	res.json(t, &plans)
	if len(plans.Items) != 1 || !plans.Items[0].Stored || plans.Items[0].Targets[0].Ready {
		t.Fatalf("got %+v", plans)
	}
	res = teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/recommendations", maya), nil)
	wantStatus(t, res, http.StatusOK)
	var recs studentRecommendationsJSON
	res.json(t, &recs)
	if len(recs.Recommendations) != 1 || recs.Recommendations[0].StandardID != f.childA ||
		recs.Recommendations[0].Reason.Code != pathways.ReasonPrerequisite || !strings.Contains(recs.Recommendations[0].Text, "6.RP.A.2") {
		t.Fatalf("got %+v", recs)
	}

	// Once childA is mastered, childB is ready and next.
	f.record(maya, "Quiz", testNow.AddDate(0, 0, -1), map[int64]float64{f.childA: 4})
	res = teacher.do("GET", fmt.Sprintf("/api/v1/classes/%d/recommendations", f.class), nil)
	wantStatus(t, res, http.StatusOK)
	var class list[studentRecommendationsJSON]
	res.json(t, &class)
	if len(class.Items) != 3 {
		t.Fatalf("got %d students", len(class.Items))
	}
	for _, s := range class.Items {
		if s.StudentID == maya && (len(s.Ready) != 1 || s.Ready[0] != f.childB || s.Recommendations[0].StandardID != f.childB) {
			t.Errorf("Maya: %+v", s)
		}
	}

	// The teacher goes beyond the course for Maya; a plan with a standard
	// of no course is refused, named.
	if err := f.st.SetCourseStandards(context.Background(), f.district, f.otherCourse(t), []int64{other.ID}); err != nil {
		t.Fatal(err)
	}
	res = teacher.do("PUT", fmt.Sprintf("/api/v1/students/%d/plan", maya), map[string]any{"classId": f.class,
		"targets": []map[string]any{{"standardId": f.childB}, {"standardId": f.childA}, {"standardId": other.ID}}})
	wantStatus(t, res, http.StatusOK)
	var got planJSON
	res.json(t, &got)
	if len(got.Targets) != 3 || !got.Targets[2].Beyond || got.Targets[2].Origin != pathways.AddedByTeacher || got.Targets[0].Origin != pathways.FromPathway {
		t.Fatalf("got %+v", got)
	}
	res = teacher.do("PUT", fmt.Sprintf("/api/v1/students/%d/plan", maya), map[string]any{"classId": f.class,
		"targets": []map[string]any{{"standardId": f.parent}, {"standardId": 999999}}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), "standard 999999") {
		t.Errorf("refusal does not name the standard: %s", res.Body)
	}
	planChanges := 0
	for _, e := range f.changesLogged(t, f.teacher) {
		if e.What == access.Plan && e.StudentID == maya {
			planChanges++
		}
	}
	if planChanges != 2 { // applying the pathway, and the plan put
		t.Errorf("%d changes of Maya's plan audited, want 2", planChanges)
	}

	// Another class and its student are hidden from this teacher like
	// missing ones, pages and API alike.
	o := f.otherClass()
	for _, path := range []string{"/api/v1/students/%d/plan", "/api/v1/students/%d/recommendations"} {
		wantStatus(t, teacher.do("GET", fmt.Sprintf(path, o.student), nil), http.StatusNotFound)
	}
	for _, path := range []string{"/api/v1/classes/%d/pathway", "/api/v1/classes/%d/recommendations"} {
		wantStatus(t, teacher.do("GET", fmt.Sprintf(path, o.class), nil), http.StatusNotFound)
	}
	wantStatus(t, teacher.do("PUT", fmt.Sprintf("/api/v1/classes/%d/pathway", o.class), map[string]any{"targets": []any{}}), http.StatusNotFound)
	wantStatus(t, teacher.do("PUT", fmt.Sprintf("/api/v1/students/%d/plan", maya), map[string]any{"classId": o.class, "targets": []any{}}), http.StatusNotFound)
	for _, path := range []string{"/classes/%d/ready", "/classes/%d/pathway"} {
		if res := f.signedIn(f.teacher).get(fmt.Sprintf(path, o.class)); res.Status != http.StatusNotFound {
			t.Errorf("%s of another class: status %d, want 404", path, res.Status)
		}
	}
	if res := f.signedIn(f.teacher).get(fmt.Sprintf("/students/%d/plan", o.student)); res.Status != http.StatusNotFound {
		t.Errorf("another class's student's plan: status %d, want 404", res.Status)
	}

	// A guardian reads the plan but cannot change it.
	f.linkFamily()
	guardian := f.as(f.newToken(f.guardian, access.TokenWrite))
	wantStatus(t, guardian.do("GET", fmt.Sprintf("/api/v1/students/%d/plan", maya), nil), http.StatusOK)
	wantStatus(t, guardian.do("PUT", fmt.Sprintf("/api/v1/students/%d/plan", maya), map[string]any{"classId": f.class, "targets": []any{}}), http.StatusForbidden)
	// Another student's plan is hidden like a missing one.
	wantStatus(t, f.as(f.newToken(f.students[1], access.TokenRead)).do("GET", fmt.Sprintf("/api/v1/students/%d/plan", maya), nil), http.StatusNotFound)
}

// otherCourse makes a second course, the next one, for going beyond.
func (f *fixture) otherCourse(t *testing.T) int64 {
	t.Helper()
	c := roster.Course{DistrictID: f.district, Title: "Math 7", Code: "M7"}
	if err := f.st.CreateCourse(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestPlanPages walks the pages: a teacher builds the pathway and applies
// it, opens who is ready today and adjusts a student's plan; the student
// opens their path; the guardian reads what comes next.
func TestPlanPages(t *testing.T) {
	f := newFixture(t)
	teacher := f.signedIn(f.teacher)
	maya := f.students[0]

	body := wantPage(t, teacher.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
	if !strings.Contains(body, fmt.Sprintf(`href="/classes/%d/ready"`, f.class)) {
		t.Error("the heatmap does not lead to ready today")
	}
	body = wantPage(t, teacher.get(fmt.Sprintf("/classes/%d/pathway", f.class)), http.StatusOK)
	if !strings.Contains(body, `id="pathway-form"`) {
		t.Fatal("no pathway form")
	}
	form := url.Values{"in": {fmt.Sprint(f.childA), fmt.Sprint(f.childB)},
		"order-" + fmt.Sprint(f.childA): {"2"}, "order-" + fmt.Sprint(f.childB): {"1"}, "date-" + fmt.Sprint(f.childB): {"2025-03-20"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("date-"+fmt.Sprint(f.childB), "March")
	body = wantPage(t, teacher.post(fmt.Sprintf("/classes/%d/pathway", f.class), bad), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="error-`+fmt.Sprint(f.childB)+`"`) {
		t.Error("the bad date is not named beside its row")
	}
	form.Set("apply", "1")
	res := teacher.post(fmt.Sprintf("/classes/%d/pathway", f.class), form)
	if res.Status != http.StatusSeeOther || !strings.Contains(location(t, res), "applied=3") {
		t.Fatalf("status %d, location %q", res.Status, res.Header.Get("Location"))
	}
	body = wantPage(t, teacher.get(location(t, res)), http.StatusOK)
	if !strings.Contains(body, `id="saved-notice"`) {
		t.Error("no saved notice")
	}

	body = wantPage(t, teacher.get(fmt.Sprintf("/classes/%d/ready", f.class)), http.StatusOK)
	if !strings.Contains(body, fmt.Sprintf(`id="ready-%d"`, maya)) || !strings.Contains(body, fmt.Sprintf(`data-next="%d"`, f.childA)) {
		t.Errorf("ready today lacks Maya's next target:\n%s", body)
	}

	// The teacher adjusts Maya's plan from her record.
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d", maya)), http.StatusOK)
	if !strings.Contains(body, fmt.Sprintf(`href="/students/%d/plan"`, maya)) {
		t.Error("the student's record does not lead to the plan")
	}
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d/plan", maya)), http.StatusOK)
	if !strings.Contains(body, `name="op" value="up"`) {
		t.Fatal("the teacher cannot move targets")
	}
	res = teacher.post(fmt.Sprintf("/students/%d/plan", maya), url.Values{"class": {fmt.Sprint(f.class)}, "standard": {fmt.Sprint(f.childA)}, "op": {"up"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("moving a target: status %d: %s", res.Status, res.Body)
	}
	res = teacher.post(fmt.Sprintf("/students/%d/plan", maya), url.Values{"op": {"interests"}, "interests": {"music, soccer"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("saving interests: status %d: %s", res.Status, res.Body)
	}
	body = wantPage(t, teacher.post(fmt.Sprintf("/students/%d/plan", maya), url.Values{"class": {fmt.Sprint(f.class)}, "op": {"add"}, "standard": {""}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="plan-error"`) {
		t.Error("an add without a standard is not explained")
	}
	plans, _, err := f.st.StudentPlans(context.Background(), f.district, maya)
	if err != nil {
		t.Fatal(err)
	}
	if plans[0].Targets[0].StandardID != f.childA {
		t.Errorf("the move did not stick: %+v", plans[0].Targets)
	}

	// Maya opens her path from /me.
	student := f.signedIn(maya)
	body = wantPage(t, student.get("/me"), http.StatusOK)
	if !strings.Contains(body, `href="/me/path"`) {
		t.Error("/me does not lead to the path")
	}
	body = wantPage(t, student.get("/me/path"), http.StatusOK)
	for _, want := range []string{`id="next-` + fmt.Sprint(f.class) + `"`, `data-reason="next"`, "music, soccer", `data-state="waiting"`} {
		if !strings.Contains(body, want) {
			t.Errorf("my path lacks %s:\n%s", want, body)
		}
	}
	// Moving a target of a plan is for teachers.
	if res := student.post(fmt.Sprintf("/students/%d/plan", maya), url.Values{"class": {fmt.Sprint(f.class)}, "standard": {fmt.Sprint(f.childA)}, "op": {"down"}}); res.Status != http.StatusForbidden {
		t.Errorf("a student changed a plan: status %d", res.Status)
	}

	// Her guardian reads what comes next.
	f.linkFamily()
	body = wantPage(t, f.signedIn(f.guardian).get(fmt.Sprintf("/family/%d", maya)), http.StatusOK)
	if !strings.Contains(body, `id="plan-next"`) || !strings.Contains(body, "Maya will work on") {
		t.Errorf("the child page lacks what comes next from the plan:\n%s", body)
	}
}
