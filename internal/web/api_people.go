package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := store.PersonFilter{Page: pg}
	if v := r.URL.Query().Get("role"); v != "" {
		role, err := roster.ParseRole(v)
		if err != nil {
			return malformed("role", "%v", err)
		}
		f.Role = role
	}
	if f.SchoolID, err = queryID(r, "school"); err != nil {
		return err
	}
	if f.IncludeRetired, err = queryBool(r, "includeRetired"); err != nil {
		return err
	}
	items, next, err := s.store.People(r.Context(), s.districtOf(r), f)
	if err != nil {
		return err
	}
	if err := s.auditPeople(r, items); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	var p roster.Person
	if err := decodeJSON(w, r, &p); err != nil {
		return err
	}
	if err := s.claimNew(r, &p.ID, &p.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreatePerson(r.Context(), &p); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/people/%d", p.ID), p)
	return nil
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "person", id)
	}
	if err := s.mayViewPerson(r, p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) patchPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "person", id)
	}
	// A change of a student's profile is logged with it, in its
	// transaction.
	var audit []store.AuditEntry
	if p.Has(roster.RoleStudent) {
		entry, err := s.studentChange(r, id, access.Profile)
		if err != nil {
			return err
		}
		audit = append(audit, entry)
	}
	if err := decodeJSON(w, r, &p); err != nil {
		return err
	}
	if err := s.checkPatched(r, &p.ID, &p.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdatePerson(r.Context(), &p, audit...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// personClasses lists the classes a person teaches or attends.
func (s *Server) personClasses(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "person", id)
	}
	if err := s.mayViewPerson(r, p); err != nil {
		return err
	}
	items, err := s.store.PersonClasses(r.Context(), s.districtOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}
