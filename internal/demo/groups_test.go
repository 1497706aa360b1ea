package demo

import (
	"context"
	"testing"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestDemoGroups checks that the featured class has today's groups, led
// groups and the rest on their playlists, every student in one, and a schedule over two blocks
// with its teacher and co-teacher that places every led group.
func TestDemoGroups(t *testing.T) {
	ds, err := smallGenerated()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := openStore(t, storetest.SQLite(t), ds.Now)
	sum, err := Load(ctx, st, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	today := supports.Day(st.Now())
	gs, err := st.ClassGroups(ctx, sum.DistrictID, sum.Class.ID, store.GroupFilter{From: today, To: today})
	if err != nil {
		t.Fatal(err)
	}
	led, members := 0, 0
	for _, g := range gs {
		if g.Kind.Led() {
			led++
		}
		members += len(g.Members)
	}
	cp, err := st.ClassPlanning(ctx, sum.DistrictID, sum.Class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if led == 0 || members != len(cp.Students) {
		t.Fatalf("today's groups: %d led, %d members: %+v", led, members, gs)
	}
	setup, stored, err := st.ClassScheduleSetup(ctx, sum.DistrictID, sum.Class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored || len(setup.Blocks) != 2 || len(setup.Adults) != 2 || setup.Adults[0].Role != supports.AdultTeacher || setup.Adults[1].Role != supports.AdultCoTeacher {
		t.Fatalf("setup %+v", setup)
	}
	sched, err := st.ClassSchedule(ctx, sum.DistrictID, sum.Class.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(sched) != led {
		t.Errorf("%d groups scheduled, want every one of the %d led groups", len(sched), led)
	}
}
