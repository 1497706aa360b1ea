package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
)

// TestDistrictLanguage marks the district's own text, written in its
// language (English by default), wherever a page in another language
// shows it: course, class and school names, evidence titles and comments.
// A page in the district's language needs no marks.
func TestDistrictLanguage(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	ctx := context.Background()
	lv := 3.0
	ev := evidence.Evidence{DistrictID: f.district, StudentID: f.students[0], ClassID: &f.class, Kind: evidence.Formative,
		Title: "Ratio quiz", Comment: "Explained each step clearly.", AssessedAt: testNow.Add(-time.Hour), RecordedBy: f.teacher,
		Scores: []evidence.Score{{StandardID: f.childA, Level: &lv}}}
	if err := f.st.RecordEvidence(ctx, &ev); err != nil {
		t.Fatal(err)
	}
	// A class at a second school, so that the administrator's list names
	// each class's school.
	other := roster.Class{DistrictID: f.district, SchoolID: f.otherSchool(t), CourseID: f.course, TermID: f.term, Title: "Math 6 (Elementary)"}
	if err := f.st.CreateClass(ctx, &other); err != nil {
		t.Fatal(err)
	}
	teacher, guardian, admin, visitor := f.signedIn(f.teacher), f.signedIn(f.guardian), f.signedIn(f.admin), f.browser()
	type page struct {
		b    *browser
		path string
		// want holds the marked text, with LANG for the district's
		// language.
		want []string
	}
	pages := []page{
		{teacher, "/classes", []string{fmt.Sprintf(`<a href="/classes/%d" LANG>Math 6 (Rivera)</a>`, f.class), `<span LANG>Math 6</span>`}},
		{admin, "/classes", []string{`<span LANG>Cedar Valley Middle</span> · <span LANG>Math 6</span>`}},
		{teacher, fmt.Sprintf("/classes/%d", f.class), []string{`<h1 LANG>Math 6 (Rivera)</h1>`, `<span LANG>Math 6</span>`}},
		{teacher, fmt.Sprintf("/students/%d", f.students[0]), []string{`<span LANG>Math 6 (Rivera)</span>`, fmt.Sprintf(`<a href="/evidence/%d" LANG>Ratio quiz</a>`, ev.ID)}},
		{teacher, fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA), []string{fmt.Sprintf(`<a href="/evidence/%d" LANG>Ratio quiz</a>`, ev.ID)}},
		{teacher, fmt.Sprintf("/evidence/%d", ev.ID), []string{fmt.Sprintf(`<h1 id="evidence-title" data-evidence="%d" LANG>Ratio quiz</h1>`, ev.ID),
			`<dd id="evidence-comment" LANG>Explained each step clearly.</dd>`, `<dd LANG>Math 6 (Rivera)</dd>`}},
		{teacher, fmt.Sprintf("/classes/%d/record", f.class), []string{`<span class="muted" LANG>Math 6 (Rivera)</span>`}},
		{guardian, fmt.Sprintf("/family/%d", f.students[0]), []string{`<span LANG>Math 6</span>`, `<span LANG>Ratio quiz</span>`}},
		{visitor, "/", []string{`<h1 LANG>Cedar Valley Unified</h1>`}},
	}
	check := func(pageLang, district string) {
		t.Helper()
		for _, p := range pages {
			p.b.lang = pageLang
			body := wantPage(t, p.b.get(p.path), http.StatusOK)
			if !strings.Contains(body, `<html lang="`+pageLang+`">`) {
				t.Fatalf("%s is not in %s", p.path, pageLang)
			}
			mark := ""
			if pageLang != district {
				mark = ` lang="` + district + `"`
			}
			for _, w := range p.want {
				if mark == "" {
					// Text without an element of its own is not wrapped.
					w = strings.NewReplacer("<span LANG>", "", "</span>", "").Replace(w)
				}
				w = strings.ReplaceAll(w, " LANG", mark)
				if !strings.Contains(body, w) {
					t.Errorf("%s in %s, district in %s: lacks %s", p.path, pageLang, district, w)
				}
			}
		}
	}
	// The district writes in English, the default.
	check("es", "en")
	check("en", "en")
	// A district that writes in Spanish: its text is marked on English
	// pages, and Spanish pages mark only the English framework.
	if err := f.st.SetDistrictLanguage(ctx, f.district, "es"); err != nil {
		t.Fatal(err)
	}
	check("en", "es")
	check("es", "es")
	teacher.lang = "es"
	body := wantPage(t, teacher.get("/classes"), http.StatusOK)
	if n := marked(body, "es"); n != 0 {
		t.Errorf("/classes in Spanish for a district writing in Spanish marks %d parts as Spanish", n)
	}
}
