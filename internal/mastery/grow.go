package mastery

import (
	"slices"
	"time"
)

// Grow returns the history a standard's state counts, read back from the
// state's explanation, with the observations in add put in their places:
// what Recompute needs to compute the standard's new state without
// rereading its evidence. The state must be of a standard without
// children, decided by its policy (Policy.Decide), and add of evidence
// that was not counted yet.
//
// The result orders as the explanation lists its inputs (their recording
// times, which the explanation does not keep, are stand-ins that keep that
// order), so that Recompute gives, to the last bit and byte, the state and
// explanation that a recompute from all of the evidence gives.
//
// Grow reports false when it cannot be sure of that, and the caller must
// recompute from the evidence: when the explanation does not list every
// piece of evidence the state counts, was reached by another method,
// weight, cut or model than d's now, or when an added observation was
// assessed at the very moment of another, counted or added (then only the
// recording times, not kept, would order them).
func Grow(d District, standardID int64, prev State, add []Observation) ([]Observation, bool) {
	ex := prev.Explanation
	if len(ex.Inputs) == 0 || len(ex.Inputs) != prev.EvidenceCount || ex.Rollup != "" || len(ex.Children) > 0 {
		return nil, false
	}
	scale, ok := d.Scale(standardID)
	if !ok || ex.Cut != scale.MasteryCut {
		return nil, false
	}
	pol := d.Policy(standardID)
	m := pol.Method.withDefaults()
	want := Explanation{Method: m.Name}
	switch m.Name {
	case DecayingAverage, WeightedAverage:
		want.Weight = m.Weight
	case NTimes:
		want.N = m.N
	}
	if ex.Method != want.Method || ex.Weight != want.Weight || ex.N != want.N {
		return nil, false
	}
	tr := d.Tracer(standardID)
	if mi := ex.Model; mi == nil || mi.Model != tr.Name() || (tr.Ability == nil && mi.Params != tr.Params) || mi.Fitted != tr.Fitted || mi.MasteredBy != pol.masteredBy() ||
		mi.Confidence != (EstimateOptions{Confidence: pol.Confidence}).withDefaults().Confidence {
		return nil, false
	}
	lo, hi := scale.Min(), scale.Max()
	out := make([]Observation, 0, len(ex.Inputs)+len(add))
	for i, in := range ex.Inputs {
		if in.Value != clamp(in.Value, lo, hi) || (i > 0 && in.AssessedAt.Before(ex.Inputs[i-1].AssessedAt)) {
			return nil, false
		}
		out = append(out, Observation{EvidenceID: in.EvidenceID, Value: in.Value, AssessedAt: in.AssessedAt})
	}
	for _, o := range add {
		at, found := slices.BinarySearchFunc(out, o.AssessedAt, func(x Observation, t time.Time) int { return x.AssessedAt.Compare(t) })
		if found {
			return nil, false
		}
		out = slices.Insert(out, at, o)
	}
	for i := range out {
		out[i].RecordedAt = time.Unix(0, int64(i)).UTC()
	}
	return out, true
}
