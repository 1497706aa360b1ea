package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// studentPlanPage is a student's plan as a teacher adjusts it with the
// student: in each class, the targets in order with where the student
// stands and what is recommended next; a teacher of the class moves,
// removes and adds targets (standards of the next course too, to go
// beyond this one), and keeps the student's interests.
type studentPlanPage struct {
	pageBase
	Student    roster.Person
	ProfileURL string
	Plans      []planEditView
	CanEdit    bool
	Interests  string
	Error      string
	Saved      bool
}

type planEditView struct {
	pathView
	CanEdit bool
	// Add are the standards a teacher may add: the course's not in the
	// plan, then those of other courses (beyond).
	Add    []addOption
	Beyond []addOption
}

type addOption struct {
	ID    int64
	Label string
}

func (s *Server) studentPlanPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	if _, err := s.studentPage(r, id, access.Profile, access.Mastery, access.Plan); err != nil {
		return err
	}
	data, err := s.studentPlanData(w, r, id)
	if err != nil {
		return err
	}
	data.Saved = r.URL.Query().Get("saved") == "1"
	return s.renderPage(w, r, http.StatusOK, "plan_student", data)
}

func (s *Server) studentPlanData(w http.ResponseWriter, r *http.Request, id int64) (*studentPlanPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	p, err := s.store.Person(ctx, a.DistrictID, id)
	if err != nil {
		return nil, urlRecord(err, "student", id)
	}
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	plans, states, err := s.store.StudentPlans(ctx, a.DistrictID, id)
	if err != nil {
		return nil, err
	}
	interests, err := s.store.StudentInterests(ctx, a.DistrictID, id)
	if err != nil {
		return nil, err
	}
	tags, err := s.plansTags(ctx, a.DistrictID, plans)
	if err != nil {
		return nil, err
	}
	rels, err := s.store.RelationsTo(ctx, a, id)
	if err != nil {
		return nil, err
	}
	_, derr := access.Decide(a, access.Change, access.Plan, rels)
	data := &studentPlanPage{pageBase: s.newBase(w, r, pr.T("plan.student.title", p.Name())), Student: p,
		ProfileURL: fmt.Sprintf("/students/%d", id), CanEdit: derr == nil, Interests: strings.Join(interests, ", ")}
	now := s.now()
	for _, sp := range plans {
		course, err := s.store.Course(ctx, a.DistrictID, sp.Class.CourseID)
		if err != nil {
			return nil, err
		}
		v := planEditView{pathView: s.pathViewOf(pr, cat, sp, course.Title, states, interests, tags, now)}
		v.CanEdit = data.CanEdit && s.mayChangeClass(r, sp.Class.ID)
		if v.CanEdit {
			in := map[int64]bool{}
			for _, t := range sp.Targets {
				in[t.StandardID] = true
			}
			for _, st := range cat.CourseStandards(sp.Class.CourseID) {
				if !in[st.ID] {
					v.Add = append(v.Add, addOption{ID: st.ID, Label: truncateWords(st.Label(), 90)})
				}
			}
			beyond, err := s.store.BeyondStandards(ctx, a.DistrictID, sp.Class.CourseID)
			if err != nil {
				return nil, err
			}
			// Beyond the course means further in its subject: the
			// standards of other courses in the frameworks this course
			// teaches from.
			frameworks := map[int64]bool{}
			for _, st := range cat.CourseStandards(sp.Class.CourseID) {
				frameworks[st.FrameworkID] = true
			}
			for _, st := range beyond {
				if !in[st.ID] && frameworks[st.FrameworkID] {
					v.Beyond = append(v.Beyond, addOption{ID: st.ID, Label: truncateWords(st.Label(), 90)})
				}
			}
		}
		data.Plans = append(data.Plans, v)
	}
	return data, nil
}

// mayChangeClass reports whether the actor may change class id (as a
// teacher of it, or a leader of its school or district): who adjusts the
// plans of its students.
func (s *Server) mayChangeClass(r *http.Request, id int64) bool {
	_, _, err := s.classChecked(r, id, access.Change)
	return err == nil
}

// changeStudentPlan makes one change to a student's plan from the plan
// page: a target moved, removed or added, or the student's interests.
func (s *Server) changeStudentPlan(w http.ResponseWriter, r *http.Request) error {
	p, entry, err := s.pathStudentChange(r, access.Plan)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	if err := r.ParseForm(); err != nil {
		return problem.Invalid("form", "the form could not be read: %v", err)
	}
	to := fmt.Sprintf("/students/%d/plan?saved=1", p.ID)
	op := r.PostFormValue("op")
	if op == "interests" {
		entry.Detail = "interests"
		err := s.store.SetStudentInterests(ctx, a.DistrictID, p.ID, strings.Split(r.PostFormValue("interests"), ","), entry)
		if err != nil {
			return s.planFormError(w, r, p.ID, err)
		}
		return redirect(w, r, to+"#interests")
	}
	classID, err := strconv.ParseInt(r.PostFormValue("class"), 10, 64)
	if err != nil || classID <= 0 {
		return problem.Invalid("class", "a class id is needed")
	}
	if _, err := s.classByID(r, classID, access.Change); err != nil {
		return err
	}
	std, err := strconv.ParseInt(r.PostFormValue("standard"), 10, 64)
	if err != nil || std <= 0 {
		return s.planFormError(w, r, p.ID, problem.Invalid("standard", "%s", pr.T("plan.student.error.standard")))
	}
	plans, _, err := s.store.StudentPlans(ctx, a.DistrictID, p.ID)
	if err != nil {
		return err
	}
	var sp *store.StudentPlan
	for i := range plans {
		if plans[i].Class.ID == classID {
			sp = &plans[i]
		}
	}
	if sp == nil {
		return notFound("class", classID)
	}
	edit := pathways.Edit{Op: op, StandardID: std}
	if d := strings.TrimSpace(r.PostFormValue("due")); d != "" {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return s.planFormError(w, r, p.ID, problem.Invalid("due", "%s", pr.T("plan.pathway.error.date")))
		}
		edit.Due = &day
	}
	plan, err := sp.Plan.With(edit, a.PersonID)
	if err != nil {
		return s.planFormError(w, r, p.ID, err)
	}
	plan.DistrictID, plan.StudentID, plan.ClassID = a.DistrictID, p.ID, classID
	entry.Detail = fmt.Sprintf("plan in class %d: %s standard %d", classID, op, std)
	if err := s.store.SavePlan(ctx, plan, a.PersonID, entry); err != nil {
		return s.planFormError(w, r, p.ID, err)
	}
	return redirect(w, r, fmt.Sprintf("%s#class-%d", to, classID))
}

// planFormError shows the plan page again with a refusal's reasons; an
// error that is not the input's passes through.
func (s *Server) planFormError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	var ie *problem.InvalidError
	if !errors.As(err, &ie) {
		return err
	}
	data, derr := s.studentPlanData(w, r, id)
	if derr != nil {
		return derr
	}
	data.Error = ie.Detail()
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "plan_student", data)
}
