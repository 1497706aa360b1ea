package web

import (
	"html"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// TestFamilyStanding groups a child's standards as their guardian's page
// counts them: a standard that two courses share (the 4Cs) is counted
// once, in its own group; one outside every course in a group of its own;
// and the headline is the sum of the groups.
func TestFamilyStanding(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	pr := c.Printer("en")
	row := func(id int64, assessed, mastered bool) stdRow {
		return stdRow{ID: id, Assessed: assessed, Mastered: mastered}
	}
	v := &studentView{Student: roster.Person{GivenName: "Nico"}, Frameworks: []frameworkView{
		{ID: 1, Title: "Math", Kind: standards.Academic, Standards: []stdRow{
			row(10, true, true), row(11, true, false), row(12, false, false),
			row(19, true, false), // last year's, from a diagnostic
		}},
		{ID: 2, Title: "ELA", Kind: standards.Academic, Standards: []stdRow{row(20, true, true), row(21, false, false)}},
		{ID: 3, Title: "The 4Cs", Lang: "en", Kind: standards.Disposition, Standards: []stdRow{
			row(30, true, true), row(31, true, true), row(32, false, false),
		}},
	}}
	for _, fv := range v.Frameworks {
		for _, r := range fv.Standards {
			v.Total++
			if r.Assessed {
				v.Assessed++
			}
			if r.Mastered {
				v.Mastered++
			}
		}
	}
	set := func(ids ...int64) map[int64]bool {
		m := map[int64]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	courses := []childCourse{
		{ID: 7, Title: "Math 6", Standards: set(10, 11, 12, 30, 31, 32)},
		{ID: 8, Title: "ELA 6", Standards: set(20, 21, 30, 31, 32)},
		{ID: 9, Title: "Art", Standards: set()},
	}
	got := familyStandingOf(pr, v, courses, "en")
	type counts struct {
		ID                            string
		Standards, WorkedOn, Mastered int
		WorkingOn, Done               int
	}
	var gotCounts []counts
	for _, g := range got.Groups {
		gotCounts = append(gotCounts, counts{g.ID, g.Standards, g.WorkedOn, g.Mastered, len(g.WorkingOn), len(g.Done)})
	}
	want := []counts{
		{"course-7", 3, 2, 1, 1, 1},
		{"course-8", 2, 1, 1, 0, 1},
		{"shared-3-7-8", 3, 2, 2, 0, 2},
		{"other", 1, 1, 0, 1, 0},
	}
	if diff := cmp.Diff(want, gotCounts); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if got.Standards != v.Total || got.WorkedOn != v.Assessed || got.Mastered != v.Mastered {
		t.Errorf("the headline counts %d standards, %d worked on, %d mastered; the record lists %d, %d, %d",
			got.Standards, got.WorkedOn, got.Mastered, v.Total, v.Assessed, v.Mastered)
	}
	for i, wantText := range []string{
		"In Math 6, Nico is working toward 3 standards; 2 of them",
		"In ELA 6, Nico is working toward 2 standards; 1 of them",
		"In Math 6, ELA 6, Nico also practises 3 standards of The 4Cs; 2 of them",
		"Nico also has evidence on 1 standard outside this year's courses",
	} {
		if !strings.Contains(html.UnescapeString(string(got.Groups[i].Expected)), wantText) {
			t.Errorf("group %s says %q, want %q", got.Groups[i].ID, got.Groups[i].Expected, wantText)
		}
	}
	// Shared by every course of the child, the 4Cs are "in every class".
	got = familyStandingOf(pr, v, courses[:2], "en")
	if g := got.Groups[2]; !strings.HasPrefix(string(g.Expected), "In every class, Nico also practises 3 standards of The 4Cs") || g.Lang != "en" {
		t.Errorf("the shared group says %q (lang %q)", g.Expected, g.Lang)
	}
	// On a Spanish page, the district's English course titles are marked
	// as English in the sentence that names them.
	got = familyStandingOf(c.Printer("es"), v, courses, "en")
	for i, want := range []string{`<span lang="en">Math 6</span>`, `<span lang="en">ELA 6</span>`, `<span lang="en">Math 6, ELA 6</span>`} {
		if !strings.Contains(string(got.Groups[i].Expected), want) {
			t.Errorf("Spanish group %s says %q, want it to hold %s", got.Groups[i].ID, got.Groups[i].Expected, want)
		}
	}
}
