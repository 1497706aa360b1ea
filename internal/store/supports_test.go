package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestSupportPlans runs the support plan behaviours on every engine.
func TestSupportPlans(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { testSupportPlans(t, open(t, eng.url(t))) })
	}
}

func testSupportPlans(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "supports")
	id := x.d.ID
	today := supports.Day(s.Now())
	later := today.AddDate(0, 0, 20)
	draft := supports.PlanDraft{StudentID: x.alice.ID, ClassID: &x.class.ID, Tier: supports.Tier2, Kind: supports.Reteach,
		StandardIDs: []int64{x.s2.ID, x.s1.ID, x.s1.ID}, ProviderID: x.teacher.ID, Schedule: " Tue and Thu, 20 min ",
		StartsOn: today.Add(9 * time.Hour), EndsOn: &later, Goal: "Unit rates mastered by the end of the month"}

	// Refusals name the field and write nothing.
	outside := newDistrict(t, e, "supports-outside")
	for _, tc := range []struct {
		name  string
		edit  func(d *supports.PlanDraft)
		field string
	}{
		{"tier 4", func(d *supports.PlanDraft) { d.Tier = 4 }, "tier"},
		{"unknown kind", func(d *supports.PlanDraft) { d.Kind = "detention" }, "kind"},
		{"no standards", func(d *supports.PlanDraft) { d.StandardIDs = nil }, "standardIds"},
		{"ends before it starts", func(d *supports.PlanDraft) { e := today.AddDate(0, 0, -1); d.EndsOn = &e }, "endsOn"},
		{"a teacher as the student", func(d *supports.PlanDraft) { d.StudentID = x.teacher.ID }, "studentId"},
		{"another district's standard", func(d *supports.PlanDraft) { d.StandardIDs = []int64{outside.s1.ID} }, "standardIds"},
		{"no goal", func(d *supports.PlanDraft) { d.Goal = " " }, "goal"},
	} {
		d := draft
		d.StandardIDs = append([]int64(nil), draft.StandardIDs...)
		tc.edit(&d)
		p := supports.Plan{DistrictID: id, CreatedBy: x.teacher.ID, PlanDraft: d}
		err := s.CreateSupportPlan(ctx, &p)
		var inv *problem.InvalidError
		if !errors.As(err, &inv) || !hasField(inv, tc.field) {
			t.Errorf("%s: %v, want a reason on %s", tc.name, err, tc.field)
		}
	}
	if ps, err := s.SupportPlans(ctx, id, store.SupportPlanFilter{}); err != nil || len(ps) != 0 {
		t.Fatalf("after refusals: %d plans, %v", len(ps), err)
	}

	p := supports.Plan{DistrictID: id, CreatedBy: x.teacher.ID, PlanDraft: draft}
	ok(t, s.CreateSupportPlan(ctx, &p))
	if p.ID == 0 || p.Schedule != "Tue and Thu, 20 min" || !p.StartsOn.Equal(today) || len(p.StandardIDs) != 2 {
		t.Fatalf("created %+v", p)
	}
	got, err := s.SupportPlan(ctx, id, p.ID)
	ok(t, err)
	if got.Tier != supports.Tier2 || got.Kind != supports.Reteach || len(got.StandardIDs) != 2 || !got.Open() || got.ClassID == nil || *got.ClassID != x.class.ID {
		t.Fatalf("read back %+v", got)
	}
	if _, err := s.SupportPlan(ctx, outside.d.ID, p.ID); !errors.Is(err, problem.ErrNotFound) {
		t.Fatalf("another district's plan: %v, want not found", err)
	}

	tier3 := supports.Plan{DistrictID: id, CreatedBy: x.teacher.ID, PlanDraft: supports.PlanDraft{StudentID: x.alice.ID, Tier: supports.Tier3,
		Kind: supports.Referral, ProviderID: x.teacher.ID, StartsOn: today.AddDate(0, 0, 5), Goal: "Reading evaluation"}}
	ok(t, s.CreateSupportPlan(ctx, &tier3))
	tiers, err := s.StudentTiers(ctx, id, []int64{x.alice.ID, x.bob.ID}, today)
	ok(t, err)
	if len(tiers) != 1 || tiers[x.alice.ID] != supports.Tier2 {
		t.Fatalf("tiers today: %v, want alice in tier 2 only (the referral starts in 5 days)", tiers)
	}
	tiers, err = s.StudentTiers(ctx, id, []int64{x.alice.ID}, today.AddDate(0, 0, 6))
	ok(t, err)
	if tiers[x.alice.ID] != supports.Tier3 {
		t.Fatalf("tiers in 6 days: %v, want tier 3", tiers)
	}

	closed, err := s.CloseSupportPlan(ctx, id, p.ID, supports.GoalMet, "Mastered both")
	ok(t, err)
	if closed.Open() || closed.Outcome != supports.GoalMet {
		t.Fatalf("closed %+v", closed)
	}
	if _, err := s.CloseSupportPlan(ctx, id, p.ID, supports.GoalNotMet, ""); !errors.Is(err, problem.ErrConflict) {
		t.Fatalf("closing twice: %v, want a conflict", err)
	}
	open, err := s.SupportPlans(ctx, id, store.SupportPlanFilter{StudentIDs: []int64{x.alice.ID}, OpenOnly: true})
	ok(t, err)
	if len(open) != 1 || open[0].ID != tier3.ID {
		t.Fatalf("open plans %+v, want the referral", open)
	}
	inClass, err := s.SupportPlans(ctx, id, store.SupportPlanFilter{ClassID: x.class.ID, ActiveOn: today})
	ok(t, err)
	if len(inClass) != 1 || inClass[0].ID != p.ID {
		t.Fatalf("class plans active today %+v, want the reteach closed today", inClass)
	}
}

// hasField reports whether inv gives a reason for field.
func hasField(inv *problem.InvalidError, field string) bool {
	for _, f := range inv.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
