package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
)

// classPacePage is a class's pace at a glance: each student's targets
// mastered against those expected by today, the projected date they finish
// their plan with its range, and whether they are ahead, on track or
// behind by the district's thresholds.
type classPacePage struct {
	pageBase
	ClassID    int64
	ClassTitle string
	Course     string
	TermTitle  string
	Intro      string
	Rule       string
	Counts     []paceCount
	Rows       []paceRow
	Chart      *paceChart
	ClassLinks []navLink
}

// paceCount is how many students have one status.
type paceCount struct {
	Status, Label string
	N             int
}

type paceRow struct {
	ID                                  int64
	Name, URL                           string
	Mastered, Expected, Targets, Beyond int
	paceWords
}

func (s *Server) classPacePage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.classAccessScope(r, access.View)
	if err != nil {
		return err
	}
	data, err := s.classPace(r, c, "pace")
	if err != nil {
		return err
	}
	ctx := r.Context()
	pr := s.printerOf(r)
	course, err := s.store.Course(ctx, c.DistrictID, c.CourseID)
	if err != nil {
		return err
	}
	now := s.now()
	page := &classPacePage{pageBase: s.newBase(w, r, pr.T("pace.class.title", c.Title)), ClassID: c.ID, ClassTitle: c.Title,
		Course: course.Title, TermTitle: data.Term.Title, ClassLinks: classLinks(pr, c.ID, "pace")}
	page.Intro = pr.T("pace.class.intro", len(data.Due), pr.Date(data.Term.StartDate), pr.Date(data.Term.EndDate), pathways.ExpectedBy(data.Due, now))
	page.Rule = thresholdsSentence(pr, data.Thresholds)
	n := map[pathways.PaceStatus]int{}
	dots := make([]paceDot, len(data.Students))
	counts := make([]int, len(data.Students))
	for i, p := range data.Students {
		pc := data.Paces[i]
		n[pc.Status]++
		page.Rows = append(page.Rows, paceRow{ID: p.ID, Name: p.Name(), URL: fmt.Sprintf("/students/%d", p.ID),
			Mastered: pc.Mastered, Expected: pc.Expected, Targets: pc.Targets, Beyond: pc.Beyond, paceWords: describePace(pr, pc)})
		dots[i] = paceDot{Label: pr.T("pace.chart.dot", p.Name(), pc.Mastered), Status: string(pc.Status)}
		counts[i] = pc.Mastered
	}
	for _, st := range pathways.PaceStatuses {
		page.Counts = append(page.Counts, paceCount{Status: string(st), Label: pr.T("pace.status." + string(st)), N: n[st]})
	}
	page.Chart = newPaceChart(pr, "class-pace-chart", pr.T("pace.chart.class_title"),
		pr.T("pace.chart.class_desc", len(data.Due), n[pathways.PaceAhead], n[pathways.PaceOnTrack], n[pathways.PaceBehind]),
		paceTermOf(data.Term), data.Due, now, dots, counts, nil)
	return s.renderPage(w, r, http.StatusOK, "class_pace", page)
}

// thresholdsSentence says the district's thresholds in words.
func thresholdsSentence(pr *i18n.Printer, th pathways.PaceThresholds) string {
	return pr.T("pace.rule", th.BehindTargets, th.BehindPercent, th.AheadTargets)
}
