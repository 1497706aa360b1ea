package pathways

import (
	"fmt"
	"testing"

	"github.com/cairn-learning/cairn/internal/mastery"
)

func modelState(p float64) mastery.State {
	return mastery.State{EvidenceCount: 2, Model: &mastery.MasteryEstimate{PMastered: p}}
}

func plan(ids ...int64) Plan {
	var p Plan
	for _, id := range ids {
		p.Targets = append(p.Targets, Target{StandardID: id, Origin: FromPathway})
	}
	return p
}

func recIDs(rs []Recommendation) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.StandardID)
	}
	return out
}

func TestRecommend(t *testing.T) {
	pre := map[int64][]int64{
		2: {1},  // 2 needs 1
		5: {4},  // 5 needs 4, which needs 3
		4: {3},  //
		7: {20}, // 7 needs 20, outside the plan
	}
	tags := map[int64][]string{6: {"Music", "art"}, 7: {"soccer"}}
	in := Interests{Student: []string{"music"}, Tags: func(id int64) []string { return tags[id] }}

	tests := []struct {
		name   string
		plan   Plan
		states map[int64]mastery.State
		in     Interests
		n      int
		want   []int64
		codes  []ReasonCode
	}{
		{
			name:  "plan order when nothing else differs",
			plan:  plan(1, 3, 6),
			want:  []int64{1, 3, 6},
			codes: []ReasonCode{ReasonNext, ReasonNext, ReasonNext},
		},
		{
			name:   "mastered targets leave, a target waits for its prerequisite",
			plan:   plan(1, 2, 3),
			states: map[int64]mastery.State{1: {Mastered: true}},
			want:   []int64{2, 3},
		},
		{
			name: "a target not ready is served by its nearest ready prerequisite",
			plan: plan(5, 6),
			// 5 needs 4, 4 needs 3: 3 is the one to do.
			want:  []int64{3, 6},
			codes: []ReasonCode{ReasonPrerequisite, ReasonNext},
		},
		{
			name:   "nearly mastered comes first within the window",
			plan:   plan(1, 3, 6, 8),
			states: map[int64]mastery.State{6: modelState(0.8), 8: modelState(0.9)},
			want:   []int64{6, 1, 3, 8},
			codes:  []ReasonCode{ReasonAlmost, ReasonNext, ReasonNext, ReasonAlmost},
		},
		{
			name:  "an interest lifts a target within the window",
			plan:  plan(1, 3, 6),
			in:    in,
			want:  []int64{6, 1, 3},
			codes: []ReasonCode{ReasonInterest, ReasonNext, ReasonNext},
		},
		{
			name:  "n bounds the answer",
			plan:  plan(1, 3, 6),
			n:     1,
			want:  []int64{1},
			codes: []ReasonCode{ReasonNext},
		},
		{
			name:  "nothing ready, nothing to find",
			plan:  plan(),
			want:  nil,
			codes: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Recommend(tc.plan, standing(pre, tc.states), tc.in, tc.n)
			if !sameIDs(recIDs(got), tc.want) {
				t.Fatalf("got %v, want %v (%+v)", recIDs(got), tc.want, got)
			}
			for i, c := range tc.codes {
				if got[i].Reason.Code != c {
					t.Errorf("reason %d = %+v, want %s", i, got[i].Reason, c)
				}
			}
		})
	}

	t.Run("the reason names what it is for", func(t *testing.T) {
		got := Recommend(plan(5), standing(pre, nil), Interests{}, 0)
		if len(got) != 1 || got[0].Reason.For != 5 || got[0].Position != 0 {
			t.Fatalf("got %+v, want 3 for 5 at position 0", got)
		}
		got = Recommend(plan(6), standing(pre, map[int64]mastery.State{6: modelState(0.734)}), in, 0)
		if r := got[0].Reason; r.Code != ReasonAlmost || r.Percent != 73 || r.Interest != "music" {
			t.Fatalf("got %+v, want almost at 73%% with the interest music", r)
		}
		p := Plan{Targets: []Target{{StandardID: 30, Origin: AddedByTeacher, Beyond: true}}}
		if got := Recommend(p, standing(pre, nil), in, 0); got[0].Reason.Code != ReasonBeyond {
			t.Fatalf("got %+v, want beyond", got[0].Reason)
		}
	})

	t.Run("a cycle of prerequisites ends", func(t *testing.T) {
		cyc := map[int64][]int64{1: {2}, 2: {1}}
		if got := Recommend(plan(1), standing(cyc, nil), Interests{}, 0); len(got) != 0 {
			t.Fatalf("got %v, want nothing", recIDs(got))
		}
	})
}

// BenchmarkRecommendClass is the recommendations of a class of 30 students
// with plans of 40 targets over a prerequisite chain, as "ready today"
// computes them.
func BenchmarkRecommendClass(b *testing.B) {
	pre := map[int64][]int64{}
	for id := int64(2); id <= 40; id++ {
		pre[id] = []int64{id - 1}
		if id > 5 {
			pre[id] = append(pre[id], id-5)
		}
	}
	tags := func(id int64) []string { return []string{fmt.Sprint("tag", id%7)} }
	var students []Standing
	var plans []Plan
	for s := range 30 {
		states := map[int64]mastery.State{}
		for id := int64(1); id <= int64(s%20); id++ {
			states[id] = mastery.State{Mastered: true}
		}
		states[int64(s%20)+1] = modelState(0.6)
		students = append(students, standing(pre, states))
		var p Plan
		for id := int64(40); id >= 1; id-- {
			p.Targets = append(p.Targets, Target{StandardID: id, Origin: FromPathway})
		}
		plans = append(plans, p)
	}
	in := Interests{Student: []string{"tag3", "tag5"}, Tags: tags}
	b.ReportAllocs()
	for b.Loop() {
		for i := range students {
			if len(Recommend(plans[i], students[i], in, 3)) == 0 {
				b.Fatal("no recommendation")
			}
		}
	}
}
