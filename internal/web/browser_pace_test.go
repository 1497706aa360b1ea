package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The pace pages in the browser: each role's path through them, called
// from the role's function in browser_e2e_test.go with the person signed
// in there.

// teacherPace opens the featured class's pace from its heatmap and finds
// every student with a status and a projected finish.
func teacherPace(t *testing.T, s *site, p *person) {
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	p.click(fmt.Sprintf(`#class-links a[href="/classes/%d/pace"]`, class), 200)
	if got, want := p.path(), fmt.Sprintf("/classes/%d/pace", class); got != want {
		t.Fatalf("the pace link leads to %s, want %s", got, want)
	}
	rows := jsEval[int](p, `document.querySelectorAll('#pace-table tbody tr[data-status]').length`)
	if rows == 0 {
		t.Error("the class's pace lists no student")
	}
	if n := jsEval[int](p, `document.querySelectorAll('#class-pace-chart circle.dot').length`); n != rows {
		t.Errorf("the pace chart draws %d students, the table lists %d", n, rows)
	}
	p.check("class-pace")
}

// guardianPace reads the featured student's pace in plain words on the
// child's page.
func guardianPace(t *testing.T, s *site, p *person) {
	p.open(fmt.Sprintf("/family/%d", s.sum.Student.ID), 200)
	if !p.has("#pace .pace-sentence") {
		t.Fatal("the child's page says nothing of pace")
	}
	words := p.text("#pace .pace-sentence")
	if !strings.Contains(words, s.sum.Student.GivenName) {
		t.Errorf("the pace sentence does not name the child: %q", words)
	}
	p.check("child-pace")
}
