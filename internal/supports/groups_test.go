package supports

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
)

// groupsWorld is a small course for group proposals: standards 1 -> 2 ->
// 3 -> 4 (each the prerequisite of the next), 4 tagged "sports".
type groupsWorld struct {
	pre  map[int64][]int64
	tags map[int64][]string
	plan []pathways.Target
}

func newGroupsWorld(day time.Time) groupsWorld {
	past, future := day.AddDate(0, 0, -10), day.AddDate(0, 0, 10)
	later := day.AddDate(0, 0, 30)
	return groupsWorld{
		pre:  map[int64][]int64{2: {1}, 3: {2}, 4: {3}},
		tags: map[int64][]string{3: {"Sports"}},
		plan: []pathways.Target{{StandardID: 2, Due: &past}, {StandardID: 3, Due: &future}, {StandardID: 4, Due: &later}},
	}
}

// student has the given states: standard -> mastered (absent: no evidence).
func (w groupsWorld) student(id int64, states map[int64]bool, interests ...string) GroupStudent {
	return GroupStudent{
		ID: id, Name: fmt.Sprintf("S%02d", id),
		Plan: pathways.Plan{StudentID: id, Targets: w.plan},
		Standing: pathways.Standing{
			Prerequisites: func(s int64) []int64 { return w.pre[s] },
			State: func(s int64) (mastery.State, bool) {
				m, ok := states[s]
				return mastery.State{Mastered: m}, ok
			},
		},
		Interests: pathways.Interests{Student: interests, Tags: func(s int64) []string { return w.tags[s] }},
	}
}

func TestProposeGroups(t *testing.T) {
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	w := newGroupsWorld(day)
	stalled := map[int64]bool{1: false}                   // needs prerequisite 1 before 2
	working := map[int64]bool{1: true, 2: true, 3: false} // worked on 3, current, not mastered
	fresh := map[int64]bool{1: true, 2: true}             // ready for 3, no evidence yet
	ahead := map[int64]bool{1: true, 2: true, 3: true}    // current mastered, 4 next
	students := []GroupStudent{
		w.student(1, stalled), w.student(2, working), w.student(3, stalled), w.student(4, ahead),
		w.student(5, working), w.student(6, fresh, "sports"), w.student(7, ahead), w.student(8, fresh),
		w.student(9, fresh, "sports"), w.student(10, working),
	}
	students[6].Tier = Tier2
	got := ProposeGroups(students, day.Add(9*time.Hour), 2)
	want := []ProposedGroup{
		{Reason: GroupReason{Kind: GroupReteach, StandardID: 1, For: 2}, Members: []int64{1, 3}},
		{Reason: GroupReason{Kind: GroupReteach, StandardID: 3, Part: 1, Parts: 2}, Members: []int64{2, 5}},
		{Reason: GroupReason{Kind: GroupReteach, StandardID: 3, Part: 2, Parts: 2}, Members: []int64{10}},
		{Reason: GroupReason{Kind: GroupExtend, StandardID: 4}, Members: []int64{4, 7}},
		{Reason: GroupReason{Kind: GroupInterest, Interest: "sports"}, Members: []int64{6, 9}},
		{Reason: GroupReason{Kind: GroupPlaylist}, Members: []int64{8}},
	}
	if !slices.EqualFunc(got.Groups, want, func(a, b ProposedGroup) bool { return a.Reason == b.Reason && slices.Equal(a.Members, b.Members) }) {
		t.Errorf("groups\n got %+v\nwant %+v", got.Groups, want)
	}
	if !got.Day.Equal(day) || got.MaxSize != 2 {
		t.Errorf("day %v size %d", got.Day, got.MaxSize)
	}
	again := ProposeGroups(students, day, 2)
	if fmt.Sprint(again.Groups) != fmt.Sprint(got.Groups) {
		t.Error("the same data gave other groups")
	}
}

func TestProposeGroupsAloneGoesToPlaylistUnlessTiered(t *testing.T) {
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	w := newGroupsWorld(day)
	a := w.student(1, map[int64]bool{1: false})
	b := w.student(2, map[int64]bool{1: true, 2: true, 3: true})
	got := ProposeGroups([]GroupStudent{a, b}, day, 0)
	if len(got.Groups) != 1 || got.Groups[0].Reason.Kind != GroupPlaylist || len(got.Groups[0].Members) != 2 || got.MaxSize != DefaultGroupSize {
		t.Errorf("two lone students: %+v", got)
	}
	a.Tier = Tier3
	got = ProposeGroups([]GroupStudent{a, b}, day, 0)
	if len(got.Groups) != 2 || got.Groups[0].Reason.Kind != GroupReteach || !slices.Equal(got.Groups[0].Members, []int64{1}) {
		t.Errorf("a tier 3 student keeps reteach alone: %+v", got.Groups)
	}
}

func TestCheckGroups(t *testing.T) {
	std := int64(0)
	for _, tc := range []struct {
		name   string
		drafts []GroupDraft
		field  string
	}{
		{"no name", []GroupDraft{{Kind: GroupReteach, Name: " ", Members: []int64{1}}}, "groups[0].name"},
		{"bad kind", []GroupDraft{{Kind: "track", Name: "A", Members: []int64{1}}}, "groups[0].kind"},
		{"empty", []GroupDraft{{Kind: GroupReteach, Name: "A"}}, "groups[0].members"},
		{"same name", []GroupDraft{{Kind: GroupReteach, Name: "A", Members: []int64{1}}, {Kind: GroupExtend, Name: "a", Members: []int64{2}}}, "groups[1].name"},
		{"bad standard", []GroupDraft{{Kind: GroupReteach, Name: "A", StandardID: &std, Members: []int64{1}}}, "groups[0].standardId"},
		{"long name", []GroupDraft{{Kind: GroupReteach, Name: string(make([]rune, MaxGroupName+1)), Members: []int64{1}}}, "groups[0].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckGroups(tc.drafts)
			var ie *problem.InvalidError
			if !errors.As(err, &ie) || !slices.ContainsFunc(ie.Fields, func(f problem.Field) bool { return f.Field == tc.field }) {
				t.Errorf("got %v, want a refusal of %s", err, tc.field)
			}
		})
	}
	many := make([]GroupDraft, MaxGroupsPerDay+1)
	if err := CheckGroups(many); !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("too many groups: %v", err)
	}
	ok := []GroupDraft{{Kind: GroupReteach, Name: " Unit rates ", Members: []int64{3, 1, 3}}}
	if err := CheckGroups(ok); err != nil || ok[0].Name != "Unit rates" || !slices.Equal(ok[0].Members, []int64{1, 3}) {
		t.Errorf("normalized %+v, %v", ok, err)
	}
}

// BenchmarkProposeGroups proposes the groups of a class of 35 students
// whose plans run over 60 standards in prerequisite chains, with states on
// most of them.
func BenchmarkProposeGroups(b *testing.B) {
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	const nStd, nStudents = 60, 35
	pre := map[int64][]int64{}
	for s := int64(2); s <= nStd; s++ {
		if s%6 != 1 {
			pre[s] = []int64{s - 1}
		}
	}
	var plan []pathways.Target
	for s := int64(1); s <= nStd; s++ {
		due := day.AddDate(0, 0, int(s)-20)
		plan = append(plan, pathways.Target{StandardID: s, Due: &due})
	}
	tags := map[int64][]string{}
	for s := int64(1); s <= nStd; s += 4 {
		tags[s] = []string{"sports", "music"}
	}
	students := make([]GroupStudent, nStudents)
	for i := range students {
		states := map[int64]mastery.State{}
		reach := int64(10 + i%25)
		for s := int64(1); s <= reach; s++ {
			states[s] = mastery.State{Mastered: s < reach-int64(i%3), EvidenceCount: 2}
		}
		students[i] = GroupStudent{ID: int64(i + 1), Name: fmt.Sprint(i),
			Plan: pathways.Plan{StudentID: int64(i + 1), Targets: plan},
			Standing: pathways.Standing{Prerequisites: func(s int64) []int64 { return pre[s] },
				State: func(s int64) (mastery.State, bool) { st, ok := states[s]; return st, ok }},
			Interests: pathways.Interests{Student: []string{"music"}, Tags: func(s int64) []string { return tags[s] }},
			Tier:      Tier(1 + i%3),
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		ProposeGroups(students, day, 6)
	}
}
