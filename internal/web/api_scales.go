package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/standards"
)

func (s *Server) listScales(w http.ResponseWriter, r *http.Request) error {
	items, err := s.store.Scales(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

func (s *Server) createScale(w http.ResponseWriter, r *http.Request) error {
	var sc standards.Scale
	if err := decodeJSON(w, r, &sc); err != nil {
		return err
	}
	if err := s.claimNew(r, &sc.ID, &sc.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateScale(r.Context(), &sc); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/scales/%d", sc.ID), sc)
	return nil
}

func (s *Server) getScale(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "scale")
	if err != nil {
		return err
	}
	sc, err := s.store.Scale(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "scale", id)
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}
