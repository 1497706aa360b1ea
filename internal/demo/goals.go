package demo

import (
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// goals gives the featured student a goal set after his latest
// assessment in the featured class, with his teacher's comment, and a
// proposal of his own that she approved; and leaves two proposals of his
// classmates waiting for her, so that "a student after a quiz" and the
// teacher's proposals to approve can be tried at once. Nothing is random:
// the goal is due on the Friday after the district's today.
func (l *loader) goals(sum Summary) error {
	ctx, st, d := l.ctx, l.st, l.district
	cat, err := st.Catalog(ctx, d)
	if err != nil {
		return err
	}
	course := cat.CourseStandards(sum.Class.CourseID)
	// The target is the unit rates standard when the course has it.
	target, ok := findStandard(course, "6.RP.A.2")
	if !ok {
		if target, ok = findStandard(course, ""); !ok {
			return nil
		}
	}
	student, teacher := sum.Student.ID, sum.Teacher.ID
	evs, _, err := st.StudentEvidence(ctx, d, student, store.EvidenceFilter{Page: store.Page{Limit: 50}})
	if err != nil {
		return err
	}
	var after *int64
	for _, ev := range evs {
		if ev.ClassID != nil && *ev.ClassID == sum.Class.ID && ev.Kind != evidence.Formative {
			after = &ev.ID
			break
		}
	}
	if after == nil && len(evs) > 0 {
		after = &evs[0].ID
	}
	today := pathways.Today(st.Now())
	friday := today.AddDate(0, 0, (int(time.Friday)-int(today.Weekday())+7)%7)
	if friday.Equal(today) {
		friday = friday.AddDate(0, 0, 7)
	}
	g := pathways.Goal{DistrictID: d, StudentID: student, EvidenceID: after, GoalDraft: pathways.GoalDraft{
		What: "Finish playlist B on unit rates",
		Due:  friday,
		Plan: "Two activities a day, then the practice quiz on Thursday",
		Need: "A mini lesson on converting units",
	}}
	if err := st.CreateGoal(ctx, &g); err != nil {
		return err
	}
	if _, err := st.CommentOnGoal(ctx, d, g.ID, teacher, "Good plan. Join the small group at table 3 on Wednesday for converting units."); err != nil {
		return err
	}

	mine := pathways.Proposal{DistrictID: d, StudentID: student, ClassID: sum.Class.ID, StandardID: target.ID,
		ProposalDraft: pathways.ProposalDraft{
			Title: "Best buys at the corner store",
			Plan:  "Find the price per ounce of five snacks at the corner store and make a poster of the best buys.",
		}}
	if err := st.CreateProposal(ctx, &mine); err != nil {
		return err
	}
	if _, err := st.DecideProposal(ctx, d, mine.ID, teacher, pathways.Decision{Approve: true,
		Comment: "Yes! Show each price as a unit rate, with its units."}); err != nil {
		return err
	}

	// Two classmates' proposals wait for the teacher.
	enrolled, err := st.Enrollments(ctx, d, sum.Class.ID)
	if err != nil {
		return err
	}
	waiting := []pathways.ProposalDraft{
		{Title: "Recipe for a class party", Plan: "Scale my grandmother's tamale recipe from 12 to 30 people and explain the ratios."},
		{Title: "Running pace video", Plan: "Film my cross-country laps and work out my pace in minutes per mile.", Link: "https://www.khanacademy.org/math/cc-sixth-grade-math/cc-6th-ratios-prop-topic"},
	}
	for _, e := range enrolled {
		if len(waiting) == 0 {
			break
		}
		if e.Role != roster.EnrolledStudent || e.PersonID == student {
			continue
		}
		p := pathways.Proposal{DistrictID: d, StudentID: e.PersonID, ClassID: sum.Class.ID, StandardID: target.ID, ProposalDraft: waiting[0]}
		if err := st.CreateProposal(ctx, &p); err != nil {
			return err
		}
		waiting = waiting[1:]
	}
	return nil
}

// findStandard returns the standard of stds with code, or the first with
// a code when code is "".
func findStandard(stds []standards.Standard, code string) (standards.Standard, bool) {
	i := slices.IndexFunc(stds, func(s standards.Standard) bool {
		return (code == "" && s.Code != "") || (code != "" && strings.EqualFold(s.Code, code))
	})
	if i < 0 {
		return standards.Standard{}, false
	}
	return stds[i], true
}
