package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"

	"github.com/cairn-learning/cairn/internal/roster"
)

func (s *Server) listClasses(w http.ResponseWriter, r *http.Request) error {
	f, err := rosterFilter(r)
	if err != nil {
		return err
	}
	items, next, err := s.store.Classes(r.Context(), s.districtOf(r), f)
	if err != nil {
		return err
	}
	if items, err = s.visibleClasses(r, items); err != nil {
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
	if err := s.claimNew(r, &c.ID, &c.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateClass(r.Context(), &c); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/classes/%d", c.ID), c)
	return nil
}

func (s *Server) getClass(w http.ResponseWriter, r *http.Request) error {
	c, err := s.classAccess(r, access.View)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) patchClass(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "class")
	if err != nil {
		return err
	}
	c, err := s.store.Class(r.Context(), s.districtOf(r), id)
	if err != nil {
		return urlRecord(err, "class", id)
	}
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	if err := s.checkPatched(r, &c.ID, &c.DistrictID, id); err != nil {
		return err
	}
	if err := s.store.UpdateClass(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// visibleClasses keeps the classes the actor may see: all of them for
// those who see the district's roster, else those they teach, coach or
// lead. A page of the list may so hold fewer classes than asked for; its
// next cursor still goes on from the last class of the page.
func (s *Server) visibleClasses(r *http.Request, classes []roster.Class) ([]roster.Class, error) {
	a := actorOf(r)
	if access.Allow(a, access.View, access.Roster, access.Scope{}) == nil {
		return classes, nil
	}
	out := classes[:0:0]
	for _, c := range classes {
		teaches, schoolID, err := s.store.ClassRelation(r.Context(), a, c.ID)
		if err != nil {
			return nil, err
		}
		if access.Allow(a, access.View, access.Class, access.Scope{SchoolID: schoolID, ClassTaught: teaches}) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}
