package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The outcomes of supports in the browser, called from the administrator's
// function in browser_e2e_test.go with the person signed in there.

// adminOutcomes opens the district's outcomes from the admin page: every
// kind of support has its table, a small group is hidden and says why;
// then a school's, from its pace.
func adminOutcomes(t *testing.T, s *site, p *person) {
	p.open("/admin", 200)
	p.click(`#admin-links a[href="/admin/outcomes"]`, 200)
	if got := p.path(); got != "/admin/outcomes" {
		t.Fatalf("the outcomes link leads to %s", got)
	}
	for _, k := range []string{"reteach", "tutoring", "extension", "referral"} {
		if !p.has("#outcomes-" + k) {
			t.Errorf("the district's outcomes have no table of %s", k)
		}
	}
	if n := jsEval[int](p, `document.querySelectorAll('td.suppressed[data-suppressed="too_few"]').length`); n == 0 {
		t.Error("the district's outcomes hide no small group")
	}
	if why := p.text(`td.suppressed[data-suppressed="too_few"]`); !strings.Contains(why, "10") {
		t.Errorf("a hidden cell says %q, want why (fewer than 10 students)", why)
	}
	if !p.has("#outcomes-caveat") {
		t.Error("the district's outcomes say nothing of what the figures cannot mean")
	}
	p.check("outcomes-district")

	school := s.sum.Class.SchoolID
	// The school's leaders find the supports running from its pace, and
	// their outcomes from there.
	p.open(fmt.Sprintf("/schools/%d/pace", school), 200)
	p.click("#school-supports-link", 200)
	if got, want := p.path(), fmt.Sprintf("/schools/%d/supports", school); got != want {
		t.Fatalf("the school's supports link leads to %s, want %s", got, want)
	}
	p.click("#outcomes-link", 200)
	if got, want := p.path(), fmt.Sprintf("/schools/%d/outcomes", school); got != want {
		t.Fatalf("the school's outcomes link leads to %s, want %s", got, want)
	}
	p.check("outcomes-school")
}
