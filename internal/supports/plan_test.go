package supports

import (
	"errors"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestPlanActiveOnAndClose(t *testing.T) {
	now := time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC)
	end := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	p, err := NewPlan(1, 2, PlanDraft{StudentID: 3, Tier: Tier2, Kind: Reteach, StandardIDs: []int64{9, 7, 9},
		ProviderID: 2, StartsOn: now, EndsOn: &end, Goal: " reach 3 on unit rates "}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.StandardIDs) != 2 || p.StandardIDs[0] != 7 || p.Goal != "reach 3 on unit rates" || !p.StartsOn.Equal(Day(now)) {
		t.Fatalf("normalized %+v", p.PlanDraft)
	}
	for _, tc := range []struct {
		day  time.Time
		want bool
	}{
		{now.AddDate(0, 0, -1), false}, {now, true}, {end.Add(23 * time.Hour), true}, {end.AddDate(0, 0, 1), false},
	} {
		if got := p.ActiveOn(tc.day); got != tc.want {
			t.Errorf("ActiveOn(%s) = %v, want %v", tc.day.Format(time.DateTime), got, tc.want)
		}
	}
	closeAt := now.AddDate(0, 0, 3)
	if err := p.Close("done", "", closeAt); !errors.Is(err, problem.ErrInvalid) {
		t.Fatalf("unknown outcome: %v", err)
	}
	if err := p.Close(GoalMet, "mastered", closeAt); err != nil {
		t.Fatal(err)
	}
	if p.ActiveOn(closeAt.AddDate(0, 0, 1)) || !p.ActiveOn(closeAt) {
		t.Error("a plan closed on a day runs that day and not after")
	}
	if err := p.Close(GoalNotMet, "", closeAt); !errors.Is(err, problem.ErrConflict) {
		t.Fatalf("closing twice: %v", err)
	}
}

func TestPlanRefusals(t *testing.T) {
	now := time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC)
	_, err := NewPlan(1, 2, PlanDraft{Tier: 0, Kind: "x", StartsOn: now.AddDate(2, 0, 0)}, now)
	var inv *problem.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("%v", err)
	}
	want := map[string]bool{"studentId": true, "providerId": true, "tier": true, "kind": true, "goal": true, "startsOn": true}
	for _, f := range inv.Fields {
		delete(want, f.Field)
	}
	if len(want) > 0 {
		t.Fatalf("no reason for %v in %v", want, err)
	}
}
