package pathways

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

// PaceStatus is where a student stands against what their plan expects by
// now.
type PaceStatus string

// The statuses a pace can have.
const (
	PaceAhead   PaceStatus = "ahead"
	PaceOnTrack PaceStatus = "on_track"
	PaceBehind  PaceStatus = "behind"
)

// PaceStatuses lists the statuses, ahead first.
var PaceStatuses = []PaceStatus{PaceAhead, PaceOnTrack, PaceBehind}

// PaceThresholds are the district's bars between ahead, on track and
// behind. A student is behind when they are at least BehindTargets
// targets short of what the plan expects by now and that shortfall is at
// least BehindPercent per cent of what it expects: early in a term, when
// one or two targets are expected, one missing is not yet "behind", and
// late in a long plan a single target is not either. A student is ahead
// when they have mastered at least AheadTargets more than expected, or
// have finished the plan before the term ends.
type PaceThresholds struct {
	BehindTargets int `json:"behindTargets"`
	BehindPercent int `json:"behindPercent"`
	AheadTargets  int `json:"aheadTargets"`
}

// DefaultPaceThresholds are the bars until a district sets its own.
func DefaultPaceThresholds() PaceThresholds {
	return PaceThresholds{BehindTargets: 2, BehindPercent: 20, AheadTargets: 2}
}

// Validate checks each bar, naming the field of any that is out of range.
func (t PaceThresholds) Validate() error {
	var errs problem.Fields
	if t.BehindTargets < 1 || t.BehindTargets > 100 {
		errs.Addf("behindTargets", "must be between 1 and 100 targets, not %d", t.BehindTargets)
	}
	if t.BehindPercent < 0 || t.BehindPercent > 100 {
		errs.Addf("behindPercent", "must be between 0 and 100 per cent, not %d", t.BehindPercent)
	}
	if t.AheadTargets < 1 || t.AheadTargets > 100 {
		errs.Addf("aheadTargets", "must be between 1 and 100 targets, not %d", t.AheadTargets)
	}
	return errs.Err()
}

// PaceTarget is one target of a plan as pace reads it: when the plan
// expects it mastered (zero when the plan gives no date) and whether, and
// when, the student has mastered it.
type PaceTarget struct {
	StandardID int64
	Due        time.Time
	Mastered   bool
	// MasteredAt is when the student's mastery of the target was last
	// confirmed by evidence; zero when unknown.
	MasteredAt time.Time
}

// PaceTerm is the span a plan runs over: the first and last days of its
// term.
type PaceTerm struct {
	Start, End time.Time
}

// PaceInput is what Pace needs about one student.
type PaceInput struct {
	Targets []PaceTarget
	// Beyond counts the standards the student mastered during the term
	// outside the plan: work beyond it, grade level or not.
	Beyond int
}

// Pace is a student's progress against the plan and the term on one day.
type Pace struct {
	Targets  int // in the plan
	Mastered int // of the plan's targets, mastered now
	Expected int // of the plan's targets, expected mastered by now
	Beyond   int // mastered during the term outside the plan
	Status   PaceStatus
	// Done is set when every target is mastered; the student goes on
	// beyond the plan.
	Done bool
	// Rate is the targets mastered per school week since the term began,
	// over Weeks school weeks.
	Rate, Weeks float64
	// Projected is the day the plan's last target is projected mastered,
	// with an 80% range from Earliest to Latest; all zero when there is
	// not enough to project from (see Projectable). When Done, all three
	// are the day the last target was mastered.
	Projected, Earliest, Latest time.Time
	// Due is the date each target is expected by, in plan order: the
	// plan's own, or spread evenly across the term where it gives none.
	Due []time.Time
}

// Projectable reports whether the pace has a projected date.
func (p Pace) Projectable() bool { return !p.Projected.IsZero() }

// Gap is how many targets the student is ahead of what the plan expects
// by now (negative: behind).
func (p Pace) Gap() int { return p.Mastered - p.Expected }

// FinishesInTerm reports whether the projected date is within the term.
func (p Pace) FinishesInTerm(t PaceTerm) bool {
	return p.Projectable() && !dayOf(p.Projected).After(dayOf(t.End))
}

// The central projection and its range: the median and the 10th and 90th
// percentiles of the predictive distribution of the time left.
const (
	paceCentral = 0.5
	paceLow     = 0.1
	paceHigh    = 0.9
)

// paceHorizon is how far beyond the term's end a projection may land
// before it says nothing: a date years away tells a family nothing a
// "not enough to project yet" does not, and mostly reflects too little
// evidence.
const paceHorizonFactor = 2

// ComputePace returns a student's pace on the day now, against a plan
// over term, with the district's thresholds. It is pure: the clock comes
// in as now.
//
// The projection. Masteries over the school weeks of the term so far are
// taken as a Poisson process of unknown rate λ. With Jeffreys' prior
// (density ∝ λ^-½), k masteries in T school weeks give λ a Gamma(k+½, T)
// posterior. The time W for the r targets left is Gamma(r, λ) given λ,
// so, with λ unknown, W/T follows a beta-prime(r, k+½) distribution:
// W/(W+T) is Beta(r, k+½). Its quantiles give the projected date (the
// median) and an 80% range. The range carries both what the student's
// own record leaves unknown about their rate (wide after two weeks,
// narrow after twenty) and the chance in when each target falls; it
// needs no gaps between masteries, which a few masteries would make
// erratic, and with no mastery yet it still answers, widely (and beyond
// paceHorizonFactor term lengths, not at all). School weeks are weekdays
// over five: the district's holidays are not known here, so a range that
// spans a break is a little early.
func ComputePace(in PaceInput, term PaceTerm, th PaceThresholds, now time.Time) Pace {
	c := PaceCounts{Beyond: in.Beyond}
	start := dayOf(term.Start)
	for _, t := range in.Targets {
		if !t.Mastered {
			continue
		}
		c.Mastered++
		if t.MasteredAt.After(c.Last) {
			c.Last = t.MasteredAt
		}
		if !t.MasteredAt.IsZero() && !t.MasteredAt.Before(start) {
			c.InTerm++
		}
	}
	return PaceOf(DueDates(in.Targets, term), c, term, th, now)
}

// PaceCounts are what pace needs of a student's masteries of a plan's
// targets, when they are counted elsewhere (by the database, for a whole
// school).
type PaceCounts struct {
	// Mastered is how many of the plan's targets are mastered now; InTerm
	// how many of those were last confirmed since the term began.
	Mastered, InTerm int
	// Last is the latest date a target's mastery was confirmed.
	Last   time.Time
	Beyond int
}

// PaceOf is ComputePace from counts: due holds the date each of the
// plan's targets is expected by (DueDates), c the student's masteries.
// The plans of a class that share their due dates share one due.
func PaceOf(due []time.Time, c PaceCounts, term PaceTerm, th PaceThresholds, now time.Time) Pace {
	p := Pace{Targets: len(due), Beyond: c.Beyond, Due: due, Mastered: min(c.Mastered, len(due))}
	today := dayOf(now)
	p.Expected = ExpectedBy(due, today)
	k := min(c.InTerm, p.Mastered)
	start := dayOf(term.Start)
	if today.After(start) {
		p.Weeks = float64(schoolDays(start, today)) / 5
	}
	if p.Weeks > 0 {
		p.Rate = float64(k) / p.Weeks
	}
	p.Status = paceStatus(p, th)

	switch r := p.Targets - p.Mastered; {
	case p.Targets == 0:
	case r == 0:
		p.Done = true
		last := c.Last
		if last.IsZero() {
			last = now
		}
		p.Projected, p.Earliest, p.Latest = dayOf(last), dayOf(last), dayOf(last)
	case p.Weeks >= 1:
		a := float64(k) + 0.5
		weeks := func(q float64) float64 {
			b := betaQuantile(q, float64(r), a)
			return p.Weeks * b / (1 - b)
		}
		termWeeks := float64(schoolDays(start, dayOf(term.End))) / 5
		mid := weeks(paceCentral)
		if math.IsInf(mid, 0) || math.IsNaN(mid) || mid > paceHorizonFactor*max(termWeeks, 1) {
			break
		}
		p.Projected = addSchoolDays(today, mid*5)
		p.Earliest = addSchoolDays(today, weeks(paceLow)*5)
		p.Latest = addSchoolDays(today, math.Min(weeks(paceHigh), 4*max(termWeeks, 1))*5)
	}
	return p
}

// paceStatus applies the thresholds to the pace so far.
func paceStatus(p Pace, th PaceThresholds) PaceStatus {
	switch gap := p.Gap(); {
	case p.Targets > 0 && p.Mastered == p.Targets && p.Expected < p.Targets:
		return PaceAhead // finished before the plan's last date: goes on
	case gap >= th.AheadTargets:
		return PaceAhead
	case -gap >= th.BehindTargets && float64(-gap)*100 >= float64(th.BehindPercent)*float64(p.Expected):
		return PaceBehind
	}
	return PaceOnTrack
}

// DueDates returns the date each target is expected by. A target's own
// date stands; the targets without one are spread evenly, in plan order,
// between the dated targets around them, the term's start before the
// first and its end for the last: a plan with no dates at all is spread
// evenly across the term, its last target due on the term's last day.
func DueDates(targets []PaceTarget, term PaceTerm) []time.Time {
	n := len(targets)
	out := make([]time.Time, n)
	type anchor struct {
		pos int
		at  time.Time
	}
	prev := anchor{-1, term.Start}
	for i := 0; i < n; i++ {
		if !targets[i].Due.IsZero() {
			out[i] = targets[i].Due
			prev = anchor{i, targets[i].Due}
			continue
		}
		// The next dated target, or the term's end at the last target.
		next := anchor{n - 1, term.End}
		for j := i + 1; j < n; j++ {
			if !targets[j].Due.IsZero() {
				next = anchor{j, targets[j].Due}
				break
			}
		}
		if next.pos == i || next.at.Before(prev.at) {
			// The last target, or dates out of order: no span to share.
			out[i] = next.at
			if next.at.Before(prev.at) {
				out[i] = prev.at
			}
			continue
		}
		span := next.at.Sub(prev.at)
		out[i] = prev.at.Add(time.Duration(float64(span) * float64(i-prev.pos) / float64(next.pos-prev.pos)))
	}
	return out
}

// ExpectedBy counts the targets due on or before day.
func ExpectedBy(due []time.Time, day time.Time) int {
	n := 0
	for _, d := range due {
		if !dayOf(d).After(dayOf(day)) {
			n++
		}
	}
	return n
}

// dayOf is the midnight starting t's day, in t's location.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// schoolDays counts the weekdays after from, up to and including to.
func schoolDays(from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	days := int(math.Round(to.Sub(from).Hours() / 24))
	n := days / 7 * 5
	wd := from.Weekday()
	for i := 0; i < days%7; i++ {
		wd = (wd + 1) % 7
		if wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

// addSchoolDays returns the weekday n school days (rounded up) after day.
func addSchoolDays(day time.Time, n float64) time.Time {
	left := int(math.Ceil(n - 1e-9))
	weeks := left / 5
	d := day.AddDate(0, 0, 7*weeks)
	for left -= 5 * weeks; left > 0; {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			left--
		}
	}
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// betaQuantile returns x with I_x(a, b) = q, the q-quantile of Beta(a, b),
// by bisection on the regularized incomplete beta function. A school's
// students share few pairs (targets left, masteries), so answers are kept:
// a school of a thousand computes a few hundred, not three thousand.
func betaQuantile(q, a, b float64) float64 {
	key := quantileKey{q, a, b}
	if v, ok := quantiles.Load(key); ok {
		return v.(float64)
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	lnorm := la - lb - lc
	lo, hi := 0.0, 1.0
	for range 60 {
		mid := (lo + hi) / 2
		if regIncBeta(mid, a, b, lnorm) < q {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-7 {
			break
		}
	}
	x := (lo + hi) / 2
	if quantileCount.Add(1) <= maxQuantiles {
		quantiles.Store(key, x)
	}
	return x
}

type quantileKey struct{ q, a, b float64 }

// quantiles keeps betaQuantile's answers, at most maxQuantiles of them
// (a few hundred kilobytes).
var (
	quantiles     sync.Map
	quantileCount atomic.Int64
)

const maxQuantiles = 20000

// regIncBeta is the regularized incomplete beta function I_x(a, b), with
// lnorm = ln Γ(a+b) - ln Γ(a) - ln Γ(b), by
// the continued fraction of Numerical Recipes (betacf), used on the side
// where it converges quickly.
func regIncBeta(x, a, b, lnorm float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	front := math.Exp(lnorm + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

func betaCF(x, a, b float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 200; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-10 {
			break
		}
	}
	return h
}

// DueFromCounts stands in for DueDates where only counts are known (a
// school's pace, counted by the database): of targets, dueBy have a date
// on or before day, undated have none and the rest a date after it. The
// undated are spread evenly across the whole term, which is exact for a
// plan without dates and close for one with a few; ExpectedBy on the
// result is what the plan expects by day.
func DueFromCounts(targets, dueBy, undated int, term PaceTerm, day time.Time) []time.Time {
	out := make([]time.Time, 0, targets)
	for range dueBy {
		out = append(out, term.Start)
	}
	out = append(out, DueDates(make([]PaceTarget, undated), term)...)
	later := dayOf(day).AddDate(0, 0, 1)
	for len(out) < targets {
		out = append(out, later)
	}
	return out
}
