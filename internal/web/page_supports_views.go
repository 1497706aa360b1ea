package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// classSupportsPage is a class's supports today: who is in tier 2 and 3
// and with which plans, how many supports of each kind run, and the
// other students, each a link to plan one.
type classSupportsPage struct {
	pageBase
	Class    roster.Class
	Links    []navLink
	Students []classSupportStudent
	Others   []classSupportStudent
	Kinds    []supportKindCount
	Tier2    int
	Tier3    int
	CanPlan  bool
}

type classSupportStudent struct {
	ID        int64
	Name      string
	URL       string
	NewURL    string
	Tier      int
	TierLabel string
	Plans     []supportPlanRow
}

type supportKindCount struct {
	Kind, Label string
	Plans       int
}

func (s *Server) classSupportsPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Supports)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, students, rels, access.View, access.Supports, "supports of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	data := &classSupportsPage{pageBase: s.newBase(w, r, pr.T("supports.class.title", c.Title)), Class: c,
		Links: classLinks(pr, c.ID, "supports"), CanPlan: s.mayChangeClass(r, c.ID)}
	if len(students) == 0 {
		return s.renderPage(w, r, http.StatusOK, "supports_class", data)
	}
	ids := make([]int64, len(students))
	for i, p := range students {
		ids[i] = p.ID
	}
	now := s.now()
	plans, err := s.store.SupportPlans(ctx, d, store.SupportPlanFilter{StudentIDs: ids, ActiveOn: now})
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	names := s.newPlanNames(ctx, d)
	byStudent := map[int64][]supportPlanRow{}
	tiers := map[int64]supports.Tier{}
	kinds := map[supports.Kind]int{}
	for _, p := range plans {
		row, err := s.supportRow(ctx, pr, cat, names, p, true)
		if err != nil {
			return err
		}
		// A student's plans in other classes are shown too, named by
		// their class, since the tier is the student's; the counts are
		// this class's.
		if p.ClassID == nil || *p.ClassID != c.ID {
			row.OtherClass = pr.T("supports.class.elsewhere")
			if p.ClassID != nil {
				if oc, err := s.store.Class(ctx, d, *p.ClassID); err == nil {
					row.OtherClass = oc.Title
				}
			}
		} else {
			kinds[p.Kind]++
		}
		byStudent[p.StudentID] = append(byStudent[p.StudentID], row)
		tiers[p.StudentID] = max(tiers[p.StudentID], p.Tier)
	}
	for _, p := range students {
		t := max(tiers[p.ID], supports.Tier1)
		row := classSupportStudent{ID: p.ID, Name: p.Name(), URL: fmt.Sprintf("/students/%d#supports", p.ID),
			NewURL: fmt.Sprintf("/students/%d/supports/new?class=%d", p.ID, c.ID), Tier: int(t), TierLabel: tierLabel(pr, t), Plans: byStudent[p.ID]}
		switch {
		case t == supports.Tier3:
			data.Tier3++
		case t == supports.Tier2:
			data.Tier2++
		}
		if len(row.Plans) > 0 {
			data.Students = append(data.Students, row)
		} else {
			data.Others = append(data.Others, row)
		}
	}
	// The most intensive support first, then by name as the roster is.
	slices.SortStableFunc(data.Students, func(a, b classSupportStudent) int { return cmp.Compare(b.Tier, a.Tier) })
	data.Kinds = kindCounts(pr, kinds)
	return s.renderPage(w, r, http.StatusOK, "supports_class", data)
}

func kindCounts(pr *i18n.Printer, kinds map[supports.Kind]int) []supportKindCount {
	var out []supportKindCount
	for _, k := range supports.Kinds {
		out = append(out, supportKindCount{Kind: string(k), Label: supportKindLabel(pr, k), Plans: kinds[k]})
	}
	return out
}

// schoolSupportsPage is a school's interventions for its leaders and
// coaches: how many plans of each kind and tier run today, for how many
// students, and in which classes. It counts; it names no student.
type schoolSupportsPage struct {
	pageBase
	School   string
	Rows     []schoolSupportRow
	Kinds    []supportKindCount
	Classes  []schoolSupportClass
	Plans    int
	Students int
	Today    string
	// OutcomesURL is the school's outcomes of supports.
	OutcomesURL string
}

type schoolSupportRow struct {
	TierLabel, KindLabel string
	Tier                 int
	Kind                 string
	Plans, Students      int
}

type schoolSupportClass struct {
	Title, URL   string
	Tier2, Tier3 int
	Plans        int
}

func (s *Server) schoolSupportsPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "school")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	// As the school's pace: its leaders, coaches and the district's
	// administrators; anyone else reads it as a school that does not
	// exist.
	if err := access.Allow(a, access.View, access.Roster, access.Scope{SchoolID: id}); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return notFoundPage("school", id)
		}
		return err
	}
	school, err := s.store.School(ctx, a.DistrictID, id)
	if err != nil {
		return urlRecord(err, "school", id)
	}
	pr := s.printerOf(r)
	now := s.now()
	counts, nStudents, err := s.store.SchoolSupportCounts(ctx, a.DistrictID, id, now)
	if err != nil {
		return err
	}
	data := &schoolSupportsPage{pageBase: s.newBase(w, r, pr.T("supports.school.title", school.Name)), School: school.Name, Today: pr.Date(now),
		OutcomesURL: fmt.Sprintf("/schools/%d/outcomes", id)}
	kinds := map[supports.Kind]int{}
	for _, c := range counts {
		data.Rows = append(data.Rows, schoolSupportRow{TierLabel: tierLabel(pr, c.Tier), KindLabel: supportKindLabel(pr, c.Kind),
			Tier: int(c.Tier), Kind: string(c.Kind), Plans: c.Plans, Students: c.Students})
		kinds[c.Kind] += c.Plans
		data.Plans += c.Plans
	}
	data.Kinds = kindCounts(pr, kinds)
	classes, err := s.store.SchoolClasses(ctx, a.DistrictID, []int64{id})
	if err != nil {
		return err
	}
	plans, err := s.store.SupportPlans(ctx, a.DistrictID, store.SupportPlanFilter{ActiveOn: now})
	if err != nil {
		return err
	}
	type classTiers struct {
		plans int
		top   map[int64]supports.Tier
	}
	byClass := map[int64]*classTiers{}
	for _, p := range plans {
		if p.ClassID == nil {
			continue
		}
		ct := byClass[*p.ClassID]
		if ct == nil {
			ct = &classTiers{top: map[int64]supports.Tier{}}
			byClass[*p.ClassID] = ct
		}
		ct.plans++
		ct.top[p.StudentID] = max(ct.top[p.StudentID], p.Tier)
	}
	for _, c := range classes {
		ct := byClass[c.ID]
		if ct == nil {
			continue
		}
		row := schoolSupportClass{Title: c.Title, URL: fmt.Sprintf("/classes/%d/supports", c.ID), Plans: ct.plans}
		for _, t := range ct.top {
			switch t {
			case supports.Tier2:
				row.Tier2++
			case supports.Tier3:
				row.Tier3++
			}
		}
		data.Classes = append(data.Classes, row)
	}
	data.Students = nStudents
	return s.renderPage(w, r, http.StatusOK, "supports_school", data)
}
