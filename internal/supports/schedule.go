package supports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// AdultRole is what an adult available to a class does there.
type AdultRole string

// The roles of the adults of a class's schedule.
const (
	AdultTeacher   AdultRole = "teacher"
	AdultCoTeacher AdultRole = "co_teacher"
	AdultAide      AdultRole = "aide"
)

// AdultRoles are the roles, in the order pages list them.
var AdultRoles = []AdultRole{AdultTeacher, AdultCoTeacher, AdultAide}

// Valid reports whether r is one of AdultRoles.
func (r AdultRole) Valid() bool { return slices.Contains(AdultRoles, r) }

// The bounds of a class's schedule.
const (
	// MaxBlocks bounds the time blocks of a class's day.
	MaxBlocks = 8
	// MaxAdults bounds the adults available to a class.
	MaxAdults = 6
	// MaxBlockLabel bounds a block's label, in characters.
	MaxBlockLabel = 60
)

// ClockLayout is how a block's times are written: 08:30.
const ClockLayout = "15:04"

// TimeBlock is one block of a class's day in which groups meet.
type TimeBlock struct {
	ID    int64  `json:"id,omitempty"`
	Label string `json:"label"`
	// Start and End are clock times written as 08:30.
	Start string `json:"start"`
	End   string `json:"end"`
}

// ScheduleAdult is an adult available to lead groups: the class's
// teachers, or an aide of the district.
type ScheduleAdult struct {
	PersonID int64     `json:"personId"`
	Role     AdultRole `json:"role"`
}

// ScheduleSetup is a class's time blocks, the adults available and the
// largest group one adult leads.
type ScheduleSetup struct {
	Blocks       []TimeBlock     `json:"blocks"`
	Adults       []ScheduleAdult `json:"adults"`
	MaxGroupSize int             `json:"maxGroupSize"`
}

// Check normalizes the setup (trims labels, orders blocks by start) and
// checks it: bounded counts and labels, times written as 08:30 that end
// after they start, blocks that do not overlap, each adult once with a
// role, a group size within bounds. Whether the adults are people of the
// district is the store's to check.
func (s *ScheduleSetup) Check() error {
	var errs problem.Fields
	if n := len(s.Blocks); n > MaxBlocks {
		errs.Addf("blocks", "%d blocks: a class's day has at most %d", n, MaxBlocks)
	}
	if n := len(s.Adults); n > MaxAdults {
		errs.Addf("adults", "%d adults: a class has at most %d", n, MaxAdults)
	}
	if s.MaxGroupSize == 0 {
		s.MaxGroupSize = DefaultGroupSize
	}
	if s.MaxGroupSize < 1 || s.MaxGroupSize > MaxGroupSizeLimit {
		errs.Addf("maxGroupSize", "%d: the largest group is between 1 and %d students", s.MaxGroupSize, MaxGroupSizeLimit)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	for i := range s.Blocks {
		b := &s.Blocks[i]
		b.Label, b.Start, b.End = strings.TrimSpace(b.Label), strings.TrimSpace(b.Start), strings.TrimSpace(b.End)
		switch {
		case b.Label == "":
			errs.AddItemf("blocks", i, "label", "required: what the block is called")
		case len([]rune(b.Label)) > MaxBlockLabel:
			errs.AddItemf("blocks", i, "label", "%d characters: a block's label has at most %d", len([]rune(b.Label)), MaxBlockLabel)
		}
		start, err1 := time.Parse(ClockLayout, b.Start)
		end, err2 := time.Parse(ClockLayout, b.End)
		if err1 != nil {
			errs.AddItemf("blocks", i, "start", "%q is not a time written as 08:30", limits.Clip(b.Start, 20))
		}
		if err2 != nil {
			errs.AddItemf("blocks", i, "end", "%q is not a time written as 08:30", limits.Clip(b.End, 20))
		}
		if err1 == nil && err2 == nil && !end.After(start) {
			errs.AddItemf("blocks", i, "end", "%s is not after the start, %s", b.End, b.Start)
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	slices.SortStableFunc(s.Blocks, func(a, b TimeBlock) int { return cmp.Compare(a.Start, b.Start) })
	for i := 1; i < len(s.Blocks); i++ {
		if s.Blocks[i].Start < s.Blocks[i-1].End {
			errs.AddItemf("blocks", i, "start", "%s %s-%s overlaps %s %s-%s", limits.Clip(s.Blocks[i].Label, 40), s.Blocks[i].Start, s.Blocks[i].End,
				limits.Clip(s.Blocks[i-1].Label, 40), s.Blocks[i-1].Start, s.Blocks[i-1].End)
		}
	}
	seen := map[int64]bool{}
	for i, a := range s.Adults {
		if a.PersonID <= 0 {
			errs.AddItemf("adults", i, "personId", "%d is not a person id", a.PersonID)
		} else if seen[a.PersonID] {
			errs.AddItemf("adults", i, "personId", "person %d is listed twice", a.PersonID)
		}
		seen[a.PersonID] = true
		if !a.Role.Valid() {
			errs.AddItemf("adults", i, "role", "%q is not a role: one of teacher, co_teacher, aide", limits.Clip(string(a.Role), 40))
		}
	}
	return errs.Err()
}

// ScheduleGroup is one of the day's groups to place.
type ScheduleGroup struct {
	Kind    GroupKind
	Members []int64
}

// ScheduleConstraint names a constraint a schedule must satisfy.
type ScheduleConstraint string

// The constraints of a schedule.
const (
	// ConstraintNoBlocks: the class has no time blocks.
	ConstraintNoBlocks ScheduleConstraint = "no_blocks"
	// ConstraintNoAdults: the class has no adult to lead groups.
	ConstraintNoAdults ScheduleConstraint = "no_adults"
	// ConstraintGroupSize: a group is larger than one adult leads.
	ConstraintGroupSize ScheduleConstraint = "max_group_size"
	// ConstraintAdultPerBlock: every adult already leads a group in the
	// block (one group per adult per block).
	ConstraintAdultPerBlock ScheduleConstraint = "one_group_per_adult"
	// ConstraintStudentPerBlock: students of the group are in another
	// group in the block (one group per student per block).
	ConstraintStudentPerBlock ScheduleConstraint = "one_group_per_student"
)

// Slot is one group placed: in a block, led by an adult. Indexes are into
// the setup's Blocks and Adults and the groups placed.
type Slot struct {
	Block int `json:"block"`
	Adult int `json:"adult"`
	Group int `json:"group"`
}

// BlockConflict is why a group could not go in one block.
type BlockConflict struct {
	Block      int                `json:"block"`
	Constraint ScheduleConstraint `json:"constraint"`
	// Students are the students already in Other in that block.
	Students []int64 `json:"students,omitempty"`
	Other    int     `json:"other"`
}

// ScheduleRefusal says why a group, or the whole schedule, could not be
// placed: which constraint failed and for whom.
type ScheduleRefusal struct {
	Constraint ScheduleConstraint `json:"constraint"`
	// Group is the group refused; -1 when the refusal is the schedule's.
	Group int `json:"group"`
	// Size and Max are the group's size and the largest allowed, for
	// ConstraintGroupSize.
	Size int `json:"size,omitempty"`
	Max  int `json:"max,omitempty"`
	// Blocks says, block by block, what stood in the way.
	Blocks []BlockConflict `json:"blocks,omitempty"`
}

// Placement is a day's schedule: the slots, the refusals, and the
// students in tier 2 or 3 whom no adult leads today.
type Placement struct {
	Slots    []Slot            `json:"slots"`
	Refusals []ScheduleRefusal `json:"refusals,omitempty"`
	// Unserved are students in tier 2 or 3 in no placed group led by an
	// adult.
	Unserved []int64 `json:"unserved,omitempty"`
}

// Placed reports whether every group that needs an adult has one.
func (p Placement) Placed() bool { return len(p.Refusals) == 0 }

// PlaceGroups places the groups that need an adult (GroupKind.Led) into
// the setup's blocks and adults: no group larger than MaxGroupSize, one
// group per adult per block, one group per student per block. Groups with
// students in tier 2 or 3 are placed first (the highest tier, then the
// most such students), then in the order given; each takes the earliest
// block with an adult free and none of its students busy, and the first
// adult free in the order of the setup (the teacher first). A group that
// fits nowhere is refused with the reason for each block. A placement of
// every group is searched for first (searchPlacement), so that a group is
// refused only when the search finds none within its budget; the greedy
// pass then places what it can and says why the rest does not fit. The
// same input gives the same schedule.
func PlaceGroups(setup ScheduleSetup, groups []ScheduleGroup, tiers map[int64]Tier) (out Placement) {
	out.Slots = []Slot{}
	max := setup.MaxGroupSize
	if max <= 0 {
		max = DefaultGroupSize
	}
	var led []int
	for i, g := range groups {
		if g.Kind.Led() {
			led = append(led, i)
		}
	}
	served := map[int64]bool{}
	defer func() {
		seen := map[int64]bool{}
		for _, g := range groups {
			for _, id := range g.Members {
				if tiers[id] >= Tier2 && !served[id] && !seen[id] {
					seen[id] = true
					out.Unserved = append(out.Unserved, id)
				}
			}
		}
		slices.Sort(out.Unserved)
	}()
	if len(led) == 0 {
		return out
	}
	if len(setup.Blocks) == 0 {
		out.Refusals = append(out.Refusals, ScheduleRefusal{Constraint: ConstraintNoBlocks, Group: -1})
		return out
	}
	if len(setup.Adults) == 0 {
		out.Refusals = append(out.Refusals, ScheduleRefusal{Constraint: ConstraintNoAdults, Group: -1})
		return out
	}
	weight := func(i int) (top Tier, n int) {
		for _, id := range groups[i].Members {
			if t := tiers[id]; t >= Tier2 {
				n++
				top = max2(top, t)
			}
		}
		return top, n
	}
	slices.SortStableFunc(led, func(a, b int) int {
		ta, na := weight(a)
		tb, nb := weight(b)
		return cmp.Or(cmp.Compare(tb, ta), cmp.Compare(nb, na))
	})
	if slots, ok := searchPlacement(setup, groups, led, max); ok {
		for _, sl := range slots {
			for _, id := range groups[sl.Group].Members {
				served[id] = true
			}
		}
		out.Slots = slots
		return out
	}
	busyAdult := make([][]bool, len(setup.Blocks))
	busyStudent := make([]map[int64]int, len(setup.Blocks))
	for b := range setup.Blocks {
		busyAdult[b] = make([]bool, len(setup.Adults))
		busyStudent[b] = map[int64]int{}
	}
	for _, gi := range led {
		g := groups[gi]
		if len(g.Members) > max {
			out.Refusals = append(out.Refusals, ScheduleRefusal{Constraint: ConstraintGroupSize, Group: gi, Size: len(g.Members), Max: max})
			continue
		}
		var conflicts []BlockConflict
		placed := false
		for b := range setup.Blocks {
			var clash []int64
			other := -1
			for _, id := range g.Members {
				if o, ok := busyStudent[b][id]; ok {
					clash = append(clash, id)
					if other < 0 {
						other = o
					}
				}
			}
			if len(clash) > 0 {
				conflicts = append(conflicts, BlockConflict{Block: b, Constraint: ConstraintStudentPerBlock, Students: clash, Other: other})
				continue
			}
			a := slices.Index(busyAdult[b], false)
			if a < 0 {
				conflicts = append(conflicts, BlockConflict{Block: b, Constraint: ConstraintAdultPerBlock, Other: -1})
				continue
			}
			busyAdult[b][a] = true
			for _, id := range g.Members {
				busyStudent[b][id] = gi
				served[id] = true
			}
			out.Slots = append(out.Slots, Slot{Block: b, Adult: a, Group: gi})
			placed = true
			break
		}
		if placed {
			continue
		}
		why := ConstraintAdultPerBlock
		for _, c := range conflicts {
			if c.Constraint == ConstraintStudentPerBlock {
				why = ConstraintStudentPerBlock
				break
			}
		}
		out.Refusals = append(out.Refusals, ScheduleRefusal{Constraint: why, Group: gi, Blocks: conflicts})
	}
	slices.SortStableFunc(out.Slots, func(x, y Slot) int { return cmp.Or(cmp.Compare(x.Block, y.Block), cmp.Compare(x.Adult, y.Adult)) })
	return out
}

func max2(a, b Tier) Tier {
	if a > b {
		return a
	}
	return b
}

// String says the refusal in English for logs and the API's detail; the
// pages say it in the reader's language from the fields.
func (r ScheduleRefusal) String() string {
	switch r.Constraint {
	case ConstraintNoBlocks:
		return "the class has no time blocks"
	case ConstraintNoAdults:
		return "the class has no adult to lead groups"
	case ConstraintGroupSize:
		return fmt.Sprintf("group %d has %d students, more than the %d one adult leads", r.Group+1, r.Size, r.Max)
	}
	return fmt.Sprintf("group %d fits in no block (%s)", r.Group+1, r.Constraint)
}

// placementBudget bounds the steps of searchPlacement: a class has a few
// groups, blocks and adults, and a search that has not found a placement
// by then leaves the greedy pass to explain why.
const placementBudget = 20000

// searchPlacement looks for a placement of every group of led (in
// priority order) within the constraints, by depth-first search over the
// blocks, the earliest block first: the first placement it finds is the
// greedy one whenever the greedy one places everything. Within a block,
// adults take the groups in priority order.
func searchPlacement(setup ScheduleSetup, groups []ScheduleGroup, led []int, max int) ([]Slot, bool) {
	for _, gi := range led {
		if len(groups[gi].Members) > max {
			return nil, false
		}
	}
	nb, na := len(setup.Blocks), len(setup.Adults)
	count := make([]int, nb)
	busy := make([]map[int64]bool, nb)
	for b := range busy {
		busy[b] = map[int64]bool{}
	}
	block := make([]int, len(led))
	steps := 0
	var place func(i int) bool
	place = func(i int) bool {
		if i == len(led) {
			return true
		}
		steps++
		if steps > placementBudget {
			return false
		}
		members := groups[led[i]].Members
		for b := range nb {
			if count[b] == na || slices.ContainsFunc(members, func(id int64) bool { return busy[b][id] }) {
				continue
			}
			count[b]++
			for _, id := range members {
				busy[b][id] = true
			}
			block[i] = b
			if place(i + 1) {
				return true
			}
			count[b]--
			for _, id := range members {
				delete(busy[b], id)
			}
		}
		return false
	}
	if !place(0) {
		return nil, false
	}
	next := make([]int, nb)
	slots := make([]Slot, len(led))
	for i, gi := range led {
		b := block[i]
		slots[i] = Slot{Block: b, Adult: next[b], Group: gi}
		next[b]++
	}
	slices.SortStableFunc(slots, func(x, y Slot) int { return cmp.Or(cmp.Compare(x.Block, y.Block), cmp.Compare(x.Adult, y.Adult)) })
	return slots, true
}
