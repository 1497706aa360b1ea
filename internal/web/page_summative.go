package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// summativePage is a class's "ready for the summative": for each
// standard of the course, the students the district's bar proposes as
// ready (the model's probability and the method's level beside each),
// those a teacher confirmed, and those whose retake waits on practice.
// A teacher of the class confirms or declines each proposal.
type summativePage struct {
	pageBase
	Class         roster.Class
	Bar, Reassess string
	PolicyURL     string
	Back          navLink
	Groups        []summativeGroup
	CanDecide     bool
	Saved         string
	Problem       string
	Proposed      int
}

type summativeGroup struct {
	ID                    int64
	Code, Statement, Lang string
	// Rows are the students proposed, confirmed or declined; Waiting
	// those whose retake waits on practice, each with what is needed.
	Rows    []summativeRow
	Waiting []summativeWaiting
}

// summativeRow is one student on one standard, short: the sentences are
// on the student's page for the standard, which the name links to.
type summativeRow struct {
	StudentID          int64
	Name, URL          string
	Probability, Level string
	// State is proposed, confirmed or declined; Reason a decline's.
	State, Reason string
}

type summativeWaiting struct {
	Name, URL, Text string
}

func (s *Server) summativeData(w http.ResponseWriter, r *http.Request) (*summativePage, error) {
	c, scope, err := s.classAccessScope(r, access.View)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	a := actorOf(r)
	d := a.DistrictID
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return nil, err
	}
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Mastery)
	if err != nil {
		return nil, err
	}
	if err := s.auditClass(r, students, rels, access.View, access.Mastery, "summative readiness of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return nil, err
	}
	course := cat.CourseStandards(c.CourseID)
	ids := make([]int64, len(students))
	for i, p := range students {
		ids[i] = p.ID
	}
	stds := make([]int64, len(course))
	for j, st := range course {
		stds[j] = st.ID
	}
	in, err := s.store.SummativeInputs(ctx, d, ids, stds)
	if err != nil {
		return nil, err
	}
	data := &summativePage{pageBase: s.newBase(w, r, pr.T("summative.title", c.Title)), Class: c,
		Back:      navLink{Label: pr.T("back.to", c.Title), URL: fmt.Sprintf("/classes/%d", c.ID)},
		CanDecide: mayRecordIn(a, scope)}
	data.Bar, data.Reassess = describeSummativePolicy(pr, in.Policy)
	if access.Allow(a, access.Change, access.Policy, access.Scope{}) == nil {
		data.PolicyURL = "/admin/summative"
	}
	switch r.URL.Query().Get("saved") {
	case store.SummativeConfirmed:
		data.Saved = pr.T("summative.saved.confirmed")
	case store.SummativeDeclined:
		data.Saved = pr.T("summative.saved.declined")
	}
	for _, std := range course {
		g := summativeGroup{ID: std.ID, Code: shortLabel(std), Statement: std.Statement, Lang: cat.LangOf(std)}
		for _, p := range students {
			it, ok := summativeOf(in, cat, p.ID, std)
			if !ok {
				continue
			}
			url := fmt.Sprintf("/students/%d/standards/%d?class=%d", p.ID, std.ID, c.ID)
			row := summativeRow{StudentID: p.ID, Name: p.Name(), URL: url,
				Probability: pr.Percent(it.Readiness.Probability), Level: pr.Number(it.Readiness.Level)}
			switch {
			case it.Decision != nil:
				row.State, row.Reason = it.Decision.Decision, it.Decision.Reason
			case it.Proposed:
				row.State = "proposed"
				data.Proposed++
			case it.Retake.Rule == pathways.RulePractice:
				g.Waiting = append(g.Waiting, summativeWaiting{Name: p.Name(), URL: url,
					Text: pr.N("summative.waiting_item", it.Retake.PracticeNeeded)})
				continue
			default:
				continue
			}
			g.Rows = append(g.Rows, row)
		}
		if len(g.Rows) > 0 || len(g.Waiting) > 0 {
			data.Groups = append(data.Groups, g)
		}
	}
	return data, nil
}

func (s *Server) summativePage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.summativeData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "summative", data)
}

// maxDecisions is the most students one decision may name: more than a
// class holds.
const maxDecisions = 500

// decideSummativeForm records a teacher's confirmation or decline of the
// proposals of the students chosen on one standard, all at once and
// audited with the decisions in their transaction.
func (s *Server) decideSummativeForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.Change)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	a := actorOf(r)
	stdID, err := strconv.ParseInt(r.PostFormValue("standard"), 10, 64)
	if err != nil {
		return problem.Invalid("standard", "choose a standard from the page")
	}
	cat, err := s.store.Catalog(r.Context(), a.DistrictID)
	if err != nil {
		return err
	}
	inCourse := func(st standards.Standard) bool { return st.ID == stdID }
	if !slices.ContainsFunc(cat.CourseStandards(c.CourseID), inCourse) {
		return problem.Invalid("standard", "standard %d is not one of the course's", stdID)
	}
	chosen := r.PostForm["student"]
	if len(chosen) > maxDecisions {
		return problem.Invalid("student", "%d students chosen: decide for at most %d at once", len(chosen), maxDecisions)
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	var ds []store.SummativeDecision
	var audit []store.AuditEntry
	for _, v := range chosen {
		student, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return problem.Invalid("student", "%q is not a student of the page", v)
		}
		entry, err := s.studentChange(r, student, access.Evidence)
		if err != nil {
			return asInvalidStudent(err, "student", student)
		}
		audit = append(audit, entry)
		ds = append(ds, store.SummativeDecision{DistrictID: a.DistrictID, StudentID: student, StandardID: stdID,
			Decision: r.PostFormValue("decision"), Reason: reason, DecidedBy: a.PersonID})
	}
	var why string
	if len(ds) == 0 {
		why = pr.T("summative.error.choose")
	} else if err := s.store.DecideSummatives(r.Context(), ds, audit...); err != nil {
		var ie *problem.InvalidError
		if !errors.As(err, &ie) {
			return err
		}
		why = pr.T("summative.error.decision")
		for _, f := range ie.Fields {
			if f.Field == "reason" {
				why = pr.T("summative.error.reason", limits.Reason)
			}
		}
	}
	if why != "" {
		data, err := s.summativeData(w, r)
		if err != nil {
			return err
		}
		data.Problem = why
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "summative", data)
	}
	return redirect(w, r, fmt.Sprintf("/classes/%d/summative?saved=%s#std-%d", c.ID, ds[0].Decision, stdID))
}
