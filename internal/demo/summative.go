package demo

import (
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/store"
)

// summative gives the district its rules for the summative and retakes,
// adopted by the administrator, and has the featured class's teacher
// confirm one of the students the rules propose as ready (the featured
// student when he is among them), so that a newcomer sees proposals, a
// confirmation and retakes waiting on practice in the featured class.
func (l *loader) summative() error {
	ctx, st, f := l.ctx, l.st, l.ds.Featured
	admin, err := l.id("admin", f.Admin)
	if err != nil {
		return err
	}
	teacher, err := l.id("teacher", f.Teacher)
	if err != nil {
		return err
	}
	class, err := l.id("class", f.Class)
	if err != nil {
		return err
	}
	featured, err := l.id("student", f.Student)
	if err != nil {
		return err
	}
	p := pathways.SummativePolicy{Ready: pathways.DefaultReadinessBar(),
		Reassess: pathways.ReassessPolicy{PracticeBeforeRetake: 2, MaxAttempts: 3, Counts: pathways.CountLatest}}
	if err := st.SetSummativePolicy(ctx, l.district, p, admin, "Adopted by the assessment committee: two pieces of practice before a retake, three attempts."); err != nil {
		return err
	}
	c, err := st.Class(ctx, l.district, class)
	if err != nil {
		return err
	}
	students, err := st.ClassStudents(ctx, l.district, class)
	if err != nil {
		return err
	}
	cat, err := st.Catalog(ctx, l.district)
	if err != nil {
		return err
	}
	course := cat.CourseStandards(c.CourseID)
	ids, stds := make([]int64, len(students)), make([]int64, len(course))
	for i, s := range students {
		ids[i] = s.ID
	}
	for j, s := range course {
		stds[j] = s.ID
	}
	in, err := st.SummativeInputs(ctx, l.district, ids, stds)
	if err != nil {
		return err
	}
	var pick *store.StudentStandard
	for _, std := range course {
		for _, s := range students {
			k := store.StudentStandard{Student: s.ID, Standard: std.ID}
			if !in.Policy.Propose(in.Standings[k], in.Histories[k], cat.ScaleOf(std)).Proposed {
				continue
			}
			if pick == nil || s.ID == featured && pick.Student != featured {
				pick = &k
			}
		}
	}
	if pick == nil {
		return nil
	}
	return st.DecideSummative(ctx, &store.SummativeDecision{DistrictID: l.district, StudentID: pick.Student,
		StandardID: pick.Standard, Decision: store.SummativeConfirmed, DecidedBy: teacher})
}
