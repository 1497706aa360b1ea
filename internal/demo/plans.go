package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// demoInterests are what the demo's students say they like.
var demoInterests = []string{"music", "soccer", "art", "animals", "video games", "cooking", "basketball",
	"space", "dance", "nature", "drawing", "building things"}

// aheadAndBehind is how many students of the featured class go beyond the
// course (the most mastered) and how many have their plan turned to what
// they missed (the least).
const aheadAndBehind = 3

// plans gives the featured class its pathway, the course's year in the
// order it is paced, each standard to be introduced by the end of its
// unit, and applies it to every student's plan as its teacher. Then the
// teacher adjusts a few plans: the students furthest ahead get the first
// standards of the next grade's course to go beyond this one, right after
// what they have mastered; those
// furthest behind have the first target they are stuck below moved to the
// front of their plan. Every student lists a few interests.
func (l *loader) plans(sum Summary) error {
	ctx, st, ds := l.ctx, l.st, l.ds
	class := sum.Class
	var featured, next *Course
	for i, c := range ds.Courses {
		if l.ids[c.SourcedID] == class.CourseID {
			featured = &ds.Courses[i]
		}
	}
	if featured == nil {
		return fmt.Errorf("the featured class's course is not in the dataset")
	}
	for i, c := range ds.Courses {
		if c.Subject == featured.Subject && c.Grade == nextGrade(featured.Grade) {
			next = &ds.Courses[i]
		}
	}
	paced := func(course string) []Pace {
		var out []Pace
		for _, p := range ds.Pacing {
			if p.Course == course {
				out = append(out, p)
			}
		}
		slices.SortFunc(out, func(a, b Pace) int { return cmp.Compare(a.Order, b.Order) })
		return out
	}
	pw := pathways.Pathway{DistrictID: l.district, ClassID: class.ID}
	for _, p := range paced(featured.SourcedID) {
		id, err := l.id("pathway standard", p.Standard)
		if err != nil {
			return err
		}
		end := p.End
		pw.Targets = append(pw.Targets, pathways.PathwayTarget{StandardID: id, IntroduceBy: &end})
	}
	if err := st.SetClassPathway(ctx, pw); err != nil {
		return err
	}
	entry := store.AuditEntry{DistrictID: l.district, ActorID: sum.Teacher.ID, Action: access.Change, What: access.Plan,
		Relation: access.TeacherOf, Allowed: true, Route: "demo", Detail: "pathway of the featured class applied"}
	if _, err := st.ApplyPathway(ctx, l.district, class.ID, sum.Teacher.ID, entry); err != nil {
		return err
	}

	cp, err := st.ClassPlanning(ctx, l.district, class.ID)
	if err != nil {
		return err
	}
	cat, err := st.Catalog(ctx, l.district)
	if err != nil {
		return err
	}
	// Students from the most mastered targets to the fewest.
	mastered := func(id int64) int {
		n := 0
		for _, t := range cp.Plans[id].Targets {
			if cp.States[id][t.StandardID].Mastered {
				n++
			}
		}
		return n
	}
	students := slices.Clone(cp.Students)
	slices.SortStableFunc(students, func(a, b roster.Person) int { return cmp.Compare(mastered(b.ID), mastered(a.ID)) })
	var beyond []int64
	if next != nil {
		nextPaced := paced(next.SourcedID)
		for _, p := range nextPaced[:min(2, len(nextPaced))] {
			id, err := l.id("next course standard", p.Standard)
			if err != nil {
				return err
			}
			beyond = append(beyond, id)
		}
	}
	change := func(studentID int64, detail string) store.AuditEntry {
		e := entry
		e.StudentID, e.Detail = studentID, detail
		return e
	}
	for i, p := range students {
		plan := cp.Plans[p.ID].Plan
		switch {
		case i < aheadAndBehind && len(beyond) > 0:
			// The next course's standards come right after what the
			// student has mastered, so that they are what comes next.
			open := slices.IndexFunc(plan.Targets, func(t pathways.Target) bool { return !cp.States[p.ID][t.StandardID].Mastered })
			if open < 0 {
				open = len(plan.Targets)
			}
			for k, id := range beyond {
				if plan, err = plan.With(pathways.Edit{Op: pathways.EditAdd, StandardID: id}, sum.Teacher.ID); err != nil {
					return err
				}
				for plan.Position(id) > open+k {
					if plan, err = plan.With(pathways.Edit{Op: pathways.EditUp, StandardID: id}, sum.Teacher.ID); err != nil {
						return err
					}
				}
			}
		case i >= len(students)-aheadAndBehind:
			// The first open target the student is not ready for: its
			// nearest missing prerequisite in the plan moves to the front.
			standing := pathways.Standing{Prerequisites: cat.Prerequisites, State: func(id int64) (mastery.State, bool) {
				s, ok := cp.States[p.ID][id]
				return s, ok
			}}
			moved := false
			for _, t := range plan.Targets {
				rd := pathways.Ready(standing, t.StandardID)
				if rd.Ready || rd.Mastered || moved {
					continue
				}
				for _, pre := range rd.Missing {
					at := plan.Position(pre)
					for ; at > 0; at-- {
						if plan, err = plan.With(pathways.Edit{Op: pathways.EditUp, StandardID: pre}, sum.Teacher.ID); err != nil {
							return err
						}
					}
					if plan.Position(pre) == 0 {
						moved = true
						break
					}
				}
			}
			if !moved {
				continue
			}
		default:
			continue
		}
		plan.DistrictID, plan.StudentID, plan.ClassID = l.district, p.ID, class.ID
		if err := st.SavePlan(ctx, plan, sum.Teacher.ID, change(p.ID, "plan adjusted with the student")); err != nil {
			return err
		}
	}
	for _, p := range cp.Students {
		r := rand.New(rand.NewPCG(uint64(ds.Seed), uint64(p.ID)))
		n := 1 + r.IntN(3)
		picked := make([]string, 0, n)
		for _, i := range r.Perm(len(demoInterests))[:n] {
			picked = append(picked, demoInterests[i])
		}
		if err := st.SetStudentInterests(ctx, l.district, p.ID, picked, change(p.ID, "interests")); err != nil {
			return err
		}
	}
	return nil
}

// nextGrade is the grade after grade ("6" gives "7"), "" when grade is
// not a number.
func nextGrade(grade string) string {
	n, err := strconv.Atoi(grade)
	if err != nil {
		return ""
	}
	return strconv.Itoa(n + 1)
}
