package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// proposalRow is a proposal as the student and the teacher see it.
type proposalRow struct {
	ID                  int64
	Title, Plan, Link   string
	Target, TargetLang  string
	TargetURL, Class    string
	Student, StudentURL string
	State, StateLabel   string
	ProposedAt          time.Time
	Comment, CommentBy  string
	History             []proposalStepRow
	Returned, Waiting   bool
	Form                proposalForm
}

type proposalStepRow struct {
	At                       time.Time
	By, Action               string
	Title, Plan, Link, Words string
}

// proposalForm is what was typed into a proposal's form (a new one, a
// revision, a decision) and why it was refused.
type proposalForm struct {
	// ID makes the ids of the form's fields unique on the page.
	ID                        string
	Target, Title, Plan, Link string
	Decision, Comment         string
	Errors                    map[string]string
}

// targetGroup is one class's targets, offered to propose an activity for.
type targetGroup struct {
	Class   string
	Options []targetOption
}

type targetOption struct {
	Value, Label string
	Selected     bool
}

func proposalStateLabel(pr *i18n.Printer, st pathways.ProposalState) string {
	switch st {
	case pathways.ProposalApproved:
		return pr.T("proposal.state.approved")
	case pathways.ProposalReturned:
		return pr.T("proposal.state.returned")
	}
	return pr.T("proposal.state.proposed")
}

func proposalActionLabel(pr *i18n.Printer, a pathways.ProposalAction) string {
	switch a {
	case pathways.ActionApproved:
		return pr.T("proposal.action.approved")
	case pathways.ActionReturned:
		return pr.T("proposal.action.returned")
	}
	return pr.T("proposal.action.proposed")
}

// proposalRows turns proposals into rows for a page, naming their
// targets, classes and the people in their histories.
func (s *Server) proposalRows(ctx context.Context, pr *i18n.Printer, districtID int64, ps []pathways.Proposal, cat *standards.Catalog) []proposalRow {
	names := map[int64]string{}
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := fmt.Sprint(id)
		if p, err := s.store.Person(ctx, districtID, id); err == nil {
			n = p.Name()
		}
		names[id] = n
		return n
	}
	classes := map[int64]string{}
	rows := make([]proposalRow, 0, len(ps))
	for _, p := range ps {
		row := proposalRow{ID: p.ID, Title: p.Title, Plan: p.Plan, Link: p.Link, State: string(p.State),
			StateLabel: proposalStateLabel(pr, p.State), ProposedAt: p.ProposedAt, Comment: p.LastComment(),
			Student: name(p.StudentID), StudentURL: fmt.Sprintf("/students/%d", p.StudentID),
			Returned: p.State == pathways.ProposalReturned, Waiting: p.State == pathways.ProposalProposed}
		if p.DecidedBy != nil {
			row.CommentBy = name(*p.DecidedBy)
		}
		if st, ok := cat.Standard(p.StandardID); ok {
			row.Target = strings.TrimSpace(st.Code + " " + st.Statement)
			row.TargetLang = cat.LangOf(st)
			row.TargetURL = fmt.Sprintf("/students/%d/standards/%d", p.StudentID, st.ID)
		}
		if _, ok := classes[p.ClassID]; !ok {
			if c, err := s.store.Class(ctx, districtID, p.ClassID); err == nil {
				classes[p.ClassID] = c.Title
			}
		}
		row.Class = classes[p.ClassID]
		for _, st := range p.History {
			step := proposalStepRow{At: st.At, By: name(st.By), Action: proposalActionLabel(pr, st.Action),
				Title: st.Title, Plan: st.Plan, Link: st.Link, Words: st.Comment}
			row.History = append(row.History, step)
		}
		if row.Returned {
			row.Form = proposalForm{ID: fmt.Sprintf("p%d", p.ID), Title: p.Title, Plan: p.Plan, Link: p.Link, Errors: map[string]string{}}
		}
		rows = append(rows, row)
	}
	return rows
}

// meProposalsPage is a student's proposals: the form to propose an
// activity of their own for a target, and each proposal with where it
// stands and what the teacher said.
type meProposalsPage struct {
	pageBase
	Targets   []targetGroup
	Form      proposalForm
	Proposals []proposalRow
	Sent      bool
	Revised   bool
	// Error says why a change was refused when the form it came from is
	// no longer shown (the proposal changed meanwhile).
	Error string
}

func (s *Server) meProposalsPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.meProposalsData(w, r, proposalForm{ID: "new", Errors: map[string]string{}})
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data.Sent, data.Revised = q.Get("sent") != "", q.Get("revised") != ""
	return s.renderPage(w, r, http.StatusOK, "me_proposals", data)
}

func (s *Server) meProposalsData(w http.ResponseWriter, r *http.Request, form proposalForm) (*meProposalsPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	if _, err := s.studentPage(r, a.PersonID, access.Profile, access.Goals); err != nil {
		return nil, err
	}
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	data := &meProposalsPage{pageBase: s.newBase(w, r, pr.T("proposal.mine.title")), Form: form}
	classes, err := s.store.PersonClasses(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return nil, err
	}
	for _, c := range classes {
		g := targetGroup{Class: c.Title}
		for _, st := range cat.CourseStandards(c.CourseID) {
			v := fmt.Sprintf("%d-%d", c.ID, st.ID)
			g.Options = append(g.Options, targetOption{Value: v, Label: strings.TrimSpace(st.Code + " " + st.Statement), Selected: v == form.Target})
		}
		if len(g.Options) > 0 {
			data.Targets = append(data.Targets, g)
		}
	}
	ps, err := s.store.StudentProposals(ctx, a.DistrictID, a.PersonID)
	if err != nil {
		return nil, err
	}
	data.Proposals = s.proposalRows(ctx, pr, a.DistrictID, ps, cat)
	return data, nil
}

// proposeForm stores the activity a student proposes.
func (s *Server) proposeForm(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	audit, err := s.studentChange(r, a.PersonID, access.Goals)
	if err != nil {
		return err
	}
	form := proposalForm{ID: "new", Target: r.PostFormValue("target"), Title: r.PostFormValue("title"), Plan: r.PostFormValue("plan"),
		Link: r.PostFormValue("link"), Errors: map[string]string{}}
	var classID, standardID int64
	if c, st, ok := strings.Cut(form.Target, "-"); ok {
		classID, _ = strconv.ParseInt(c, 10, 64)
		standardID, _ = strconv.ParseInt(st, 10, 64)
	}
	p := pathways.Proposal{DistrictID: a.DistrictID, StudentID: a.PersonID, ClassID: classID, StandardID: standardID,
		ProposalDraft: pathways.ProposalDraft{Title: form.Title, Plan: form.Plan, Link: form.Link}}
	err = s.store.CreateProposal(r.Context(), &p, audit)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/me/proposals?sent=1#proposal-%d", p.ID))
	}
	if !fieldErrors(s.printerOf(r), err, form.Errors) {
		return err
	}
	for _, f := range []string{"classId", "standardId"} {
		if e, ok := form.Errors[f]; ok {
			form.Errors["target"] = e
			delete(form.Errors, f)
		}
	}
	data, err := s.meProposalsData(w, r, form)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "me_proposals", data)
}

// reviseForm proposes a returned proposal again with the student's new
// words.
func (s *Server) reviseForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "proposal")
	if err != nil {
		return err
	}
	_, audit, err := s.proposalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if err := byStudent(audit.Relation); err != nil {
		return err
	}
	form := proposalForm{ID: fmt.Sprintf("p%d", id), Title: r.PostFormValue("title"), Plan: r.PostFormValue("plan"), Link: r.PostFormValue("link"), Errors: map[string]string{}}
	_, err = s.store.ReviseProposal(r.Context(), s.districtOf(r), id, pathways.ProposalDraft{Title: form.Title, Plan: form.Plan, Link: form.Link}, audit)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/me/proposals?revised=1#proposal-%d", id))
	}
	if !fieldErrors(s.printerOf(r), err, form.Errors) {
		return err
	}
	data, err := s.meProposalsData(w, r, proposalForm{ID: "new", Errors: map[string]string{}})
	if err != nil {
		return err
	}
	placed := false
	for i := range data.Proposals {
		if data.Proposals[i].ID == id && data.Proposals[i].Returned {
			data.Proposals[i].Form, placed = form, true
		}
	}
	if !placed {
		data.Error = strings.Join(errorList(form.Errors), " ")
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "me_proposals", data)
}

// classProposalsPage is a class's proposals for its teacher: those
// waiting for a decision first, each with the form to approve it or send
// it back with a comment.
type classProposalsPage struct {
	pageBase
	ClassID   int64
	Class     string
	Proposals []proposalRow
	Waiting   int
	CanDecide bool
	Decided   bool
	Error     string
}

func (s *Server) classProposalsPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.classProposalsData(w, r)
	if err != nil {
		return err
	}
	data.Decided = r.URL.Query().Get("decided") != ""
	return s.renderPage(w, r, http.StatusOK, "class_proposals", data)
}

func (s *Server) classProposalsData(w http.ResponseWriter, r *http.Request) (*classProposalsPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	c, scope, err := s.classAccessScope(r, access.View)
	if err != nil {
		return nil, err
	}
	ps, err := s.classProposalList(r, c)
	if err != nil {
		return nil, err
	}
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	data := &classProposalsPage{pageBase: s.newBase(w, r, pr.T("proposal.class.title", c.Title)), ClassID: c.ID, Class: c.Title,
		Proposals: s.proposalRows(ctx, pr, a.DistrictID, ps, cat),
		CanDecide: scope.ClassTaught && a.Has(roster.RoleTeacher) && a.TokenScope == ""}
	for _, p := range data.Proposals {
		if p.Waiting {
			data.Waiting++
		}
	}
	return data, nil
}

// decideForm approves a proposal of the class, or sends it back with a
// comment.
func (s *Server) decideForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	id, err := pathID(r, "proposalId", "proposal")
	if err != nil {
		return err
	}
	p, audit, err := s.proposalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if p.ClassID != c.ID {
		return notFoundPage("proposal", id)
	}
	if err := byTeacher(audit.Relation); err != nil {
		return err
	}
	form := proposalForm{Decision: r.PostFormValue("decision"), Comment: r.PostFormValue("comment"), Errors: map[string]string{}}
	pr := s.printerOf(r)
	if form.Decision != "approve" && form.Decision != "return" {
		form.Errors["decision"] = pr.T("proposal.error.decision")
	} else {
		_, err = s.store.DecideProposal(r.Context(), s.districtOf(r), id, actorOf(r).PersonID,
			pathways.Decision{Approve: form.Decision == "approve", Comment: form.Comment}, audit)
		if err == nil {
			return redirect(w, r, fmt.Sprintf("/classes/%d/proposals?decided=1#proposal-%d", c.ID, id))
		}
		if !fieldErrors(pr, err, form.Errors) {
			return err
		}
	}
	data, err := s.classProposalsData(w, r)
	if err != nil {
		return err
	}
	placed := false
	for i := range data.Proposals {
		if data.Proposals[i].ID == id && data.Proposals[i].Waiting {
			data.Proposals[i].Form, placed = form, true
		}
	}
	if !placed {
		data.Error = strings.Join(errorList(form.Errors), " ")
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "class_proposals", data)
}

// errorList lists the reasons of errs, in the order of their fields.
func errorList(errs map[string]string) []string {
	keys := slices.Sorted(maps.Keys(errs))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = errs[k]
	}
	return out
}
