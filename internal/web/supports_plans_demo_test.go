package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/store"
)

// TestDemoSupportPlanPages opens the supports pages of the demo district
// for its featured people: each answers and weighs under 100 KB with its
// assets; the teacher's page on the featured student shows his tier, his
// open plan with its progress and the notes; the plan's page draws its
// progress; the class names who is in tiers 2 and 3; the school counts;
// the guardian reads the plan in Spanish and no note; the student reads
// his plan.
func TestDemoSupportPlanPages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	sum := d.sum
	ctx := context.Background()
	mine, err := d.st.SupportPlans(ctx, sum.DistrictID, store.SupportPlanFilter{StudentIDs: []int64{sum.Student.ID}, OpenOnly: true})
	if err != nil || len(mine) == 0 {
		t.Fatalf("the featured student's plans: %v, %v", mine, err)
	}
	student, class, plan := itoa(sum.Student.ID), itoa(sum.Class.ID), itoa(mine[0].ID)
	pages := []struct {
		who  *http.Cookie
		path string
		want []string
		lang string
	}{
		{d.teacher, "/students/" + student, []string{`id="supports"`, `id="student-tier" data-tier="`, `id="open-plans"`, `class="progress-status"`, `id="notes-list"`, `data-kind="behaviour"`}, ""},
		{d.teacher, "/supports/" + plan, []string{`id="plan-progress"`, `<svg class="chart"`, `id="plan-form"`, `id="close-form"`}, ""},
		{d.teacher, "/students/" + student + "/supports/new?class=" + class, []string{`id="plan-form"`, `name="standard"`}, ""},
		{d.teacher, "/classes/" + class + "/supports", []string{`id="class-supports"`, `data-tier="3"`, `data-tier="2"`, `id="class-others"`, `aria-current="page"`}, ""},
		{d.admin, "/schools/" + itoa(sum.Class.SchoolID) + "/supports", []string{`id="school-supports"`, `data-kind="tutoring"`, `data-kind="referral"`, `id="school-support-classes"`}, ""},
		{d.student, "/me", []string{`id="family-plans"`}, ""},
		{d.guardian, "/family/" + student, []string{`id="family-plans"`, "Ayuda adicional para", "desde el"}, "es"},
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
			if p.lang != "" && rec.Header().Get("Content-Language") != p.lang {
				t.Errorf("the page is in %q, want %q", rec.Header().Get("Content-Language"), p.lang)
			}
			for _, english := range []string{"[supports.", "[notes.", "Extra help for", "Small-group reteach"} {
				if p.lang == "es" && strings.Contains(body, english) {
					t.Errorf("the Spanish page has %q", english)
				}
			}
			if p.who != d.teacher && p.who != d.admin && strings.Contains(body, `id="notes-list"`) {
				t.Errorf("the page shows teachers' notes")
			}
		})
	}
	// The notes are the staff's: the student's and the family's pages
	// show none of their words.
	notes, err := d.st.StudentNotes(ctx, sum.DistrictID, sum.Student.ID)
	if err != nil || len(notes) == 0 {
		t.Fatalf("notes: %v, %v", notes, err)
	}
	for _, c := range []*http.Cookie{d.student, d.guardian} {
		for _, path := range []string{"/me", "/family/" + student} {
			if body := d.get(t, c, path).Body.String(); strings.Contains(body, notes[0].Text) {
				t.Errorf("%s shows a teacher's note", path)
			}
		}
	}
}

// BenchmarkStudentPageWithSupports is the teacher's page on the featured
// student with its supports section: his plans, each with its progress
// read from the evidence since it started, and the teachers' notes.
func BenchmarkStudentPageWithSupports(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/students/" + itoa(d.sum.Student.ID)
	})
}

// BenchmarkSchoolSupportsPage is the school's supports for its leaders:
// the plans running today by tier and kind, and by class.
func BenchmarkSchoolSupportsPage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.admin, "/schools/" + itoa(d.sum.Class.SchoolID) + "/supports"
	})
}

// BenchmarkClassSupportsPage is the featured class's supports: who is in
// tier 2 and 3, with each plan's progress.
func BenchmarkClassSupportsPage(b *testing.B) {
	benchmarkDemoPage(b, func(d *demoDistrict) (*http.Cookie, string) {
		return d.teacher, "/classes/" + itoa(d.sum.Class.ID) + "/supports"
	})
}
