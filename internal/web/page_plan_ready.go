package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
)

// readyPage is "who is ready for what today" for a class: for each
// student, the targets of their plan they are ready for now and the one
// recommended next, with why.
type readyPage struct {
	pageBase
	Class   roster.Class
	Course  string
	Rows    []readyRow
	Links   []navLink
	Pathway bool
	// ByTarget groups the students by the target recommended to them:
	// today's groups at a glance.
	ByTarget []readyGroup
}

type readyRow struct {
	ID      int64
	Name    string
	PlanURL string
	Ready   []readyTarget
	Next    *pathNext
	Done    int
	Total   int
}

// readyTarget is a target a student is ready for, named by its code.
type readyTarget struct {
	ID         int64
	Label, URL string
}

type readyGroup struct {
	stdRow
	Students []string
}

func (s *Server) classReadyPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Plan)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, students, rels, access.View, access.Plan, "ready today of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	cp, err := s.store.ClassPlanning(ctx, d, c.ID)
	if err != nil {
		return err
	}
	course, err := s.store.Course(ctx, d, c.CourseID)
	if err != nil {
		return err
	}
	tags, err := s.store.ActivityTags(ctx, d, []int64{c.ID})
	if err != nil {
		return err
	}
	data := &readyPage{pageBase: s.newBase(w, r, pr.T("plan.ready.title", c.Title)), Class: c, Course: course.Title,
		Links: classLinks(pr, c.ID, "ready"), Pathway: len(cp.Pathway.Targets) > 0}
	group := map[int64]int{}
	for _, p := range students {
		sp := cp.Plans[p.ID]
		states := cp.States[p.ID]
		standing := standingOf(cat, states)
		row := readyRow{ID: p.ID, Name: p.Name(), PlanURL: fmt.Sprintf("/students/%d/plan", p.ID), Total: len(sp.Targets)}
		// Only what the page shows is written out: the ready targets by
		// code, and the one recommended next.
		for _, t := range sp.Targets {
			if standing.Mastered(t.StandardID) {
				row.Done++
				continue
			}
			st, ok := cat.Standard(t.StandardID)
			if ok && pathways.Ready(standing, t.StandardID).Ready {
				row.Ready = append(row.Ready, readyTarget{ID: st.ID, Label: shortLabel(st),
					URL: fmt.Sprintf("/students/%d/standards/%d", p.ID, st.ID)})
			}
		}
		recs := pathways.Recommend(sp.Plan, standing, interestsOf(tags, cp.Interests[p.ID]), 1)
		if len(recs) > 0 {
			st, ok := cat.Standard(recs[0].StandardID)
			if ok {
				next := pathNext{stdRow: s.stdRowOf(pr, p.ID, st, cat, stateRef(states, st.ID)), Reason: reasonText(pr, cat, recs[0]), Why: recs[0].Reason.Code}
				row.Next = &next
				i, ok := group[next.ID]
				if !ok {
					i = len(data.ByTarget)
					group[next.ID] = i
					data.ByTarget = append(data.ByTarget, readyGroup{stdRow: next.stdRow})
				}
				data.ByTarget[i].Students = append(data.ByTarget[i].Students, p.Name())
			}
		}
		data.Rows = append(data.Rows, row)
	}
	return s.renderPage(w, r, http.StatusOK, "plan_ready", data)
}

// classLinks are the ways between a class's pages: the heatmap, who is
// ready for what today, and the pathway.
func classLinks(pr interface{ T(string, ...any) string }, classID int64, current string) []navLink {
	links := []navLink{
		{Label: pr.T("plan.nav.heatmap"), URL: fmt.Sprintf("/classes/%d", classID)},
		{Label: pr.T("plan.nav.ready"), URL: fmt.Sprintf("/classes/%d/ready", classID)},
		{Label: pr.T("plan.nav.pathway"), URL: fmt.Sprintf("/classes/%d/pathway", classID)},
		{Label: pr.T("pace.class.link"), URL: fmt.Sprintf("/classes/%d/pace", classID)},
	}
	for i, name := range []string{"heatmap", "ready", "pathway", "pace"} {
		links[i].Current = name == current
	}
	// Flexible groups and the schedule.
	links = append(links,
		navLink{Label: pr.T("groups.link"), URL: groupsURL(classID), Current: current == "groups"},
		navLink{Label: pr.T("schedule.link"), URL: scheduleURL(classID), Current: current == "schedule"})
	// Support plans: who is in tier 2 and 3 and which supports run.
	links = append(links, navLink{Label: pr.T("supports.class.nav"), URL: fmt.Sprintf("/classes/%d/supports", classID), Current: current == "supports"})
	return links
}
