package mastery

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/standards"
)

func assessed(id int64, value float64, mastered bool, count int, trend float64, last int) Child {
	return Child{StandardID: id, State: State{Value: value, Mastered: mastered, EvidenceCount: count, Trend: trend, LastAssessed: day(last)}}
}

func TestRollup(t *testing.T) {
	scale := standards.DefaultScale()
	a := assessed(11, 3.2, true, 4, 0.2, 5)
	b := assessed(12, 2.5, false, 3, -0.1, 7)
	c := Child{StandardID: 13} // no evidence yet
	d := assessed(14, 3.8, true, 2, 0.5, 3)
	kids := func(cs ...Child) []ChildInput {
		out := make([]ChildInput, len(cs))
		for i, c := range cs {
			out[i] = ChildInput{StandardID: c.StandardID}
			if c.State.EvidenceCount > 0 {
				out[i] = ChildInput{StandardID: c.StandardID, Value: c.State.Value, Mastered: c.State.Mastered, Assessed: true}
			}
		}
		return out
	}
	// The assessed children of a, b, c, d: 9 pieces of evidence, last on
	// day 7, trends averaging (0.2 - 0.1 + 0.5) / 3 = 0.2.
	tests := []struct {
		name     string
		rule     RollupRule
		children []Child
		want     State
	}{
		{
			// (3.2 + 2.5 + 3.8) / 3; c has no evidence and takes no part.
			name: "mean", rule: RollupMean, children: []Child{a, b, c, d},
			want: State{Value: 9.5 / 3, Level: 3, LevelLabel: "Proficient", Mastered: true, EvidenceCount: 9, LastAssessed: day(7), Trend: 0.2,
				Explanation: Explanation{Rollup: RollupMean, Cut: 3, Children: kids(a, b, c, d)}},
		},
		{
			name: "lowest", rule: RollupLowest, children: []Child{a, b, c, d},
			want: State{Value: 2.5, Level: 2, LevelLabel: "Developing", Mastered: false, EvidenceCount: 9, LastAssessed: day(7), Trend: 0.2,
				Explanation: Explanation{Rollup: RollupLowest, Cut: 3, Children: kids(a, b, c, d)}},
		},
		{
			name: "lowest of the mastered", rule: RollupLowest, children: []Child{a, d},
			want: State{Value: 3.2, Level: 3, LevelLabel: "Proficient", Mastered: true, EvidenceCount: 6, LastAssessed: day(5), Trend: 0.35,
				Explanation: Explanation{Rollup: RollupLowest, Cut: 3, Children: kids(a, d)}},
		},
		{
			// The mean reaches the cut, but b is not mastered and c not assessed.
			name: "all mastered, one not", rule: RollupAllMastered, children: []Child{a, b, c, d},
			want: State{Value: 9.5 / 3, Level: 3, LevelLabel: "Proficient", Mastered: false, EvidenceCount: 9, LastAssessed: day(7), Trend: 0.2,
				Explanation: Explanation{Rollup: RollupAllMastered, Cut: 3, Children: kids(a, b, c, d)}},
		},
		{
			name: "all mastered, one not assessed", rule: RollupAllMastered, children: []Child{a, c, d},
			want: State{Value: 3.5, Level: 3, LevelLabel: "Proficient", Mastered: false, EvidenceCount: 6, LastAssessed: day(5), Trend: 0.35,
				Explanation: Explanation{Rollup: RollupAllMastered, Cut: 3, Children: kids(a, c, d)}},
		},
		{
			name: "all mastered, all are", rule: RollupAllMastered, children: []Child{a, d},
			want: State{Value: 3.5, Level: 3, LevelLabel: "Proficient", Mastered: true, EvidenceCount: 6, LastAssessed: day(5), Trend: 0.35,
				Explanation: Explanation{Rollup: RollupAllMastered, Cut: 3, Children: kids(a, d)}},
		},
		{
			// An unknown or empty rule is the default, mean.
			name: "no rule", rule: "", children: []Child{a, b},
			want: State{Value: 2.85, Level: 2, LevelLabel: "Developing", Mastered: false, EvidenceCount: 7, LastAssessed: day(7), Trend: 0.05,
				Explanation: Explanation{Rollup: RollupMean, Cut: 3, Children: kids(a, b)}},
		},
		{
			name: "none assessed", rule: RollupMean, children: []Child{c, {StandardID: 15}},
			want: State{},
		},
		{
			name: "no children", rule: RollupAllMastered, children: nil,
			want: State{},
		},
		{
			// A child with no evidence is never mastered, whatever it says.
			name: "unassessed child claiming mastery", rule: RollupAllMastered,
			children: []Child{a, {StandardID: 16, State: State{Mastered: true, Value: 4}}},
			want: State{Value: 3.2, Level: 3, LevelLabel: "Proficient", Mastered: false, EvidenceCount: 4, LastAssessed: day(5), Trend: 0.2,
				Explanation: Explanation{Rollup: RollupAllMastered, Cut: 3, Children: []ChildInput{
					{StandardID: 11, Value: 3.2, Mastered: true, Assessed: true}, {StandardID: 16}}}},
		},
		{
			// (2.9 + 3.1 + 3) / 3 is 3 give or take float error, and counts as 3.
			name: "mean at the cut", rule: RollupMean,
			children: []Child{assessed(1, 2.9, false, 1, 0, 1), assessed(2, 3.1, true, 1, 0, 1), assessed(3, 3, true, 1, 0, 1)},
			want: State{Value: 3, Level: 3, LevelLabel: "Proficient", Mastered: true, EvidenceCount: 3, LastAssessed: day(1),
				Explanation: Explanation{Rollup: RollupMean, Cut: 3, Children: []ChildInput{
					{StandardID: 1, Value: 2.9, Assessed: true}, {StandardID: 2, Value: 3.1, Mastered: true, Assessed: true},
					{StandardID: 3, Value: 3, Mastered: true, Assessed: true}}}},
		},
		{
			name: "child value outside the scale", rule: RollupMean,
			children: []Child{assessed(1, 7, true, 1, 0, 1), assessed(2, 2, false, 1, 0, 2)},
			want: State{Value: 3, Level: 3, LevelLabel: "Proficient", Mastered: true, EvidenceCount: 2, LastAssessed: day(2),
				Explanation: Explanation{Rollup: RollupMean, Cut: 3, Children: []ChildInput{
					{StandardID: 1, Value: 4, Mastered: true, Assessed: true}, {StandardID: 2, Value: 2, Assessed: true}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Rollup(tt.rule, scale, tt.children)
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("Rollup (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRollupOfComputed rolls up states that Compute produced.
func TestRollupOfComputed(t *testing.T) {
	scale := standards.DefaultScale()
	m := Method{Name: Mean}
	children := []Child{
		{StandardID: 1, State: Compute(m, scale, history(3, 4))},    // 3.5
		{StandardID: 2, State: Compute(m, scale, history(2, 3, 1))}, // 2
	}
	got := Rollup(RollupMean, scale, children)
	if got.Value != 2.75 || got.Mastered || got.EvidenceCount != 5 || !got.LastAssessed.Equal(day(2)) {
		t.Errorf("Rollup = value %g, mastered %v, %d pieces, last %v; want 2.75, false, 5, %v",
			got.Value, got.Mastered, got.EvidenceCount, got.LastAssessed, day(2))
	}
}
