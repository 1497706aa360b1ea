package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// readyTeacher goes from the featured class's heatmap to who is ready for
// the summative, chooses the first student proposed under a standard and
// confirms them; the page then shows the confirmation, and the student's
// page for the standard says it to the teacher.
func readyTeacher(t *testing.T, s *site, p *person) {
	t.Helper()
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	p.click("#summative-link", 200)
	if got, want := p.path(), fmt.Sprintf("/classes/%d/summative", class); got != want {
		t.Fatalf("the heatmap's link leads to %s, want %s", got, want)
	}
	p.check("summative")
	box := jsEval[string](p, `(() => { const b = document.querySelector('tr.proposed input[type=checkbox]'); return b ? b.id : '' })()`)
	if box == "" {
		t.Fatal("nobody in the featured class is proposed for the summative")
	}
	std, student, ok := strings.Cut(strings.TrimPrefix(box, "s"), "-")
	if !ok {
		t.Fatalf("the checkbox %q does not name a standard and a student", box)
	}
	p.click("#"+box, 0)
	p.click("#confirm-"+std, 200)
	if !p.has("#saved-notice") {
		t.Error("no notice that the confirmation was saved")
	}
	if !p.has(`#std-` + std + ` tr.confirmed[data-student="` + student + `"]`) {
		t.Errorf("student %s is not shown confirmed under standard %s", student, std)
	}
	p.check("summative-confirmed")
	p.click(`#std-`+std+` tr.confirmed[data-student="`+student+`"] th a`, 200)
	if got := p.text("#summative-status"); !strings.Contains(got, "confirmed") {
		t.Errorf("the student's standard page says %q, want the confirmation", got)
	}
	p.check("summative-standard")
}
