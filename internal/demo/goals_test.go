package demo

import (
	"context"
	"testing"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// TestDemoGoals checks that the featured student has a goal after an
// assessment, commented on by his teacher, due on a Friday, and a
// proposal she approved; and that two of his classmates' proposals wait
// for her.
func TestDemoGoals(t *testing.T) {
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
	gs, err := st.StudentGoals(ctx, sum.DistrictID, sum.Student.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].EvidenceID == nil || gs[0].State != pathways.GoalOpen || gs[0].Due.Weekday() != 5 ||
		len(gs[0].Comments) != 1 || gs[0].Comments[0].By != sum.Teacher.ID {
		t.Errorf("the featured student's goals: %+v", gs)
	}
	mine, err := st.StudentProposals(ctx, sum.DistrictID, sum.Student.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 1 || mine[0].State != pathways.ProposalApproved {
		t.Errorf("the featured student's proposals: %+v", mine)
	}
	if n, err := st.WaitingProposals(ctx, sum.DistrictID, sum.Class.ID); err != nil || n != 2 {
		t.Errorf("%d proposals wait in the featured class (%v), want 2", n, err)
	}
}
