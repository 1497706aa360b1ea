package demo

import (
	"context"
	"testing"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestDemoAlerts checks, on a small district, that the demo's rules fired
// on its evidence and on the morning's sweep, and that the featured
// teacher's dismissed alerts keep her notes. (The web tests check the
// featured class of the default district: open alerts of several kinds.)
func TestDemoAlerts(t *testing.T) {
	ds, err := smallGenerated()
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, storetest.SQLite(t), ds.Now)
	ctx := context.Background()
	sum, err := Load(ctx, st, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := st.Alerts(ctx, sum.DistrictID, store.AlertFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[supports.RuleKind]int{}
	for _, a := range all {
		kinds[a.Kind]++
	}
	t.Logf("%d open alerts in the district %v", len(all), kinds)
	if kinds[supports.RuleBelowCut] == 0 || kinds[supports.RuleStalled] == 0 {
		t.Errorf("open alerts by kind %v: want scores below the cut and stalls, raised by the evidence", kinds)
	}
	dismissed, _, err := st.Alerts(ctx, sum.DistrictID, store.AlertFilter{TeacherID: sum.Teacher.ID, ClassID: sum.Class.ID, Dismissed: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(dismissed) == 0 || dismissed[len(dismissed)-1].DismissNote != demoDismissals[0] {
		t.Errorf("dismissed %+v", dismissed)
	}
	// The sweep ran already: running it again raises nothing.
	rep, err := st.SweepAlerts(ctx, sum.DistrictID)
	if err != nil || rep.Raised != 0 {
		t.Errorf("a second sweep raised %d, %v", rep.Raised, err)
	}
}
