package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestDemoAlertPages opens the rules and alerts pages of the demo district
// as its featured people read them (in English, their language; TestAlerts
// reads them in Spanish): each answers, holds what the demo's rules raised,
// and weighs under maxPageWeight with its assets.
func TestDemoAlertPages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	class := itoa(d.sum.Class.ID)
	// The featured class: the rules fired on its evidence and on the
	// morning's sweep, and its teacher dismissed a few with notes.
	f := store.AlertFilter{TeacherID: d.sum.Teacher.ID, ClassID: d.sum.Class.ID, Page: store.Page{Limit: 500}}
	open, _, err := d.st.Alerts(context.Background(), d.sum.DistrictID, f)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[supports.RuleKind]int{}
	for _, a := range open {
		kinds[a.Kind]++
	}
	t.Logf("the featured class: %d open alerts %v", len(open), kinds)
	if kinds[supports.RuleBelowCut] == 0 || kinds[supports.RuleNoEvidence] == 0 || kinds[supports.RuleStalled] == 0 {
		t.Errorf("the featured class's open alerts by kind %v: want scores below the cut, stalls and targets without evidence", kinds)
	}
	f.Dismissed = true
	if dismissed, _, err := d.st.Alerts(context.Background(), d.sum.DistrictID, f); err != nil || len(dismissed) != 3 {
		t.Errorf("the featured class's dismissed alerts: %d, %v", len(dismissed), err)
	}
	assets := 0
	for _, a := range d.srv.pages.assets {
		assets += len(a.body)
	}
	for _, p := range []struct {
		who        *http.Cookie
		path, want string
	}{
		{d.teacher, "/alerts", `data-open="true"`},
		{d.teacher, "/alerts?class=" + class, `data-open="true"`},
		{d.teacher, "/alerts?dismissed=true", "Retaught in the small group at table 3"},
		{d.teacher, "/students/" + itoa(d.sum.Student.ID), `id="student-alerts"`},
		{d.teacher, "/classes/" + class, "/alerts?class=" + class},
		{d.admin, "/alerts", `data-open="true"`},
		{d.admin, "/admin/rules", `id="rule-below_cut"`},
	} {
		for _, lang := range []string{"en"} {
			t.Run(lang+p.path, func(t *testing.T) {
				rec := d.getLang(t, p.who, p.path, lang)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %.2000s", rec.Code, rec.Body)
				}
				body := rec.Body.String()
				if !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, p.want) {
					t.Errorf("the page is not in %s or lacks %q:\n%.3000s", lang, p.want, body)
				}
				if weight := rec.Body.Len() + assets; weight > maxPageWeight {
					t.Errorf("the page weighs %d bytes with its assets, over %d", weight, maxPageWeight)
				}
				t.Logf("%6d bytes of HTML", rec.Body.Len())
			})
		}
	}
}

// getLang is get in a language the reader chose with the switch.
func (d *demoDistrict) getLang(tb testing.TB, c *http.Cookie, path, lang string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(c)
	req.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}
