package supports

import (
	"cmp"
	"slices"
	"time"
)

// The figures of the outcomes of supports: for each kind of support, the
// students who received it against comparable students who did not, and
// how many of each reached mastery of the standard it worked on, and how
// soon. Decision 0029 records the rules and why; in short:
//
//   - A supported student counts once for each kind: at their first plan
//     of that kind (by start, then plan id) on its first standard (by id)
//     that they had not mastered on the day it started, counted from its
//     start however the plan ended. A plan without standards (a
//     referral may have none) has nothing to measure and is left out.
//   - A comparable student is enrolled now in a class, at the same school,
//     of a course that teaches the standard; had not mastered it on the
//     day that kind of support on it started for a schoolmate; and had no
//     plan of that kind on it starting within ComparisonMargin days
//     either way. They count once for each kind, at the earliest such day.
//   - Only starts whose follow-up is over count: OutcomeFollowUp days
//     after the start must have passed, so that every student counted had
//     the same time to get there.
//
// The figures describe; they do not say that a support caused anything:
// students are not given supports at random, teachers choose who gets
// help, and a difference may come from who was chosen.

// OutcomeWindows are the days after a start within which reaching
// mastery is counted, shown side by side.
var OutcomeWindows = [2]int{30, 60}

// OutcomeFollowUp is how many days must have passed since a start for it
// to count: the longest window.
const OutcomeFollowUp = 60

// ComparisonMargin is how many days either side of a start a comparable
// student must have had no plan of that kind on the standard.
const ComparisonMargin = 60

// MasteryTimelineStep is a moment a student's state on a standard became
// mastered, or stopped being.
type MasteryTimelineStep struct {
	At       time.Time
	Mastered bool
}

// MasteryTimeline is a student's changes on a standard, oldest first.
type MasteryTimeline []MasteryTimelineStep

// MasteredBefore reports whether the standard was mastered just before t.
func (tl MasteryTimeline) MasteredBefore(t time.Time) bool {
	m := false
	for _, c := range tl {
		if !c.At.Before(t) {
			break
		}
		m = c.Mastered
	}
	return m
}

// FirstMastered returns the first moment in [from, to) the standard
// became mastered.
func (tl MasteryTimeline) FirstMastered(from, to time.Time) (time.Time, bool) {
	for _, c := range tl {
		if c.Mastered && !c.At.Before(from) && c.At.Before(to) {
			return c.At, true
		}
	}
	return time.Time{}, false
}

// OutcomePair names a student's state on a standard.
type OutcomePair struct{ StudentID, StandardID int64 }

// OutcomePool names the comparable students of a standard at a school.
type OutcomePool struct{ SchoolID, StandardID int64 }

// OutcomeInput is what the outcomes of supports are computed from.
type OutcomeInput struct {
	// Today is the district's today.
	Today time.Time
	// Plans are the district's support plans.
	Plans []Plan
	// SchoolOf is each student's school; a student without one is left
	// out.
	SchoolOf map[int64]int64
	// Pools are, by school and standard, the students enrolled now in a
	// class of the school whose course teaches the standard.
	Pools map[OutcomePool][]int64
}

// OutcomeCandidate is a student who may count for a kind of support: on
// a standard, from a start, with the support or as a comparison. Whether
// they had mastered the standard by then is not yet known.
type OutcomeCandidate struct {
	Kind                            Kind
	StudentID, StandardID, SchoolID int64
	Start                           time.Time
	Supported                       bool
	// PlanID is the supported student's plan.
	PlanID int64
}

// LeftOutKey names the plans of a kind of support at a school (0 when
// the student is at none) that could not count.
type LeftOutKey struct {
	Kind     Kind
	SchoolID int64
}

// OutcomeLeftOut counts, for a kind of support, the plans that could not
// count and why.
type OutcomeLeftOut struct {
	// Recent plans started less than OutcomeFollowUp days ago.
	Recent int
	// NoStandard plans name no standard to measure.
	NoStandard int
	// NoSchool plans are of students enrolled at no school now.
	NoSchool int
	// Mastered students had mastered every standard of their plan on the
	// day it started (OutcomeEpisodes counts them).
	Mastered int
}

// OutcomeFollowedUp reports whether a start's follow-up is over on
// today: the whole of its OutcomeFollowUp-th day has passed.
func OutcomeFollowedUp(start, today time.Time) bool {
	return Day(today).After(Day(start).AddDate(0, 0, OutcomeFollowUp))
}

// OutcomeCandidates returns who may count, for each kind, with the
// support and as comparisons, and the plans left out. The store then
// reads the candidates' timelines (OutcomePairs) for OutcomeEpisodes.
func OutcomeCandidates(in OutcomeInput) ([]OutcomeCandidate, map[LeftOutKey]OutcomeLeftOut) {
	left := map[LeftOutKey]OutcomeLeftOut{}
	// The starts of each kind on each standard, by student, to keep the
	// comparisons to students without that help around then.
	type kindStd struct {
		kind Kind
		std  int64
	}
	starts := map[kindStd]map[int64][]time.Time{}
	plans := slices.Clone(in.Plans)
	slices.SortFunc(plans, func(a, b Plan) int { return cmp.Or(a.StartsOn.Compare(b.StartsOn), cmp.Compare(a.ID, b.ID)) })
	for _, p := range plans {
		for _, s := range p.StandardIDs {
			k := kindStd{p.Kind, s}
			if starts[k] == nil {
				starts[k] = map[int64][]time.Time{}
			}
			starts[k][p.StudentID] = append(starts[k][p.StudentID], Day(p.StartsOn))
		}
	}
	var out []OutcomeCandidate
	// The days each kind of support started on each standard at each
	// school, for the comparisons.
	type poolKind struct {
		kind Kind
		pool OutcomePool
	}
	days := map[poolKind][]time.Time{}
	for _, p := range plans {
		school, ok := in.SchoolOf[p.StudentID]
		lk := LeftOutKey{p.Kind, school}
		l := left[lk]
		switch {
		case !OutcomeFollowedUp(p.StartsOn, in.Today):
			l.Recent++
		case len(p.StandardIDs) == 0:
			l.NoStandard++
		case !ok:
			l.NoSchool++
		default:
			for _, s := range p.StandardIDs {
				out = append(out, OutcomeCandidate{Kind: p.Kind, StudentID: p.StudentID, StandardID: s, SchoolID: school,
					Start: Day(p.StartsOn), Supported: true, PlanID: p.ID})
				pk := poolKind{p.Kind, OutcomePool{school, s}}
				if d := Day(p.StartsOn); !slices.ContainsFunc(days[pk], d.Equal) {
					days[pk] = append(days[pk], d)
				}
			}
		}
		left[lk] = l
	}
	margin := time.Duration(ComparisonMargin) * 24 * time.Hour
	for pk, ds := range days {
		for _, student := range in.Pools[pk.pool] {
			own := starts[kindStd{pk.kind, pk.pool.StandardID}][student]
			for _, d := range ds {
				near := slices.ContainsFunc(own, func(t time.Time) bool {
					return !t.Before(d.Add(-margin)) && !t.After(d.Add(margin))
				})
				if !near {
					out = append(out, OutcomeCandidate{Kind: pk.kind, StudentID: student, StandardID: pk.pool.StandardID,
						SchoolID: pk.pool.SchoolID, Start: d})
				}
			}
		}
	}
	return out, left
}

// OutcomePairs returns the students' states the candidates need, each once.
func OutcomePairs(cands []OutcomeCandidate) []OutcomePair {
	seen := map[OutcomePair]bool{}
	var out []OutcomePair
	for _, c := range cands {
		k := OutcomePair{c.StudentID, c.StandardID}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// OutcomeEpisode is a student who counts for a kind of support, with the
// support or as a comparison, and when they reached mastery.
type OutcomeEpisode struct {
	OutcomeCandidate
	// Days is how many days after the start the student reached mastery,
	// when Reached within OutcomeFollowUp days.
	Days    int
	Reached bool
}

// OutcomeEpisodes keeps, of the candidates, those who had not mastered
// their standard before the start, and of those each student once for
// each kind and group (the earliest start, then the lowest plan id and
// standard id), with when they reached mastery. A candidate without a
// timeline has no evidence on the standard: not mastered. It also counts,
// in left, the supported students left out because they had mastered
// every standard of their plan already.
func OutcomeEpisodes(cands []OutcomeCandidate, timelines map[OutcomePair]MasteryTimeline, left map[LeftOutKey]OutcomeLeftOut) []OutcomeEpisode {
	sorted := slices.Clone(cands)
	slices.SortFunc(sorted, func(a, b OutcomeCandidate) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), compareOutcomeSide(a.Supported, b.Supported), cmp.Compare(a.StudentID, b.StudentID),
			a.Start.Compare(b.Start), cmp.Compare(a.PlanID, b.PlanID), cmp.Compare(a.StandardID, b.StandardID))
	})
	type who struct {
		kind      Kind
		supported bool
		student   int64
	}
	counted := map[who]bool{}
	plansLeft := map[int64]LeftOutKey{}
	var out []OutcomeEpisode
	for _, c := range sorted {
		w := who{c.Kind, c.Supported, c.StudentID}
		if counted[w] {
			continue
		}
		tl := timelines[OutcomePair{c.StudentID, c.StandardID}]
		if tl.MasteredBefore(c.Start) {
			if c.Supported {
				plansLeft[c.PlanID] = LeftOutKey{c.Kind, c.SchoolID}
			}
			continue
		}
		counted[w] = true
		e := OutcomeEpisode{OutcomeCandidate: c}
		if at, ok := tl.FirstMastered(c.Start, c.Start.AddDate(0, 0, OutcomeFollowUp+1)); ok {
			e.Reached, e.Days = true, int(at.Sub(c.Start)/(24*time.Hour))
		}
		out = append(out, e)
	}
	// A student whose first plan was on mastered standards only may count
	// at a later plan; only plans that gave no one are left out.
	for _, e := range out {
		if e.Supported {
			delete(plansLeft, e.PlanID)
		}
	}
	if left != nil {
		for _, k := range plansLeft {
			l := left[k]
			l.Mastered++
			left[k] = l
		}
	}
	return out
}

func compareOutcomeSide(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// OutcomeFigure is what a table's cell shows of a group of students:
// how many reached mastery within each of OutcomeWindows, and the days
// each who reached it within OutcomeFollowUp took. The students are the
// cell's own count.
type OutcomeFigure struct {
	Reached [len(OutcomeWindows)]int
	Days    []int
}

// Add counts an episode in the figure.
func (f *OutcomeFigure) Add(e OutcomeEpisode) {
	if !e.Reached {
		return
	}
	for i, w := range OutcomeWindows {
		if e.Days <= w {
			f.Reached[i]++
		}
	}
	f.Days = append(f.Days, e.Days)
}

// Median returns the median days to mastery of students: the fewest days
// by which half of them had reached it. over is set when fewer than half
// reached it within OutcomeFollowUp days (the median is longer than
// that, and unknown); ok is false for no students.
func (f OutcomeFigure) Median(students int) (days int, over, ok bool) {
	if students == 0 {
		return 0, false, false
	}
	half := (students + 1) / 2
	if len(f.Days) < half {
		return 0, true, true
	}
	d := slices.Sorted(slices.Values(f.Days))
	return d[half-1], false, true
}
