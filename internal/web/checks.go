package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// studentAccess decides whether the actor may do action on the what
// record of a student, and appends the decision to the audit log, allowed
// or not: the log answers "who looked at this record", refusals included.
// A student the actor has no relation to is answered exactly like one that
// does not exist.
func (s *Server) studentAccess(r *http.Request, studentID int64, action access.Action, what access.What) (access.Relation, error) {
	ctx := r.Context()
	a := actorOf(r)
	rels, err := s.store.RelationsTo(ctx, a, studentID)
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		return "", err
	}
	exists := err == nil
	rel, derr := access.Decide(a, action, what, rels)
	if !exists {
		// A refusal for what the actor's roles may never do comes first,
		// so that it reads the same whether the student exists or not.
		if errors.Is(derr, problem.ErrForbidden) {
			return "", derr
		}
		return "", notFound("student", studentID)
	}
	entry := s.auditEntry(r, studentID, action, what, rel)
	entry.Allowed = derr == nil
	if err := s.logAccess(ctx, []store.AuditEntry{entry}); err != nil {
		return "", fmt.Errorf("recording access to student %d: %w", studentID, err)
	}
	switch {
	case errors.Is(derr, problem.ErrNotFound):
		return "", notFound("student", studentID)
	case derr != nil:
		return "", derr
	}
	return rel, nil
}

// logAccess appends entries, all of one action, to the audit log before
// the request shows or changes anything. Reads go to the store's batched
// writer (store.RecordViews), which commits the views of many requests
// together so that readers do not queue one by one for the writer's turn
// with those recording evidence; it returns once they are committed, so
// a view is never shown unlogged. Changes are appended as before.
func (s *Server) logAccess(ctx context.Context, entries []store.AuditEntry) error {
	if len(entries) > 0 && entries[0].Action == access.View {
		// The wait for the commit uses no core: the read's turn goes to
		// the next read meanwhile, and is taken again to go on.
		turn := readTurnOf(ctx)
		if turn != nil {
			turn.release()
		}
		err := s.store.RecordViews(ctx, entries)
		if turn != nil {
			if terr := turn.take(ctx); terr != nil && err == nil {
				err = terr
			}
		}
		return err
	}
	if len(entries) == 1 {
		return s.store.AppendAudit(ctx, entries[0])
	}
	return s.store.AppendAudits(ctx, entries)
}

// auditEntry is an audit log entry of the request about one student.
func (s *Server) auditEntry(r *http.Request, studentID int64, action access.Action, what access.What, rel access.Relation) store.AuditEntry {
	a := actorOf(r)
	return store.AuditEntry{
		DistrictID: a.DistrictID,
		ActorID:    a.PersonID,
		StudentID:  studentID,
		Action:     action,
		What:       what,
		Relation:   rel,
		Allowed:    true,
		At:         s.now(),
		Route:      stateOf(r).route,
		RequestID:  requestIDFrom(r.Context()),
	}
}

// classAccess returns the class whose id is in the URL's {id} when the
// actor may do action on it: a class the actor may not see is answered
// like one that does not exist. Which of its students the actor may see
// is classRoster's to say.
func (s *Server) classAccess(r *http.Request, action access.Action) (roster.Class, error) {
	id, err := pathID(r, "id", "class")
	if err != nil {
		return roster.Class{}, err
	}
	return s.classByID(r, id, action)
}

// classByID is classAccess for an id from elsewhere than the URL.
func (s *Server) classByID(r *http.Request, id int64, action access.Action) (roster.Class, error) {
	c, _, err := s.classChecked(r, id, action)
	return c, err
}

// classAccessScope is classAccess that also hands back what the check
// found about the actor and the class, for a page to decide what else it
// offers (mayRecordIn) without asking again.
func (s *Server) classAccessScope(r *http.Request, action access.Action) (roster.Class, access.Scope, error) {
	id, err := pathID(r, "id", "class")
	if err != nil {
		return roster.Class{}, access.Scope{}, err
	}
	return s.classChecked(r, id, action)
}

// classChecked decides whether the actor may do action on class id, with
// one question to the store, and returns the class and the scope the
// decision was made on.
func (s *Server) classChecked(r *http.Request, id int64, action access.Action) (roster.Class, access.Scope, error) {
	ctx := r.Context()
	a := actorOf(r)
	// What none of the actor's roles may ever do to a class (a guardian
	// opening one, a read token recording) is refused first, so that the
	// refusal reads the same whether the class exists or not.
	if err := access.Allow(a, action, access.Class, access.Scope{}); errors.Is(err, problem.ErrForbidden) {
		return roster.Class{}, access.Scope{}, err
	}
	c, teaches, err := s.store.ClassWithRelation(ctx, a, id)
	if err != nil {
		return c, access.Scope{}, urlRecord(err, "class", id)
	}
	scope := access.Scope{SchoolID: c.SchoolID, ClassTaught: teaches}
	if err := access.Allow(a, action, access.Class, scope); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return c, scope, notFound("class", id)
		}
		return c, scope, err
	}
	return c, scope, nil
}

// mayRecordIn reports whether the actor may record evidence in a class
// whose scope an access check found, to offer the link.
func mayRecordIn(a access.Actor, scope access.Scope) bool {
	return access.Allow(a, access.Change, access.Class, scope) == nil
}

// classRoster returns the students of a class of today whose what record
// the actor may do action on, and the relation that allows it for each.
// Whom the actor may see is decided exactly as for a student opened
// directly: the store finds the same relations (store.ClassRoster) and
// access.Decide rules on each, so that a class shows no student whose own
// page would be refused, and the audit log records each student's own
// relation.
func (s *Server) classRoster(r *http.Request, classID int64, action access.Action, what access.What) ([]roster.Person, map[int64]access.Relation, error) {
	a := actorOf(r)
	list, err := s.store.ClassRoster(r.Context(), a, classID)
	if err != nil {
		return nil, nil, urlRecord(err, "class", classID)
	}
	students := make([]roster.Person, 0, len(list))
	rels := make(map[int64]access.Relation, len(list))
	for _, cs := range list {
		rel, err := access.Decide(a, action, what, cs.Relations)
		if err != nil {
			continue
		}
		students = append(students, cs.Person)
		rels[cs.ID] = rel
	}
	return students, rels, nil
}

// auditClass records that the actor did action on the what record of
// each of students, on the relation rels gives each.
func (s *Server) auditClass(r *http.Request, students []roster.Person, rels map[int64]access.Relation, action access.Action, what access.What, detail string) error {
	if len(students) == 0 {
		return nil
	}
	entries := make([]store.AuditEntry, len(students))
	for i, p := range students {
		entries[i] = s.auditEntry(r, p.ID, action, what, rels[p.ID])
		entries[i].Detail = detail
	}
	if err := s.logAccess(r.Context(), entries); err != nil {
		return fmt.Errorf("recording access to the class's students: %w", err)
	}
	return nil
}

// mayViewPerson returns nil when the actor may see person p: themself, a
// student they have a relation to (the view is audited), or anyone for
// those who may see the district's roster. Anyone else is answered like
// a person who does not exist.
func (s *Server) mayViewPerson(r *http.Request, p roster.Person) error {
	a := actorOf(r)
	if p.ID == a.PersonID {
		return nil
	}
	if p.Has(roster.RoleStudent) {
		// studentAccess words its refusal for a student; asked about a
		// person, the answer must read as for a person who does not exist.
		_, err := s.studentAccess(r, p.ID, access.View, access.Profile)
		if errors.Is(asNotFound(err), problem.ErrNotFound) || errors.Is(err, problem.ErrForbidden) {
			return notFound("person", p.ID)
		}
		return err
	}
	if err := access.Allow(a, access.View, access.Roster, access.Scope{}); err == nil {
		return nil
	}
	return notFound("person", p.ID)
}

// auditPeople records that an administrator listing people read the
// profile of each student among them.
func (s *Server) auditPeople(r *http.Request, people []roster.Person) error {
	var students []roster.Person
	for _, p := range people {
		if p.Has(roster.RoleStudent) {
			students = append(students, p)
		}
	}
	// Only those who see the whole district's roster list people.
	rels := make(map[int64]access.Relation, len(students))
	for _, p := range students {
		rels[p.ID] = access.DistrictAdmin
	}
	return s.auditClass(r, students, rels, access.View, access.Profile, "list of people")
}

// studentPage decides whether the actor may view each of whats about a
// student, for a page that shows them together, and logs one entry per
// record read, in one write. A student the actor may not see is answered
// like one that does not exist.
func (s *Server) studentPage(r *http.Request, studentID int64, whats ...access.What) (access.Relation, error) {
	ctx := r.Context()
	a := actorOf(r)
	rels, err := s.store.RelationsTo(ctx, a, studentID)
	if errors.Is(err, problem.ErrNotFound) {
		return "", notFoundPage("student", studentID)
	}
	if err != nil {
		return "", err
	}
	var entries []store.AuditEntry
	var rel access.Relation
	var refused error
	for _, what := range whats {
		r1, derr := access.Decide(a, access.View, what, rels)
		e := s.auditEntry(r, studentID, access.View, what, r1)
		e.Allowed = derr == nil
		entries = append(entries, e)
		if derr != nil && refused == nil {
			refused = derr
		}
		if rel == "" {
			rel = r1
		}
	}
	if refused != nil {
		// Only the refusals are logged: nothing was shown.
		entries = slices.DeleteFunc(entries, func(e store.AuditEntry) bool { return e.Allowed })
	}
	if err := s.logAccess(ctx, entries); err != nil {
		return "", fmt.Errorf("recording access to student %d: %w", studentID, err)
	}
	if refused != nil {
		if errors.Is(refused, problem.ErrForbidden) {
			return "", refused
		}
		return "", notFoundPage("student", studentID)
	}
	return rel, nil
}
