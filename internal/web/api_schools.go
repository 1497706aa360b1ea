package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/roster"
)

func (s *Server) listSchools(w http.ResponseWriter, r *http.Request) error {
	f, err := rosterFilter(r)
	if err != nil {
		return err
	}
	items, next, err := s.store.Schools(r.Context(), s.districtOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) createSchool(w http.ResponseWriter, r *http.Request) error {
	var sc roster.School
	if err := decodeJSON(w, r, &sc); err != nil {
		return err
	}
	if err := s.claimNew(r, &sc.ID, &sc.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateSchool(r.Context(), &sc); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/schools/%d", sc.ID), sc)
	return nil
}

func (s *Server) getSchool(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "school")
	if err != nil {
		return err
	}
	sc, err := s.store.School(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "school", id)
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

func (s *Server) patchSchool(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "school")
	if err != nil {
		return err
	}
	sc, err := s.store.School(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "school", id)
	}
	if err := decodeJSON(w, r, &sc); err != nil {
		return err
	}
	if err := s.checkPatched(r, &sc.ID, &sc.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdateSchool(r.Context(), &sc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}
