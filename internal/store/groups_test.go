package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestClassGroups runs the flexible groups and schedule behaviours on
// every engine.
func TestClassGroups(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { testClassGroups(t, open(t, eng.url(t))) })
	}
}

func testClassGroups(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "groups")
	id, class := x.d.ID, x.class.ID
	today := supports.Day(s.Now())
	e.takeChanges()
	std := x.s1.ID
	drafts := []supports.GroupDraft{
		{Kind: supports.GroupReteach, StandardID: &std, Name: "Reteach 1", Members: []int64{x.bob.ID, x.alice.ID}},
		{Kind: supports.GroupPlaylist, Name: "Playlists", Members: []int64{x.cleo.ID}},
	}
	audit := store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, Action: "change", What: "supports", Relation: "teacher_of", Allowed: true, Detail: "groups"}

	// Refusals name the field and write nothing.
	outside := newDistrict(t, e, "groups-outside")
	for _, tc := range []struct {
		name  string
		day   int
		edit  func(d []supports.GroupDraft)
		field string
	}{
		{"a student of another class", 0, func(d []supports.GroupDraft) { d[0].Members = []int64{outside.alice.ID} }, "groups[0].members"},
		{"a teacher as a member", 0, func(d []supports.GroupDraft) { d[1].Members = []int64{x.teacher.ID} }, "groups[1].members"},
		{"another district's standard", 0, func(d []supports.GroupDraft) { o := outside.s1.ID; d[0].StandardID = &o }, "groups[0].standardId"},
		{"no name", 0, func(d []supports.GroupDraft) { d[1].Name = "" }, "groups[1].name"},
		{"yesterday", -1, func([]supports.GroupDraft) {}, "day"},
		{"next month", 30, func([]supports.GroupDraft) {}, "day"},
	} {
		d := slices.Clone(drafts)
		tc.edit(d)
		_, err := s.SaveClassGroups(ctx, id, class, today.AddDate(0, 0, tc.day), x.teacher.ID, d, audit)
		var inv *problem.InvalidError
		if !errors.As(err, &inv) || !hasField(inv, tc.field) {
			t.Errorf("%s: %v, want a reason on %s", tc.name, err, tc.field)
		}
	}
	if gs, err := s.ClassGroups(ctx, id, class, store.GroupFilter{Replaced: true}); err != nil || len(gs) != 0 {
		t.Fatalf("after refusals: %d groups, %v", len(gs), err)
	}
	if c := e.takeChanges(); len(c) != 0 {
		t.Errorf("refusals announced %+v", c)
	}

	saved, err := s.SaveClassGroups(ctx, id, class, today, x.teacher.ID, drafts, audit)
	ok(t, err)
	if len(saved) != 2 || saved[0].ID == 0 || !saved[0].Day.Equal(today) || !slices.Equal(saved[0].Members, []int64{x.alice.ID, x.bob.ID}) {
		t.Fatalf("saved %+v", saved)
	}
	if c := e.takeChanges(); len(c) != 1 || c[0].Kind != store.GroupsChanged || c[0].ClassID != class {
		t.Errorf("changes %+v, want one GroupsChanged of the class", c)
	}
	gs, err := s.ClassGroups(ctx, id, class, store.GroupFilter{From: today, To: today})
	ok(t, err)
	if len(gs) != 2 || gs[0].Name != "Reteach 1" || gs[0].StandardID == nil || *gs[0].StandardID != std || !gs[0].ActiveOn(s.Now()) {
		t.Fatalf("read back %+v", gs)
	}

	// The schedule's setup: blocks, the teacher and an aide.
	setup, stored, err := s.ClassScheduleSetup(ctx, id, class)
	ok(t, err)
	if stored || len(setup.Blocks) != 0 || len(setup.Adults) != 1 || setup.Adults[0].PersonID != x.teacher.ID || setup.MaxGroupSize != supports.DefaultGroupSize {
		t.Fatalf("default setup %+v", setup)
	}
	aide := roster.Person{DistrictID: id, GivenName: "Ada", FamilyName: "Aide", Roles: []roster.Role{roster.RoleTeacher}}
	ok(t, s.CreatePerson(ctx, &aide))
	setup = supports.ScheduleSetup{MaxGroupSize: 4, Blocks: []supports.TimeBlock{{Label: "Second", Start: "10:00", End: "10:30"}, {Label: "First", Start: "09:00", End: "09:30"}},
		Adults: []supports.ScheduleAdult{{PersonID: x.teacher.ID, Role: supports.AdultTeacher}, {PersonID: x.alice.ID, Role: supports.AdultAide}}}
	if _, err := s.SetClassScheduleSetup(ctx, id, class, x.teacher.ID, setup, audit); !errors.Is(err, problem.ErrInvalid) {
		t.Fatalf("a student as an aide: %v", err)
	}
	setup.Adults[1].PersonID = aide.ID
	got, err := s.SetClassScheduleSetup(ctx, id, class, x.teacher.ID, setup, audit)
	ok(t, err)
	if got.Blocks[0].Label != "First" || got.Blocks[0].ID == 0 {
		t.Fatalf("stored setup %+v", got)
	}
	back, stored, err := s.ClassScheduleSetup(ctx, id, class)
	ok(t, err)
	if !stored || len(back.Blocks) != 2 || back.Blocks[1].Start != "10:00" || len(back.Adults) != 2 || back.Adults[1].Role != supports.AdultAide || back.MaxGroupSize != 4 {
		t.Fatalf("setup read back %+v", back)
	}

	// The schedule of the day.
	slots := []store.ScheduledGroup{{GroupID: saved[0].ID, Block: back.Blocks[0], PersonID: x.teacher.ID}}
	ok(t, s.SaveClassSchedule(ctx, id, class, today, x.teacher.ID, slots, audit))
	sched, err := s.ClassSchedule(ctx, id, class, today)
	ok(t, err)
	if len(sched) != 1 || sched[0].GroupID != saved[0].ID || sched[0].Block.Label != "First" {
		t.Fatalf("schedule %+v", sched)
	}
	if err := s.SaveClassSchedule(ctx, id, class, today, x.teacher.ID, []store.ScheduledGroup{{GroupID: 999999, PersonID: x.teacher.ID}}, audit); !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("a group that does not meet: %v", err)
	}

	// Saving again replaces the day's groups; the history leaves the
	// replaced ones out, and their schedule goes with them.
	again, err := s.SaveClassGroups(ctx, id, class, today, x.teacher.ID, drafts[:1], audit)
	ok(t, err)
	gs, err = s.ClassGroups(ctx, id, class, store.GroupFilter{})
	ok(t, err)
	if len(gs) != 1 || gs[0].ID != again[0].ID {
		t.Fatalf("after saving again: %+v", gs)
	}
	if all, _ := s.ClassGroups(ctx, id, class, store.GroupFilter{Replaced: true}); len(all) != 3 {
		t.Errorf("with replaced: %d groups, want 3", len(all))
	}
	if sched, _ := s.ClassSchedule(ctx, id, class, today); len(sched) != 0 {
		t.Errorf("the schedule of replaced groups still shows: %+v", sched)
	}

	// Dissolving: once, and only the class's own.
	if _, err := s.DissolveClassGroup(ctx, id, outside.class.ID, again[0].ID, x.teacher.ID, audit); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("through another class: %v", err)
	}
	g, err := s.DissolveClassGroup(ctx, id, class, again[0].ID, x.teacher.ID, audit)
	ok(t, err)
	if g.DissolvedAt == nil || g.ActiveOn(s.Now()) {
		t.Errorf("dissolved %+v", g)
	}
	if _, err := s.DissolveClassGroup(ctx, id, class, again[0].ID, x.teacher.ID, audit); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("twice: %v", err)
	}
	gs, err = s.ClassGroups(ctx, id, class, store.GroupFilter{})
	ok(t, err)
	if len(gs) != 1 || gs[0].DissolvedAt == nil {
		t.Errorf("a dissolved group stays in the history: %+v", gs)
	}

	// Tomorrow, today's groups are history and no longer change.
	tomorrow, err := s.SaveClassGroups(ctx, id, class, today.AddDate(0, 0, 1), x.teacher.ID, drafts, audit)
	ok(t, err)
	e.clk.mu.Lock()
	e.clk.t = e.clk.t.AddDate(0, 0, 2)
	e.clk.mu.Unlock()
	if _, err := s.DissolveClassGroup(ctx, id, class, tomorrow[0].ID, x.teacher.ID, audit); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("a group whose day passed: %v", err)
	}
	if tomorrow[0].ActiveOn(s.Now()) {
		t.Error("a group is active after its day")
	}
}
