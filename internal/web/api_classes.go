package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/roster"
)

func (s *Server) listClasses(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := s.store.Classes(r.Context(), s.districtID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) createClass(w http.ResponseWriter, r *http.Request) error {
	var c roster.Class
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	if err := s.claimNew(&c.ID, &c.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateClass(r.Context(), &c); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/classes/%d", c.ID), c)
	return nil
}

func (s *Server) getClass(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "class")
	if err != nil {
		return err
	}
	c, err := s.store.Class(r.Context(), s.districtID, id)
	if err != nil {
		return urlRecord(err, "class", id)
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) patchClass(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "class")
	if err != nil {
		return err
	}
	c, err := s.store.Class(r.Context(), s.districtID, id)
	if err != nil {
		return urlRecord(err, "class", id)
	}
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	if err := s.checkPatched(&c.ID, &c.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdateClass(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
