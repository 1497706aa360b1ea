package web

import (
	"net/http"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// pathClass returns the class whose id is in the URL's {id}.
func (s *Server) pathClass(r *http.Request) (roster.Class, error) {
	id, err := pathID(r, "id", "class")
	if err != nil {
		return roster.Class{}, err
	}
	c, err := s.store.Class(r.Context(), s.districtOf(r), id)
	return c, urlRecord(err, "class", id)
}

// listEnrollments lists a class's enrollments, past and future ones
// included: its history. A student's enrollment is listed only to those
// who may see the student's profile, decided as for the student opened
// directly; a teacher's is listed to all who see the class.
func (s *Server) listEnrollments(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	items, err := s.store.Enrollments(ctx, a.DistrictID, c.ID)
	if err != nil {
		return err
	}
	var ids []int64
	for _, e := range items {
		if e.Role == roster.EnrolledStudent {
			ids = append(ids, e.PersonID)
		}
	}
	found, err := s.store.RelationsToEach(ctx, a, ids)
	if err != nil {
		return err
	}
	rels := map[int64]access.Relation{}
	var students []roster.Person
	shown := items[:0]
	for _, e := range items {
		if e.Role == roster.EnrolledStudent {
			rel, err := access.Decide(a, access.View, access.Profile, found[e.PersonID])
			if err != nil {
				continue
			}
			if _, seen := rels[e.PersonID]; !seen {
				students = append(students, roster.Person{ID: e.PersonID})
			}
			rels[e.PersonID] = rel
		}
		shown = append(shown, e)
	}
	if err := s.auditClass(r, students, rels, access.View, access.Profile, "enrollments of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(shown, 0))
	return nil
}

func (s *Server) createEnrollment(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathClass(r)
	if err != nil {
		return err
	}
	var e roster.Enrollment
	if err := decodeJSON(w, r, &e); err != nil {
		return err
	}
	if err := s.claimNew(r, &e.ID, &e.DistrictID); err != nil {
		return err
	}
	if e.ClassID != 0 && e.ClassID != c.ID {
		return problem.Invalid("classId", "the URL names class %d; leave classId out or make it %d", c.ID, c.ID)
	}
	e.ClassID = c.ID
	if err := s.store.CreateEnrollment(r.Context(), &e); err != nil {
		return err
	}
	writeCreated(w, "", e)
	return nil
}

// classStudents lists a class's students, by family then given name.
func (s *Server) classStudents(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	items, rels, err := s.classRoster(r, c.ID, access.View, access.Profile)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, items, rels, access.View, access.Profile, "students of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}
