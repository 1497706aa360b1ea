package mastery

// Stall says that a student is stalled below a prerequisite: they have
// worked on a standard without mastering it, and at least one of its
// prerequisites, worked on too, is not mastered either. More practice on
// the standard alone is unlikely to help until the prerequisite is; a
// prerequisite the student has no evidence on yet says nothing either way
// and stalls nothing.
type Stall struct {
	StandardID int64
	// Below are the standard's prerequisites the student worked on and has
	// not mastered, in the order the prerequisites were given.
	Below []int64
}

// StalledBelow returns the prerequisites a student is stalled below on
// standardID (see Stall), nil when they are not stalled on it.
// prerequisites gives a standard's prerequisites; state gives the
// student's state on a standard, false when they have no evidence on it.
func StalledBelow(standardID int64, prerequisites func(standardID int64) []int64, state func(standardID int64) (State, bool)) []int64 {
	st, ok := state(standardID)
	if !ok || st.Mastered {
		return nil
	}
	var below []int64
	for _, pre := range prerequisites(standardID) {
		if ps, ok := state(pre); ok && !ps.Mastered {
			below = append(below, pre)
		}
	}
	return below
}

// Stalls returns a student's stalls on the given standards, in their
// order: what StalledBelow finds on each.
func Stalls(standardIDs []int64, prerequisites func(standardID int64) []int64, state func(standardID int64) (State, bool)) []Stall {
	var out []Stall
	for _, id := range standardIDs {
		if below := StalledBelow(id, prerequisites, state); len(below) > 0 {
			out = append(out, Stall{StandardID: id, Below: below})
		}
	}
	return out
}
