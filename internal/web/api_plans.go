package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// pathwayInput is a class's pathway as a client sends it.
type pathwayInput struct {
	// Targets are the course's standards in the pathway's order.
	Targets []pathways.PathwayTarget `json:"targets"`
	// Apply applies the pathway to the plan of every student of the
	// class once it is saved.
	Apply bool `json:"apply,omitempty"`
}

// pathwayJSON is a class's pathway; Applied counts the plans written when
// the request asked to apply it.
type pathwayJSON struct {
	pathways.Pathway
	Applied int `json:"applied,omitempty"`
}

func (s *Server) getClassPathway(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	pw, err := s.store.ClassPathway(r.Context(), c.DistrictID, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pathwayJSON{Pathway: pw})
	return nil
}

func (s *Server) putClassPathway(w http.ResponseWriter, r *http.Request) error {
	c, scope, err := s.classAccessScope(r, access.Change)
	if err != nil {
		return err
	}
	var in pathwayInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	pw := pathways.Pathway{DistrictID: c.DistrictID, ClassID: c.ID, Targets: in.Targets}
	if err := s.store.SetClassPathway(ctx, pw); err != nil {
		return err
	}
	out := pathwayJSON{}
	if in.Apply {
		if out.Applied, err = s.store.ApplyPathway(ctx, c.DistrictID, c.ID, a.PersonID, s.pathwayAuditEntry(r, c, scope)); err != nil {
			return err
		}
	}
	if out.Pathway, err = s.store.ClassPathway(ctx, c.DistrictID, c.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// planTargetJSON is one target of a plan with where the student stands.
type planTargetJSON struct {
	pathways.Target
	// Ready says every prerequisite is mastered, Mastered that the
	// standard is; Missing are the prerequisites not mastered yet.
	Ready    bool    `json:"ready"`
	Mastered bool    `json:"mastered"`
	Missing  []int64 `json:"missing,omitempty"`
}

// planJSON is a student's plan in one class.
type planJSON struct {
	ClassID   int64 `json:"classId"`
	StudentID int64 `json:"studentId"`
	// Stored is false while the student has no plan of their own: the
	// targets are the class pathway's.
	Stored    bool             `json:"stored"`
	UpdatedAt *time.Time       `json:"updatedAt,omitempty"`
	Targets   []planTargetJSON `json:"targets"`
}

func newPlanJSON(sp store.StudentPlan, standing pathways.Standing) planJSON {
	j := planJSON{ClassID: sp.Class.ID, StudentID: sp.StudentID, Stored: sp.Stored, Targets: []planTargetJSON{}}
	if sp.Stored {
		at := sp.UpdatedAt
		j.UpdatedAt = &at
	}
	for _, t := range sp.Targets {
		rd := pathways.Ready(standing, t.StandardID)
		j.Targets = append(j.Targets, planTargetJSON{Target: t, Ready: rd.Ready, Mastered: rd.Mastered, Missing: rd.Missing})
	}
	return j
}

func (s *Server) getStudentPlans(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Plan)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cat, err := s.store.Catalog(ctx, st.DistrictID)
	if err != nil {
		return err
	}
	plans, states, err := s.store.StudentPlans(ctx, st.DistrictID, st.ID)
	if err != nil {
		return err
	}
	out := make([]planJSON, len(plans))
	for i, sp := range plans {
		out[i] = newPlanJSON(sp, standingOf(cat, states))
	}
	writeJSON(w, http.StatusOK, newList(out, 0))
	return nil
}

// planInput is a student's plan in one class as a client sends it. A
// target without an origin is the teacher's when it is new to the plan,
// and keeps its origin when it was there; addedBy is set by the server
// (the caller for a new target).
type planInput struct {
	ClassID int64             `json:"classId"`
	Targets []pathways.Target `json:"targets"`
}

func (s *Server) putStudentPlan(w http.ResponseWriter, r *http.Request) error {
	p, entry, err := s.pathStudentChange(r, access.Plan)
	if err != nil {
		return err
	}
	var in planInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ClassID <= 0 {
		return problem.Invalid("classId", "required: the class whose plan this is")
	}
	if _, err := s.classByID(r, in.ClassID, access.Change); err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	plans, _, err := s.store.StudentPlans(ctx, a.DistrictID, p.ID)
	if err != nil {
		return err
	}
	old := map[int64]pathways.Target{}
	for _, sp := range plans {
		if sp.Class.ID == in.ClassID {
			for _, t := range sp.Targets {
				old[t.StandardID] = t
			}
		}
	}
	plan := pathways.Plan{DistrictID: a.DistrictID, StudentID: p.ID, ClassID: in.ClassID, Targets: in.Targets}
	for i := range plan.Targets {
		t := &plan.Targets[i]
		// Who added a target is the server's to say: whoever did before,
		// or the caller for a new one.
		prev, had := old[t.StandardID]
		t.AddedBy = a.PersonID
		if had {
			t.AddedBy = prev.AddedBy
		}
		switch {
		case t.Origin == "" && had:
			t.Origin = prev.Origin
		case t.Origin == "":
			t.Origin = pathways.AddedByTeacher
		}
	}
	entry.Detail = "plan in class " + strconv.FormatInt(in.ClassID, 10)
	if err := s.store.SavePlan(ctx, plan, a.PersonID, entry); err != nil {
		return err
	}
	plans, states, err := s.store.StudentPlans(ctx, a.DistrictID, p.ID)
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return err
	}
	for _, sp := range plans {
		if sp.Class.ID == in.ClassID {
			writeJSON(w, http.StatusOK, newPlanJSON(sp, standingOf(cat, states)))
			return nil
		}
	}
	return notFound("class", in.ClassID)
}

// recommendationJSON is one recommended next target, with why as data and
// as a sentence in the request's language.
type recommendationJSON struct {
	pathways.Recommendation
	ClassID int64 `json:"classId"`
	// Text is the reason in one sentence the student can read.
	Text string `json:"text"`
}

// studentRecommendationsJSON is what one student is ready for now and
// what to take on next, over their plans.
type studentRecommendationsJSON struct {
	StudentID int64 `json:"studentId"`
	// Ready are the open targets of the student's plans whose every
	// prerequisite is mastered.
	Ready           []int64              `json:"ready"`
	Recommendations []recommendationJSON `json:"recommendations"`
}

func recommendationsOf(pr *i18n.Printer, cat *standards.Catalog, studentID int64, plans []store.StudentPlan,
	states map[int64]mastery.State, in pathways.Interests) studentRecommendationsJSON {
	out := studentRecommendationsJSON{StudentID: studentID, Ready: []int64{}, Recommendations: []recommendationJSON{}}
	standing := standingOf(cat, states)
	for _, sp := range plans {
		for _, t := range sp.Targets {
			if rd := pathways.Ready(standing, t.StandardID); rd.Ready && !rd.Mastered {
				out.Ready = append(out.Ready, t.StandardID)
			}
		}
		for _, rec := range pathways.Recommend(sp.Plan, standing, in, recommendedPerStudent) {
			out.Recommendations = append(out.Recommendations, recommendationJSON{Recommendation: rec, ClassID: sp.Class.ID,
				Text: reasonText(pr, cat, rec)})
		}
	}
	return out
}

func (s *Server) studentRecommendations(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Plan)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cat, err := s.store.Catalog(ctx, st.DistrictID)
	if err != nil {
		return err
	}
	plans, states, err := s.store.StudentPlans(ctx, st.DistrictID, st.ID)
	if err != nil {
		return err
	}
	interests, err := s.store.StudentInterests(ctx, st.DistrictID, st.ID)
	if err != nil {
		return err
	}
	tags, err := s.plansTags(ctx, st.DistrictID, plans)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, recommendationsOf(s.printerOf(r), cat, st.ID, plans, states, interestsOf(tags, interests)))
	return nil
}

// classRecommendations is "who is ready for what today" for a class: each
// student the caller may see, with the targets they are ready for and the
// ones recommended next.
func (s *Server) classRecommendations(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	ctx := r.Context()
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Plan)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, students, rels, access.View, access.Plan, "recommendations of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	cat, err := s.store.Catalog(ctx, c.DistrictID)
	if err != nil {
		return err
	}
	cp, err := s.store.ClassPlanning(ctx, c.DistrictID, c.ID)
	if err != nil {
		return err
	}
	tags, err := s.store.ActivityTags(ctx, c.DistrictID, []int64{c.ID})
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	out := make([]studentRecommendationsJSON, 0, len(students))
	for _, p := range students {
		out = append(out, recommendationsOf(pr, cat, p.ID, []store.StudentPlan{cp.Plans[p.ID]}, cp.States[p.ID], interestsOf(tags, cp.Interests[p.ID])))
	}
	writeJSON(w, http.StatusOK, newList(out, 0))
	return nil
}
