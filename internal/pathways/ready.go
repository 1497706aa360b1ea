package pathways

import "github.com/cairn-learning/cairn/internal/mastery"

// Standing is what cairn knows of a student on their standards: their
// mastery states and the prerequisite graph. Catalog is usually a
// standards.Catalog's Prerequisites; State the student's stored states.
type Standing struct {
	// Prerequisites returns the standards that must be mastered before
	// a standard.
	Prerequisites func(standardID int64) []int64
	// State returns the student's state on a standard, false when they
	// have no evidence on it.
	State func(standardID int64) (mastery.State, bool)
}

// Mastered reports whether the student has mastered the standard.
func (s Standing) Mastered(standardID int64) bool {
	st, ok := s.State(standardID)
	return ok && st.Mastered
}

// Readiness says whether a student is ready for a standard, and if not,
// what stands in the way.
type Readiness struct {
	StandardID int64 `json:"standardId"`
	// Ready is true when every prerequisite of the standard is mastered
	// (a standard with none is always ready).
	Ready bool `json:"ready"`
	// Mastered is true when the student has mastered the standard itself.
	Mastered bool `json:"mastered"`
	// Missing are the prerequisites not yet mastered, in the order the
	// catalog lists them.
	Missing []int64 `json:"missing,omitempty"`
}

// Ready returns the student's readiness for standardID: ready when every
// prerequisite is mastered. Only the direct prerequisites count: each of
// them was ready in its turn when the student mastered it, and a student
// who mastered a standard without its own prerequisites has shown what
// those were for.
func Ready(s Standing, standardID int64) Readiness {
	r := Readiness{StandardID: standardID, Mastered: s.Mastered(standardID)}
	for _, pre := range s.Prerequisites(standardID) {
		if !s.Mastered(pre) {
			r.Missing = append(r.Missing, pre)
		}
	}
	r.Ready = len(r.Missing) == 0
	return r
}

// isReady is Ready's answer alone, without listing what is missing.
func isReady(s Standing, standardID int64) bool {
	for _, pre := range s.Prerequisites(standardID) {
		if !s.Mastered(pre) {
			return false
		}
	}
	return true
}
