package web

import (
	"net/http"

	"github.com/cairn-learning/cairn/internal/roster"
)

// guardianLinkInput is the body that links a guardian to the student in
// the URL.
type guardianLinkInput struct {
	GuardianID   int64  `json:"guardianId"`
	Relationship string `json:"relationship,omitempty"`
}

func (s *Server) listGuardians(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathPerson(r, "id", roster.RoleStudent)
	if err != nil {
		return err
	}
	items, err := s.store.Guardians(r.Context(), s.districtID, st.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

func (s *Server) linkGuardian(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathPerson(r, "id", roster.RoleStudent)
	if err != nil {
		return err
	}
	var in guardianLinkInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	l := roster.GuardianLink{DistrictID: s.districtID, GuardianID: in.GuardianID, StudentID: st.ID, Relationship: in.Relationship}
	if err := s.store.LinkGuardian(r.Context(), l); err != nil {
		return err
	}
	writeCreated(w, "", l)
	return nil
}

func (s *Server) guardianChildren(w http.ResponseWriter, r *http.Request) error {
	g, err := s.pathPerson(r, "id", roster.RoleGuardian)
	if err != nil {
		return err
	}
	items, err := s.store.Children(r.Context(), s.districtID, g.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}
