package web

import (
	"context"
	"fmt"
	"time"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// studentPaceView is a student's pace in one class, for their own page and
// their family's: in words, and drawn.
type studentPaceView struct {
	ClassID  int64
	Course   string
	Lang     string // the district's language, for the course's title
	Status   string
	Label    string
	Sentence string
	// Counts says the targets mastered and expected; Beyond the standards
	// mastered beyond the plan.
	Counts, Beyond string
	Chart          *paceChart
}

// loadStudentPace computes a student's pace in each of their classes; the
// caller has checked and logged the access to their mastery. own says the
// student reads it (in the second person), else their family.
func (s *Server) loadStudentPace(ctx context.Context, pr *i18n.Printer, districtID int64, v *studentView, now time.Time, own bool) ([]studentPaceView, error) {
	if len(v.Classes) == 0 {
		return nil, nil
	}
	cat, err := s.store.Catalog(ctx, districtID)
	if err != nil {
		return nil, err
	}
	th, err := s.store.PaceThresholds(ctx, districtID)
	if err != nil {
		return nil, err
	}
	plans, states, err := s.store.StudentPlans(ctx, districtID, v.Student.ID)
	if err != nil {
		return nil, err
	}
	return s.studentPaceViews(ctx, pr, districtID, cat, th, v, plans, states, now, own)
}

// studentPaceViews is loadStudentPace on the student's plans and states,
// already read.
func (s *Server) studentPaceViews(ctx context.Context, pr *i18n.Printer, districtID int64, cat *standards.Catalog, th pathways.PaceThresholds,
	v *studentView, plans []store.StudentPlan, states map[int64]mastery.State, now time.Time, own bool) ([]studentPaceView, error) {
	mastered := masteredOf(states)
	parents := parentsOf(cat)
	var out []studentPaceView
	for _, c := range v.Classes {
		var sp store.StudentPlan
		for _, x := range plans {
			if x.Class.ID == c.ID {
				sp = x
			}
		}
		plan := planTargets(cat, sp, c.CourseID)
		if len(plan) == 0 {
			continue
		}
		t, err := s.store.Term(ctx, districtID, c.TermID)
		if err != nil {
			return nil, err
		}
		term := paceTermOf(t)
		p := studentPace(plan, mastered, parents, term, th, now)
		w := describePace(pr, p)
		sv := studentPaceView{ClassID: c.ID, Course: c.Course, Lang: cat.Language(), Status: w.Status, Label: w.StatusLabel,
			Counts: pr.T("pace.counts", p.Mastered, p.Targets, p.Expected)}
		if own {
			sv.Sentence = ownPaceSentence(pr, c.Course, p, term)
		} else {
			sv.Sentence = familyPaceSentence(pr, v.Student.GivenName, c.Course, p, term)
		}
		if p.Beyond > 0 {
			sv.Beyond = pr.N("pace.beyond", p.Beyond)
		}
		sv.Chart = newPaceChart(pr, fmt.Sprintf("pace-chart-%d", c.ID), pr.T("pace.chart.student_title", c.Course),
			sv.Sentence+" "+sv.Counts, term, p.Due, now, []paceDot{{Label: sv.Counts, Status: w.Status}}, []int{p.Mastered}, &p)
		out = append(out, sv)
	}
	return out, nil
}

// ownPaceSentence is a student's pace in a class as they read it.
func ownPaceSentence(pr *i18n.Printer, course string, p pathways.Pace, term pathways.PaceTerm) string {
	switch {
	case p.Done:
		return pr.T("pace.me.done", p.Targets, course)
	case !p.Projectable():
		return pr.T("pace.me.early."+string(p.Status), p.Targets, course)
	case p.Status == pathways.PaceBehind && !p.FinishesInTerm(term):
		return pr.T("pace.me.behind_late", p.Targets, course, pr.Date(p.Projected), spreadWords(pr, p), pr.Date(term.End))
	}
	return pr.T("pace.me."+string(p.Status), p.Targets, course, pr.Date(p.Projected), spreadWords(pr, p))
}
