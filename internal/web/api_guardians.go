package web

import (
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"

	"github.com/cairn-learning/cairn/internal/roster"
)

// guardianLinkInput is the body that links a guardian to the student in
// the URL.
type guardianLinkInput struct {
	GuardianID   int64  `json:"guardianId"`
	Relationship string `json:"relationship,omitempty"`
}

func (s *Server) listGuardians(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Guardians)
	if err != nil {
		return err
	}
	items, err := s.store.Guardians(r.Context(), s.districtOf(r), st.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

func (s *Server) linkGuardian(w http.ResponseWriter, r *http.Request) error {
	st, audit, err := s.pathStudentChange(r, access.Guardians)
	if err != nil {
		return err
	}
	var in guardianLinkInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	l := roster.GuardianLink{DistrictID: s.districtOf(r), GuardianID: in.GuardianID, StudentID: st.ID, Relationship: in.Relationship}
	if err := s.store.LinkGuardian(r.Context(), l, audit); err != nil {
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
	if err := s.mayViewPerson(r, g); err != nil {
		// A guardian the actor may not see reads like an id of no
		// guardian, in the same words.
		return urlRecord(asNotFound(err), "guardian", g.ID)
	}
	items, err := s.store.Children(r.Context(), s.districtOf(r), g.ID)
	if err != nil {
		return err
	}
	for _, c := range items {
		if _, err := s.studentAccess(r, c.ID, access.View, access.Profile); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}
