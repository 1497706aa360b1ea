package demo

import (
	"context"
	"testing"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestDemoSupportPlans checks that the demo district has support plans
// running today in each tier and of each kind, the featured student's
// among them with evidence since it started, and the teacher's notes.
func TestDemoSupportPlans(t *testing.T) {
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
	plans, err := st.SupportPlans(ctx, sum.DistrictID, store.SupportPlanFilter{ActiveOn: st.Now()})
	if err != nil {
		t.Fatal(err)
	}
	tiers, kinds := map[supports.Tier]int{}, map[supports.Kind]int{}
	for _, p := range plans {
		tiers[p.Tier]++
		kinds[p.Kind]++
	}
	for _, tier := range []supports.Tier{supports.Tier1, supports.Tier2, supports.Tier3} {
		if tiers[tier] == 0 {
			t.Errorf("no plan in tier %d: %v", tier, tiers)
		}
	}
	for _, k := range supports.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s plan: %v", k, kinds)
		}
	}
	mine, err := st.SupportPlans(ctx, sum.DistrictID, store.SupportPlanFilter{StudentIDs: []int64{sum.Student.ID}, OpenOnly: true})
	if err != nil || len(mine) == 0 {
		t.Fatalf("the featured student's plans: %v, %v", mine, err)
	}
	pts, err := st.SupportProgress(ctx, mine[0])
	if err != nil || len(pts) == 0 {
		t.Errorf("the featured student's plan has no evidence since %s: %v", mine[0].StartsOn, err)
	}
	notes, err := st.StudentNotes(ctx, sum.DistrictID, sum.Student.ID)
	if err != nil || len(notes) < 2 {
		t.Errorf("the featured student's notes: %v, %v", notes, err)
	}
}
