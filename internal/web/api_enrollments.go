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

func (s *Server) listEnrollments(w http.ResponseWriter, r *http.Request) error {
	c, rel, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	items, err := s.store.Enrollments(r.Context(), s.districtOf(r), c.ID)
	if err != nil {
		return err
	}
	var students []roster.Person
	for _, e := range items {
		if e.Role == roster.EnrolledStudent {
			students = append(students, roster.Person{ID: e.PersonID})
		}
	}
	if err := s.auditClass(r, students, access.View, access.Profile, rel, "enrollments of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
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
	c, rel, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	items, err := s.store.ClassStudents(r.Context(), s.districtOf(r), c.ID)
	if err != nil {
		return err
	}
	if err := s.auditClass(r, items, access.View, access.Profile, rel, "students of class "+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}
