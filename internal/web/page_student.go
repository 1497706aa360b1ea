package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
)

// studentProfilePage is a student's record as their teachers, coaches
// and school leaders see it: every standard, the evidence timeline and
// the growth chart.
type studentProfilePage struct {
	pageBase
	*studentView
	RecordLinks []navLink
	Recorded    int
	// Goals are the student's goals, for a reader who may see them;
	// CanComment offers each a comment form, CommentedOn says which goal
	// was just commented on.
	Goals       []goalRow
	ShowGoals   bool
	CanComment  bool
	CommentedOn int64
	// Choices are what the student chose on playlists, for those who may
	// see the student's goals; ShowChoices says they may.
	Choices     []choiceRow
	ShowChoices bool
	// Supports are the student's tier, support plans and teachers'
	// notes, for a reader who may see the plans.
	Supports *supportsSection
	// Rules and alerts: the student's open alerts, for a reader who may
	// see them (nil otherwise).
	Alerts *alertList
}

func (s *Server) studentProfilePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	return s.renderStudentProfile(w, r, id, http.StatusOK)
}

// renderStudentProfile answers with student id's profile and status: a
// comment on a goal that was refused comes back with it, kept beside its
// goal (?goal=, ?text=, ?error=).
func (s *Server) renderStudentProfile(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	if _, err := s.studentPage(r, id, access.Profile, access.Mastery, access.Evidence); err != nil {
		return err
	}
	pr := s.printerOf(r)
	v, err := s.loadStudentView(r.Context(), pr, actorOf(r).DistrictID, id, s.now())
	if err != nil {
		return err
	}
	data := &studentProfilePage{pageBase: s.newBase(w, r, v.Student.Name()), studentView: v}
	for _, c := range v.Classes {
		if s.mayRecordInClass(r, c.ID) {
			data.RecordLinks = append(data.RecordLinks, navLink{Label: pr.T("student.record_in", c.Title),
				URL: fmt.Sprintf("/classes/%d/record?student=%d", c.ID, id)})
		}
	}
	if data.ShowChoices, err = s.maySeeGoals(r, id); err != nil {
		return err
	}
	if data.ShowChoices {
		cat, err := s.store.Catalog(r.Context(), actorOf(r).DistrictID)
		if err != nil {
			return err
		}
		if data.Choices, err = s.studentChoiceRows(r.Context(), pr, cat, actorOf(r).DistrictID, id, s.mayChangeEvidence(r, id)); err != nil {
			return err
		}
	}
	// Rules and alerts.
	if data.Alerts, err = s.studentAlerts(r, id, data.CSRF); err != nil {
		return err
	}
	q := r.URL.Query()
	if n, err := strconv.Atoi(q.Get("recorded")); err == nil && n > 0 {
		data.Recorded = n
	}
	// Goals are shown to those who may read them (a coach may not), and
	// the look is logged.
	if rel, ok := s.goalsRelation(r, id, access.View); ok {
		if err := s.auditGoals(r, id, rel); err != nil {
			return err
		}
		data.ShowGoals = true
		if data.Goals, err = s.studentGoalsFor(r, id); err != nil {
			return err
		}
		rel, ok := s.goalsRelation(r, id, access.Change)
		data.CanComment = ok && byTeacher(rel) == nil && actorOf(r).TokenScope == ""
		data.CommentedOn, _ = strconv.ParseInt(q.Get("commented"), 10, 64)
		goal, _ := strconv.ParseInt(q.Get("goal"), 10, 64)
		for i := range data.Goals {
			if data.Goals[i].ID == goal && q.Get("error") != "" {
				data.Goals[i].Form = goalForm{Text: q.Get("text"), Errors: map[string]string{"text": q.Get("error")}}
			}
		}
	}
	// Support plans and teachers' notes.
	if data.Supports, err = s.supportsSectionFor(r, id); err != nil {
		return err
	}
	if data.Supports != nil {
		data.Supports.CSRF = data.CSRF
		keepNoteForm(r, data.Supports)
	}
	return s.renderPage(w, r, status, "student", data)
}

// mePage is a student's own page: their standards by framework with what
// mastery means for each, their evidence and their growth, and who looked
// at their record.
type mePage struct {
	pageBase
	*studentView
	Viewers viewersView
	// OpenGoals are the goals the student is working on now.
	OpenGoals []goalRow
	// Targets are the standards the student's teachers made playlists
	// for, to choose how to learn each.
	Targets []targetLink
	Pace    []studentPaceView
	// Supports are the student's support plans in plain words.
	Supports *supportsFamily
}

func (s *Server) mePage(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if _, err := s.studentPage(r, a.PersonID, access.Profile, access.Mastery, access.Evidence, access.Goals, access.Audit); err != nil {
		return err
	}
	pr := s.printerOf(r)
	now := s.now()
	v, err := s.loadStudentView(r.Context(), pr, a.DistrictID, a.PersonID, now)
	if err != nil {
		return err
	}
	data := &mePage{pageBase: s.newBase(w, r, pr.T("me.title")), studentView: v}
	cat, err := s.store.Catalog(r.Context(), a.DistrictID)
	if err != nil {
		return err
	}
	if data.Targets, err = s.studentTargets(r.Context(), cat, a.DistrictID, a.PersonID); err != nil {
		return err
	}
	if data.Viewers, err = s.loadViewers(r.Context(), pr, "me", a.DistrictID, a.PersonID, a.PersonID, now); err != nil {
		return err
	}
	goals, err := s.studentGoalsFor(r, a.PersonID)
	if err != nil {
		return err
	}
	for _, g := range goals {
		if g.Open {
			data.OpenGoals = append(data.OpenGoals, g)
		}
	}
	if data.Pace, err = s.loadStudentPace(r.Context(), pr, a.DistrictID, v, now, true); err != nil {
		return err
	}
	if data.Supports, err = s.supportsStudentView(r, v.Student); err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "me", data)
}
