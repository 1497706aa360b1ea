package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestPlans runs class pathways, students' plans and interests on every
// engine.
func TestPlans(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			testPlans(t, open(t, eng.url(t)))
		})
	}
}

func targetIDs(ts []pathways.Target) []int64 {
	var out []int64
	for _, t := range ts {
		out = append(out, t.StandardID)
	}
	return out
}

func testPlans(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "plans")
	id := x.d.ID
	// A standard of the next course, for going beyond this one.
	next := roster.Course{DistrictID: id, Title: "Math 7"}
	ok(t, s.CreateCourse(ctx, &next))
	s7 := standards.Standard{DistrictID: id, FrameworkID: x.fw.ID, Code: "7.RP.A.1", Statement: "Compute unit rates with fractions", Position: 9}
	ok(t, s.CreateStandard(ctx, &s7))
	ok(t, s.SetCourseStandards(ctx, id, next.ID, []int64{s7.ID}))
	ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s2.ID, PrerequisiteID: x.s1.ID}))

	due := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	entry := func(student int64) store.AuditEntry {
		return store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, StudentID: student, Action: access.Change,
			What: access.Plan, Relation: access.TeacherOf, Allowed: true, Route: "POST /classes/{id}/pathway", RequestID: "req-p"}
	}

	t.Run("a pathway holds the course's standards, named when not", func(t *testing.T) {
		err := s.SetClassPathway(ctx, pathways.Pathway{DistrictID: id, ClassID: x.class.ID,
			Targets: []pathways.PathwayTarget{{StandardID: x.s1.ID}, {StandardID: s7.ID}}})
		if !errors.Is(err, problem.ErrInvalid) || !strings.Contains(err.Error(), "7.RP.A.1") {
			t.Fatalf("got %v, want a refusal naming 7.RP.A.1", err)
		}
		pw, err := s.ClassPathway(ctx, id, x.class.ID)
		ok(t, err)
		if len(pw.Targets) != 0 {
			t.Fatalf("a refused pathway was written: %+v", pw)
		}
		ok(t, s.SetClassPathway(ctx, pathways.Pathway{DistrictID: id, ClassID: x.class.ID,
			Targets: []pathways.PathwayTarget{{StandardID: x.s2.ID, IntroduceBy: &due}, {StandardID: x.s1.ID}, {StandardID: x.s3.ID}}}))
		pw, err = s.ClassPathway(ctx, id, x.class.ID)
		ok(t, err)
		if len(pw.Targets) != 3 || pw.Targets[0].StandardID != x.s2.ID || pw.Targets[0].IntroduceBy == nil ||
			!pw.Targets[0].IntroduceBy.Equal(due) || pw.Targets[1].IntroduceBy != nil {
			t.Fatalf("got %+v", pw)
		}
	})

	t.Run("a student without a plan follows the pathway", func(t *testing.T) {
		plans, _, err := s.StudentPlans(ctx, id, x.alice.ID)
		ok(t, err)
		if len(plans) != 1 || plans[0].Stored || len(plans[0].Targets) != 3 || plans[0].Class.ID != x.class.ID {
			t.Fatalf("got %+v", plans)
		}
	})

	t.Run("applying the pathway writes every student's plan, audited", func(t *testing.T) {
		n, err := s.ApplyPathway(ctx, id, x.class.ID, x.teacher.ID, entry(0))
		ok(t, err)
		if n != 3 {
			t.Fatalf("applied to %d students, want 3", n)
		}
		cp, err := s.ClassPlanning(ctx, id, x.class.ID)
		ok(t, err)
		for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
			sp := cp.Plans[p.ID]
			if !sp.Stored || len(sp.Targets) != 3 || sp.Targets[0].AddedBy != x.teacher.ID || sp.Targets[0].Due == nil {
				t.Errorf("%s's plan = %+v", p.Name(), sp)
			}
		}
		all, _, err := s.SearchAudit(ctx, id, store.AuditFilter{ActorID: x.teacher.ID})
		ok(t, err)
		var plans int
		for _, a := range all {
			if a.What == access.Plan && a.Action == access.Change {
				plans++
			}
		}
		if plans != 3 {
			t.Errorf("%d plan changes audited, want 3", plans)
		}
	})

	t.Run("a plan goes beyond the course only by a teacher", func(t *testing.T) {
		plans, _, err := s.StudentPlans(ctx, id, x.alice.ID)
		ok(t, err)
		p := plans[0].Plan
		bad := p
		bad.Targets = append(append([]pathways.Target(nil), p.Targets...), pathways.Target{StandardID: s7.ID, Origin: pathways.FromPathway})
		err = s.SavePlan(ctx, bad, x.teacher.ID, entry(x.alice.ID))
		if !errors.Is(err, problem.ErrInvalid) || !strings.Contains(err.Error(), "7.RP.A.1") {
			t.Fatalf("got %v, want a refusal naming 7.RP.A.1", err)
		}
		other := p
		other.Targets = append(append([]pathways.Target(nil), p.Targets...), pathways.Target{StandardID: x.domain.ID, Origin: pathways.AddedByTeacher})
		if err := s.SavePlan(ctx, other, x.teacher.ID, entry(x.alice.ID)); !errors.Is(err, problem.ErrInvalid) || !strings.Contains(err.Error(), "6.RP") {
			t.Fatalf("got %v, want a refusal naming 6.RP", err)
		}
		good, err := p.With(pathways.Edit{Op: pathways.EditAdd, StandardID: s7.ID}, x.teacher.ID)
		ok(t, err)
		good, err = good.With(pathways.Edit{Op: pathways.EditUp, StandardID: x.s1.ID}, x.teacher.ID)
		ok(t, err)
		ok(t, s.SavePlan(ctx, good, x.teacher.ID, entry(x.alice.ID)))
		plans, _, err = s.StudentPlans(ctx, id, x.alice.ID)
		ok(t, err)
		got := plans[0].Targets
		if want := []int64{x.s1.ID, x.s2.ID, x.s3.ID, s7.ID}; !sameInts(targetIDs(got), want) || !got[3].Beyond || got[3].Origin != pathways.AddedByTeacher {
			t.Fatalf("got %+v, want %v with the last beyond", got, want)
		}
		// A student of another class is refused.
		stranger := roster.Person{DistrictID: id, GivenName: "Zed", Roles: []roster.Role{roster.RoleStudent}}
		ok(t, s.CreatePerson(ctx, &stranger))
		good.StudentID = stranger.ID
		if err := s.SavePlan(ctx, good, x.teacher.ID); !errors.Is(err, problem.ErrInvalid) {
			t.Fatalf("got %v, want the student refused", err)
		}
	})

	t.Run("interests", func(t *testing.T) {
		ok(t, s.SetStudentInterests(ctx, id, x.alice.ID, []string{" music", "Soccer", "MUSIC", ""}, entry(x.alice.ID)))
		got, err := s.StudentInterests(ctx, id, x.alice.ID)
		ok(t, err)
		if strings.Join(got, ",") != "music,Soccer" {
			t.Fatalf("got %q", got)
		}
		cp, err := s.ClassPlanning(ctx, id, x.class.ID)
		ok(t, err)
		if strings.Join(cp.Interests[x.alice.ID], ",") != "music,Soccer" {
			t.Fatalf("class interests = %v", cp.Interests)
		}
		if err := s.SetStudentInterests(ctx, id, x.alice.ID, []string{strings.Repeat("a", 61)}); err == nil || !strings.Contains(err.Error(), "limits.Interest") {
			t.Fatalf("got %v, want the limit named", err)
		}
		if err := s.SetStudentInterests(ctx, id, x.teacher.ID, []string{"x"}); !errors.Is(err, problem.ErrInvalid) {
			t.Fatalf("got %v, want a teacher refused as a student", err)
		}
	})
}

func sameInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
