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
	Pace    []studentPaceView
}

func (s *Server) mePage(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if _, err := s.studentPage(r, a.PersonID, access.Profile, access.Mastery, access.Evidence, access.Audit); err != nil {
		return err
	}
	pr := s.printerOf(r)
	now := s.now()
	v, err := s.loadStudentView(r.Context(), pr, a.DistrictID, a.PersonID, now)
	if err != nil {
		return err
	}
	data := &mePage{pageBase: s.newBase(w, r, pr.T("me.title")), studentView: v}
	if data.Viewers, err = s.loadViewers(r.Context(), pr, "me", a.DistrictID, a.PersonID, a.PersonID, now); err != nil {
		return err
	}
	if data.Pace, err = s.loadStudentPace(r.Context(), pr, a.DistrictID, v, now, true); err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "me", data)
}
