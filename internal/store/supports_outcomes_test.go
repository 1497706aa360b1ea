package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestSupportOutcomes runs the reads of the outcomes of supports on every
// engine.
func TestSupportOutcomes(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { testSupportOutcomes(t, open(t, eng.url(t))) })
	}
}

func testSupportOutcomes(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "outcomes")
	id := x.d.ID
	today := supports.Day(s.Now())
	begun := today.AddDate(0, 0, -80)
	ended := today.AddDate(0, 0, -50)
	p := supports.Plan{DistrictID: id, CreatedBy: x.teacher.ID, PlanDraft: supports.PlanDraft{StudentID: x.alice.ID, ClassID: &x.class.ID,
		Tier: supports.Tier2, Kind: supports.Reteach, StandardIDs: []int64{x.s1.ID}, ProviderID: x.teacher.ID,
		StartsOn: begun, EndsOn: &ended, Goal: "Ratios mastered"}}
	ok(t, s.CreateSupportPlan(ctx, &p))

	// A plan closes on a past day, never in the future nor before it began.
	for _, tc := range []struct {
		name string
		on   time.Time
	}{{"tomorrow", today.AddDate(0, 0, 1)}, {"before the start", begun.AddDate(0, 0, -1)}} {
		_, err := s.CloseSupportPlanOn(ctx, id, p.ID, supports.GoalMet, "", tc.on)
		var inv *problem.InvalidError
		if !errors.As(err, &inv) || !hasField(inv, "closedOn") {
			t.Errorf("closing %s: %v, want a reason on closedOn", tc.name, err)
		}
	}
	closed, err := s.CloseSupportPlanOn(ctx, id, p.ID, supports.GoalMet, "Mastered in the third week", ended.Add(15*time.Hour))
	ok(t, err)
	if closed.ClosedAt == nil || !closed.ClosedAt.Equal(ended) || closed.Outcome != supports.GoalMet {
		t.Errorf("closed: %v at %v, want met at %v", closed.Outcome, closed.ClosedAt, ended)
	}
	if got, err := s.SupportPlan(ctx, id, p.ID); err != nil || got.ClosedAt == nil || !got.ClosedAt.Equal(ended) {
		t.Errorf("stored: closed at %v (%v), want %v", got.ClosedAt, err, ended)
	}
	if _, err := s.CloseSupportPlanOn(ctx, id, p.ID, supports.GoalMet, "", ended); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("closing twice: %v, want a conflict", err)
	}

	yes := true
	ok(t, s.SetDemographics(ctx, roster.Demographics{DistrictID: id, StudentID: x.alice.ID, Sex: "female", EnglishLearner: &yes}))
	data, err := s.SupportOutcomesData(ctx, id)
	ok(t, err)
	if len(data.Schools) != 1 || data.Schools[0].ID != x.school.ID || len(data.Plans) != 1 || data.Plans[0].ID != p.ID {
		t.Fatalf("schools %+v, plans %d", data.Schools, len(data.Plans))
	}
	if data.SchoolOf[x.alice.ID] != x.school.ID || data.SchoolOf[x.bob.ID] != x.school.ID {
		t.Errorf("SchoolOf = %v", data.SchoolOf)
	}
	pool := data.Pools[supports.OutcomePool{SchoolID: x.school.ID, StandardID: x.s1.ID}]
	slices.Sort(pool)
	want := []int64{x.alice.ID, x.bob.ID, x.cleo.ID}
	slices.Sort(want)
	if !slices.Equal(pool, want) || len(data.Pools) != 1 {
		t.Errorf("pools %v, want the class's three students on s1 only", data.Pools)
	}
	if d := data.Demographics[x.alice.ID]; d == nil || d.Sex != "female" || d.EnglishLearner == nil || !*d.EnglishLearner {
		t.Errorf("demographics of alice: %+v", d)
	}

	// Alice falls below, then masters s1, loses it and masters it again;
	// the timelines of s1 and of the cluster above it agree with her
	// states as they stood after each assessment.
	days := []int{90, 70, 60, 40, 30, 20}
	levels := []float64{1, 4, 4, 1, 1, 4}
	for i, d := range days {
		ok(t, s.RecordEvidence(ctx, ptr(x.ev(x.alice, d, level(x.s1, levels[i])))))
	}
	ok(t, s.RecordEvidence(ctx, ptr(x.ev(x.bob, 10, level(x.s2, 4)))))
	pairs := []supports.OutcomePair{{StudentID: x.alice.ID, StandardID: x.s1.ID}, {StudentID: x.alice.ID, StandardID: x.cluster.ID},
		{StudentID: x.bob.ID, StandardID: x.s1.ID}, {StudentID: x.bob.ID, StandardID: x.cluster.ID}}
	tls, err := s.MasteryTimelines(ctx, id, pairs)
	ok(t, err)
	if _, ok := tls[pairs[2]]; ok {
		t.Errorf("bob has a timeline on s1 without evidence: %v", tls[pairs[2]])
	}
	var at []time.Time
	for _, d := range days {
		at = append(at, start.AddDate(0, 0, -d))
	}
	states, err := s.MasteryAsOf(ctx, id, x.alice.ID, at)
	ok(t, err)
	changes := 0
	for _, std := range []int64{x.s1.ID, x.cluster.ID} {
		tl := tls[supports.OutcomePair{StudentID: x.alice.ID, StandardID: std}]
		for i, when := range at {
			if got, want := tl.MasteredBefore(when.Add(time.Second)), states[i][std].Mastered; got != want {
				t.Errorf("standard %d after %d days ago: mastered %v, want %v (timeline %v)", std, days[i], got, want, tl)
			}
		}
		changes += len(tl)
	}
	if changes < 2 {
		t.Errorf("timelines %v: want alice mastering s1", tls)
	}
	if tl := tls[pairs[3]]; len(tl) == 0 || !tl[0].Mastered {
		t.Errorf("bob's cluster timeline %v, want mastered from his unit rates", tl)
	}
}
