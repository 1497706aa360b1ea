package web

import (
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
)

// myPathPage is a student's own path: in each class, what to work on
// next and why, then the targets of their plan in order with where they
// stand, whether they are ready and what they are waiting for.
type myPathPage struct {
	pageBase
	Student   roster.Person
	Plans     []pathView
	Interests []string
	Pace      []studentPaceView
}

func (s *Server) myPathPage(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if _, err := s.studentPage(r, a.PersonID, access.Profile, access.Mastery, access.Plan); err != nil {
		return err
	}
	ctx := r.Context()
	pr := s.printerOf(r)
	p, err := s.store.Person(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return err
	}
	plans, states, err := s.store.StudentPlans(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return err
	}
	interests, err := s.store.StudentInterests(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return err
	}
	tags, err := s.plansTags(ctx, a.DistrictID, plans)
	if err != nil {
		return err
	}
	data := &myPathPage{pageBase: s.newBase(w, r, pr.T("plan.me.title")), Student: p, Interests: interests}
	now := s.now()
	v := &studentView{Student: p}
	for _, sp := range plans {
		course, err := s.store.Course(ctx, a.DistrictID, sp.Class.CourseID)
		if err != nil {
			return err
		}
		data.Plans = append(data.Plans, s.pathViewOf(pr, cat, sp, course.Title, states, interests, tags, now))
		v.Classes = append(v.Classes, studentClass{Class: sp.Class, Course: course.Title})
	}
	th, err := s.store.PaceThresholds(ctx, a.DistrictID)
	if err != nil {
		return err
	}
	if data.Pace, err = s.studentPaceViews(ctx, pr, a.DistrictID, cat, th, v, plans, states, now, true); err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "plan_me", data)
}
