package mastery

import (
	"cmp"
	"math"
	"slices"

	"github.com/cairn-learning/cairn/internal/standards"
)

// epsilon is how far below a level a value may fall and still count as that
// level. Averages of scores like 3, 3, 3 can come out as 2.9999999999999996
// after floating-point arithmetic, and a student must not miss mastery over
// that; a millionth of a scale point is far above such error and far below
// any difference a teacher could mean.
const epsilon = 1e-6

// stackOrder is the longest history Compute puts in order without
// allocating. Most students have a few dozen pieces of evidence on a
// standard at most.
const stackOrder = 64

// Compute applies method m to a student's evidence on one standard and
// places the result on scale. The methods, with x1..xn the values in order
// and w the method's weight:
//
//   - decaying_average: s1 = x1, sk = w·xk + (1-w)·s(k-1); the result is sn.
//   - weighted_average: w·xn + (1-w)·mean(x1..x(n-1)); xn alone when n = 1.
//   - most_recent: xn. highest: the highest value. mean: the mean.
//   - mode: the level (scale.LevelOf) most values fall in, a tie going to
//     the higher level; the result is that level's value.
//   - n_times: mastered when at least N values are at or above the cut. The
//     value is the N-th highest value when there are N or more, which reaches
//     the cut exactly when N values do; with fewer than N it is the highest
//     value capped at the level just below the cut, so that it shows "not
//     yet" however high the scores were.
//   - power_law: the least-squares fit of ln(value) on ln(k), k = 1..n being
//     each value's position, read at k = n. On a scale whose lowest level is 0
//     or below, values are shifted up so that the lowest level is 1 before
//     taking logarithms, and the result shifted back.
//
// The Explanation gives each piece of evidence its share of the result: its
// weight in the averages; 1 for the evidence that is the result under
// most_recent and highest (the latest of equal highest values); shared
// equally by the evidence at the chosen level under mode; 1/n each under
// power_law, whose fit uses every value; and under n_times 1 for each value
// at or above the cut and 0 for the others, so those do not sum to 1.
// Trend is the least-squares slope of the values against their position,
// 0 with one piece of evidence.
//
// Evidence counts in the order it was assessed: by AssessedAt, ties broken by
// RecordedAt, then by EvidenceID (then by Value, so that even a history
// holding the same evidence twice gives one answer whatever order it came
// in). obs may arrive in any order and is never modified; the store's usual
// order (already sorted) is the fast path.
//
// Each value is first clamped to the scale's range (a value outside it can
// only come from a changed scale or a bug, and must not drag an average
// beyond the scale); a NaN counts as the scale's lowest level. The result is
// clamped again, because power_law can extrapolate beyond the scale, and a
// result within a millionth of a level is set to that level (2.9999999 from
// float error is 3), so that Value, Level and Mastered always agree: Level is
// scale.LevelOf(Value) and Mastered is Value at or above the scale's mastery
// cut. The one exception is n_times on a scale whose cut is its lowest level,
// where no value can show "not yet" and only Mastered does.
//
// A Method with no name, or a name Compute does not know, is computed as the
// district default, decaying_average; a weight outside (0, 1] is taken as
// DefaultWeight and an N below 1 as DefaultN, as Policy.Validate would set
// them. The Explanation records what was actually used.
//
// Compute with no observations returns the zero State. It panics when scale
// has no levels: such a scale fails standards.Scale.Validate and cannot be
// stored.
//
// Apart from the State's Explanation.Inputs, which it returns, Compute does
// not allocate for histories of up to 64 pieces of evidence on scales of up
// to 16 levels.
func Compute(m Method, scale standards.Scale, obs []Observation) State {
	if len(obs) == 0 {
		return State{}
	}
	if len(scale.Levels) == 0 {
		panic("mastery: Compute on a scale with no levels")
	}
	m = m.withDefaults()
	lo, hi := scale.Min(), scale.Max()
	in := orderedInputs(obs, lo, hi)

	var v float64
	mastered := false
	ex := Explanation{Method: m.Name, Cut: scale.MasteryCut, Inputs: in}
	switch m.Name {
	case WeightedAverage:
		ex.Weight = m.Weight
		v = weightedAverage(in, m.Weight)
	case MostRecent:
		v = mostRecent(in)
	case Highest:
		v = highest(in)
	case Mean:
		v = mean(in)
	case Mode:
		v = mode(in, scale)
	case NTimes:
		ex.N = m.N
		v, mastered = nTimes(in, scale, m.N)
	case PowerLaw:
		v = powerLaw(in, lo, hi)
	default:
		ex.Weight = m.Weight
		v = decayingAverage(in, m.Weight)
	}
	v = settle(v, scale)
	if m.Name != NTimes {
		mastered = reaches(v, scale.MasteryCut)
	}
	lv := scale.LevelOf(v)
	return State{
		Value:         v,
		Level:         lv.Value,
		LevelLabel:    lv.Label,
		Mastered:      mastered,
		EvidenceCount: len(in),
		LastAssessed:  in[len(in)-1].AssessedAt,
		Trend:         trend(in),
		Explanation:   ex,
	}
}

// withDefaults fills in what Policy.Validate would, so that Compute gives a
// sensible answer even for a Method that never went through it.
func (m Method) withDefaults() Method {
	switch m.Name {
	case DecayingAverage, WeightedAverage, MostRecent, Highest, Mean, Mode, NTimes, PowerLaw:
	default:
		m.Name = DecayingAverage
	}
	if !(m.Weight > 0 && m.Weight <= 1) { // also catches NaN
		m.Weight = DefaultWeight
	}
	if m.N < 1 {
		m.N = DefaultN
	}
	return m
}

// compareObservations orders evidence as it counts: by assessment, then
// recording, then ID, then value.
func compareObservations(a, b *Observation) int {
	if c := a.AssessedAt.Compare(b.AssessedAt); c != 0 {
		return c
	}
	if c := a.RecordedAt.Compare(b.RecordedAt); c != 0 {
		return c
	}
	if c := cmp.Compare(a.EvidenceID, b.EvidenceID); c != 0 {
		return c
	}
	return cmp.Compare(a.Value, b.Value)
}

// orderedInputs returns obs as Inputs in the order they count, with their
// values clamped to [lo, hi]. It sorts positions rather than a copy of the
// observations so that obs stays as the caller had it and the work stays on
// the stack.
func orderedInputs(obs []Observation, lo, hi float64) []Input {
	in := make([]Input, len(obs))
	sorted := true
	for i := 1; i < len(obs); i++ {
		if compareObservations(&obs[i-1], &obs[i]) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		for i := range obs {
			o := &obs[i]
			in[i] = Input{EvidenceID: o.EvidenceID, Value: clamp(o.Value, lo, hi), AssessedAt: o.AssessedAt}
		}
		return in
	}
	var buf [stackOrder]int32
	var pos []int32
	if len(obs) <= len(buf) {
		pos = buf[:len(obs)]
	} else {
		pos = make([]int32, len(obs))
	}
	for i := range pos {
		pos[i] = int32(i)
	}
	slices.SortFunc(pos, func(a, b int32) int { return compareObservations(&obs[a], &obs[b]) })
	for i, p := range pos {
		o := &obs[p]
		in[i] = Input{EvidenceID: o.EvidenceID, Value: clamp(o.Value, lo, hi), AssessedAt: o.AssessedAt}
	}
	return in
}

// clamp returns v within [lo, hi]; NaN becomes lo.
func clamp(v, lo, hi float64) float64 {
	switch {
	case v >= lo && v <= hi:
		return v
	case v > hi:
		return hi
	default: // below lo, or NaN
		return lo
	}
}

// settle clamps a result to the scale and sets it to a level it is within
// epsilon of.
func settle(v float64, scale standards.Scale) float64 {
	v = clamp(v, scale.Min(), scale.Max())
	for _, l := range scale.Levels {
		if math.Abs(v-l.Value) <= epsilon {
			return l.Value
		}
	}
	return v
}

// reaches reports whether v is at or above cut, allowing for epsilon.
func reaches(v, cut float64) bool { return v >= cut-epsilon }

// trend is the least-squares slope of the values against their position
// 0..n-1, in scale points per piece of evidence.
func trend(in []Input) float64 {
	n := len(in)
	if n < 2 {
		return 0
	}
	var sx, six float64
	for i := range in {
		sx += in[i].Value
		six += float64(i) * in[i].Value
	}
	fn := float64(n)
	// With positions 0..n-1 the mean position is (n-1)/2 and the sum of
	// squared deviations is n(n²-1)/12.
	return (six - (fn-1)/2*sx) / (fn * (fn*fn - 1) / 12)
}
