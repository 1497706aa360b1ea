package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cairn-learning/cairn/internal/i18n"
)

// familyStanding is where a child stands as their guardian's page tells
// it, counted once, here, for every sentence of the page: each standard the
// child's record lists falls in exactly one group, and the page's
// headline is the sum of its groups.
type familyStanding struct {
	Groups []standingGroup
	// Standards, WorkedOn and Mastered add up the groups'.
	Standards, WorkedOn, Mastered int
}

// standingGroup is one part of a child's standards: the standards of one
// of their courses that no other of their courses has, the standards of a
// framework practised across several of their courses (the 4Cs are in
// every class), or the standards with evidence outside this year's
// courses (an earlier grade's, from a diagnostic).
type standingGroup struct {
	// ID names the group in the page ("course-12", "shared-3-12-14",
	// "other").
	ID    string
	Title string
	// Lang is the language of Title: a framework's, or the district's
	// for a course.
	Lang string
	// Expected is the group's sentence of "what is expected", with the
	// titles in it marked with their language.
	Expected template.HTML
	// courses names the courses that share the group's framework, when
	// not every course does.
	courses string
	// Standards counts the group's standards, WorkedOn those with
	// evidence, Mastered those mastered.
	Standards, WorkedOn, Mastered int
	// WorkingOn are the standards worked on and not yet mastered; Done
	// those mastered.
	WorkingOn, Done []stdRow
}

// childCourse is one course of a child's classes, with its standards.
type childCourse struct {
	ID        int64
	Title     string
	Standards map[int64]bool
}

// familyStandingOf groups the standards of v by the child's courses. A
// standard of several of the courses is counted once, in a group of its
// framework, not once per course.
// Course titles are written in the district's language, districtLang.
func familyStandingOf(pr *i18n.Printer, v *studentView, courses []childCourse, districtLang string) familyStanding {
	name := v.Student.GivenName
	var groups []*standingGroup
	byID := map[string]*standingGroup{}
	for _, c := range courses {
		g := &standingGroup{ID: fmt.Sprintf("course-%d", c.ID), Title: c.Title, Lang: districtLang}
		groups = append(groups, g)
		byID[g.ID] = g
	}
	// The groups of shared standards follow the courses' in the order
	// they are met; the standards outside every course come last.
	other := &standingGroup{ID: "other", Title: pr.T("family.other")}
	var shared []*standingGroup
	for _, fv := range v.Frameworks {
		for _, row := range fv.Standards {
			var in []int
			for i, c := range courses {
				if c.Standards[row.ID] {
					in = append(in, i)
				}
			}
			var g *standingGroup
			switch len(in) {
			case 0:
				g = other
			case 1:
				g = groups[in[0]]
			default:
				id := fmt.Sprintf("shared-%d", fv.ID)
				var titles []string
				for _, i := range in {
					id += fmt.Sprintf("-%d", courses[i].ID)
					titles = append(titles, courses[i].Title)
				}
				if g = byID[id]; g == nil {
					g = &standingGroup{ID: id, Title: fv.Title, Lang: fv.Lang}
					if len(in) < len(courses) {
						g.courses = strings.Join(titles, ", ")
					}
					byID[id] = g
					shared = append(shared, g)
				}
			}
			g.Standards++
			switch {
			case row.Mastered:
				g.WorkedOn++
				g.Mastered++
				g.Done = append(g.Done, row)
			case row.Assessed:
				g.WorkedOn++
				g.WorkingOn = append(g.WorkingOn, row)
			}
		}
	}
	title := func(g *standingGroup) template.HTML { return inLang(pr.Lang(), g.Lang, g.Title) }
	for _, g := range groups {
		g.Expected = messageHTML(pr, "family.expected_item", []any{name, title(g), g.Standards, g.WorkedOn})
	}
	for _, g := range shared {
		if g.courses == "" {
			g.Expected = messageHTML(pr, "family.expected_every", []any{name, title(g), g.Standards, g.WorkedOn})
		} else {
			courses := inLang(pr.Lang(), districtLang, g.courses)
			g.Expected = messageHTML(pr, "family.expected_shared", []any{name, courses, title(g), g.Standards, g.WorkedOn})
		}
	}
	other.Expected = template.HTML(template.HTMLEscapeString(pr.N("family.expected_other", other.Standards, name)))
	var out familyStanding
	for _, g := range append(append(groups, shared...), other) {
		if g.Standards == 0 {
			continue
		}
		out.Groups = append(out.Groups, *g)
		out.Standards += g.Standards
		out.WorkedOn += g.WorkedOn
		out.Mastered += g.Mastered
	}
	return out
}
