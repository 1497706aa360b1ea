package demo

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/reports"
	"github.com/cairn-learning/cairn/internal/storetest"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestDemoSupportsHistory checks that the default district, late in the
// first semester, has a closed history of every kind of support that the
// outcomes show at district level, with some small subgroups hidden.
func TestDemoSupportsHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the default district")
	}
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	ds, err := Generate(Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := openStore(t, storetest.SQLite(t), ds.Now)
	sum, err := Load(ctx, st, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := st.SupportOutcomesData(ctx, sum.DistrictID)
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, p := range data.Plans {
		if p.Open() {
			continue // running today (supports_plans.go)
		}
		closed++
		if p.EndsOn == nil || p.ClosedAt.After(now) || !p.ClosedAt.Equal(*p.EndsOn) {
			t.Fatalf("plan %d: closed on another day than its end: %+v", p.ID, p)
		}
	}
	if closed < 200 {
		t.Fatalf("%d closed plans, want the term's history of at least 200", closed)
	}
	cands, left := supports.OutcomeCandidates(data.OutcomeInput)
	tls, err := st.MasteryTimelines(ctx, sum.DistrictID, supports.OutcomePairs(cands))
	if err != nil {
		t.Fatal(err)
	}
	eps := supports.OutcomeEpisodes(cands, tls, left)
	var schools []int64
	for _, s := range data.Schools {
		schools = append(schools, s.ID)
	}
	profile := func(id int64) reports.Profile { return reports.ProfileOf(data.Demographics[id]) }
	var population []reports.Profile
	for id := range data.SchoolOf {
		population = append(population, profile(id))
	}
	rep := supports.NewOutcomeReport(schools, eps, profile, population, left, 0)
	hidden := 0
	for _, ko := range rep.Kinds {
		for _, b := range []*reports.Breakdown[supports.OutcomeFigure]{ko.Supported, ko.Compared} {
			total := b.Cell(reports.Key{})
			t.Logf("%s: %d students, reached %v", ko.Kind, total.Students, total.Figure.Reached)
			if total.Suppression.Hidden() {
				t.Errorf("%s: the district's total is hidden (%d students)", ko.Kind, total.Students)
			}
			for _, c := range b.Row(0) {
				if c.Suppression.Hidden() {
					hidden++
				}
			}
		}
	}
	if hidden == 0 {
		t.Errorf("no subgroup of the district is hidden")
	}
}
