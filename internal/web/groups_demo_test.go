package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestDemoGroupPages: the featured class's groups, schedule and printed
// sheet on the demo district, in English and Spanish, within the weight,
// readable without JavaScript (every change is a form that posts).
func TestDemoGroupPages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	class := itoa(d.sum.Class.ID)
	assets := 0
	for _, a := range d.srv.pages.assets {
		assets += len(a.body)
	}
	for _, lang := range []string{"en", "es"} {
		// The teacher's own preference decides the language of her pages.
		teacher := d.sum.Teacher
		teacher.Language = lang
		if err := d.st.UpdatePerson(context.Background(), &teacher); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/classes/" + class + "/groups", "/classes/" + class + "/schedule", "/classes/" + class + "/schedule/print"} {
			req := httptest.NewRequest("GET", path, nil)
			req.AddCookie(d.teacher)
			rec := httptest.NewRecorder()
			d.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s (%s): status %d", path, lang, rec.Code)
			}
			body := rec.Body.String()
			t.Logf("%s (%s): %d bytes of HTML", path, lang, len(body))
			if len(body)+assets > maxPageWeight {
				t.Errorf("%s (%s) weighs %d bytes with its assets, over %d", path, lang, len(body)+assets, maxPageWeight)
			}
			if strings.Contains(body, "[groups.") || strings.Contains(body, "[schedule.") {
				t.Errorf("%s (%s) shows a missing translation", path, lang)
			}
			if !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s is not in %s", path, lang)
			}
			if strings.Contains(path, "/schedule") {
				if !strings.Contains(body, `id="schedule-grid"`) || strings.Contains(body, `id="schedule-refusals"`) {
					t.Errorf("%s (%s): the demo's schedule is not placed", path, lang)
				}
			}
		}
	}
	body := d.get(t, d.teacher, "/classes/"+class+"/groups").Body.String()
	if n := len(regexp.MustCompile(`class="group-card"`).FindAllString(body, -1)); n < 4 {
		t.Errorf("the groups page shows %d groups, want today's proposal and saved groups", n)
	}
	for _, form := range []string{`id="groups-form"`, `action="/classes/` + class + `/groups"`, `name="csrf"`} {
		if !strings.Contains(body, form) {
			t.Errorf("the groups page lacks %s", form)
		}
	}
}

// BenchmarkClassGroupsPage is the featured class's groups page: the
// proposal rebuilt from the latest data, the saved groups and two weeks
// of history, whole server.
func BenchmarkClassGroupsPage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/classes/" + itoa(d.sum.Class.ID) + "/groups"
	})
}

// BenchmarkGroupProposalAPI is the proposal alone through the JSON API.
func BenchmarkGroupProposalAPI(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/api/v1/classes/" + itoa(d.sum.Class.ID) + "/groups/proposal"
	})
}

// BenchmarkClassSchedulePage is the featured class's schedule page.
func BenchmarkClassSchedulePage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/classes/" + itoa(d.sum.Class.ID) + "/schedule"
	})
}
