package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// studentChange decides whether the actor may change the what record of a
// student, as studentAccess decides it, but logs only a refusal at once.
// An allowed change returns its audit entry unwritten: the caller hands it
// to the store's write, which writes it in the transaction of the change,
// so that a change refused later (bad input, a conflict) leaves no entry
// saying it was allowed, and an entry that cannot be written undoes the
// change.
func (s *Server) studentChange(r *http.Request, studentID int64, what access.What) (store.AuditEntry, error) {
	ctx := r.Context()
	a := actorOf(r)
	rels, err := s.store.RelationsTo(ctx, a, studentID)
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		return store.AuditEntry{}, err
	}
	exists := err == nil
	rel, derr := access.Decide(a, access.Change, what, rels)
	if !exists {
		// As studentAccess: what the actor's roles may never do reads the
		// same whether the student exists or not.
		if errors.Is(derr, problem.ErrForbidden) {
			return store.AuditEntry{}, derr
		}
		return store.AuditEntry{}, notFound("student", studentID)
	}
	entry := s.auditEntry(r, studentID, access.Change, what, rel)
	if derr != nil {
		entry.Allowed = false
		if err := s.store.AppendAudit(ctx, entry); err != nil {
			return store.AuditEntry{}, fmt.Errorf("recording a refused change of student %d: %w", studentID, err)
		}
		if errors.Is(derr, problem.ErrNotFound) {
			return store.AuditEntry{}, notFound("student", studentID)
		}
		return store.AuditEntry{}, derr
	}
	return entry, nil
}

// pathStudentChange is pathStudent for a change: the student whose id is
// in the URL's {id}, once the actor may change their what record, and the
// audit entry of the change, for the store's write to record with it.
func (s *Server) pathStudentChange(r *http.Request, what access.What) (roster.Person, store.AuditEntry, error) {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return roster.Person{}, store.AuditEntry{}, err
	}
	entry, err := s.studentChange(r, id, what)
	if err != nil {
		return roster.Person{}, store.AuditEntry{}, err
	}
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	return p, entry, urlRecord(err, "student", id)
}
