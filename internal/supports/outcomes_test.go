package supports

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func outcomeDay(s string) time.Time {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestOutcomeEpisodes(t *testing.T) {
	plan := func(id, student int64, k Kind, start string, stds ...int64) Plan {
		return Plan{ID: id, PlanDraft: PlanDraft{StudentID: student, Kind: k, StandardIDs: stds, StartsOn: outcomeDay(start)}}
	}
	in := OutcomeInput{
		Today: outcomeDay("2026-12-02").Add(9 * time.Hour),
		Plans: []Plan{
			plan(1, 1, Reteach, "2026-09-01", 100),
			plan(2, 2, Reteach, "2026-09-10", 100),   // mastered already: left out
			plan(3, 4, Reteach, "2026-10-15", 100),   // follow-up not over
			plan(4, 5, Reteach, "2026-12-01", 100),   // follow-up not over
			plan(5, 1, Tutoring, "2026-11-20", 100),  // follow-up not over
			plan(6, 3, Referral, "2026-09-01"),       // nothing to measure
			plan(7, 9, Extension, "2026-09-01", 100), // at no school
		},
		SchoolOf: map[int64]int64{1: 5, 2: 5, 3: 5, 4: 5, 5: 5},
		Pools:    map[OutcomePool][]int64{{5, 100}: {1, 2, 3, 4, 5}},
	}
	cands, left := OutcomeCandidates(in)
	tl := map[OutcomePair]MasteryTimeline{
		{1, 100}: {{At: outcomeDay("2026-09-20").Add(10 * time.Hour), Mastered: true}},
		{2, 100}: {{At: outcomeDay("2026-08-30"), Mastered: true}},
		{3, 100}: {{At: outcomeDay("2026-09-03"), Mastered: false}, {At: outcomeDay("2026-10-25").Add(8 * time.Hour), Mastered: true},
			{At: outcomeDay("2026-11-25"), Mastered: false}},
	}
	got := OutcomeEpisodes(cands, tl, left)
	want := []OutcomeEpisode{
		{OutcomeCandidate{Kind: Reteach, StudentID: 1, StandardID: 100, SchoolID: 5, Start: outcomeDay("2026-09-01"), Supported: true, PlanID: 1}, 19, true},
		{OutcomeCandidate{Kind: Reteach, StudentID: 3, StandardID: 100, SchoolID: 5, Start: outcomeDay("2026-09-01")}, 54, true},
		{OutcomeCandidate{Kind: Reteach, StudentID: 5, StandardID: 100, SchoolID: 5, Start: outcomeDay("2026-09-01")}, 0, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("OutcomeEpisodes (-want +got):\n%s", diff)
	}
	wantLeft := map[LeftOutKey]OutcomeLeftOut{
		{Reteach, 5}:   {Recent: 2, Mastered: 1},
		{Tutoring, 5}:  {Recent: 1},
		{Referral, 5}:  {NoStandard: 1},
		{Extension, 0}: {NoSchool: 1},
	}
	if diff := cmp.Diff(wantLeft, left); diff != "" {
		t.Errorf("left out (-want +got):\n%s", diff)
	}

	var f OutcomeFigure
	for _, e := range got[1:] {
		f.Add(e)
	}
	if f.Reached != [2]int{0, 1} {
		t.Errorf("Reached = %v, want [0 1]", f.Reached)
	}
	if d, over, ok := f.Median(2); d != 54 || over || !ok {
		t.Errorf("Median(2) = %d, %v, %v; want 54 days", d, over, ok)
	}
	if _, over, _ := f.Median(3); !over {
		t.Errorf("Median(3) of one reached: want over the follow-up")
	}
	if _, _, ok := (OutcomeFigure{}).Median(0); ok {
		t.Errorf("Median(0) is ok")
	}
}

func TestOutcomeFollowedUp(t *testing.T) {
	start := outcomeDay("2026-09-01")
	for _, c := range []struct {
		today string
		want  bool
	}{{"2026-10-31", false}, {"2026-11-01", true}, {"2026-10-30", false}} {
		// 1 September + 60 days is 31 October: over once that day has passed.
		if got := OutcomeFollowedUp(start, outcomeDay(c.today).Add(23*time.Hour)); got != c.want {
			t.Errorf("OutcomeFollowedUp(%s) = %v, want %v", c.today, got, c.want)
		}
	}
}
