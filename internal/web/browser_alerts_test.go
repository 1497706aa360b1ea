package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The rules and alerts paths of each role, called from the role's
// function in browser_e2e_test.go.

// teacherAlerts opens the featured class's alerts from the heatmap, reads
// why the newest was raised, dismisses it with a note and finds it among
// the dismissed ones.
func teacherAlerts(t *testing.T, s *site, p *person) {
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	link := fmt.Sprintf(`#class-links a[href="/alerts?class=%d"]`, class)
	if !p.has(link) {
		t.Fatal("the heatmap has no link to the class's alerts")
	}
	p.click(link, 200)
	if !p.has(`#alert-list li[data-open="true"]`) {
		t.Fatalf("the featured class shows no open alert: %s", p.text("main"))
	}
	p.check("alerts")
	id := jsEval[string](p, `document.querySelector('#alert-list li[data-open="true"]').dataset.alert`)
	if words := p.text("#alert-" + id + " .alert-title"); strings.TrimSpace(words) == "" {
		t.Error("the alert gives no reason")
	}
	p.click("#dismiss-open-"+id, 0)
	p.keys("#note-"+id, "Retaught in a small group on Tuesday")
	p.submit("dismiss-"+id, 200)
	if !p.has("#dismissed-notice") || p.has("#alert-"+id) {
		t.Fatalf("after dismissing, on %s: %s", p.location(), p.text("main"))
	}
	p.click("#dismissed-alerts-link", 200)
	if text := p.text("#alert-" + id); !strings.Contains(text, "Retaught in a small group on Tuesday") {
		t.Errorf("the dismissed alert reads %q, without the note", text)
	}
	p.check("alerts-dismissed")
}

// adminRules changes the cut of the scores-below-the-cut rule: an
// impossible one is refused beside its field, a possible one is saved and
// listed among the changes.
func adminRules(t *testing.T, s *site, p *person) {
	p.open("/admin", 200)
	p.click(`a[href="/admin/rules"]`, 200)
	p.check("rules")
	p.clear("#below_cut-cut")
	p.keys("#below_cut-cut", "9")
	p.submit("save-below_cut", 422)
	if !p.has("#below_cut-cut-error") || !p.has("#rule-below_cut-error") {
		t.Fatalf("an impossible cut is not refused beside its field: %s", p.text("#rule-below_cut"))
	}
	p.check("rules-refused")
	p.clear("#below_cut-cut")
	p.keys("#below_cut-cut", "2.5")
	p.keys("#below_cut-reason", "Fewer alerts while the unit is new")
	p.submit("save-below_cut", 200)
	if !p.has("#saved-notice") || !strings.Contains(p.text("#rule-history"), "Fewer alerts while the unit is new") {
		t.Errorf("the change is not saved or not listed: %s", p.text("main"))
	}
}
