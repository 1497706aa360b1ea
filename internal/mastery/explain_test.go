package mastery

import (
	"testing"

	"github.com/cairn-learning/cairn/internal/standards"
)

func TestSummary(t *testing.T) {
	scale := standards.DefaultScale()
	mixed := history(2, 3, 1, 4, 3)
	compute := func(m Method, obs []Observation) State { return Compute(m, scale, obs) }
	children := []Child{
		{StandardID: 1, State: State{Value: 3.2, Mastered: true, EvidenceCount: 4}},
		{StandardID: 2, State: State{Value: 2.5, EvidenceCount: 3}},
		{StandardID: 3},
		{StandardID: 4, State: State{Value: 3.8, Mastered: true, EvidenceCount: 2}},
	}
	tests := []struct {
		name  string
		state State
		want  string
	}{
		{
			name:  "decaying average",
			state: compute(Method{Name: DecayingAverage, Weight: 0.65}, mixed),
			want:  "Decaying average of 5 pieces of evidence, latest counting 65%: 3.05, Proficient (mastery is 3 Proficient or above). Mastered.",
		},
		{
			name:  "weighted average",
			state: compute(Method{Name: WeightedAverage, Weight: 0.65}, mixed),
			want:  "Weighted average of 5 pieces of evidence, latest counting 65% and the 4 earlier ones 35% together: 2.83, Developing (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "one piece of evidence",
			state: compute(Method{Name: DecayingAverage, Weight: 0.65}, history(2.5)),
			want:  "Based on 1 piece of evidence: 2.5, Developing (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "mean",
			state: compute(Method{Name: Mean}, mixed),
			want:  "Average of 5 pieces of evidence, each counting the same: 2.6, Developing (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "mode",
			state: compute(Method{Name: Mode}, mixed),
			want:  "Level seen most often in 5 pieces of evidence (2 times): 3, Proficient (mastery is 3 Proficient or above). Mastered.",
		},
		{
			name:  "n times short",
			state: compute(Method{Name: NTimes, N: 4}, mixed),
			want:  "At or above mastery 3 times in 5 pieces of evidence, 4 needed: 2, Developing (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "n times once",
			state: compute(Method{Name: NTimes, N: 3}, history(3)),
			want:  "At or above mastery 1 time in 1 piece of evidence, 3 needed: 2, Developing (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "power law",
			state: compute(Method{Name: PowerLaw}, history(1, 2, 3)),
			want:  "Growth trend through all 3 pieces of evidence, read at the latest: 3, Proficient (mastery is 3 Proficient or above). Mastered.",
		},
		{
			// 2.996 must not show as 3 while it is below mastery.
			name:  "just below the cut",
			state: compute(Method{Name: MostRecent}, history(4, 2.996)),
			want:  "Most recent of 2 pieces of evidence: 2.99, Developing (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "rollup mean",
			state: Rollup(RollupMean, scale, children),
			want:  "Average of 3 standards with evidence (1 more standard has no evidence yet): 3.17, Proficient (mastery is 3 Proficient or above). Mastered.",
		},
		{
			name:  "rollup all mastered",
			state: Rollup(RollupAllMastered, scale, children),
			want:  "Mastered when all 4 standards are; 2 are so far (1 more standard has no evidence yet). Average of those with evidence: 3.17, Proficient (mastery is 3 Proficient or above). Not mastered yet.",
		},
		{
			name:  "no evidence",
			state: compute(Method{Name: Mean}, nil),
			want:  "No evidence yet.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.state.Explanation.Summary(scale, tt.state); got != tt.want {
				t.Errorf("Summary:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{3, "3"}, {3.4, "3.4"}, {4.46961875, "4.47"}, {4.125, "4.13"}, {0.1 + 0.2, "0.3"}, {-0.001, "0"},
		{2.996, "2.99"}, {3.996, "3.99"}, {3.9999, "3.99"}, {0.9999, "0.99"},
	}
	for _, tt := range tests {
		if got := formatValue(zeroBased(), tt.x); got != tt.want {
			t.Errorf("formatValue(%g) = %q, want %q", tt.x, got, tt.want)
		}
	}
}
