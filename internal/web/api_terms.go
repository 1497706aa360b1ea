package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/roster"
)

func (s *Server) listTerms(w http.ResponseWriter, r *http.Request) error {
	f, err := rosterFilter(r)
	if err != nil {
		return err
	}
	items, next, err := s.store.Terms(r.Context(), s.districtOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) createTerm(w http.ResponseWriter, r *http.Request) error {
	var t roster.Term
	if err := decodeJSON(w, r, &t); err != nil {
		return err
	}
	if err := s.claimNew(r, &t.ID, &t.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateTerm(r.Context(), &t); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/terms/%d", t.ID), t)
	return nil
}

func (s *Server) getTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "term")
	if err != nil {
		return err
	}
	t, err := s.store.Term(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "term", id)
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) patchTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "term")
	if err != nil {
		return err
	}
	t, err := s.store.Term(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "term", id)
	}
	if err := decodeJSON(w, r, &t); err != nil {
		return err
	}
	if err := s.checkPatched(r, &t.ID, &t.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdateTerm(r.Context(), &t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
