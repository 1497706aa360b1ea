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
	// Choices are what the student chose on playlists, for those who may
	// see the student's goals; ShowChoices says they may.
	Choices     []choiceRow
	ShowChoices bool
}

func (s *Server) studentProfilePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
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
	if n, err := strconv.Atoi(r.URL.Query().Get("recorded")); err == nil && n > 0 {
		data.Recorded = n
	}
	return s.renderPage(w, r, http.StatusOK, "student", data)
}

// mePage is a student's own page: their standards by framework with what
// mastery means for each, their evidence and their growth, and who looked
// at their record.
type mePage struct {
	pageBase
	*studentView
	Viewers viewersView
	// Targets are the standards the student's teachers made playlists
	// for, to choose how to learn each.
	Targets []targetLink
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
	return s.renderPage(w, r, http.StatusOK, "me", data)
}
