package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The support plans and teachers' notes in the browser: each role's path
// through them, called from the role's function in browser_e2e_test.go
// with the person signed in there.

// teacherSupports opens the featured class's supports from its heatmap,
// plans a support for a student of the class who has none, finds it on
// the student's page with its progress, and writes a behaviour note.
func teacherSupports(t *testing.T, s *site, p *person) {
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	p.click(fmt.Sprintf(`#class-links a[href="/classes/%d/supports"]`, class), 200)
	if got, want := p.path(), fmt.Sprintf("/classes/%d/supports", class); got != want {
		t.Fatalf("the supports link leads to %s, want %s", got, want)
	}
	if n := jsEval[int](p, `document.querySelectorAll('#class-supports tr[data-tier="3"]').length`); n == 0 {
		t.Error("the class's supports show no student in tier 3")
	}
	p.check("class-supports")
	planURL := jsEval[string](p, `document.querySelector('#class-others a[href*="/supports/new"]').getAttribute('href')`)
	if planURL == "" {
		t.Fatal("the class's supports offer no new plan for a student without one")
	}
	p.open(planURL, 200)
	p.check("support-new")
	jsEval[bool](p, `(() => { const s = document.querySelector('#plan-standards'); s.options[0].selected = true; return true; })()`)
	p.keys("#plan-schedule", "Mon and Wed, 20 min")
	p.keys("#plan-goal", "Proficient on the first standard of the unit by the end of the month")
	p.submit("plan-submit", 200)
	if !strings.HasPrefix(p.path(), "/supports/") || !p.has("#plan-created") {
		t.Fatalf("saving the plan leads to %s without the notice", p.path())
	}
	if !p.has("#plan-progress") || !p.has("#close-form") {
		t.Error("the new plan's page shows no progress or no way to close it")
	}
	p.check("support-plan")
	p.click("#plan-student-link", 200)
	if n := jsEval[int](p, `document.querySelectorAll('#open-plans li[data-tier="2"][data-kind="reteach"]').length`); n == 0 {
		t.Error("the student's page does not list the new tier 2 reteach")
	}
	p.click(`#note-form input[value="behaviour"]`, 0)
	p.keys("#note-text", "Left the small group early to finish a test in another class.")
	p.submit("note-submit", 200)
	if !p.has("#noted-notice") || !strings.Contains(p.text("#notes-list"), "Left the small group early") {
		t.Error("the note is not on the student's page after saving it")
	}
	p.check("student-supports")
}

// guardianSupports reads the featured student's plan in plain words, in
// Spanish, with no teacher's note, and switches the pages back to
// English as they were.
func guardianSupports(t *testing.T, s *site, p *person) {
	p.open(fmt.Sprintf("/family/%d", s.sum.Student.ID), 200)
	p.click("#account-menu summary", 0)
	p.click(`#language-form button[value="es"]`, 200)
	if !p.has("#family-plans li.support-plan") {
		t.Fatal("the child's page shows no support plan")
	}
	if text := p.text("#family-supports"); !strings.Contains(text, "Ayuda adicional para") || !strings.Contains(text, "desde el") {
		t.Errorf("the child's plan reads %q, not in plain Spanish", text)
	}
	if p.has("#notes-list") || p.has("#note-form") {
		t.Error("the guardian sees the teachers' notes")
	}
	p.check("child-supports-es")
	p.click("#account-menu summary", 0)
	p.click(`#language-form button[value="en"]`, 200)
}

// studentSupports finds the student's own plan on their page, and no
// note about them.
func studentSupports(t *testing.T, s *site, p *person) {
	p.open("/me", 200)
	if !p.has("#family-plans li.support-plan") {
		t.Error("the student's page shows no support plan")
	}
	if p.has("#notes-list") {
		t.Error("the student sees the teachers' notes")
	}
}

// adminSupports reads the featured class's school's supports: the plans
// running today by tier and kind.
func adminSupports(t *testing.T, s *site, p *person) {
	p.open(fmt.Sprintf("/schools/%d/supports", s.sum.Class.SchoolID), 200)
	if n := jsEval[int](p, `document.querySelectorAll('#school-supports tbody tr').length`); n < 3 {
		t.Errorf("the school's supports count %d kinds and tiers, want at least 3", n)
	}
	p.check("school-supports")
}
