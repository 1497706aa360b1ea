package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The goals and proposals paths of each role, called from the role's
// function in browser_e2e_test.go.

// teacherProposals opens the featured class's proposals from the heatmap,
// approves one waiting with a comment, and finds the featured student's
// goal on his profile.
func teacherProposals(t *testing.T, s *site, p *person) {
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	if w := jsEval[string](p, `document.querySelector('#proposals-link').dataset.waiting`); w != "2" {
		t.Errorf("the heatmap counts %s proposals waiting, want the demo's 2", w)
	}
	p.click("#proposals-link", 200)
	if got, want := p.path(), fmt.Sprintf("/classes/%d/proposals", class); got != want {
		t.Fatalf("the proposals link leads to %s, want %s", got, want)
	}
	p.check("proposals")
	id := jsEval[string](p, `document.querySelector('#proposals li[data-state="proposed"]').dataset.proposal`)
	p.keys("#comment-"+id, "Great idea: show each ratio in a table.")
	p.click("#approve-"+id, 200)
	if !p.has("#proposal-decided") {
		t.Error("no notice that the decision was saved")
	}
	if st := jsEval[string](p, fmt.Sprintf(`document.querySelector('#proposal-%s').dataset.state`, id)); st != "approved" {
		t.Errorf("the proposal is %s after approving it", st)
	}
	p.open(fmt.Sprintf("/students/%d", s.sum.Student.ID), 200)
	if !p.has("#goals li[data-goal] form.comment-form") {
		t.Error("the student's profile shows no goal to comment on")
	}
}

// guardianGoals reads the featured student's goal, in plain words, on his
// page.
func guardianGoals(t *testing.T, s *site, p *person) {
	p.open(fmt.Sprintf("/family/%d", s.sum.Student.ID), 200)
	if !p.has("#family-goals li[data-goal]") {
		t.Fatal("the child's page shows no goal")
	}
	if text := p.text("#family-goals"); !strings.Contains(text, "playlist B") || !strings.Contains(text, "table 3") {
		t.Errorf("the child's goal reads %q, without the goal or the teacher's comment", text)
	}
}

// studentGoals opens an assessment from "my goals", sees the growth it
// made, sets a goal after it, and proposes an activity of his own.
func studentGoals(t *testing.T, s *site, p *person) {
	p.open("/me", 200)
	p.click("#my-goals-link", 200)
	if p.path() != "/me/goals" {
		t.Fatalf("the goals link leads to %s", p.path())
	}
	if !p.has(`#goals li[data-state="open"]`) {
		t.Error("the featured student has no open goal")
	}
	p.check("me-goals")
	p.click("#set-after a", 200)
	if !p.has("#set-goal svg.chart circle.dot") {
		t.Error("the evidence page draws no growth for the student")
	}
	p.check("evidence-goal")
	p.keys("#goal-what", "Retake the ratios quiz")
	p.keys("#goal-plan", "Practise with ratio tables every evening")
	p.submit("goal-submit", 200)
	if !strings.HasPrefix(p.path(), "/me/goals") || !p.has("#goal-set") {
		t.Fatalf("setting a goal leads to %s without the notice", p.path())
	}
	if n := jsEval[int](p, `document.querySelectorAll('#goals li[data-state="open"]').length`); n != 2 {
		t.Errorf("%d open goals after setting one, want 2", n)
	}
	p.open("/me/proposals", 200)
	p.check("me-proposals")
	jsEval[bool](p, `(() => { const s = document.querySelector('#target'); s.selectedIndex = 1; return true; })()`)
	p.keys("#new-title", "A comic about ratios")
	p.keys("#new-plan", "Draw a six-panel comic where the characters compare ratios at the market.")
	p.submit("propose-submit", 200)
	if !p.has("#proposal-sent") || !p.has(`#proposals li[data-state="proposed"]`) {
		t.Error("the proposal was not sent")
	}
}
