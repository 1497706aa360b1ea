package mastery

import (
	"github.com/cairn-learning/cairn/internal/standards"
)

// Compute applies method m to a student's evidence on one standard and
// places the result on scale. obs may be in any order: evidence counts in
// the order it was assessed (then recorded), not the order it arrived.
// Compute with no observations returns the zero State.
func Compute(m Method, scale standards.Scale, obs []Observation) State {
	if len(obs) == 0 {
		return State{}
	}
	// Placeholder until the methods are written: most recent by assessment time.
	last := obs[0]
	for _, o := range obs[1:] {
		if o.AssessedAt.After(last.AssessedAt) {
			last = o
		}
	}
	lv := scale.LevelOf(last.Value)
	return State{Value: last.Value, Level: lv.Value, LevelLabel: lv.Label, Mastered: last.Value >= scale.MasteryCut,
		EvidenceCount: len(obs), LastAssessed: last.AssessedAt}
}

// Rollup computes a parent standard's state from its children's under rule.
func Rollup(rule RollupRule, scale standards.Scale, children []Child) State {
	return State{}
}
