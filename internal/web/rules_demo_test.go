package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
