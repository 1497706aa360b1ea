package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/roster"
)

// viewerLine is one row of a page's "who looked" table.
type viewerLine struct {
	Who, As string
	Times   string
}

var viewerRowRE = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>(?:<time[^>]*>)?[^<]*(?:</time>)?</td><td class="num">(\d+)</td></tr>`)

// viewerLines reads the "who looked" table of a page, nil when it has none.
func viewerLines(t *testing.T, body string) []viewerLine {
	t.Helper()
	i := strings.Index(body, `<section id="viewers">`)
	if i < 0 {
		return nil
	}
	section := body[i:]
	section = section[:strings.Index(section, "</section>")]
	var out []viewerLine
	for _, m := range viewerRowRE.FindAllStringSubmatch(section, -1) {
		out = append(out, viewerLine{m[1], m[2], m[3]})
	}
	return out
}

// TestWhoViewed shows a guardian and the student everyone who looked at
// the student's record in the last 30 days, however often one of them
// looked: a teacher opening the class heatmap hundreds of times pushes
// nobody off the list. Nobody else is shown the list.
func TestWhoViewed(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	maya := fmt.Sprintf("/family/%d", f.students[0])
	f.record(f.students[0], "Exit ticket", testNow.Add(-2*time.Hour), map[int64]float64{f.childA: 2})

	// The administrator reads Maya's record once, the guardian opens her
	// page, Maya opens hers.
	wantPage(t, f.signedIn(f.admin).get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)
	f.clock.advance(time.Hour)
	g := f.signedIn(f.guardian)
	wantPage(t, g.get(maya), http.StatusOK)
	f.clock.advance(time.Hour)
	student := f.signedIn(f.students[0])
	wantPage(t, student.get("/me"), http.StatusOK)
	f.clock.advance(time.Hour)
	// Then the teacher opens the class heatmap 520 times: 520 entries
	// about Maya alone, more than a page of the log.
	teacher := f.signedIn(f.teacher)
	for range 520 {
		wantPage(t, teacher.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
	}
	f.clock.advance(time.Hour)

	body := wantPage(t, g.get(maya), http.StatusOK)
	want := []viewerLine{
		{"Wei Chen (you)", "guardian", "2"},
		{"Ana Rivera", "teacher", "520"},
		{"Maya Chen", "the student", "1"},
		{"Dana Okoro", "district administrator", "1"},
	}
	if diff := cmp.Diff(want, viewerLines(t, body)); diff != "" {
		t.Errorf("the guardian's list of who looked (-want +got):\n%s", diff)
	}

	// Maya sees the same list on her own page, in her words.
	body = wantPage(t, student.get("/me"), http.StatusOK)
	want = []viewerLine{
		{"Maya Chen (you)", "the student", "2"},
		{"Wei Chen", "guardian", "2"},
		{"Ana Rivera", "teacher", "520"},
		{"Dana Okoro", "district administrator", "1"},
	}
	if diff := cmp.Diff(want, viewerLines(t, body)); diff != "" {
		t.Errorf("the student's list of who looked (-want +got):\n%s", diff)
	}
	for _, s := range []string{"Who looked at your record", "Everyone who opened or changed your record in the last 30 days"} {
		if !strings.Contains(body, s) {
			t.Errorf("the student's page lacks %q", s)
		}
	}
	student.lang = "es"
	body = wantPage(t, student.get("/me"), http.StatusOK)
	for _, s := range []string{"Quién vio tu expediente", "en los últimos 30 días", "Maya Chen (tú)", "familiar responsable"} {
		if !strings.Contains(body, s) {
			t.Errorf("the student's page in Spanish lacks %q", s)
		}
	}

	// A classmate's own page lists who looked at the classmate, not at
	// Maya; another guardian gets Maya's page as a missing one; her
	// teacher's page on her has no such list.
	body = wantPage(t, f.signedIn(f.students[1]).get("/me"), http.StatusOK)
	if got := viewerLines(t, body); len(got) != 2 || got[0].Who != "Omar Haddad (you)" || got[1].Who != "Ana Rivera" {
		t.Errorf("the classmate's list = %+v, want only the classmate and the teacher", got)
	}
	other := roster.Person{DistrictID: f.district, GivenName: "Rosa", FamilyName: "Haddad", Roles: []roster.Role{roster.RoleGuardian}}
	if err := f.st.CreatePerson(context.Background(), &other); err != nil {
		t.Fatal(err)
	}
	body = wantPage(t, f.signedIn(other.ID).get(maya), http.StatusNotFound)
	if strings.Contains(body, `id="viewers"`) || strings.Contains(body, "Wei Chen") {
		t.Error("another guardian is shown something of Maya's list")
	}
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)
	if strings.Contains(body, `id="viewers"`) {
		t.Error("the teacher's page on Maya lists who looked at her record")
	}

	// Thirty days later the looks so far are out of the period: the
	// guardian's new look is the list.
	f.clock.advance(30*24*time.Hour + time.Minute)
	body = wantPage(t, f.signedIn(f.guardian).get(maya), http.StatusOK)
	want = []viewerLine{{"Wei Chen (you)", "guardian", "1"}}
	if diff := cmp.Diff(want, viewerLines(t, body)); diff != "" {
		t.Errorf("the guardian's list a month later (-want +got):\n%s", diff)
	}
}
