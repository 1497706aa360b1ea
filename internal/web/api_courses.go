package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/roster"
)

func (s *Server) listCourses(w http.ResponseWriter, r *http.Request) error {
	f, err := rosterFilter(r)
	if err != nil {
		return err
	}
	items, next, err := s.store.Courses(r.Context(), s.districtOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) createCourse(w http.ResponseWriter, r *http.Request) error {
	var c roster.Course
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	if err := s.claimNew(r, &c.ID, &c.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateCourse(r.Context(), &c); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/courses/%d", c.ID), c)
	return nil
}

func (s *Server) getCourse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "course")
	if err != nil {
		return err
	}
	c, err := s.store.Course(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "course", id)
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) patchCourse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "course")
	if err != nil {
		return err
	}
	c, err := s.store.Course(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "course", id)
	}
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	if err := s.checkPatched(r, &c.ID, &c.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdateCourse(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
