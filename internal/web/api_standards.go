package web

import (
	"fmt"
	"net/http"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

func (s *Server) createStandard(w http.ResponseWriter, r *http.Request) error {
	var st standards.Standard
	if err := decodeJSON(w, r, &st); err != nil {
		return err
	}
	if err := s.claimNew(r, &st.ID, &st.DistrictID); err != nil {
		return err
	}
	if err := s.store.CreateStandard(r.Context(), &st); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/standards/%d", st.ID), st)
	return nil
}

// pathStandard returns the standard whose id is in the URL's {name}.
func (s *Server) pathStandard(r *http.Request, name string) (standards.Standard, error) {
	id, err := pathID(r, name, "standard")
	if err != nil {
		return standards.Standard{}, err
	}
	st, err := s.store.Standard(r.Context(), s.districtOf(r), id)
	return st, urlRecord(err, "standard", id)
}

func (s *Server) getStandard(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStandard(r, "id")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) patchStandard(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStandard(r, "id")
	if err != nil {
		return err
	}
	id, framework := st.ID, st.FrameworkID
	if err := decodeJSON(w, r, &st); err != nil {
		return err
	}
	if err := s.checkPatched(r, &st.ID, &st.DistrictID, id); err != nil {
		return err
	}
	if st.FrameworkID != framework {
		// Moving a standard between frameworks would orphan its children
		// and its evidence's scale; it is a new standard.
		return problem.Invalid("frameworkId", "cannot be changed (the standard is in framework %d)", framework)
	}
	if err := s.store.UpdateStandard(r.Context(), &st); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// listPrerequisites lists the standards that must be mastered before the
// one in the URL.
func (s *Server) listPrerequisites(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStandard(r, "id")
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	items := []standards.Standard{}
	for _, id := range cat.Prerequisites(st.ID) {
		pre, ok := cat.Standard(id)
		if !ok {
			return fmt.Errorf("prerequisite %d of standard %d is not in the district's catalog", id, st.ID)
		}
		items = append(items, pre)
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

// prerequisiteInput is the body that adds a prerequisite to the standard
// in the URL.
type prerequisiteInput struct {
	PrerequisiteID int64 `json:"prerequisiteId"`
}

func (s *Server) addPrerequisite(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStandard(r, "id")
	if err != nil {
		return err
	}
	var in prerequisiteInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.PrerequisiteID == 0 {
		return problem.Invalid("prerequisiteId", "required")
	}
	p := standards.Prerequisite{DistrictID: s.districtOf(r), StandardID: st.ID, PrerequisiteID: in.PrerequisiteID}
	if err := s.store.AddPrerequisite(r.Context(), p); err != nil {
		return err
	}
	writeCreated(w, "", p)
	return nil
}

// courseStandardsInput is the body that replaces a course's standards.
type courseStandardsInput struct {
	StandardIDs []int64 `json:"standardIds"`
}

func (s *Server) getCourseStandards(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "course")
	if err != nil {
		return err
	}
	if _, err := s.store.Course(r.Context(), s.districtOf(r), id); err != nil {
		return urlRecord(err, "course", id)
	}
	items, err := s.store.CourseStandards(r.Context(), s.districtOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

func (s *Server) putCourseStandards(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "course")
	if err != nil {
		return err
	}
	if _, err := s.store.Course(r.Context(), s.districtOf(r), id); err != nil {
		return urlRecord(err, "course", id)
	}
	var in courseStandardsInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.StandardIDs == nil {
		return problem.Invalid("standardIds", "required: the ids of the course's standards (an empty list removes them all)")
	}
	if err := s.store.SetCourseStandards(r.Context(), s.districtOf(r), id, in.StandardIDs); err != nil {
		return err
	}
	items, err := s.store.CourseStandards(r.Context(), s.districtOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}
