package pathways

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

// A quarter of ten weeks: Monday 2 November 2026 to Friday 8 January 2027.
var (
	qStart = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	qEnd   = time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC)
	quart  = PaceTerm{Start: qStart, End: qEnd}
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestDueDatesSpreadEvenly(t *testing.T) {
	targets := make([]PaceTarget, 4)
	due := DueDates(targets, quart)
	span := qEnd.Sub(qStart)
	for i, d := range due {
		want := qStart.Add(span * time.Duration(i+1) / 4)
		if !d.Equal(want) {
			t.Errorf("target %d due %s, want %s", i, d, want)
		}
	}
	if !due[3].Equal(qEnd) {
		t.Errorf("last target due %s, want the term's end", due[3])
	}
}

func TestDueDatesBetweenDatedTargets(t *testing.T) {
	mid := day(2026, 12, 2)
	targets := []PaceTarget{{}, {Due: mid}, {}, {}}
	due := DueDates(targets, quart)
	if want := qStart.Add(mid.Sub(qStart) / 2); !due[0].Equal(want) {
		t.Errorf("first target due %s, want halfway to the dated one, %s", due[0], want)
	}
	if !due[1].Equal(mid) {
		t.Errorf("dated target due %s, want its own %s", due[1], mid)
	}
	if want := mid.Add(qEnd.Sub(mid) / 2); !due[2].Equal(want) {
		t.Errorf("third target due %s, want %s", due[2], want)
	}
	if !due[3].Equal(qEnd) {
		t.Errorf("last target due %s, want the term's end", due[3])
	}
	// Dates out of order never put an undated target before the one
	// before it.
	back := DueDates([]PaceTarget{{Due: mid}, {}, {Due: day(2026, 11, 10)}}, quart)
	if back[1].Before(mid) {
		t.Errorf("target between out-of-order dates due %s, before %s", back[1], mid)
	}
}

// pacePlan returns n targets, the first mastered ones at the given dates.
func pacePlan(n int, masteredAt ...time.Time) PaceInput {
	in := PaceInput{Targets: make([]PaceTarget, n)}
	for i, at := range masteredAt {
		in.Targets[i] = PaceTarget{StandardID: int64(i + 1), Mastered: true, MasteredAt: at}
	}
	for i := range in.Targets {
		in.Targets[i].StandardID = int64(i + 1)
	}
	return in
}

// weekly returns n dates a week apart from the term's first Wednesday.
func weekly(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = qStart.AddDate(0, 0, 2+7*i)
	}
	return out
}

func TestPaceStatus(t *testing.T) {
	th := DefaultPaceThresholds() // behind at 2 targets and 20%, ahead at 2
	now := day(2026, 12, 7)       // five school weeks in: half of 10 targets expected
	tests := []struct {
		name     string
		in       PaceInput
		expected int
		want     PaceStatus
	}{
		{"on the line", pacePlan(10, weekly(5)...), 5, PaceOnTrack},
		{"one short is not behind", pacePlan(10, weekly(4)...), 5, PaceOnTrack},
		{"two short is behind", pacePlan(10, weekly(3)...), 5, PaceBehind},
		{"two ahead", pacePlan(10, weekly(5)...), 5, PaceOnTrack},
		{"nothing yet", pacePlan(10), 5, PaceBehind},
		{"finished early goes on", pacePlan(3, weekly(3)...), 1, PaceAhead},
	}
	tests[3].in = pacePlan(10, append(weekly(5), now, now)...)
	tests[3].want = PaceAhead
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ComputePace(tt.in, quart, th, now)
			if p.Expected != tt.expected {
				t.Errorf("expected %d targets by now, want %d", p.Expected, tt.expected)
			}
			if p.Status != tt.want {
				t.Errorf("status %s (mastered %d of %d expected), want %s", p.Status, p.Mastered, p.Expected, tt.want)
			}
		})
	}
}

func TestPaceBehindNeedsTheShareToo(t *testing.T) {
	// Late in a long plan, six short of 44 expected is 14%: not behind at
	// 20%, behind when the district sets 5%.
	in := pacePlan(50, make([]time.Time, 38)...)
	for i := range 38 {
		in.Targets[i].MasteredAt = qStart.AddDate(0, 0, 1)
	}
	now := day(2026, 12, 30)
	p := ComputePace(in, quart, DefaultPaceThresholds(), now)
	if p.Expected != 44 || p.Status != PaceOnTrack {
		t.Fatalf("expected %d, status %s; want 44 and on track", p.Expected, p.Status)
	}
	strict := PaceThresholds{BehindTargets: 2, BehindPercent: 5, AheadTargets: 2}
	if got := ComputePace(in, quart, strict, now).Status; got != PaceBehind {
		t.Errorf("with a 5%% bar: %s, want behind", got)
	}
}

func TestPaceProjection(t *testing.T) {
	now := day(2026, 12, 7) // five school weeks after the start
	p := ComputePace(pacePlan(10, weekly(5)...), quart, DefaultPaceThresholds(), now)
	if math.Abs(p.Weeks-5) > 1e-9 || math.Abs(p.Rate-1) > 1e-9 {
		t.Fatalf("weeks %v, rate %v; want 5 and 1 a week", p.Weeks, p.Rate)
	}
	if !p.Projectable() {
		t.Fatal("no projection")
	}
	// A target a week, five left: about five weeks on, early January.
	if p.Projected.Before(day(2026, 12, 28)) || p.Projected.After(day(2027, 1, 22)) {
		t.Errorf("projected %s, want around five school weeks after %s", p.Projected, now)
	}
	if !(p.Earliest.Before(p.Projected) && p.Projected.Before(p.Latest)) {
		t.Errorf("range %s .. %s does not hold %s", p.Earliest, p.Latest, p.Projected)
	}
	for _, d := range []time.Time{p.Earliest, p.Projected, p.Latest} {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			t.Errorf("%s is a weekend", d)
		}
	}
	// A longer record narrows the range.
	later := day(2026, 12, 18)
	q := ComputePace(pacePlan(20, weekly(7)...), quart, DefaultPaceThresholds(), later)
	r := ComputePace(pacePlan(20, weekly(2)...), quart, DefaultPaceThresholds(), day(2026, 11, 16))
	if q.Latest.Sub(q.Earliest) >= r.Latest.Sub(r.Earliest)*2 && r.Projectable() {
		t.Errorf("range after 7 weeks %s wider than twice after 2 weeks %s", q.Latest.Sub(q.Earliest), r.Latest.Sub(r.Earliest))
	}
}

func TestPaceNoProjectionFromNothing(t *testing.T) {
	// Nothing mastered in six weeks of a ten-week term: any date would be
	// far past the horizon.
	p := ComputePace(pacePlan(30), quart, DefaultPaceThresholds(), day(2026, 12, 11))
	if p.Projectable() {
		t.Errorf("projected %s from no mastery", p.Projected)
	}
	// Nor in the term's first days.
	if p := ComputePace(pacePlan(5, qStart.AddDate(0, 0, 1)), quart, DefaultPaceThresholds(), qStart.AddDate(0, 0, 2)); p.Projectable() {
		t.Errorf("projected %s after two days", p.Projected)
	}
}

func TestPaceDoneGoesOn(t *testing.T) {
	in := pacePlan(3, weekly(3)...)
	in.Beyond = 2
	now := day(2026, 12, 1)
	p := ComputePace(in, quart, DefaultPaceThresholds(), now)
	if !p.Done || p.Status != PaceAhead || p.Beyond != 2 {
		t.Fatalf("done %v, status %s, beyond %d; want done, ahead, 2", p.Done, p.Status, p.Beyond)
	}
	if want := weekly(3)[2]; !p.Projected.Equal(want) || !p.Earliest.Equal(want) || !p.Latest.Equal(want) {
		t.Errorf("done on %s .. %s .. %s, want the last mastery, %s", p.Earliest, p.Projected, p.Latest, want)
	}
	if !p.FinishesInTerm(quart) {
		t.Error("a finished plan does not finish in the term")
	}
}

func TestPaceMasteredBeforeTheTermDoesNotCountInTheRate(t *testing.T) {
	in := pacePlan(10, qStart.AddDate(0, -2, 0), qStart.AddDate(0, -1, 0), qStart.AddDate(0, 0, 3))
	p := ComputePace(in, quart, DefaultPaceThresholds(), day(2026, 11, 16))
	if p.Mastered != 3 || math.Abs(p.Rate-0.5) > 1e-9 {
		t.Errorf("mastered %d at %v a week, want 3 and 0.5 (one in two weeks)", p.Mastered, p.Rate)
	}
}

func TestPaceIsPure(t *testing.T) {
	in := pacePlan(12, weekly(4)...)
	now := day(2026, 12, 2)
	a := ComputePace(in, quart, DefaultPaceThresholds(), now)
	b := ComputePace(in, quart, DefaultPaceThresholds(), now)
	if !a.Projected.Equal(b.Projected) || !a.Latest.Equal(b.Latest) || a.Status != b.Status {
		t.Errorf("two calls differ: %+v, %+v", a, b)
	}
}

func TestBetaQuantile(t *testing.T) {
	tests := []struct{ q, a, b, want float64 }{
		{0.5, 1, 1, 0.5},
		{0.1, 1, 1, 0.1},
		{0.25, 2, 1, 0.5},          // I_x(2,1) = x²
		{0.75, 1, 2, 0.5},          // I_x(1,2) = 1-(1-x)²
		{0.5, 3, 3, 0.5},           // symmetric
		{0.9, 0.5, 0.5, 0.9755283}, // arcsine: sin²(0.45π)
	}
	for _, tt := range tests {
		if got := betaQuantile(tt.q, tt.a, tt.b); math.Abs(got-tt.want) > 1e-5 {
			t.Errorf("Beta(%v,%v) quantile %v = %v, want %v", tt.a, tt.b, tt.q, got, tt.want)
		}
	}
}

func TestSchoolDays(t *testing.T) {
	mon := day(2026, 11, 2)
	tests := []struct {
		to   time.Time
		want int
	}{
		{mon, 0}, {day(2026, 11, 3), 1}, {day(2026, 11, 6), 4}, {day(2026, 11, 8), 4}, {day(2026, 11, 9), 5}, {day(2026, 11, 16), 10},
	}
	for _, tt := range tests {
		if got := schoolDays(mon, tt.to); got != tt.want {
			t.Errorf("school days to %s: %d, want %d", tt.to.Format("Mon 2 Jan"), got, tt.want)
		}
	}
	if got := addSchoolDays(day(2026, 11, 6), 1); !got.Equal(day(2026, 11, 9)) {
		t.Errorf("a school day after Friday: %s, want Monday", got)
	}
	if got := addSchoolDays(mon, 7.2); !got.Equal(day(2026, 11, 12)) {
		t.Errorf("7.2 school days after Monday: %s, want the Thursday after next", got)
	}
}

func TestPaceThresholdsValidate(t *testing.T) {
	if err := DefaultPaceThresholds().Validate(); err != nil {
		t.Fatal(err)
	}
	err := PaceThresholds{BehindTargets: 0, BehindPercent: 120, AheadTargets: 1}.Validate()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) || len(ie.Fields) != 2 || ie.Fields[0].Field != "behindTargets" || ie.Fields[1].Field != "behindPercent" {
		t.Errorf("got %v, want behindTargets and behindPercent named", err)
	}
}

func TestDueFromCounts(t *testing.T) {
	now := day(2026, 12, 7)
	// Undated only: the same as spreading the plan.
	plain := DueFromCounts(10, 0, 10, quart, now)
	if got, want := ExpectedBy(plain, now), ExpectedBy(DueDates(make([]PaceTarget, 10), quart), now); got != want {
		t.Errorf("expected %d from counts, %d from dates", got, want)
	}
	// Dated only: those due by now.
	if got := ExpectedBy(DueFromCounts(8, 3, 0, quart, now), now); got != 3 {
		t.Errorf("expected %d, want the 3 due", got)
	}
	if got := len(DueFromCounts(8, 3, 2, quart, now)); got != 8 {
		t.Errorf("%d dates, want 8", got)
	}
}
