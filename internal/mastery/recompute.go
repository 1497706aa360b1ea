package mastery

import (
	"cmp"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// District is what the engine knows of a district when it recomputes
// states: the hierarchy it rolls up (retired standards already cut loose,
// as the store keeps it), each standard's scale and knowledge tracing
// model, and the policy in force on each standard.
type District interface {
	// Children returns a standard's children in the hierarchy the
	// engine rolls up, in position order.
	Children(standardID int64) []int64
	// Ancestors returns a standard's ancestors, nearest first.
	Ancestors(standardID int64) []int64
	// Depth is the number of a standard's ancestors.
	Depth(standardID int64) int
	// Scale returns a standard's scale; false for a standard the
	// district does not have.
	Scale(standardID int64) (standards.Scale, bool)
	// Tracer returns a standard's knowledge tracing model.
	Tracer(standardID int64) Tracer
	// Policy returns the policy in force on a standard.
	Policy(standardID int64) Policy
}

// Targets returns stds with all their ancestors, each once, deepest first
// (ties by id), so that a standard comes after every child of it that is
// also a target: the order Recompute needs.
func Targets(d District, stds []int64) []int64 {
	set := make(map[int64]bool, len(stds)*3)
	var out []int64
	add := func(id int64) {
		if !set[id] {
			set[id] = true
			out = append(out, id)
		}
	}
	for _, id := range stds {
		add(id)
		for _, a := range d.Ancestors(id) {
			add(a)
		}
	}
	slices.SortFunc(out, func(a, b int64) int {
		return cmp.Or(cmp.Compare(d.Depth(b), d.Depth(a)), cmp.Compare(a, b))
	})
	return out
}

// Recompute returns one student's states of targets (as Targets orders
// them) from obs, the student's evidence that counts on each target, and
// stored, the student's states of children of targets that are not
// targets themselves (they did not change).
//
// A standard has a state when it or a standard below it has evidence. A
// standard with children is rolled up from its children by its policy's
// Rollup, those without a state passed as unassessed, with its own
// evidence, if any, as one more child decided by its policy; a standard
// without children is decided from its evidence by its policy
// (Policy.Decide). A target missing from the result has no state.
func Recompute(d District, targets []int64, obs map[int64][]Observation, stored map[int64]State) map[int64]State {
	res := make(map[int64]State, len(targets))
	isTarget := make(map[int64]bool, len(targets))
	for _, id := range targets {
		isTarget[id] = true
	}
	for _, id := range targets {
		pol := d.Policy(id)
		scale, _ := d.Scale(id)
		own := obs[id]
		kids := d.Children(id)
		if len(kids) == 0 {
			if len(own) > 0 {
				res[id] = pol.Decide(scale, own, d.Tracer(id))
			}
			continue
		}
		children := make([]Child, 0, len(kids)+1)
		assessed := false
		for _, k := range kids {
			var st State
			var ok bool
			if isTarget[k] {
				st, ok = res[k]
			} else {
				st, ok = stored[k]
			}
			assessed = assessed || ok
			children = append(children, Child{StandardID: k, State: st})
		}
		if len(own) > 0 {
			assessed = true
			children = append(children, Child{StandardID: id, State: pol.Decide(scale, own, d.Tracer(id))})
		}
		if assessed {
			res[id] = Rollup(pol.Rollup, scale, children)
		}
	}
	return res
}

// Replay returns a student's states as they stood at each of the times in
// at (out[i] is at[i]'s): Recompute of targets from the evidence in obs
// assessed at or before that time. obs holds, for every standard with
// evidence, all of it, in the order it counts (CompareObservations), and
// targets are those standards with their ancestors (Targets), so that no
// stored state is needed: a child that is not a target has no evidence.
func Replay(d District, targets []int64, obs map[int64][]Observation, at []time.Time) []map[int64]State {
	out := make([]map[int64]State, len(at))
	for i, t := range at {
		upto := make(map[int64][]Observation, len(obs))
		for id, o := range obs {
			if n := AssessedBy(o, t); n > 0 {
				upto[id] = o[:n]
			}
		}
		out[i] = Recompute(d, targets, upto, nil)
	}
	return out
}

// AssessedBy returns how many of obs, in the order they count, were
// assessed at or before t.
func AssessedBy(obs []Observation, t time.Time) int {
	n, _ := slices.BinarySearchFunc(obs, t, func(o Observation, t time.Time) int {
		if o.AssessedAt.After(t) {
			return 1
		}
		return -1
	})
	return n
}

// CompareObservations orders evidence as it counts (as Compute does): by
// assessment, then recording, then evidence id, then value.
func CompareObservations(a, b Observation) int { return compareObservations(&a, &b) }
