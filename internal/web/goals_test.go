package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
)

// TestGoalsAPI walks a goal and a proposal through the API as the student,
// the teacher and the guardian, and checks who may do what.
func TestGoalsAPI(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	maya := f.students[0]
	ev := f.record(maya, "Quiz: unit rates", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3})
	student := f.as(f.newToken(maya, access.TokenWrite))
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	guardian := f.as(f.newToken(f.guardian, access.TokenRead))
	omar := f.as(f.newToken(f.students[1], access.TokenWrite))

	goals := fmt.Sprintf("/api/v1/students/%d/goals", maya)
	in := goalInput{EvidenceID: &ev, What: "Finish playlist B on unit rates", Due: "2025-03-21", Plan: "Two activities a day",
		Need: "A mini lesson on converting units"}
	bad := in
	bad.Due = "2025-03-01"
	res := student.do("POST", goals, bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if p := res.problem(t); !strings.Contains(string(res.Body), `"due"`) {
		t.Errorf("a past due day is not named: %+v", p)
	}
	bad.Due = "friday"
	res = student.do("POST", goals, bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), "not a date") {
		t.Errorf("a due day that is not a date: %s", res.Body)
	}
	wantStatus(t, teacher.do("POST", goals, in), http.StatusForbidden)
	wantStatus(t, guardian.do("POST", goals, in), http.StatusForbidden)
	res = student.do("POST", goals, in)
	wantStatus(t, res, http.StatusCreated)
	var g pathways.Goal
	res.json(t, &g)
	if g.State != pathways.GoalOpen || *g.EvidenceID != ev || res.Header.Get("Location") != fmt.Sprintf("/api/v1/goals/%d", g.ID) {
		t.Errorf("goal %+v, Location %q", g, res.Header.Get("Location"))
	}

	var gl list[pathways.Goal]
	res = guardian.do("GET", goals, nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &gl)
	if len(gl.Items) != 1 || gl.Items[0].What != in.What {
		t.Errorf("the guardian reads %+v", gl.Items)
	}
	// Another student's goal reads like one that does not exist.
	hidden := omar.do("GET", fmt.Sprintf("/api/v1/goals/%d", g.ID), nil)
	missing := omar.do("GET", "/api/v1/goals/999999", nil)
	wantStatus(t, hidden, http.StatusNotFound)
	wantStatus(t, missing, http.StatusNotFound)
	if a, b := strings.ReplaceAll(hidden.problem(t).Detail, fmt.Sprint(g.ID), "N"), strings.ReplaceAll(missing.problem(t).Detail, "999999", "N"); a != b {
		t.Errorf("a hidden goal and a missing one differ:\n%s\n%s", a, b)
	}
	wantStatus(t, omar.do("GET", goals, nil), http.StatusNotFound)
	wantStatus(t, teacher.do("GET", fmt.Sprintf("/api/v1/goals/%d", g.ID), nil), http.StatusOK)

	comments := fmt.Sprintf("/api/v1/goals/%d/comments", g.ID)
	wantStatus(t, student.do("POST", comments, commentInput{Text: "me"}), http.StatusForbidden)
	wantStatus(t, teacher.do("POST", comments, commentInput{Text: " "}), http.StatusUnprocessableEntity)
	res = teacher.do("POST", comments, commentInput{Text: "Mini lesson on Wednesday, table 3."})
	wantStatus(t, res, http.StatusCreated)
	res.json(t, &g)
	if len(g.Comments) != 1 || g.Comments[0].By != f.teacher {
		t.Errorf("comments %+v", g.Comments)
	}
	reflection := fmt.Sprintf("/api/v1/goals/%d/reflection", g.ID)
	wantStatus(t, student.do("POST", reflection, pathways.Reflection{Happened: "a", Learned: "b"}), http.StatusUnprocessableEntity)
	res = student.do("POST", reflection, pathways.Reflection{Met: true, Happened: "Did all five", Learned: "Units cancel"})
	wantStatus(t, res, http.StatusOK)
	res.json(t, &g)
	if g.State != pathways.GoalMet {
		t.Errorf("state %s after a reflection, want met", g.State)
	}
	wantStatus(t, student.do("POST", reflection, pathways.Reflection{Met: true, Happened: "a", Learned: "b"}), http.StatusConflict)

	// A proposal: refused with the field named, made, returned, revised,
	// approved.
	proposals := fmt.Sprintf("/api/v1/students/%d/proposals", maya)
	pin := proposalInput{ClassID: f.class, StandardID: f.childB, ProposalDraft: pathways.ProposalDraft{Title: "Cereal prices",
		Plan: "Compare unit prices of five cereals", Link: "javascript:alert(1)"}}
	res = student.do("POST", proposals, pin)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), `"link"`) {
		t.Errorf("a link that is not http(s) is not named: %s", res.Body)
	}
	pin.Link = "https://example.org/cereal"
	res = student.do("POST", proposals, pin)
	wantStatus(t, res, http.StatusCreated)
	var p pathways.Proposal
	res.json(t, &p)
	wantStatus(t, teacher.do("GET", proposals, nil), http.StatusOK)
	wantStatus(t, guardian.do("GET", fmt.Sprintf("/api/v1/proposals/%d", p.ID), nil), http.StatusOK)
	wantStatus(t, omar.do("GET", fmt.Sprintf("/api/v1/proposals/%d", p.ID), nil), http.StatusNotFound)
	decision := fmt.Sprintf("/api/v1/proposals/%d/decision", p.ID)
	wantStatus(t, student.do("POST", decision, pathways.Decision{Approve: true}), http.StatusForbidden)
	res = teacher.do("POST", decision, pathways.Decision{Comment: "Say how you will show the unit rate."})
	wantStatus(t, res, http.StatusOK)
	res.json(t, &p)
	if p.State != pathways.ProposalReturned {
		t.Errorf("state %s, want returned", p.State)
	}
	res = student.do("POST", fmt.Sprintf("/api/v1/proposals/%d/revision", p.ID), pathways.ProposalDraft{Title: "Cereal prices",
		Plan: "Compare unit prices and make a poster of the best buy"})
	wantStatus(t, res, http.StatusOK)
	wantStatus(t, teacher.do("POST", decision, pathways.Decision{Approve: true}), http.StatusOK)
	wantStatus(t, teacher.do("POST", decision, pathways.Decision{Approve: true}), http.StatusConflict)
	var plist list[pathways.Proposal]
	res = teacher.do("GET", fmt.Sprintf("/api/v1/classes/%d/proposals", f.class), nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &plist)
	if len(plist.Items) != 1 || plist.Items[0].State != pathways.ProposalApproved || len(plist.Items[0].History) != 4 {
		t.Errorf("class proposals %+v", plist.Items)
	}
}

// TestGoalPages walks the pages: the student sets a goal from their
// evidence, reflects, proposes an activity; the teacher returns and
// approves it and comments on the goal; the guardian reads it all.
func TestGoalPages(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	maya := f.students[0]
	f.record(maya, "Exit ticket", testNow.Add(-72*time.Hour), map[int64]float64{f.childA: 2})
	ev := f.record(maya, "Quiz: ratios", testNow.Add(-time.Hour), map[int64]float64{f.childA: 4, f.childB: 2})
	b := f.signedIn(maya)

	body := wantPage(t, b.get(fmt.Sprintf("/evidence/%d", ev)), http.StatusOK)
	for _, want := range []string{`id="goal-form"`, fmt.Sprintf(`id="goal-growth-%d"`, f.childA), "Before", "After"} {
		if !strings.Contains(body, want) {
			t.Errorf("the student's evidence page lacks %s", want)
		}
	}
	post := fmt.Sprintf("/evidence/%d/goal", ev)
	body = wantPage(t, b.post(post, url.Values{"what": {""}, "due": {"2025-03-01"}, "plan": {"x"}}), http.StatusUnprocessableEntity)
	for _, want := range []string{`id="goal-what-error"`, `id="goal-due-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("a refused goal lacks %s", want)
		}
	}
	to := location(t, b.post(post, url.Values{"what": {"Finish playlist B on unit rates"}, "due": {"2025-03-21"},
		"plan": {"Two activities a day"}, "need": {"A mini lesson on converting units"}}))
	if !strings.HasPrefix(to, "/me/goals?set=1#goal-") {
		t.Fatalf("setting a goal leads to %s", to)
	}
	id := strings.TrimPrefix(to, "/me/goals?set=1#goal-")
	if body := wantPage(t, b.get("/me"), http.StatusOK); !strings.Contains(body, `id="open-goals"`) || !strings.Contains(body, "Finish playlist B on unit rates") {
		t.Error("the student's page does not show the goal being worked on")
	}
	body = wantPage(t, b.get("/me/goals?set=1"), http.StatusOK)
	if !strings.Contains(body, "Finish playlist B on unit rates") || !strings.Contains(body, `id="goal-set"`) {
		t.Error("my goals page lacks the new goal")
	}
	// A teacher does not see the evidence page's goal form.
	tb := f.signedIn(f.teacher)
	if body := wantPage(t, tb.get(fmt.Sprintf("/evidence/%d", ev)), http.StatusOK); strings.Contains(body, `id="goal-form"`) {
		t.Error("the teacher is offered the student's goal form")
	}

	// The teacher comments from the student's profile.
	comment := fmt.Sprintf("/students/%d/goals/%s/comments", maya, id)
	body = wantPage(t, tb.post(comment, url.Values{"text": {" "}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, fmt.Sprintf(`id="comment-%s-error"`, id)) {
		t.Error("an empty comment is not refused beside its goal")
	}
	loc := location(t, tb.post(comment, url.Values{"text": {"Mini lesson Wednesday at table 3."}}))
	loc, _, _ = strings.Cut(loc, "#") // a browser keeps the fragment
	body = wantPage(t, tb.get(loc), http.StatusOK)
	if !strings.Contains(body, "Mini lesson Wednesday at table 3.") || !strings.Contains(body, `id="goal-commented"`) {
		t.Error("the profile lacks the comment")
	}
	// The student reads it, and reflects.
	if body := wantPage(t, b.get("/me/goals"), http.StatusOK); !strings.Contains(body, "Mini lesson Wednesday at table 3.") {
		t.Error("the student does not see the teacher's comment")
	}
	reflect := fmt.Sprintf("/me/goals/%s/reflection", id)
	body = wantPage(t, b.post(reflect, url.Values{"happened": {"All five"}, "learned": {"Units cancel"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, fmt.Sprintf(`id="met-%s-error"`, id)) {
		t.Error("a reflection without met or not is not refused")
	}
	body = wantPage(t, b.post(reflect, url.Values{"met": {"no"}, "happened": {"Three of five"}, "learned": {"Units cancel"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "not due yet") {
		t.Error("a goal not met before its day is not refused")
	}
	location(t, b.post(reflect, url.Values{"met": {"yes"}, "happened": {"All five"}, "learned": {"Units cancel"}, "next": {"Playlist C"}}))

	// The student proposes; the teacher returns, the student revises, the
	// teacher approves.
	body = wantPage(t, b.get("/me/proposals"), http.StatusOK)
	target := fmt.Sprintf("%d-%d", f.class, f.childB)
	if !strings.Contains(body, fmt.Sprintf(`value="%s"`, target)) {
		t.Fatalf("no target %s offered:\n%s", target, body)
	}
	body = wantPage(t, b.post("/me/proposals", url.Values{"target": {""}, "title": {"Cereal"}, "plan": {"Compare"}, "link": {"ftp://x"}}), http.StatusUnprocessableEntity)
	for _, want := range []string{`id="target-error"`, `id="new-link-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("a refused proposal lacks %s", want)
		}
	}
	to = location(t, b.post("/me/proposals", url.Values{"target": {target}, "title": {"Cereal prices"}, "plan": {"Compare unit prices of five cereals"}}))
	pid := to[strings.LastIndex(to, "-")+1:]
	body = wantPage(t, tb.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
	if !strings.Contains(body, `id="proposals-link" data-waiting="1"`) {
		t.Error("the heatmap does not link to one proposal waiting")
	}
	page := fmt.Sprintf("/classes/%d/proposals", f.class)
	body = wantPage(t, tb.get(page), http.StatusOK)
	if !strings.Contains(body, "Cereal prices") || !strings.Contains(body, "approve-"+pid) {
		t.Error("the class's proposals page lacks the proposal and its form")
	}
	decide := fmt.Sprintf("/classes/%d/proposals/%s/decision", f.class, pid)
	body = wantPage(t, tb.post(decide, url.Values{"decision": {"return"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, fmt.Sprintf(`id="comment-%s-error"`, pid)) {
		t.Error("sending back without a comment is not refused")
	}
	location(t, tb.post(decide, url.Values{"decision": {"return"}, "comment": {"Say how you will show the unit rate."}}))
	body = wantPage(t, b.get("/me/proposals"), http.StatusOK)
	if !strings.Contains(body, "Say how you will show the unit rate.") {
		t.Error("the student does not see why the proposal came back")
	}
	location(t, b.post(fmt.Sprintf("/me/proposals/%s/revision", pid), url.Values{"title": {"Cereal prices"}, "plan": {"Compare and make a poster"}}))
	body = wantPage(t, b.post(fmt.Sprintf("/me/proposals/%s/revision", pid), url.Values{"title": {"Cereal prices"}, "plan": {"Again"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "changed meanwhile") {
		t.Error("revising a proposal waiting for a decision is not refused")
	}
	location(t, tb.post(decide, url.Values{"decision": {"approve"}}))
	if body := wantPage(t, b.get("/me/proposals"), http.StatusOK); !strings.Contains(body, `data-state="approved"`) {
		t.Error("the student does not see the approval")
	}

	// The guardian reads the goal in plain words.
	gb := f.signedIn(f.guardian)
	body = wantPage(t, gb.get(fmt.Sprintf("/family/%d", maya)), http.StatusOK)
	for _, want := range []string{"Finish playlist B on unit rates", "Done: the goal was met.", "Mini lesson Wednesday at table 3."} {
		if !strings.Contains(body, want) {
			t.Errorf("the child page lacks %q", want)
		}
	}
	// Another student may not touch Maya's goal or proposal, and reads
	// them as missing.
	ob := f.signedIn(f.students[1])
	wantPage(t, ob.post(reflect, url.Values{"met": {"yes"}, "happened": {"a"}, "learned": {"b"}}), http.StatusNotFound)
	wantPage(t, ob.post(fmt.Sprintf("/me/proposals/%s/revision", pid), url.Values{"title": {"a"}, "plan": {"b"}}), http.StatusNotFound)
}

// TestGoalFormWords checks that every word a goal or proposal form shows
// beside a refused field is in both catalogs (the keys are in a map, where
// TestCatalogsCoverThePages does not look).
func TestGoalFormWords(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for field, key := range formErrorKeys {
		for _, lang := range []string{"en", "es"} {
			if !c.Has(lang, key) {
				t.Errorf("field %s: the %s catalog lacks %q", field, lang, key)
			}
		}
	}
}

// TestGoalsInSpanish reads the child's goals and the student's goals in
// Spanish.
func TestGoalsInSpanish(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	maya := f.students[0]
	ev := f.record(maya, "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3})
	student := f.as(f.newToken(maya, access.TokenWrite))
	wantStatus(t, student.do("POST", fmt.Sprintf("/api/v1/students/%d/goals", maya),
		goalInput{EvidenceID: &ev, What: "Terminar la lista B", Due: "2025-03-21", Plan: "Dos actividades al día"}), http.StatusCreated)
	gb := f.signedIn(f.guardian)
	gb.lang = "es"
	body := wantPage(t, gb.get(fmt.Sprintf("/family/%d", maya)), http.StatusOK)
	if !strings.Contains(body, "Las metas de Maya") || !strings.Contains(body, "Trabajando en ella") {
		t.Error("the child's goals are not in Spanish")
	}
	b := f.signedIn(maya)
	b.lang = "es"
	for _, path := range []string{"/me/goals", "/me/proposals", fmt.Sprintf("/evidence/%d", ev)} {
		body := wantPage(t, b.get(path), http.StatusOK)
		if strings.Contains(body, "[goal.") || strings.Contains(body, "[proposal.") || !strings.Contains(body, `lang="es"`) {
			t.Errorf("%s in Spanish misses words", path)
		}
	}
}

// TestHiddenGoalsLookMissing: another class's proposals, another student's
// goal or proposal, read like ones that do not exist, in the same words.
func TestHiddenGoalsLookMissing(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	zoe := f.as(f.newToken(o.student, access.TokenWrite))
	res := zoe.do("POST", fmt.Sprintf("/api/v1/students/%d/goals", o.student), goalInput{What: "w", Due: "2025-03-20", Plan: "p"})
	wantStatus(t, res, http.StatusCreated)
	goal := idOf(t, res)
	res = zoe.do("POST", fmt.Sprintf("/api/v1/students/%d/proposals", o.student), proposalInput{ClassID: o.class, StandardID: f.childA,
		ProposalDraft: pathways.ProposalDraft{Title: "t", Plan: "p"}})
	wantStatus(t, res, http.StatusCreated)
	proposal := idOf(t, res)
	const missing = 999999
	tb := f.signedIn(f.teacher)
	mb := f.signedIn(f.students[0])
	for _, tc := range []struct {
		name           string
		b              *browser
		post           bool
		hidden, absent string
	}{
		{"teacher: another class's proposals", tb, false, fmt.Sprintf("/classes/%d/proposals", o.class), fmt.Sprintf("/classes/%d/proposals", missing)},
		{"teacher: another student's goal", tb, true, fmt.Sprintf("/students/%d/goals/%d/comments", o.student, goal), fmt.Sprintf("/students/%d/goals/%d/comments", o.student, missing)},
		{"student: another student's goal", mb, true, fmt.Sprintf("/me/goals/%d/reflection", goal), fmt.Sprintf("/me/goals/%d/reflection", missing)},
		{"student: another student's proposal", mb, true, fmt.Sprintf("/me/proposals/%d/revision", proposal), fmt.Sprintf("/me/proposals/%d/revision", missing)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			get := func(path string) response {
				if tc.post {
					return tc.b.post(path, url.Values{"text": {"x"}, "met": {"yes"}, "happened": {"a"}, "learned": {"b"}, "title": {"t"}, "plan": {"p"}})
				}
				return tc.b.get(path)
			}
			hidden, absent := get(tc.hidden), get(tc.absent)
			if hidden.Status != http.StatusNotFound || absent.Status != http.StatusNotFound {
				t.Fatalf("hidden %d, absent %d; want 404 for both", hidden.Status, absent.Status)
			}
			digits := regexp.MustCompile(`\d+`)
			h := digits.ReplaceAllString(errorMessage(t, hidden), "N")
			a := digits.ReplaceAllString(errorMessage(t, absent), "N")
			if h != a {
				t.Errorf("a hidden record reads %q, a missing one %q", h, a)
			}
		})
	}
}

// TestGoalsOpenAPILimits: the OpenAPI document gives the limits of the
// text goals and proposals take.
func TestGoalsOpenAPILimits(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		component, field string
		want             float64
	}{
		{"GoalInput", "what", 200}, {"Reflection", "learned", 4000}, {"ProposalInput", "link", 2048}, {"Decision", "comment", 4000},
	} {
		got := lookup(f.doc, "components", "schemas", tc.component, "properties", tc.field, "maxLength")
		if got != tc.want {
			t.Errorf("%s.%s maxLength = %v, want %v", tc.component, tc.field, got, tc.want)
		}
	}
}
