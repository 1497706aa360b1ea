package demo

import (
	"slices"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// demoBlocks are the featured class's two blocks of the morning.
var demoBlocks = []supports.TimeBlock{
	{Label: "Block 1", Start: "08:30", End: "09:15"},
	{Label: "Block 2", Start: "09:20", End: "10:05"},
}

// groups gives the featured class today's groups and a schedule: its two
// blocks with the teacher and the co-teacher, the groups cairn proposes
// from the latest data saved as the teacher would (at most as many led
// groups as the blocks and adults can hold, the rest on their playlists),
// and their placement saved. Nothing is random: the same district gives
// the same groups.
func (l *loader) groups(sum Summary) error {
	ctx, st, d, class := l.ctx, l.st, l.district, sum.Class.ID
	entry := store.AuditEntry{DistrictID: d, ActorID: sum.Teacher.ID, Action: access.Change, What: access.Supports,
		Relation: access.TeacherOf, Allowed: true, Route: "demo", Detail: "groups of the featured class"}
	setup, _, err := st.ClassScheduleSetup(ctx, d, class)
	if err != nil {
		return err
	}
	setup.Blocks = slices.Clone(demoBlocks)
	setup.MaxGroupSize = 6
	if setup, err = st.SetClassScheduleSetup(ctx, d, class, sum.Teacher.ID, setup, entry); err != nil {
		return err
	}
	cat, err := st.Catalog(ctx, d)
	if err != nil {
		return err
	}
	cp, err := st.ClassPlanning(ctx, d, class)
	if err != nil {
		return err
	}
	tags, err := st.ActivityTags(ctx, d, []int64{class})
	if err != nil {
		return err
	}
	today := supports.Day(st.Now())
	ids := make([]int64, len(cp.Students))
	for i, p := range cp.Students {
		ids[i] = p.ID
	}
	tiers, err := st.StudentTiers(ctx, d, ids, today)
	if err != nil {
		return err
	}
	in := make([]supports.GroupStudent, len(cp.Students))
	for i, p := range cp.Students {
		states := cp.States[p.ID]
		in[i] = supports.GroupStudent{ID: p.ID, Name: p.Name(), Plan: cp.Plans[p.ID].Plan, Tier: tiers[p.ID],
			Standing:  pathways.Standing{Prerequisites: cat.Prerequisites, State: func(id int64) (mastery.State, bool) { s, ok := states[id]; return s, ok }},
			Interests: pathways.Interests{Student: cp.Interests[p.ID], Tags: func(id int64) []string { return tags[id] }}}
	}
	proposal := supports.ProposeGroups(in, today, setup.MaxGroupSize)
	label := func(id int64) string {
		if st, ok := cat.Standard(id); ok && st.Code != "" {
			return st.Code
		}
		return "the next target"
	}
	// The teacher keeps as many led groups as her blocks and adults hold,
	// taking the largest of each kind in turn (a reteach group, an
	// extension, an interest group, then the next largest of each).
	room := len(setup.Blocks) * len(setup.Adults)
	byKind := map[supports.GroupKind][]supports.ProposedGroup{}
	var rest []int64
	for _, g := range proposal.Groups {
		if g.Reason.Kind.Led() {
			byKind[g.Reason.Kind] = append(byKind[g.Reason.Kind], g)
		} else {
			rest = append(rest, g.Members...)
		}
	}
	var kept []supports.ProposedGroup
	for round := 0; ; round++ {
		added := false
		for _, k := range supports.GroupKinds {
			gs := byKind[k]
			if round == 0 {
				slices.SortStableFunc(gs, func(a, b supports.ProposedGroup) int { return len(b.Members) - len(a.Members) })
			}
			if round < len(gs) {
				added = true
				if len(kept) < room {
					kept = append(kept, gs[round])
				} else {
					rest = append(rest, gs[round].Members...)
				}
			}
		}
		if !added {
			break
		}
	}
	var drafts []supports.GroupDraft
	for _, g := range kept {
		d := supports.GroupDraft{Kind: g.Reason.Kind, Name: demoGroupName(g.Reason, label), Members: g.Members}
		if g.Reason.StandardID != 0 {
			id := g.Reason.StandardID
			d.StandardID = &id
		}
		drafts = append(drafts, d)
	}
	if len(rest) > 0 {
		drafts = append(drafts, supports.GroupDraft{Kind: supports.GroupPlaylist, Name: "On their playlists", Members: rest})
	}
	saved, err := st.SaveClassGroups(ctx, d, class, today, sum.Teacher.ID, drafts, entry)
	if err != nil {
		return err
	}
	groups := make([]supports.ScheduleGroup, len(saved))
	for i, g := range saved {
		groups[i] = supports.ScheduleGroup{Kind: g.Kind, Members: g.Members}
	}
	p := supports.PlaceGroups(setup, groups, tiers)
	slots := make([]store.ScheduledGroup, len(p.Slots))
	for i, sl := range p.Slots {
		slots[i] = store.ScheduledGroup{GroupID: saved[sl.Group].ID, Block: setup.Blocks[sl.Block], PersonID: setup.Adults[sl.Adult].PersonID}
	}
	return st.SaveClassSchedule(ctx, d, class, today, sum.Teacher.ID, slots, entry)
}

// demoGroupName names a proposed group as the teacher's page does in
// English.
func demoGroupName(why supports.GroupReason, label func(int64) string) string {
	var name string
	switch why.Kind {
	case supports.GroupReteach:
		name = "Reteach " + label(why.StandardID)
	case supports.GroupExtend:
		name = "Extend beyond the plan"
		if why.StandardID != 0 {
			name = "Extend to " + label(why.StandardID)
		}
	case supports.GroupInterest:
		name = "Interest: " + why.Interest
	}
	if why.Parts > 1 {
		name += " (" + strconv.Itoa(why.Part) + " of " + strconv.Itoa(why.Parts) + ")"
	}
	return name
}
