package supports

import (
	"errors"
	"slices"
	"testing"

	"github.com/cairn-learning/cairn/internal/problem"
)

func twoBlocks(adults ...int64) ScheduleSetup {
	s := ScheduleSetup{Blocks: []TimeBlock{{Label: "Block 2", Start: "09:30", End: "10:15"}, {Label: "Block 1", Start: "08:30", End: "09:15"}}, MaxGroupSize: 4}
	for i, id := range adults {
		role := AdultTeacher
		if i > 0 {
			role = AdultAide
		}
		s.Adults = append(s.Adults, ScheduleAdult{PersonID: id, Role: role})
	}
	return s
}

func TestScheduleSetupCheck(t *testing.T) {
	s := twoBlocks(10, 11)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if s.Blocks[0].Label != "Block 1" {
		t.Errorf("blocks not ordered by start: %+v", s.Blocks)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*ScheduleSetup)
		field string
	}{
		{"overlap", func(s *ScheduleSetup) { s.Blocks[0].Start = "09:00" }, "blocks[1].start"},
		{"backwards", func(s *ScheduleSetup) { s.Blocks[0].End = "09:00" }, "blocks[0].end"},
		{"not a time", func(s *ScheduleSetup) { s.Blocks[0].Start = "9h" }, "blocks[0].start"},
		{"no label", func(s *ScheduleSetup) { s.Blocks[0].Label = "" }, "blocks[0].label"},
		{"twice", func(s *ScheduleSetup) { s.Adults[1].PersonID = 10 }, "adults[1].personId"},
		{"role", func(s *ScheduleSetup) { s.Adults[1].Role = "boss" }, "adults[1].role"},
		{"size", func(s *ScheduleSetup) { s.MaxGroupSize = MaxGroupSizeLimit + 1 }, "maxGroupSize"},
		{"blocks", func(s *ScheduleSetup) { s.Blocks = make([]TimeBlock, MaxBlocks+1) }, "blocks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := twoBlocks(10, 11)
			tc.edit(&s)
			err := s.Check()
			var ie *problem.InvalidError
			if !errors.As(err, &ie) || !slices.ContainsFunc(ie.Fields, func(f problem.Field) bool { return f.Field == tc.field }) {
				t.Errorf("got %v, want a refusal of %s", err, tc.field)
			}
		})
	}
}

func TestPlaceGroups(t *testing.T) {
	s := twoBlocks(10, 11)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	groups := []ScheduleGroup{
		{Kind: GroupExtend, Members: []int64{1, 2}},
		{Kind: GroupReteach, Members: []int64{3, 4}},
		{Kind: GroupPlaylist, Members: []int64{5, 6, 7, 8, 9}},
		{Kind: GroupInterest, Members: []int64{2, 3}},
	}
	tiers := map[int64]Tier{4: Tier3}
	p := PlaceGroups(s, groups, tiers)
	want := []Slot{{Block: 0, Adult: 0, Group: 1}, {Block: 0, Adult: 1, Group: 0}, {Block: 1, Adult: 0, Group: 3}}
	if !slices.Equal(p.Slots, want) || !p.Placed() || len(p.Unserved) != 0 {
		t.Errorf("placement %+v, want slots %+v", p, want)
	}

	// One adult: the interest group shares students with both others.
	one := twoBlocks(10)
	one.Check()
	p = PlaceGroups(one, groups, tiers)
	if len(p.Refusals) != 1 || p.Refusals[0].Group != 3 || p.Refusals[0].Constraint != ConstraintStudentPerBlock {
		t.Fatalf("refusals %+v", p.Refusals)
	}
	r := p.Refusals[0]
	if len(r.Blocks) != 2 || !slices.Equal(r.Blocks[0].Students, []int64{3}) || r.Blocks[0].Other != 1 || !slices.Equal(r.Blocks[1].Students, []int64{2}) {
		t.Errorf("block conflicts %+v", r.Blocks)
	}

	// Too large, and the tier 3 student left without a group.
	big := []ScheduleGroup{{Kind: GroupReteach, Members: []int64{1, 2, 3, 4, 5}}}
	p = PlaceGroups(s, big, tiers)
	if len(p.Refusals) != 1 || p.Refusals[0].Constraint != ConstraintGroupSize || p.Refusals[0].Size != 5 || !slices.Equal(p.Unserved, []int64{4}) {
		t.Errorf("large group: %+v", p)
	}

	// No adult free: three groups, one block, one adult.
	tight := ScheduleSetup{Blocks: s.Blocks[:1], Adults: s.Adults[:1], MaxGroupSize: 4}
	p = PlaceGroups(tight, groups[:2], nil)
	if len(p.Refusals) != 1 || p.Refusals[0].Group != 1 || p.Refusals[0].Constraint != ConstraintAdultPerBlock {
		t.Errorf("tight: %+v", p.Refusals)
	}
	if p := PlaceGroups(ScheduleSetup{}, groups, nil); len(p.Refusals) != 1 || p.Refusals[0].Constraint != ConstraintNoBlocks {
		t.Errorf("no blocks: %+v", p.Refusals)
	}
	if p := PlaceGroups(ScheduleSetup{Blocks: s.Blocks}, groups, nil); len(p.Refusals) != 1 || p.Refusals[0].Constraint != ConstraintNoAdults {
		t.Errorf("no adults: %+v", p.Refusals)
	}
}

// TestPlaceGroupsSearches: a placement exists that the earliest-block
// choice misses; the search finds it instead of refusing a group.
func TestPlaceGroupsSearches(t *testing.T) {
	s := twoBlocks(10, 11)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	groups := []ScheduleGroup{
		{Kind: GroupReteach, Members: []int64{1}},
		{Kind: GroupReteach, Members: []int64{2}},
		{Kind: GroupExtend, Members: []int64{1, 3}},
		{Kind: GroupInterest, Members: []int64{2, 3}},
	}
	p := PlaceGroups(s, groups, nil)
	want := []Slot{{Block: 0, Adult: 0, Group: 0}, {Block: 0, Adult: 1, Group: 3}, {Block: 1, Adult: 0, Group: 1}, {Block: 1, Adult: 1, Group: 2}}
	if !p.Placed() || !slices.Equal(p.Slots, want) {
		t.Errorf("placement %+v, want %+v", p, want)
	}
}
