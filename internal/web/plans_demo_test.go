package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDemoPlanPages opens the plan pages of the demo district for its
// featured people: each answers and weighs under 100 KB with its assets;
// the teacher's "ready today" names a next target and its reason for
// every student; the student's path says what comes next; the guardian
// reads what comes next in Spanish.
func TestDemoPlanPages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	sum := d.sum
	class := itoa(sum.Class.ID)
	pages := []struct {
		who  *http.Cookie
		path string
		want []string
	}{
		{d.teacher, "/classes/" + class + "/ready", []string{`id="ready-table"`, `data-next=`, `id="ready-groups"`}},
		{d.teacher, "/classes/" + class + "/pathway", []string{`id="pathway-form"`, `data-in="true"`}},
		{d.teacher, "/students/" + itoa(sum.Student.ID) + "/plan", []string{`id="class-` + class + `"`, `name="op" value="up"`, `id="interests-field"`}},
		{d.student, "/me/path", []string{`id="next-` + class + `"`, `id="plan-` + class + `"`, `id="interests-list"`}},
		{d.guardian, "/family/" + itoa(sum.Student.ID), []string{`id="plan-next"`}},
	}
	assets := 0
	for _, a := range d.srv.pages.assets {
		assets += len(a.body)
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			rec := d.get(t, p.who, p.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			weight := rec.Body.Len() + assets
			t.Logf("%6d bytes of HTML, %6d in all", rec.Body.Len(), weight)
			if weight > maxPageWeight {
				t.Errorf("the page weighs %d bytes with its assets, over %d", weight, maxPageWeight)
			}
			for _, w := range p.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %s", w)
				}
			}
		})
	}
	// Every student of the featured class has something recommended, and
	// some go beyond the course.
	body := d.get(t, d.teacher, "/classes/"+class+"/ready").Body.String()
	if n, rows := strings.Count(body, "data-next="), strings.Count(body, `<tr id="ready-`); n != rows || rows < 20 {
		t.Errorf("%d of %d students have a next target", n, rows)
	}
	// Among each student's recommended targets, some go beyond the course,
	// and some are chosen for an interest the student shares with their
	// teachers' activities.
	api := d.get(t, d.teacher, "/api/v1/classes/"+class+"/recommendations")
	if api.Code != http.StatusOK {
		t.Fatalf("the class's recommendations: %d %s", api.Code, api.Body)
	}
	for _, code := range []string{"beyond", "interest"} {
		if !strings.Contains(api.Body.String(), `"code":"`+code+`"`) {
			t.Errorf("no recommendation of the featured class has the reason %q", code)
		}
	}
}

// benchmarkDemoPage measures the server's time for one page of the demo
// district through the whole server (session, access check and audit,
// store, template), reporting the 99th percentile as p99-ms.
func benchmarkDemoPage(b *testing.B, who func(d *demoDistrict) (*http.Cookie, string)) {
	d := loadDemo(b)
	c, path := who(d)
	if rec := d.get(b, c, path); rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	} else {
		b.SetBytes(int64(rec.Body.Len()))
	}
	durations := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rec := d.get(b, c, path)
		durations = append(durations, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	reportP99(b, durations)
}

// BenchmarkMyPathPage is the featured student's path; the target is a
// p99 under 50 ms.
func BenchmarkMyPathPage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) { return d.student, "/me/path" })
}

// BenchmarkStudentPlanPage is the featured student's plan as their
// teacher adjusts it, with the standards to add.
func BenchmarkStudentPlanPage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/students/" + itoa(d.sum.Student.ID) + "/plan"
	})
}

// BenchmarkReadyTodayPage is "who is ready for what today" for the
// featured class of 28: every student's plan, readiness and
// recommendations; the target for recommendations for a class of 30 is
// under 50 ms.
func BenchmarkReadyTodayPage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/classes/" + itoa(d.sum.Class.ID) + "/ready"
	})
}

// BenchmarkClassRecommendationsAPI is the same through the JSON API.
func BenchmarkClassRecommendationsAPI(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/api/v1/classes/" + itoa(d.sum.Class.ID) + "/recommendations"
	})
}

// BenchmarkClassPacePage is a class's pace for its teacher: the featured
// class of 28, whole server.
func BenchmarkClassPacePage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/classes/" + itoa(d.sum.Class.ID) + "/pace"
	})
}
