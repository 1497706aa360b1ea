package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The plan pages in the browser: each role's path through them, called
// from the role's function in browser_e2e_test.go with the person signed
// in there.

// teacherPlans opens the featured class's "ready today" from the heatmap,
// then its pathway, then the featured student's plan from their record.
func teacherPlans(t *testing.T, s *site, p *person) {
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	p.click(fmt.Sprintf(`#class-links a[href="/classes/%d/ready"]`, class), 200)
	if n := jsEval[int](p, `document.querySelectorAll('#ready-table tbody tr [data-next]').length`); n == 0 {
		t.Error("ready today recommends nothing to anyone")
	}
	p.check("ready-today")
	p.click(fmt.Sprintf(`nav a[href="/classes/%d/pathway"]`, class), 200)
	if n := jsEval[int](p, `document.querySelectorAll('#pathway-table tr[data-in]').length`); n == 0 {
		t.Error("the featured class's pathway is empty")
	}
	p.check("pathway")
	p.open(fmt.Sprintf("/students/%d", s.sum.Student.ID), 200)
	p.click("#plan-link", 200)
	if !p.has(fmt.Sprintf("#class-%d .plan li", class)) {
		t.Error("the student's plan lists no targets")
	}
	p.check("student-plan")
}

// studentPath opens "my path" from /me and finds what comes next and why.
func studentPath(t *testing.T, s *site, p *person) {
	p.open("/me", 200)
	p.click("#path-link", 200)
	if p.path() != "/me/path" {
		t.Fatalf("the path link leads to %s", p.path())
	}
	if next := p.text(fmt.Sprintf("#next-%d", s.sum.Class.ID)); strings.TrimSpace(next) == "" {
		t.Error("my path says nothing about what comes next")
	}
	p.check("my-path")
}

// guardianNext reads what comes next for the featured student, from his
// plan, on the child's page.
func guardianNext(t *testing.T, s *site, p *person) {
	p.open(fmt.Sprintf("/family/%d", s.sum.Student.ID), 200)
	if !p.has("#plan-next li") {
		t.Error("the child's page says nothing of what comes next in the plan")
	}
	p.check("child-next")
}
