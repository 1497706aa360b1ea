package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/standards"
)

func (s *Server) listFrameworks(w http.ResponseWriter, r *http.Request) error {
	items, err := s.store.Frameworks(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

func (s *Server) createFramework(w http.ResponseWriter, r *http.Request) error {
	var f standards.Framework
	if err := decodeJSON(w, r, &f); err != nil {
		return err
	}
	if err := s.claimNew(r, &f.ID, &f.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateFramework(r.Context(), &f); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/frameworks/%d", f.ID), f)
	return nil
}

// pathFramework returns the framework whose id is in the URL's {id}.
func (s *Server) pathFramework(r *http.Request) (standards.Framework, error) {
	id, err := pathID(r, "id", "framework")
	if err != nil {
		return standards.Framework{}, err
	}
	f, err := s.store.Framework(r.Context(), s.districtOf(r), id)
	return f, urlRecord(err, "framework", id)
}

func (s *Server) getFramework(w http.ResponseWriter, r *http.Request) error {
	f, err := s.pathFramework(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) patchFramework(w http.ResponseWriter, r *http.Request) error {
	f, err := s.pathFramework(r)
	if err != nil {
		return err
	}
	id := f.ID
	if err := decodeJSON(w, r, &f); err != nil {
		return err
	}
	if err := s.checkPatched(r, &f.ID, &f.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdateFramework(r.Context(), &f); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// frameworkStandards lists a framework's standards: by id a page at a
// time, or with ?order=hierarchy the whole framework depth-first, the
// order in which a tree is drawn.
func (s *Server) frameworkStandards(w http.ResponseWriter, r *http.Request) error {
	f, err := s.pathFramework(r)
	if err != nil {
		return err
	}
	switch order := r.URL.Query().Get("order"); order {
	case "hierarchy":
		items, err := s.store.AllStandards(r.Context(), s.districtOf(r), f.ID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, newList(items, 0))
		return nil
	case "", "id":
	default:
		return malformed("order", "%q is not id or hierarchy", order)
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := s.store.Standards(r.Context(), s.districtOf(r), f.ID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}
