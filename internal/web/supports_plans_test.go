package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestSupportPlansPages walks a teacher through planning a support for a
// student of their class, following its progress, editing it, writing
// notes and closing it; the student and the guardian read the plan in
// plain words and never the notes.
func TestSupportPlansPages(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	stu := f.students[0]
	f.record(stu, "Quiz 1", testNow.Add(-72*time.Hour), map[int64]float64{f.childA: 1})
	tb := f.signedIn(f.teacher)

	res := tb.get(fmt.Sprintf("/students/%d", stu))
	wantStatus(t, res, http.StatusOK)
	for _, want := range []string{`id="supports"`, `id="student-tier" data-tier="1"`, `id="new-plan-link"`, `id="note-form"`, `id="no-notes"`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("the student page lacks %s", want)
		}
	}
	wantStatus(t, tb.get(fmt.Sprintf("/students/%d/supports/new?class=%d&standard=%d", stu, f.class, f.childA)), http.StatusOK)

	// A refused form names its fields and keeps what was typed.
	start := supports.Day(testNow).AddDate(0, 0, -2).Format(supports.DateLayout)
	form := url.Values{"tier": {"2"}, "kind": {"reteach"}, "provider": {fmt.Sprint(f.teacher)}, "class": {fmt.Sprint(f.class)},
		"standard": {fmt.Sprint(f.childA)}, "schedule": {"Tue and Thu, 20 min"}, "starts": {start}, "ends": {"2020-01-01"}, "goal": {""}}
	res = tb.post(fmt.Sprintf("/students/%d/supports", stu), form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	for _, want := range []string{`id="plan-goal-error"`, `id="plan-ends-error"`, `Tue and Thu, 20 min`} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("the refused plan form lacks %s", want)
		}
	}
	form.Set("goal", "Ratios mastered by the end of the unit")
	form.Set("ends", "")
	res = tb.post(fmt.Sprintf("/students/%d/supports", stu), form)
	wantStatus(t, res, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/supports/") {
		t.Fatalf("created plan goes to %q", loc)
	}
	planURL := strings.TrimSuffix(loc, "?created=1")

	// Progress: the evidence since the start, drawn with the goal.
	f.record(stu, "Quiz 2", testNow.Add(-48*time.Hour), map[int64]float64{f.childA: 2})
	f.record(stu, "Quiz 3", testNow.Add(-24*time.Hour), map[int64]float64{f.childA: 3})
	res = tb.get(loc)
	wantStatus(t, res, http.StatusOK)
	body := string(res.Body)
	for _, want := range []string{`data-status="at_goal"`, `data-count="2"`, `<svg class="chart"`, `id="close-form"`, `2 pieces of evidence since`, `last 3, goal 3`} {
		if !strings.Contains(body, want) {
			t.Errorf("the plan page lacks %s", want)
		}
	}

	// Editing while open.
	form.Set("tier", "3")
	form.Set("kind", "tutoring")
	wantStatus(t, tb.post(planURL, form), http.StatusSeeOther)
	res = tb.get(fmt.Sprintf("/students/%d", stu))
	if !strings.Contains(string(res.Body), `id="student-tier" data-tier="3"`) {
		t.Errorf("the student page does not show tier 3 after the edit")
	}

	// Notes: a refused one comes back with its reason, a saved one is
	// listed.
	res = tb.post(fmt.Sprintf("/students/%d/notes", stu), url.Values{"kind": {"behaviour"}, "text": {"  "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), `id="note-text-error"`) {
		t.Errorf("a refused note has no reason beside it")
	}
	wantStatus(t, tb.post(fmt.Sprintf("/students/%d/notes", stu), url.Values{"kind": {"behaviour"}, "text": {"Left the room twice"}, "class": {fmt.Sprint(f.class)}}), http.StatusSeeOther)
	res = tb.get(fmt.Sprintf("/students/%d?noted=1", stu))
	if !strings.Contains(string(res.Body), "Left the room twice") || !strings.Contains(string(res.Body), `id="noted-notice"`) {
		t.Errorf("the note is not on the student page")
	}

	// The class and the school.
	res = tb.get(fmt.Sprintf("/classes/%d/supports", f.class))
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), fmt.Sprintf(`data-student="%d" data-tier="3"`, stu)) || !strings.Contains(string(res.Body), `id="tier3-count">1<`) {
		t.Errorf("the class's supports do not show the student in tier 3")
	}
	res = f.signedIn(f.admin).get(fmt.Sprintf("/schools/%d/supports", f.school))
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), `data-tier="3" data-kind="tutoring"`) || !strings.Contains(string(res.Body), `id="school-students">1<`) {
		t.Errorf("the school's supports do not count the tutoring")
	}
	wantStatus(t, tb.get(fmt.Sprintf("/schools/%d/supports", f.school)), http.StatusForbidden)

	// The student and the guardian: the plan in plain words, in Spanish
	// for the guardian, and no notes.
	sb := f.signedIn(stu)
	res = sb.get("/me")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), `id="family-plans"`) || strings.Contains(string(res.Body), "Left the room") {
		t.Errorf("the student's page: plans shown %v, notes hidden %v", strings.Contains(string(res.Body), `id="family-plans"`), !strings.Contains(string(res.Body), "Left the room"))
	}
	gb := f.signedIn(f.guardian)
	gb.lang = "es"
	res = gb.get(fmt.Sprintf("/family/%d", stu))
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), "Ayuda adicional para") || !strings.Contains(string(res.Body), "Tutoría") || strings.Contains(string(res.Body), "Left the room") {
		t.Errorf("the guardian's page in Spanish does not show the plan in plain words, or shows the notes")
	}
	wantStatus(t, gb.get(planURL), http.StatusForbidden)

	// Closing, once.
	wantStatus(t, tb.post(planURL+"/close", url.Values{"outcome": {""}}), http.StatusUnprocessableEntity)
	wantStatus(t, tb.post(planURL+"/close", url.Values{"outcome": {"met"}, "note": {"Mastered 6.RP.A.1"}}), http.StatusSeeOther)
	res = tb.get(planURL)
	if !strings.Contains(string(res.Body), `data-outcome="met"`) || strings.Contains(string(res.Body), `id="close-form"`) {
		t.Errorf("the closed plan page shows no outcome, or still a form")
	}
	wantStatus(t, tb.post(planURL+"/close", url.Values{"outcome": {"met"}}), http.StatusUnprocessableEntity)
	wantStatus(t, tb.post(planURL, form), http.StatusUnprocessableEntity)
}

// TestSupportPlansAPI creates, reads, edits and closes a plan, and writes
// and reads notes, through the API; the answers follow the OpenAPI
// document (the fixture checks each).
func TestSupportPlansAPI(t *testing.T) {
	f := newFixture(t)
	stu := f.students[1]
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	start := supports.Day(testNow).AddDate(0, 0, -3).Format(supports.DateLayout)
	body := map[string]any{"tier": 2, "kind": "reteach", "standardIds": []int64{f.childA, f.childB}, "providerId": f.teacher,
		"classId": f.class, "startsOn": start, "goal": "Unit rates"}

	bad := map[string]any{"tier": 4, "kind": "detention", "standardIds": []int64{}, "providerId": f.teacher, "startsOn": "tomorrow", "goal": ""}
	res := teacher.do("POST", fmt.Sprintf("/api/v1/students/%d/supports", stu), bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	for _, field := range []string{"tier", "kind", "standardIds", "startsOn", "goal"} {
		if !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("the refusal does not name %s: %s", field, res.Body)
		}
	}

	res = teacher.do("POST", fmt.Sprintf("/api/v1/students/%d/supports", stu), body)
	wantStatus(t, res, http.StatusCreated)
	var p supportPlanJSON
	res.json(t, &p)
	f.record(stu, "Exit ticket", testNow.Add(-time.Hour), map[int64]float64{f.childA: 2})

	res = teacher.do("GET", fmt.Sprintf("/api/v1/supports/%d", p.ID), nil)
	wantStatus(t, res, http.StatusOK)
	var got supportPlanJSON
	res.json(t, &got)
	if got.Progress == nil || len(got.Progress.Points) != 1 || got.Progress.Status != supports.ProgressFlat || got.Progress.GoalLevel != 3 {
		t.Errorf("progress %+v", got.Progress)
	}
	wantStatus(t, teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/supports", stu), nil), http.StatusOK)

	res = teacher.do("PATCH", fmt.Sprintf("/api/v1/supports/%d", p.ID), map[string]any{"tier": 3, "endsOn": supports.Day(testNow).AddDate(0, 0, 30).Format(supports.DateLayout)})
	wantStatus(t, res, http.StatusOK)
	res.json(t, &got)
	if got.Tier != 3 || got.EndsOn == nil || got.Goal != "Unit rates" {
		t.Errorf("patched %+v", got.Plan)
	}
	wantStatus(t, teacher.do("PATCH", fmt.Sprintf("/api/v1/supports/%d", p.ID), map[string]any{"surprise": 1}), http.StatusBadRequest)

	wantStatus(t, teacher.do("POST", fmt.Sprintf("/api/v1/supports/%d/close", p.ID), map[string]any{"outcome": "won"}), http.StatusUnprocessableEntity)
	wantStatus(t, teacher.do("POST", fmt.Sprintf("/api/v1/supports/%d/close", p.ID), map[string]any{"outcome": "partly_met", "note": "Rates not yet"}), http.StatusOK)
	wantStatus(t, teacher.do("POST", fmt.Sprintf("/api/v1/supports/%d/close", p.ID), map[string]any{"outcome": "met"}), http.StatusConflict)
	wantStatus(t, teacher.do("PATCH", fmt.Sprintf("/api/v1/supports/%d", p.ID), map[string]any{"tier": 1}), http.StatusConflict)

	wantStatus(t, teacher.do("POST", fmt.Sprintf("/api/v1/students/%d/notes", stu), map[string]any{"kind": "behaviour", "text": ""}), http.StatusUnprocessableEntity)
	wantStatus(t, teacher.do("POST", fmt.Sprintf("/api/v1/students/%d/notes", stu), map[string]any{"kind": "comment", "text": "Helps others", "classId": f.class}), http.StatusCreated)
	res = teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/notes", stu), nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), "Helps others") {
		t.Errorf("notes: %s", res.Body)
	}

	// The student reads their plans, never the notes, and writes neither.
	student := f.as(f.newToken(stu, access.TokenWrite))
	wantStatus(t, student.do("GET", fmt.Sprintf("/api/v1/students/%d/supports", stu), nil), http.StatusOK)
	wantStatus(t, student.do("GET", fmt.Sprintf("/api/v1/supports/%d", p.ID), nil), http.StatusOK)
	wantStatus(t, student.do("GET", fmt.Sprintf("/api/v1/students/%d/notes", stu), nil), http.StatusForbidden)
	wantStatus(t, student.do("POST", fmt.Sprintf("/api/v1/students/%d/supports", stu), body), http.StatusForbidden)
}

// TestSupportPlanForAnotherTeachersStudent: a plan or a note for a
// student the teacher does not teach is refused exactly like one for a
// student who does not exist, and the refusal is in the audit log; plans
// and their pages read the same way.
func TestSupportPlanForAnotherTeachersStudent(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	ctx := context.Background()
	const missing = 999999
	hidden := supports.Plan{DistrictID: f.district, CreatedBy: o.teacher, PlanDraft: supports.PlanDraft{StudentID: o.student, Tier: 2,
		Kind: supports.Reteach, StandardIDs: []int64{f.childA}, ProviderID: o.teacher, StartsOn: testNow, Goal: "Ratios"}}
	if err := f.st.CreateSupportPlan(ctx, &hidden); err != nil {
		t.Fatal(err)
	}
	teacherToken := f.newToken(f.teacher, access.TokenWrite)
	start := supports.Day(testNow).Format(supports.DateLayout)
	planBody := func(int64) any {
		return map[string]any{"tier": 2, "kind": "reteach", "standardIds": []int64{f.childA}, "providerId": f.teacher, "startsOn": start, "goal": "Ratios"}
	}
	noteBody := func(int64) any { return map[string]any{"kind": "behaviour", "text": "Late"} }
	for _, tc := range []struct {
		method, path string
		hidden       int64
		body         func(int64) any
		page         bool
		noun         string
	}{
		{"GET", "/api/v1/students/%d/supports", o.student, nil, false, ""},
		{"POST", "/api/v1/students/%d/supports", o.student, planBody, false, ""},
		{"GET", "/api/v1/students/%d/notes", o.student, nil, false, ""},
		{"POST", "/api/v1/students/%d/notes", o.student, noteBody, false, ""},
		{"GET", "/api/v1/supports/%d", hidden.ID, nil, false, "support plan"},
		{"PATCH", "/api/v1/supports/%d", hidden.ID, func(int64) any { return map[string]any{"tier": 3} }, false, "support plan"},
		{"POST", "/api/v1/supports/%d/close", hidden.ID, func(int64) any { return map[string]any{"outcome": "met"} }, false, "support plan"},
		{"GET", "/students/%d/supports/new", o.student, nil, true, ""},
		{"POST", "/students/%d/supports", o.student, nil, true, ""},
		{"POST", "/students/%d/notes", o.student, nil, true, ""},
		{"GET", "/supports/%d", hidden.ID, nil, true, "support plan"},
		{"POST", "/supports/%d", hidden.ID, nil, true, "support plan"},
		{"POST", "/supports/%d/close", hidden.ID, nil, true, "support plan"},
		{"GET", "/classes/%d/supports", o.class, nil, true, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			ask := func(id int64) response {
				path := fmt.Sprintf(tc.path, id)
				if tc.page {
					b := f.signedIn(f.teacher)
					if tc.method == "POST" {
						return b.post(path, url.Values{"kind": {"comment"}, "text": {"x"}, "goal": {"x"}, "outcome": {"met"}})
					}
					return b.get(path)
				}
				var body any
				if tc.body != nil {
					body = tc.body(id)
				}
				return f.as(teacherToken).do(tc.method, path, body)
			}
			h, a := ask(tc.hidden), ask(missing)
			if h.Status < 400 {
				t.Fatalf("the hidden id answers %d: %s", h.Status, h.Body)
			}
			hw, aw := sameWords(string(h.Body), tc.path, tc.noun, tc.hidden), sameWords(string(a.Body), tc.path, tc.noun, missing)
			if h.Status != a.Status || hw != aw {
				t.Errorf("hidden: %d\n%s\nmissing: %d\n%s", h.Status, hw, a.Status, aw)
			}
		})
	}

	// The refused changes are logged as such, about the student.
	all, _, err := f.st.SearchAudit(ctx, f.district, store.AuditFilter{ActorID: f.teacher})
	if err != nil {
		t.Fatal(err)
	}
	refused := map[access.What]int{}
	for _, e := range all {
		if e.Action == access.Change && !e.Allowed && e.StudentID == o.student {
			refused[e.What]++
		}
	}
	if refused[access.Supports] < 4 || refused[access.Notes] < 2 {
		t.Errorf("refused changes logged: %v, want the plans' and the notes'", refused)
	}
	if ps, err := f.st.SupportPlans(ctx, f.district, store.SupportPlanFilter{StudentIDs: []int64{o.student}}); err != nil || len(ps) != 1 || !ps[0].Open() || ps[0].Tier != 2 {
		t.Errorf("the other teacher's student's plans: %+v, %v", ps, err)
	}
}
