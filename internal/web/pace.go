package web

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// coursePlan is the plan a student of a class follows until a plan of
// their own is made: the course's academic standards in the catalog's
// order, without dates, so that pace spreads them evenly across the
// class's term. Dispositions (the 4Cs) grow all year rather than one after
// another, and are left out, unless the course has nothing else.
func coursePlan(cat *standards.Catalog, courseID int64) []pathways.PaceTarget {
	stds := cat.CourseStandards(courseID)
	out := make([]pathways.PaceTarget, 0, len(stds))
	for _, st := range stds {
		if fw, ok := cat.Framework(st.FrameworkID); ok && fw.Kind != standards.Academic {
			continue
		}
		out = append(out, pathways.PaceTarget{StandardID: st.ID})
	}
	if len(out) == 0 {
		for _, st := range stds {
			out = append(out, pathways.PaceTarget{StandardID: st.ID})
		}
	}
	return out
}

// coursePlanStandards is the standards of a course's plan, for the store.
func coursePlanStandards(cat *standards.Catalog) func(courseID int64) []int64 {
	return func(courseID int64) []int64 {
		plan := coursePlan(cat, courseID)
		out := make([]int64, len(plan))
		for i, t := range plan {
			out[i] = t.StandardID
		}
		return out
	}
}

// planTargets is the plan pace measures a student of a class against:
// their own plan, or the class's pathway applied to them (what the store
// hands for a student without one), or, for a class without a pathway,
// the course's plan.
func planTargets(cat *standards.Catalog, sp store.StudentPlan, courseID int64) []pathways.PaceTarget {
	if !sp.Stored && len(sp.Targets) == 0 {
		return coursePlan(cat, courseID)
	}
	out := make([]pathways.PaceTarget, len(sp.Targets))
	for i, t := range sp.Targets {
		out[i] = pathways.PaceTarget{StandardID: t.StandardID}
		if t.Due != nil {
			out[i].Due = *t.Due
		}
	}
	return out
}

// masteredOf is the standards a student has mastered, with the date of
// the latest evidence of each, from their states.
func masteredOf(states map[int64]mastery.State) map[int64]time.Time {
	out := make(map[int64]time.Time, len(states))
	for id, st := range states {
		if st.Mastered {
			out[id] = st.LastAssessed
		}
	}
	return out
}

func paceTermOf(t roster.Term) pathways.PaceTerm {
	return pathways.PaceTerm{Start: t.StartDate, End: t.EndDate}
}

// parentsOf is the set of standards with children in the catalog:
// mastering one is a rollup, not a target of its own.
func parentsOf(cat *standards.Catalog) map[int64]bool {
	out := map[int64]bool{}
	for _, st := range cat.Standards() {
		if st.ParentID != nil {
			out[*st.ParentID] = true
		}
	}
	return out
}

// studentPace is one student's pace against a plan: targets marked
// mastered from the student's states, and the standards mastered since
// the term began outside the plan (leaves only) counted as beyond it.
func studentPace(plan []pathways.PaceTarget, mastered map[int64]time.Time, parents map[int64]bool,
	term pathways.PaceTerm, th pathways.PaceThresholds, now time.Time) pathways.Pace {
	in := pathways.PaceInput{Targets: make([]pathways.PaceTarget, len(plan))}
	inPlan := make(map[int64]bool, len(plan))
	for i, t := range plan {
		inPlan[t.StandardID] = true
		if at, ok := mastered[t.StandardID]; ok {
			t.Mastered, t.MasteredAt = true, at
		}
		in.Targets[i] = t
	}
	for id, at := range mastered {
		if !inPlan[id] && !parents[id] && !at.Before(term.Start) {
			in.Beyond++
		}
	}
	return pathways.ComputePace(in, term, th, now)
}

// paceWords are a pace in words for a table row or a sentence.
type paceWords struct {
	Status, StatusLabel string
	// Projected is the projected date with its range, "Mar 12 (Mar 2 –
	// Mar 30)", or why there is none.
	Projected string
	// Spread is how far the range goes either way, "a week".
	Spread string
}

func describePace(pr *i18n.Printer, p pathways.Pace) paceWords {
	w := paceWords{Status: string(p.Status), StatusLabel: pr.T("pace.status." + string(p.Status))}
	switch {
	case p.Targets == 0:
		w.Projected = pr.T("pace.no_targets")
	case p.Done:
		w.Projected = pr.T("pace.done_on", pr.Date(p.Projected))
	case !p.Projectable():
		w.Projected = pr.T("pace.no_projection")
	default:
		w.Projected = pr.T("pace.projected", pr.Date(p.Projected), pr.ShortDate(p.Earliest), pr.ShortDate(p.Latest))
		w.Spread = spreadWords(pr, p)
	}
	return w
}

// spreadWords says how far a projection's range goes either way of it, in
// the words a family uses: "a few days", "a week", "3 weeks".
func spreadWords(pr *i18n.Printer, p pathways.Pace) string {
	days := math.Max(p.Projected.Sub(p.Earliest).Hours(), p.Latest.Sub(p.Projected).Hours()) / 24
	switch {
	case days < 4:
		return pr.T("pace.spread.days")
	case days < 11:
		return pr.T("pace.spread.week")
	}
	return pr.N("pace.spread.weeks", int(math.Round(days/7)))
}

// familyPaceSentence is a student's pace in a class for their family, in
// plain words: "Leo is on track to finish the 45 targets of Math 6 by
// March 12, 2027, give or take a week."
func familyPaceSentence(pr *i18n.Printer, name, course string, p pathways.Pace, term pathways.PaceTerm) string {
	switch {
	case p.Targets == 0:
		return ""
	case p.Done:
		return pr.T("pace.family.done", name, p.Targets, course)
	case !p.Projectable():
		return pr.T("pace.family.early."+string(p.Status), name, p.Targets, course)
	case p.Status == pathways.PaceBehind && !p.FinishesInTerm(term):
		return pr.T("pace.family.behind_late", name, p.Targets, course, pr.Date(p.Projected), spreadWords(pr, p), pr.Date(term.End))
	}
	return pr.T("pace.family."+string(p.Status), name, p.Targets, course, pr.Date(p.Projected), spreadWords(pr, p))
}

// Pace chart geometry, in SVG user units, as chart.go's.
const (
	paceW, paceH                             = 600, 220
	paceLeft, paceRight, paceTop, paceBottom = 44, 20, 14, 34
)

// paceChart is the plan's targets over the term, drawn by the server as
// SVG: the line of targets expected by each day, the students' targets
// mastered now, and for one student the projected date with its range.
type paceChart struct {
	ID, Title, Desc          string
	W, H                     int
	Left, Right, Top, Bottom string
	Expected                 string // the polyline of the expected line
	TodayX                   string
	YTicks, XTicks           []chartTick
	Dots                     []paceDot
	// Range is the projection, when the chart shows one student's.
	Range *paceRange
	// Legend names what each mark is.
	Legend []string
}

type paceDot struct {
	X, Y, Label string
	Status      string
}

type paceRange struct {
	X1, X2, X, Y string
}

// newPaceChart lays out a plan of len(due) targets over term, with one
// dot per student at today's x and their mastered count, and, when proj
// is set, that one student's projection.
func newPaceChart(pr *i18n.Printer, id, title, desc string, term pathways.PaceTerm, due []time.Time, now time.Time,
	dots []paceDot, counts []int, proj *pathways.Pace) *paceChart {
	n := len(due)
	if n == 0 || !term.End.After(term.Start) {
		return nil
	}
	axis := countAxis(n)
	c := &paceChart{ID: id, Title: title, Desc: desc, W: paceW, H: paceH,
		Left: paceItoa(paceLeft), Right: paceItoa(paceW - paceRight), Top: paceItoa(paceTop), Bottom: paceItoa(paceH - paceBottom)}
	start, end := term.Start, term.End
	if proj != nil && proj.Projectable() && proj.Latest.After(end) {
		end = proj.Latest
	}
	span := end.Sub(start).Hours()
	x := func(t time.Time) float64 {
		f := t.Sub(start).Hours() / span
		return paceLeft + math.Max(0, math.Min(1, f))*float64(paceW-paceLeft-paceRight)
	}
	y := func(v float64) float64 {
		return float64(paceH-paceBottom) - (v-axis.Lo)/(axis.Hi-axis.Lo)*float64(paceH-paceBottom-paceTop)
	}
	// The expected line steps up at each target's date.
	pts := fmt.Sprintf("%.1f,%.1f", x(start), y(0))
	for i, d := range due {
		pts += fmt.Sprintf(" %.1f,%.1f %.1f,%.1f", x(d), y(float64(i)), x(d), y(float64(i+1)))
	}
	pts += fmt.Sprintf(" %.1f,%.1f", x(term.End), y(float64(n)))
	c.Expected = pts
	c.TodayX = fmt.Sprintf("%.1f", x(now))
	for _, v := range axis.Ticks {
		c.YTicks = append(c.YTicks, chartTick{At: fmt.Sprintf("%.1f", y(v)), Label: strconv.Itoa(int(v))})
	}
	// Month ticks along x.
	m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, start.Location()).AddDate(0, 1, 0)
	for i := 0; !m.After(end); i++ {
		c.XTicks = append(c.XTicks, chartTick{At: fmt.Sprintf("%.1f", x(m)), Label: pr.T("date.mon." + strconv.Itoa(int(m.Month()))), Alternate: i%2 == 1})
		m = m.AddDate(0, 1, 0)
	}
	for i := range dots {
		dots[i].X, dots[i].Y = c.TodayX, fmt.Sprintf("%.1f", y(float64(counts[i])))
	}
	c.Dots = dots
	c.Legend = []string{pr.T("pace.chart.expected"), pr.T("pace.chart.mastered")}
	if proj != nil && proj.Projectable() && !proj.Done {
		c.Range = &paceRange{X1: fmt.Sprintf("%.1f", x(proj.Earliest)), X2: fmt.Sprintf("%.1f", x(proj.Latest)),
			X: fmt.Sprintf("%.1f", x(proj.Projected)), Y: fmt.Sprintf("%.1f", y(float64(n)))}
		c.Legend = append(c.Legend, pr.T("pace.chart.projected"))
	}
	return c
}

func paceItoa(i int) string { return strconv.Itoa(i) }
