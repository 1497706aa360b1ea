package mastery

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStalls(t *testing.T) {
	// 3 needs 1 and 2; 4 needs 3; 5 needs 9, on which there is no
	// evidence; 6 needs nothing.
	prereqs := map[int64][]int64{3: {1, 2}, 4: {3}, 5: {9}}
	pre := func(id int64) []int64 { return prereqs[id] }
	worked := func(mastered bool) State { return State{Value: 2, Mastered: mastered, EvidenceCount: 1} }
	tests := []struct {
		name   string
		states map[int64]State
		want   []Stall
	}{
		{"no evidence at all", nil, nil},
		{"a prerequisite not mastered stalls the standard above it",
			map[int64]State{1: worked(false), 2: worked(true), 3: worked(false)},
			[]Stall{{StandardID: 3, Below: []int64{1}}}},
		{"every unmastered prerequisite is named, in their order",
			map[int64]State{1: worked(false), 2: worked(false), 3: worked(false)},
			[]Stall{{StandardID: 3, Below: []int64{1, 2}}}},
		{"a mastered standard is not stalled, whatever its prerequisites",
			map[int64]State{1: worked(false), 3: worked(true)}, nil},
		{"a standard not worked on is not stalled",
			map[int64]State{1: worked(false), 2: worked(false)}, nil},
		{"a prerequisite without evidence stalls nothing",
			map[int64]State{5: worked(false), 6: worked(false)}, nil},
		{"stalls chain: each level is stalled below the one under it",
			map[int64]State{1: worked(false), 2: worked(true), 3: worked(false), 4: worked(false)},
			[]Stall{{StandardID: 3, Below: []int64{1}}, {StandardID: 4, Below: []int64{3}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := func(id int64) (State, bool) { st, ok := tc.states[id]; return st, ok }
			got := Stalls([]int64{1, 2, 3, 4, 5, 6}, pre, state)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Stalls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStalledBelowOnlyAsked(t *testing.T) {
	// A standard outside the list asked about is not reported, even when
	// stalled: a page asks about the standards it shows.
	pre := func(id int64) []int64 { return map[int64][]int64{2: {1}}[id] }
	state := func(id int64) (State, bool) { return State{}, id == 1 || id == 2 }
	if got := Stalls([]int64{1}, pre, state); got != nil {
		t.Errorf("Stalls([1]) = %v, want none", got)
	}
	if got := StalledBelow(2, pre, state); !cmp.Equal(got, []int64{1}) {
		t.Errorf("StalledBelow(2) = %v, want [1]", got)
	}
}
