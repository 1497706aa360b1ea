package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// evidencePage is one piece of evidence, with the form to void it for
// those who may.
type evidencePage struct {
	pageBase
	Evidence   evidence.Evidence
	Row        evidenceRow
	Student    roster.Person
	StudentURL string
	Class      string
	RecordedBy string
	VoidedBy   string
	CanVoid    bool
	Reason     string
	Errors     map[string]string
	Voided     bool
	// Goal is the student's own: the growth this evidence made and the
	// form to set a goal after it.
	Goal *evidenceGoal
}

// evidenceData fills the evidence page, after pathEvidence has checked
// and logged the access.
func (s *Server) evidenceData(w http.ResponseWriter, r *http.Request, ev evidence.Evidence) (*evidencePage, error) {
	ctx := r.Context()
	a := actorOf(r)
	d := a.DistrictID
	pr := s.printerOf(r)
	student, err := s.store.Person(ctx, d, ev.StudentID)
	if err != nil {
		return nil, err
	}
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return nil, err
	}
	row := s.evidenceRowOf(pr, ev, cat)
	data := &evidencePage{pageBase: s.newBase(w, r, row.Title), Evidence: ev, Row: row, Student: student,
		Errors: map[string]string{}, CanVoid: !ev.Voided() && s.mayChangeEvidence(r, ev.StudentID)}
	data.StudentURL = s.backLink(r, student).URL
	name := func(id int64) string {
		if p, err := s.store.Person(ctx, d, id); err == nil {
			return p.Name()
		}
		return fmt.Sprint(id)
	}
	data.RecordedBy = name(ev.RecordedBy)
	if ev.Void != nil {
		data.VoidedBy = name(ev.Void.By)
	}
	if ev.ClassID != nil {
		// The class is named only when it is, or was, one of the
		// student's: a record made before the store checked the class
		// could name any.
		enrolled, err := s.store.Enrollments(ctx, d, *ev.ClassID)
		if err != nil && !errors.Is(err, problem.ErrNotFound) {
			return nil, err
		}
		if slices.ContainsFunc(enrolled, func(e roster.Enrollment) bool {
			return e.PersonID == ev.StudentID && e.Role == roster.EnrolledStudent
		}) {
			if c, err := s.store.Class(ctx, d, *ev.ClassID); err == nil {
				data.Class = c.Title
			}
		}
	}
	data.Voided = r.URL.Query().Get("voided") != ""
	if a.PersonID == ev.StudentID && !ev.Voided() {
		if data.Goal, err = s.evidenceGoalOf(ctx, pr, ev, cat, s.now()); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.pathEvidence(r, access.View)
	if err != nil {
		return err
	}
	data, err := s.evidenceData(w, r, ev)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "evidence", data)
}

// voidEvidenceForm voids a piece of evidence with the reason given: it
// stays on record, struck through, and no longer counts.
func (s *Server) voidEvidenceForm(w http.ResponseWriter, r *http.Request) error {
	ev, audit, err := s.pathEvidenceChange(r)
	if err != nil {
		return err
	}
	data, err := s.evidenceData(w, r, ev)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	data.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	if why := reasonError(pr, data.Reason, "evidence.error.reason"); why != "" {
		data.Errors["reason"] = why
	}
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "evidence", data)
	}
	audit.Detail = "void of evidence " + strconv.FormatInt(ev.ID, 10)
	err = s.store.VoidEvidence(r.Context(), actorOf(r).DistrictID, ev.ID, actorOf(r).PersonID, data.Reason, audit)
	if errors.Is(err, problem.ErrConflict) {
		data.Errors["reason"] = pr.T("evidence.error.already")
		return s.renderPage(w, r, http.StatusConflict, "evidence", data)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/evidence/%d?voided=1", ev.ID))
}
