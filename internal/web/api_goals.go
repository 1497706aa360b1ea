package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// Goals and proposals are part of a student's goals record (access.Goals):
// the student, their guardians and their teachers read them, the student
// writes them, and a teacher comments on them and decides proposals. Who
// may is decided as for every student record (studentAccess,
// studentChange); what the relation then allows is said by byStudent and
// byTeacher. A goal or proposal of a student the actor may not see is
// answered exactly like one that does not exist.

// byStudent refuses a change only the student makes for themself: setting
// a goal, reflecting on it, proposing an activity.
func byStudent(rel access.Relation) error {
	if rel != access.Self {
		return problem.Forbidden("only the student sets their own goals and proposes their own activities")
	}
	return nil
}

// byTeacher refuses a change only a teacher makes: a comment on a goal, a
// decision on a proposal.
func byTeacher(rel access.Relation) error {
	if rel == access.Self {
		return problem.Forbidden("a student's goals are commented on, and proposals decided, by their teachers")
	}
	return nil
}

// goalAccess returns the goal whose id is given, once the actor may do
// action on its student's goals (studentRecord).
func (s *Server) goalAccess(r *http.Request, id int64, action access.Action) (pathways.Goal, store.AuditEntry, error) {
	return studentRecord(s, r, id, action, access.Goals, "goal", s.store.Goal, func(g pathways.Goal) int64 { return g.StudentID })
}

// proposalAccess is goalAccess for a proposal.
func (s *Server) proposalAccess(r *http.Request, id int64, action access.Action) (pathways.Proposal, store.AuditEntry, error) {
	return studentRecord(s, r, id, action, access.Goals, "proposal", s.store.Proposal, func(p pathways.Proposal) int64 { return p.StudentID })
}

// studentRecord returns the record of a student whose id is given (a
// goal, an alert, a support plan), read by load, once the actor may do
// action on that student's what: a view is logged at once, a change's
// audit entry is returned unwritten, for the store to write with the
// change. A record of a student the actor may not see reads like one
// that does not exist; a what the actor's roles may never touch is
// forbidden before anything is read.
func studentRecord[T any](s *Server, r *http.Request, id int64, action access.Action, what access.What, noun string,
	load func(ctx context.Context, districtID, id int64) (T, error), studentOf func(T) int64) (T, store.AuditEntry, error) {
	if _, err := access.Decide(actorOf(r), action, what, access.Relations{}); errors.Is(err, problem.ErrForbidden) {
		var zero T
		return zero, store.AuditEntry{}, err
	}
	rec, err := load(r.Context(), s.districtOf(r), id)
	if err != nil {
		return rec, store.AuditEntry{}, urlRecord(err, noun, id)
	}
	entry, err := s.recordsOf(r, studentOf(rec), action, what)
	if err != nil {
		return rec, entry, hiddenAs(err, noun, id)
	}
	return rec, entry, nil
}

// recordsOf decides whether the actor may do action on a student's what:
// a view is logged at once; a change's entry is returned, its Relation
// the relation that allows it.
func (s *Server) recordsOf(r *http.Request, studentID int64, action access.Action, what access.What) (store.AuditEntry, error) {
	if action == access.Change {
		return s.studentChange(r, studentID, what)
	}
	rel, err := s.studentAccess(r, studentID, action, what)
	return store.AuditEntry{Relation: rel}, err
}

// hiddenAs answers a student the actor may not see as the record of the
// URL not found.
func hiddenAs(err error, what string, id int64) error {
	if errors.Is(err, problem.ErrForbidden) {
		return err
	}
	return urlRecord(asNotFound(err), what, id)
}

func (s *Server) studentGoals(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Goals)
	if err != nil {
		return err
	}
	gs, err := s.store.StudentGoals(r.Context(), s.districtOf(r), st.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(gs, 0))
	return nil
}

// goalInput is a goal as a client sets it: the day it is due written as
// 2026-12-04.
type goalInput struct {
	EvidenceID *int64 `json:"evidenceId,omitempty"`
	What       string `json:"what"`
	Due        string `json:"due"`
	Plan       string `json:"plan"`
	Need       string `json:"need,omitempty"`
}

func (s *Server) createGoal(w http.ResponseWriter, r *http.Request) error {
	st, audit, err := s.pathStudentChange(r, access.Goals)
	if err != nil {
		return err
	}
	if err := byStudent(audit.Relation); err != nil {
		return err
	}
	var in goalInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := s.newGoal(r, st.ID, in)
	if err != nil {
		return err
	}
	if err := s.store.CreateGoal(r.Context(), &g, audit); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/goals/%d", g.ID), g)
	return nil
}

// newGoal checks what a student wrote, naming every field refused, and
// returns the goal to store.
func (s *Server) newGoal(r *http.Request, studentID int64, in goalInput) (pathways.Goal, error) {
	due, derr := pathways.ParseDue(in.Due)
	g, err := pathways.NewGoal(s.districtOf(r), studentID, in.EvidenceID,
		pathways.GoalDraft{What: in.What, Due: due, Plan: in.Plan, Need: in.Need}, s.now())
	if derr == nil {
		return g, err
	}
	// The date's own reason replaces "required" for a date not understood.
	var fields problem.Fields
	var ie *problem.InvalidError
	if errors.As(err, &ie) {
		for _, f := range ie.Fields {
			if f.Field != "due" {
				fields = append(fields, f)
			}
		}
	}
	if errors.As(derr, &ie) {
		fields = append(fields, ie.Fields...)
	}
	return g, fields.Err()
}

func (s *Server) getGoal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "goal")
	if err != nil {
		return err
	}
	g, _, err := s.goalAccess(r, id, access.View)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) reflectOnGoal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "goal")
	if err != nil {
		return err
	}
	_, audit, err := s.goalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if err := byStudent(audit.Relation); err != nil {
		return err
	}
	var in pathways.Reflection
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := s.store.ReflectOnGoal(r.Context(), s.districtOf(r), id, in, audit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// commentInput is a teacher's comment on a goal.
type commentInput struct {
	Text string `json:"text"`
}

func (s *Server) commentOnGoal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "goal")
	if err != nil {
		return err
	}
	_, audit, err := s.goalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if err := byTeacher(audit.Relation); err != nil {
		return err
	}
	var in commentInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := s.store.CommentOnGoal(r.Context(), s.districtOf(r), id, actorOf(r).PersonID, in.Text, audit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) studentProposals(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Goals)
	if err != nil {
		return err
	}
	ps, err := s.store.StudentProposals(r.Context(), s.districtOf(r), st.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, 0))
	return nil
}

// proposalInput is an activity a student proposes for a target in one of
// their classes.
type proposalInput struct {
	ClassID    int64 `json:"classId"`
	StandardID int64 `json:"standardId"`
	pathways.ProposalDraft
}

func (s *Server) createProposal(w http.ResponseWriter, r *http.Request) error {
	st, audit, err := s.pathStudentChange(r, access.Goals)
	if err != nil {
		return err
	}
	if err := byStudent(audit.Relation); err != nil {
		return err
	}
	var in proposalInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := pathways.Proposal{DistrictID: s.districtOf(r), StudentID: st.ID, ClassID: in.ClassID, StandardID: in.StandardID, ProposalDraft: in.ProposalDraft}
	if err := s.store.CreateProposal(r.Context(), &p, audit); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/proposals/%d", p.ID), p)
	return nil
}

func (s *Server) getProposal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "proposal")
	if err != nil {
		return err
	}
	p, _, err := s.proposalAccess(r, id, access.View)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) reviseProposal(w http.ResponseWriter, r *http.Request) error {
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
	var in pathways.ProposalDraft
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.store.ReviseProposal(r.Context(), s.districtOf(r), id, in, audit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) decideProposal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "proposal")
	if err != nil {
		return err
	}
	_, audit, err := s.proposalAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	if err := byTeacher(audit.Relation); err != nil {
		return err
	}
	var in pathways.Decision
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.store.DecideProposal(r.Context(), s.districtOf(r), id, actorOf(r).PersonID, in, audit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// classProposals lists a class's proposals of the students the actor may
// see, those waiting for a decision first; each student's goals read is
// logged.
func (s *Server) classProposals(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	ps, err := s.classProposalList(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, 0))
	return nil
}

// classProposalList returns the proposals of class c, which the actor
// may view, whose students the actor may see the goals of, and logs the
// reads.
func (s *Server) classProposalList(r *http.Request, c roster.Class) ([]pathways.Proposal, error) {
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Goals)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ClassProposals(r.Context(), s.districtOf(r), c.ID)
	if err != nil {
		return nil, err
	}
	var out []pathways.Proposal
	seen := map[int64]bool{}
	for _, p := range all {
		if _, ok := rels[p.StudentID]; ok {
			out = append(out, p)
			seen[p.StudentID] = true
		}
	}
	read := slices.DeleteFunc(students, func(p roster.Person) bool { return !seen[p.ID] })
	if err := s.auditClass(r, read, rels, access.View, access.Goals, "proposals of the class"); err != nil {
		return nil, err
	}
	return out, nil
}
