package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
)

// policyInput is a new mastery policy with who changes it and why; the
// change is recorded and every affected mastery state recomputed.
type policyInput struct {
	mastery.Policy
	ChangedBy int64  `json:"changedBy,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// decodePolicy reads and checks a policyInput, filling in the method's
// default parameters so that the answer shows what was stored.
func (s *Server) decodePolicy(w http.ResponseWriter, r *http.Request) (policyInput, error) {
	var in policyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return in, err
	}
	var errs problem.Fields
	if err := in.Policy.Validate(); err != nil {
		var ie *problem.InvalidError
		if !errors.As(err, &ie) {
			return in, err
		}
		errs = append(errs, ie.Fields...)
	}
	by, err := actingPerson(r, "changedBy", in.ChangedBy)
	if err != nil {
		var ie *problem.InvalidError
		if !errors.As(err, &ie) {
			return in, err
		}
		errs = append(errs, ie.Fields...)
	}
	in.ChangedBy = by
	return in, errs.Err()
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.DistrictPolicy(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodePolicy(w, r)
	if err != nil {
		return err
	}
	if err := s.store.SetPolicy(r.Context(), s.districtOf(r), nil, in.Policy, in.ChangedBy, in.Reason); err != nil {
		return err
	}
	return s.getPolicy(w, r)
}

// coursePolicyJSON is the policy in force for a course: its own override
// (source "course") or the district's (source "district").
type coursePolicyJSON struct {
	CourseID int64  `json:"courseId"`
	Source   string `json:"source"`
	mastery.Policy
}

// pathCourse returns the id of the course in the URL's {id}, once it is
// known to exist.
func (s *Server) pathCourse(r *http.Request) (int64, error) {
	id, err := pathID(r, "id", "course")
	if err != nil {
		return 0, err
	}
	if _, err := s.store.Course(r.Context(), s.districtOf(r), id); err != nil {
		return 0, urlRecord(err, "course", id)
	}
	return id, nil
}

func (s *Server) getCoursePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := s.pathCourse(r)
	if err != nil {
		return err
	}
	return s.writeCoursePolicy(w, r, id)
}

func (s *Server) writeCoursePolicy(w http.ResponseWriter, r *http.Request, courseID int64) error {
	out := coursePolicyJSON{CourseID: courseID, Source: "course"}
	p, err := s.store.CoursePolicy(r.Context(), s.districtOf(r), courseID)
	switch {
	case errors.Is(err, problem.ErrNotFound):
		out.Source = "district"
		if out.Policy, err = s.store.DistrictPolicy(r.Context(), s.districtOf(r)); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		out.Policy = *p
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) putCoursePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := s.pathCourse(r)
	if err != nil {
		return err
	}
	in, err := s.decodePolicy(w, r)
	if err != nil {
		return err
	}
	if err := s.store.SetPolicy(r.Context(), s.districtOf(r), &id, in.Policy, in.ChangedBy, in.Reason); err != nil {
		return err
	}
	return s.writeCoursePolicy(w, r, id)
}

// deleteCoursePolicy removes a course's override, so that the district's
// policy applies again. The change is recorded against the actor;
// ?changedBy=, for clients that send it, must name them.
func (s *Server) deleteCoursePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := s.pathCourse(r)
	if err != nil {
		return err
	}
	by, err := queryID(r, "changedBy")
	if err != nil {
		return err
	}
	if by, err = actingPerson(r, "changedBy", by); err != nil {
		return err
	}
	if _, err := s.store.CoursePolicy(r.Context(), s.districtOf(r), id); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return &requestError{status: http.StatusNotFound,
				detail: fmt.Sprintf("course %d has no policy of its own; the district's applies", id)}
		}
		return err
	}
	if err := s.store.ClearCoursePolicy(r.Context(), s.districtOf(r), id, by); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// policyChangeJSON is one recorded change of a mastery policy.
type policyChangeJSON struct {
	ID         int64           `json:"id"`
	CourseID   *int64          `json:"courseId,omitempty"`
	Old        *mastery.Policy `json:"old"`
	New        *mastery.Policy `json:"new"`
	ChangedBy  int64           `json:"changedBy"`
	ChangedAt  time.Time       `json:"changedAt"`
	Reason     string          `json:"reason,omitempty"`
	Recomputed int             `json:"recomputed"`
}

func (s *Server) policyChanges(w http.ResponseWriter, r *http.Request) error {
	changes, err := s.store.PolicyChanges(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	items := make([]policyChangeJSON, len(changes))
	for i, c := range changes {
		items[i] = policyChangeJSON{ID: c.ID, CourseID: c.CourseID, Old: c.Old, New: c.New,
			ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt, Reason: c.Reason, Recomputed: c.Recomputed}
	}
	writeJSON(w, http.StatusOK, newList(items, 0))
	return nil
}

// rebuildJSON reports a rebuild of the district's mastery.
type rebuildJSON struct {
	Evidence  int     `json:"evidence"`
	States    int     `json:"states"`
	ElapsedMS float64 `json:"elapsedMs"`
}

// rebuildMastery recomputes every mastery state of the district from its
// evidence; the result is the same as before unless a policy or the
// methods changed. It answers when the rebuild is done.
func (s *Server) rebuildMastery(w http.ResponseWriter, r *http.Request) error {
	id := requestIDFrom(r.Context())
	start := time.Now() // wall time the client waits, whatever the injected clock says
	lastTenth := -1
	stats, err := s.store.RebuildMastery(r.Context(), s.districtOf(r), func(done, total int) {
		if total == 0 {
			return
		}
		if tenth := done * 10 / total; tenth != lastTenth {
			lastTenth = tenth
			s.log.Info("rebuilding mastery", "request_id", id, "done", done, "total", total)
		}
	})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	writeJSON(w, http.StatusOK, rebuildJSON{Evidence: stats.Evidence, States: stats.States,
		ElapsedMS: float64(elapsed.Microseconds()) / 1000})
	return nil
}
