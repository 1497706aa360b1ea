package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Live updates, called from the teacher's function in
// browser_e2e_test.go.

// tab opens a second tab of the person's, with their cookies: the same
// person signed in twice, as a teacher keeps the heatmap open on a
// co-teacher's screen.
func (p *person) tab(who string) *person {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	p.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		p.t.Fatalf("opening a second tab for %s: %v", p.who, err)
	}
	return &person{t: p.t, b: p.b, who: who, ctx: ctx, roles: map[string]string{}}
}

// teacherLive keeps the class's heatmap open in a second tab while the
// teacher records a level for a student in the grid (gridURL) in the
// first: the cell changes in the second tab by itself, without the page
// being loaded again, and the change is announced to screen readers.
func teacherLive(t *testing.T, s *site, p *person, gridURL, studentID, standardID string) {
	w := p.tab("teacher, second tab")
	w.open(fmt.Sprintf("/classes/%d", s.sum.Class.ID), 200)
	before := w.cell(studentID, standardID)
	if before == "" {
		t.Fatalf("no heatmap cell for student %s, standard %s", studentID, standardID)
	}
	// A mark the page loses if it is loaded again.
	jsEval[bool](w, `window.liveMark = true`)
	if !jsEval[bool](w, `!document.hidden && !!document.querySelector('#live-heatmap[data-live]')`) {
		t.Fatal("the heatmap has no live region, or its tab counts as hidden")
	}

	level := "4"
	if strings.HasPrefix(before, "3") || strings.HasPrefix(before, "4") {
		level = "1"
	}
	field := "#c" + studentID + "_" + standardID
	p.open(gridURL, 200)
	p.keys("#title", "Exit ticket: live")
	p.clear(field)
	p.keys(field, level)
	p.submit("record-submit", 200)
	recorded := time.Now()

	after := before
	for after == before && time.Since(recorded) < 10*time.Second {
		time.Sleep(20 * time.Millisecond)
		after = w.cell(studentID, standardID)
	}
	took := time.Since(recorded)
	t.Logf("the second tab's cell went %q -> %q %v after the grid's answer", before, after, took.Round(time.Millisecond))
	if after == before {
		t.Fatalf("the second tab's heatmap cell still reads %q 10 s after recording %s", before, level)
	}
	if mine := p.cell(studentID, standardID); mine != after {
		t.Errorf("the tab that recorded shows %q, the second tab %q", mine, after)
	}
	if !jsEval[bool](w, `window.liveMark === true`) {
		t.Error("the second tab loaded the page again instead of changing the region")
	}
	if said := jsEval[string](w, `(e => e ? e.textContent : '')(document.getElementById('live-status'))`); said == "" {
		t.Error("the change was not announced (#live-status is empty)")
	}
	w.check("heatmap-live")
}
