package demo

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/supports"
)

// The closed history of support plans: how many students of a class get
// each kind of support in a round.
const (
	historyTutored  = 2
	historyRetaught = 6
	historyExtended = 3
	// historyRounds is how many past weeks plans started in.
	historyRounds = 3
)

// supportsHistory gives every class the supports its teacher ran earlier
// in the term, started and ended on past days and closed with their
// outcomes, so that the outcomes of supports have a history to show at
// once. In each round (a Tuesday whose follow-up is over, the latest
// first) each class in turn looks at the standards its course had been
// teaching for a week by then: the standard most of its students had not
// mastered gets small-group reteach for six of them and tutoring for the
// two furthest behind; the student furthest behind on the next such
// standard is referred; and the three students who had mastered the most
// go on to the next standard of the course. Plans run three weeks and
// close with what the evidence showed: met when the standard was
// mastered by then, not met otherwise. Nothing is random.
func (l *loader) supportsHistory() error {
	ctx, st, ds := l.ctx, l.st, l.ds
	today := supports.Day(st.Now())
	start := supports.Day(schoolYearOf(ds.Now).start)
	var rounds []time.Time
	for d := today.AddDate(0, 0, -supports.OutcomeFollowUp-1); !d.Before(start.AddDate(0, 0, 21)) && len(rounds) < historyRounds; d = d.AddDate(0, 0, -1) {
		if d.Weekday() == time.Tuesday && supports.OutcomeFollowedUp(d, today) {
			rounds = append(rounds, d)
		}
	}
	if len(rounds) == 0 {
		return nil // too early in the year for any support to be over
	}
	paced := map[string][]Pace{}
	for _, p := range ds.Pacing {
		paced[p.Course] = append(paced[p.Course], p)
	}
	for _, ps := range paced {
		slices.SortFunc(ps, func(a, b Pace) int { return cmp.Compare(a.Order, b.Order) })
	}
	type class struct {
		Class
		teacher  string
		students []string
	}
	codes := map[int64]string{}
	for _, s := range ds.Standards {
		codes[l.ids[s.SourcedID]] = s.Code
	}
	var classes []*class
	byID := map[string]*class{}
	for _, c := range ds.Classes {
		k := &class{Class: c}
		classes = append(classes, k)
		byID[c.SourcedID] = k
	}
	for _, e := range ds.Enrollments {
		k := byID[e.Class]
		switch {
		case e.Role == roster.EnrolledStudent:
			k.students = append(k.students, e.Person)
		case e.Role == roster.EnrolledTeacher && e.Primary:
			k.teacher = e.Person
		}
	}
	for ci, k := range classes {
		if k.teacher == "" || len(k.students) == 0 {
			continue
		}
		day := rounds[ci%len(rounds)]
		var taught, next []int64
		for _, p := range paced[k.Course] {
			id, err := l.id("standardId", p.Standard)
			if err != nil {
				return err
			}
			switch {
			case !p.Start.After(day.AddDate(0, 0, -7)):
				taught = append(taught, id)
			case len(next) == 0:
				next = append(next, id)
			}
		}
		if len(taught) == 0 {
			continue
		}
		students := make([]int64, len(k.students))
		var pairs []supports.OutcomePair
		for i, s := range k.students {
			if students[i], _ = l.id("studentId", s); students[i] == 0 {
				return fmt.Errorf("student %s of class %s not loaded", s, k.SourcedID)
			}
			for _, std := range append(slices.Clone(taught), next...) {
				pairs = append(pairs, supports.OutcomePair{StudentID: students[i], StandardID: std})
			}
		}
		tls, err := st.MasteryTimelines(ctx, l.district, pairs)
		if err != nil {
			return err
		}
		mastered := func(student, std int64) bool {
			return tls[supports.OutcomePair{StudentID: student, StandardID: std}].MasteredBefore(day)
		}
		// Each student's count of taught standards mastered by the day,
		// and each standard's students who had not mastered it.
		count := map[int64]int{}
		behind := map[int64][]int64{}
		for _, s := range students {
			for _, std := range taught {
				if mastered(s, std) {
					count[s]++
				} else {
					behind[std] = append(behind[std], s)
				}
			}
		}
		order := slices.Clone(taught)
		slices.SortStableFunc(order, func(a, b int64) int { return cmp.Compare(len(behind[b]), len(behind[a])) })
		furthest := func(ids []int64) []int64 {
			out := slices.Clone(ids)
			slices.SortStableFunc(out, func(a, b int64) int { return cmp.Or(cmp.Compare(count[a], count[b]), cmp.Compare(a, b)) })
			return out
		}
		teacher, err := l.id("teacher", k.teacher)
		if err != nil {
			return err
		}
		classID := l.ids[k.SourcedID]
		plan := func(student, std int64, tier supports.Tier, kind supports.Kind, schedule, goal string) error {
			ends := day.AddDate(0, 0, 21)
			p := supports.Plan{DistrictID: l.district, CreatedBy: teacher, PlanDraft: supports.PlanDraft{StudentID: student, ClassID: &classID,
				Tier: tier, Kind: kind, StandardIDs: []int64{std}, ProviderID: teacher, Schedule: schedule,
				StartsOn: day, EndsOn: &ends, Goal: fmt.Sprintf(goal, codes[std])}}
			if err := st.CreateSupportPlan(ctx, &p); err != nil {
				return fmt.Errorf("support plan of %d in class %s: %w", student, k.SourcedID, err)
			}
			o, note := supports.GoalNotMet, "Not mastered yet: keep it in the plan."
			if _, ok := tls[supports.OutcomePair{StudentID: student, StandardID: std}].FirstMastered(day, ends.AddDate(0, 0, 1)); ok {
				o, note = supports.GoalMet, "Mastered: back with the class."
			}
			_, err := st.CloseSupportPlanOn(ctx, l.district, p.ID, o, note, ends)
			return err
		}
		first := furthest(behind[order[0]])
		for i, s := range first {
			var err error
			switch {
			case i < historyTutored:
				err = plan(s, order[0], supports.Tier3, supports.Tutoring, "Daily, 30 min with the tutor", "%s mastered with daily tutoring")
			case i < historyTutored+historyRetaught:
				err = plan(s, order[0], supports.Tier2, supports.Reteach, "Tue and Thu, 20 min at the small table", "%s mastered after small-group reteach")
			}
			if err != nil {
				return err
			}
		}
		if len(order) > 1 {
			if second := furthest(behind[order[1]]); len(second) > 0 {
				if err := plan(second[0], order[1], supports.Tier3, supports.Referral, "Weekly with the reading and math specialist",
					"Referred to the specialist for %s"); err != nil {
					return err
				}
			}
		}
		if len(next) > 0 {
			ahead := slices.Clone(students)
			slices.SortStableFunc(ahead, func(a, b int64) int { return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b)) })
			n := 0
			for _, s := range ahead {
				if n == historyExtended || count[s] < len(taught) {
					break
				}
				if mastered(s, next[0]) {
					continue
				}
				if err := plan(s, next[0], supports.Tier1, supports.Extension, "Fridays, project time", "%s started ahead of the class"); err != nil {
					return err
				}
				n++
			}
		}
	}
	return nil
}
