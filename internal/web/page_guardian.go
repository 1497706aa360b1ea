package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// childPage is a child's record as a guardian reads it, in plain words:
// what is expected, where the child stands, what they worked on lately,
// what comes next and what the family can do, and who has looked at the
// record.
type childPage struct {
	pageBase
	*studentView
	Children []navLink
	// Standing is what is expected and where the child stands; Meaning
	// what mastering a standard means.
	Standing familyStanding
	Meaning  string
	Viewers  viewersView
	// Goals are the child's goals with their teachers' comments.
	Goals []goalRow
	Pace  []studentPaceView
	// Path is what comes next from the child's plans.
	Path []familyNext
	// Supports are the child's support plans in plain words.
	Supports *supportsFamily
}

// familyPage sends a guardian to their first child's page.
func (s *Server) familyPage(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	kids, err := s.store.Children(r.Context(), a.DistrictID, a.PersonID)
	if err != nil {
		return err
	}
	if len(kids) == 0 {
		pr := s.printerOf(r)
		data := &errorPage{pageBase: s.newBase(w, r, pr.T("family.none.title")), Status: http.StatusOK,
			Heading: pr.T("family.none.title"), Message: pr.T("family.none.body")}
		return s.renderPage(w, r, http.StatusOK, "error", data)
	}
	return redirect(w, r, fmt.Sprintf("/family/%d", kids[0].ID))
}

func (s *Server) childPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	kids, err := s.store.Children(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(kids, func(p roster.Person) bool { return p.ID == id }) {
		// Only the guardian's own children have a page here, whatever
		// other relation the person may have to the student. A student
		// who exists is named in the audit log as a refused look, as
		// every refused look at a record is; the answer is the same as
		// for a student who does not exist.
		if err := s.refuseChild(r, id); err != nil {
			return err
		}
		return notFoundPage("student", id)
	}
	if _, err := s.studentPage(r, id, access.Profile, access.Mastery, access.Evidence, access.Goals, access.Audit, access.Plan); err != nil {
		return err
	}
	pr := s.printerOf(r)
	now := s.now()
	v, err := s.loadStudentView(ctx, pr, a.DistrictID, id, now)
	if err != nil {
		return err
	}
	data := &childPage{pageBase: s.newBase(w, r, v.Student.Name()), studentView: v}
	if data.Goals, err = s.studentGoalsFor(r, id); err != nil {
		return err
	}
	for _, k := range kids {
		u := fmt.Sprintf("/family/%d", k.ID)
		data.Children = append(data.Children, navLink{Label: k.Name(), URL: u, Current: k.ID == id})
	}

	// What is expected and where the child stands, counted once for the
	// whole page; and what mastery means.
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return err
	}
	var courses []childCourse
	for _, c := range v.Classes {
		if slices.ContainsFunc(courses, func(cc childCourse) bool { return cc.ID == c.CourseID }) {
			continue // two classes of one course
		}
		stds := cat.CourseStandards(c.CourseID)
		cc := childCourse{ID: c.CourseID, Title: c.Course, Standards: map[int64]bool{}}
		for _, st := range stds {
			cc.Standards[st.ID] = true
		}
		courses = append(courses, cc)
		if data.Meaning == "" && len(stds) > 0 {
			levels, _ := levelsOf(pr, cat.ScaleOf(stds[0]))
			for _, l := range levels {
				if l.Cut {
					data.Meaning = pr.T("family.meaning", l.Value, l.Label, l.Description)
				}
			}
		}
	}
	data.Standing = familyStandingOf(pr, v, courses, cat.Language())
	if data.Pace, err = s.loadStudentPace(ctx, pr, a.DistrictID, v, now, false); err != nil {
		return err
	}
	data.DistrictLang = cat.Language()
	if data.Path, err = s.familyPathOf(ctx, pr, cat, a.DistrictID, id); err != nil {
		return err
	}

	// Who viewed the record in the last month, one line per person.
	if data.Viewers, err = s.loadViewers(ctx, pr, "family", a.DistrictID, id, a.PersonID, now); err != nil {
		return err
	}
	if data.Supports, err = s.supportsStudentView(r, v.Student); err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "child", data)
}

// refuseChild logs a guardian's refused look at the page of a student who
// is not their child, when that student exists.
func (s *Server) refuseChild(r *http.Request, studentID int64) error {
	_, err := s.store.RelationsTo(r.Context(), actorOf(r), studentID)
	switch {
	case errors.Is(err, problem.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	e := s.auditEntry(r, studentID, access.View, access.Profile, "")
	e.Allowed = false
	e.Detail = "not a child of the guardian"
	if err := s.store.AppendAudit(r.Context(), e); err != nil {
		return fmt.Errorf("recording the refused look at student %d: %w", studentID, err)
	}
	return nil
}
