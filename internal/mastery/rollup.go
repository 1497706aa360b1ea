package mastery

import (
	"github.com/cairn-learning/cairn/internal/standards"
)

// Rollup computes a parent standard's state from its children's under rule.
//
// A child with no evidence (EvidenceCount 0) is not assessed: it takes no
// part in the value, and it is never mastered, whatever its State says.
//
//   - mean: the mean of the assessed children's values;
//   - lowest: the lowest assessed child's value;
//   - all_mastered: the mean of the assessed children's values, but mastered
//     only when every child, assessed or not, is mastered, so the value can
//     reach the cut while the parent is not mastered.
//
// Under mean and lowest, Mastered is the value at or above the mastery cut.
// An empty or unknown rule is taken as mean, the default. Values are clamped
// to the scale and set to a level they are within epsilon of, as in Compute.
//
// EvidenceCount is the sum of the children's, LastAssessed the latest of
// theirs, and Trend the mean of the assessed children's trends. The
// Explanation lists every child in the order given. With no assessed child,
// Rollup returns the zero State. It panics when there is an assessed child
// and scale has no levels.
func Rollup(rule RollupRule, scale standards.Scale, children []Child) State {
	switch rule {
	case RollupMean, RollupLowest, RollupAllMastered:
	default:
		rule = RollupMean
	}
	assessed := 0
	for i := range children {
		if children[i].State.EvidenceCount > 0 {
			assessed++
		}
	}
	if assessed == 0 {
		return State{}
	}
	if len(scale.Levels) == 0 {
		panic("mastery: Rollup on a scale with no levels")
	}
	lo, hi := scale.Min(), scale.Max()

	var st State
	kids := make([]ChildInput, len(children))
	var sum, trends float64
	lowest := hi
	every := true
	for i := range children {
		c := &children[i].State
		kids[i].StandardID = children[i].StandardID
		if c.EvidenceCount <= 0 {
			every = false
			continue
		}
		v := clamp(c.Value, lo, hi)
		kids[i].Value = v
		kids[i].Mastered = c.Mastered
		kids[i].Assessed = true
		every = every && c.Mastered
		sum += v
		lowest = min(lowest, v)
		trends += c.Trend
		st.EvidenceCount += c.EvidenceCount
		if c.LastAssessed.After(st.LastAssessed) {
			st.LastAssessed = c.LastAssessed
		}
	}

	v := sum / float64(assessed)
	if rule == RollupLowest {
		v = lowest
	}
	st.Value = settle(v, scale)
	lv := scale.LevelOf(st.Value)
	st.Level, st.LevelLabel = lv.Value, lv.Label
	if rule == RollupAllMastered {
		st.Mastered = every
	} else {
		st.Mastered = reaches(st.Value, scale.MasteryCut)
	}
	st.Trend = trends / float64(assessed)
	st.Explanation = Explanation{Rollup: rule, Children: kids, Cut: scale.MasteryCut}
	return st
}
