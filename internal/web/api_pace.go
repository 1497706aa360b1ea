package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// classPaceData is a class's pace: each student the actor may see the
// mastery of, against their plan over the class's term, on the district's
// thresholds.
type classPaceData struct {
	Class      roster.Class
	Term       roster.Term
	Thresholds pathways.PaceThresholds
	Students   []roster.Person
	Paces      []pathways.Pace
	// Due is the due dates of the class's pathway (or the course's plan,
	// without one), which every student without a plan of their own
	// shares.
	Due []time.Time
	Cat *standards.Catalog
}

// classPace reads and computes a class's pace, and logs the look at each
// student's mastery.
func (s *Server) classPace(r *http.Request, c roster.Class, detail string) (*classPaceData, error) {
	ctx := r.Context()
	d := c.DistrictID
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Mastery)
	if err != nil {
		return nil, err
	}
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return nil, err
	}
	term, err := s.store.Term(ctx, d, c.TermID)
	if err != nil {
		return nil, err
	}
	th, err := s.store.PaceThresholds(ctx, d)
	if err != nil {
		return nil, err
	}
	cp, err := s.store.ClassPlanning(ctx, d, c.ID)
	if err != nil {
		return nil, err
	}
	// Every standard the students have mastered, in the plan or beyond
	// it: ClassPlanning reads only the states its plans depend on.
	ids := make([]int64, len(students))
	for i, p := range students {
		ids[i] = p.ID
	}
	states, err := s.store.MasteredStates(ctx, d, ids)
	if err != nil {
		return nil, err
	}
	mastered := map[int64]map[int64]time.Time{}
	for _, m := range states {
		if mastered[m.StudentID] == nil {
			mastered[m.StudentID] = map[int64]time.Time{}
		}
		mastered[m.StudentID][m.StandardID] = m.At
	}
	if err := s.auditClass(r, students, rels, access.View, access.Mastery, detail+" of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return nil, err
	}
	out := &classPaceData{Class: c, Term: term, Thresholds: th, Students: students, Cat: cat}
	pt := paceTermOf(term)
	out.Due = pathways.DueDates(coursePlan(cat, c.CourseID), pt)
	if len(cp.Pathway.Targets) > 0 {
		out.Due = pathways.DueDates(planTargets(cat, store.StudentPlan{Plan: pathways.Apply(pathways.Plan{}, cp.Pathway, 0, func(int64) bool { return false })}, c.CourseID), pt)
	}
	parents := parentsOf(cat)
	now := s.now()
	for _, p := range students {
		plan := planTargets(cat, cp.Plans[p.ID], c.CourseID)
		out.Paces = append(out.Paces, studentPace(plan, mastered[p.ID], parents, pt, th, now))
	}
	return out, nil
}

// paceJSON is a student's pace as the API shows it.
type paceJSON struct {
	StudentID int64               `json:"studentId"`
	Name      string              `json:"name"`
	Status    pathways.PaceStatus `json:"status"`
	Targets   int                 `json:"targets"`
	Mastered  int                 `json:"mastered"`
	Expected  int                 `json:"expected"`
	Beyond    int                 `json:"beyond"`
	Done      bool                `json:"done"`
	// RatePerWeek is the targets mastered per school week since the term
	// began.
	RatePerWeek float64 `json:"ratePerWeek"`
	// Projected, Earliest and Latest are the projected date of the plan's
	// last target and its 80% range; absent when there is too little to
	// project from.
	Projected *time.Time `json:"projected,omitempty"`
	Earliest  *time.Time `json:"earliest,omitempty"`
	Latest    *time.Time `json:"latest,omitempty"`
}

// classPaceJSON is a class's pace as the API shows it.
type classPaceJSON struct {
	ClassID    int64                   `json:"classId"`
	Term       paceTermJSON            `json:"term"`
	Thresholds pathways.PaceThresholds `json:"thresholds"`
	AsOf       time.Time               `json:"asOf"`
	Students   []paceJSON              `json:"students"`
}

type paceTermJSON struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	StartDate time.Time `json:"startDate"`
	EndDate   time.Time `json:"endDate"`
}

func datePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// classPaceAPI answers GET /api/v1/classes/{id}/pace.
func (s *Server) classPaceAPI(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	data, err := s.classPace(r, c, "pace")
	if err != nil {
		return err
	}
	out := classPaceJSON{ClassID: c.ID, Thresholds: data.Thresholds, AsOf: s.now(), Students: make([]paceJSON, len(data.Students)),
		Term: paceTermJSON{ID: data.Term.ID, Title: data.Term.Title, StartDate: data.Term.StartDate, EndDate: data.Term.EndDate}}
	for i, p := range data.Students {
		pc := data.Paces[i]
		out.Students[i] = paceJSON{StudentID: p.ID, Name: p.Name(), Status: pc.Status, Targets: pc.Targets, Mastered: pc.Mastered,
			Expected: pc.Expected, Beyond: pc.Beyond, Done: pc.Done, RatePerWeek: pc.Rate,
			Projected: datePtr(pc.Projected), Earliest: datePtr(pc.Earliest), Latest: datePtr(pc.Latest)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
