package demo

import (
	"context"
	"testing"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestDemoAlerts checks that the demo's rules fired on its evidence and on
// the morning's sweep: the featured teacher has open alerts of several
// kinds in her class, and those she dismissed keep her notes.
func TestDemoAlerts(t *testing.T) {
	ds, _ := defaultDataset(t)
	st := openStore(t, storetest.SQLite(t), ds.Now)
	ctx := context.Background()
	sum, err := Load(ctx, st, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := store.AlertFilter{TeacherID: sum.Teacher.ID, ClassID: sum.Class.ID, Page: store.Page{Limit: 500}}
	open, _, err := st.Alerts(ctx, sum.DistrictID, f)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[supports.RuleKind]int{}
	for _, a := range open {
		kinds[a.Kind]++
	}
	t.Logf("the featured class: %d open alerts %v", len(open), kinds)
	if kinds[supports.RuleBelowCut] == 0 || kinds[supports.RuleNoEvidence] == 0 {
		t.Errorf("open alerts by kind %v: want scores below the cut and targets without evidence", kinds)
	}
	f.Dismissed = true
	dismissed, _, err := st.Alerts(ctx, sum.DistrictID, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(dismissed) != len(demoDismissals) || dismissed[len(dismissed)-1].DismissNote != demoDismissals[0] {
		t.Errorf("dismissed %+v", dismissed)
	}
	// The sweep ran already: running it again raises nothing.
	rep, err := st.SweepAlerts(ctx, sum.DistrictID)
	if err != nil || rep.Raised != 0 {
		t.Errorf("a second sweep raised %d, %v", rep.Raised, err)
	}
}
