package store_test

import (
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestPace runs what pace reads and the district's thresholds on every
// engine.
func TestPace(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Run("thresholds", func(t *testing.T) { testPaceThresholds(t, open(t, eng.url(t))) })
			t.Run("school pace", func(t *testing.T) { testSchoolPace(t, open(t, eng.url(t))) })
		})
	}
}

func testPaceThresholds(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "pace")
	th, err := s.PaceThresholds(ctx, x.d.ID)
	ok(t, err)
	if th != pathways.DefaultPaceThresholds() {
		t.Errorf("thresholds of a new district %+v, want the defaults", th)
	}
	// A bar out of range is refused, naming it, and nothing is written.
	err = s.SetPaceThresholds(ctx, x.d.ID, pathways.PaceThresholds{BehindTargets: 0, BehindPercent: 10, AheadTargets: 3}, x.teacher.ID, "stricter")
	wantInvalid(t, err, -1, "behindTargets", "between 1 and 100")
	err = s.SetPaceThresholds(ctx, x.d.ID, pathways.PaceThresholds{BehindTargets: 3, BehindPercent: 10, AheadTargets: 3}, 0, "stricter")
	wantInvalid(t, err, -1, "changedBy", "required")
	if changes, err := s.PaceChanges(ctx, x.d.ID); err != nil || len(changes) != 0 {
		t.Fatalf("changes after refusals: %v, %v; want none", changes, err)
	}

	want := pathways.PaceThresholds{BehindTargets: 3, BehindPercent: 10, AheadTargets: 4}
	ok(t, s.SetPaceThresholds(ctx, x.d.ID, want, x.teacher.ID, "the board asked for earlier warnings"))
	ok(t, s.SetPaceThresholds(ctx, x.d.ID, pathways.DefaultPaceThresholds(), x.teacher.ID, "back"))
	th, err = s.PaceThresholds(ctx, x.d.ID)
	ok(t, err)
	if th != pathways.DefaultPaceThresholds() {
		t.Errorf("thresholds %+v, want the defaults set again", th)
	}
	changes, err := s.PaceChanges(ctx, x.d.ID)
	ok(t, err)
	if len(changes) != 2 {
		t.Fatalf("%d changes, want 2", len(changes))
	}
	if c := changes[0]; c.Old != nil || c.New != want || c.ChangedBy != x.teacher.ID || c.Reason != "the board asked for earlier warnings" || c.ChangedAt.IsZero() {
		t.Errorf("first change %+v", c)
	}
	if c := changes[1]; c.Old == nil || *c.Old != want || c.New != pathways.DefaultPaceThresholds() {
		t.Errorf("second change %+v, want from %+v to the defaults", c, want)
	}
	_, err = s.PaceThresholds(ctx, x.d.ID+1000)
	wantKind(t, err, problem.ErrNotFound, "district")
}

func testSchoolPace(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "pace")
	// Alice masters s1 and s2 (and so the cluster); Bob tries s1.
	for _, ev := range []struct {
		who   int
		score float64
	}{{0, 4}, {1, 2}} {
		p := x.alice
		if ev.who == 1 {
			p = x.bob
		}
		rec := x.ev(p, 3, level(x.s1, ev.score), level(x.s2, ev.score))
		ok(t, s.RecordEvidence(ctx, &rec))
	}
	// The plan: the course's standards but s3.
	courseTargets := func(courseID int64) []int64 {
		if courseID != x.course.ID {
			t.Errorf("targets of course %d, want only the class's %d", courseID, x.course.ID)
		}
		return []int64{x.s1.ID, x.s2.ID, x.cluster.ID, x.domain.ID}
	}
	sp, err := s.SchoolPace(ctx, x.d.ID, x.school.ID, start, courseTargets)
	ok(t, err)
	if sp.School.ID != x.school.ID || sp.Thresholds != pathways.DefaultPaceThresholds() {
		t.Errorf("school %+v, thresholds %+v", sp.School, sp.Thresholds)
	}
	if len(sp.Classes) != 1 || sp.Classes[0].Class.ID != x.class.ID || sp.Classes[0].Term.ID != x.term.ID ||
		!sp.Classes[0].Term.StartDate.Equal(x.term.StartDate) {
		t.Fatalf("classes %+v, want the class with its term", sp.Classes)
	}
	var names []string
	for _, p := range sp.Classes[0].Students {
		names = append(names, p.GivenName)
	}
	if len(names) != 3 || names[0] != "Bob" || names[1] != "Cleo" || names[2] != "Alice" {
		t.Errorf("students %v, want Bob, Cleo, Alice (by family name)", names)
	}
	// The course maps s3, s1, s2 and the cluster, and the targets are s1,
	// s2, the cluster and the domain: Alice has mastered s1, s2, the
	// cluster and the domain, which the course does not map, assessed
	// three days before the clock starts.
	alice := sp.Courses[store.ClassStudentKey{ClassID: x.class.ID, StudentID: x.alice.ID}]
	at := x.ev(x.alice, 3).AssessedAt.Truncate(time.Microsecond)
	// The targets the course maps: s1, s2 and the cluster.
	if alice.Mastered != 3 || !alice.Last.Equal(at) {
		t.Errorf("Alice's counts %+v, want 3 mastered, last at %s", alice, at)
	}
	if bob, ok := sp.Courses[store.ClassStudentKey{ClassID: x.class.ID, StudentID: x.bob.ID}]; ok {
		t.Errorf("Bob's counts %+v: he mastered nothing", bob)
	}
	if len(sp.Plans) != 0 || len(sp.Pathways) != 0 {
		t.Errorf("plans %v, pathways %v; the class has neither", sp.Plans, sp.Pathways)
	}
	// A pathway, and a plan of Bob's own, are counted apart.
	due := start.AddDate(0, 0, -1)
	ok(t, s.SetClassPathway(ctx, pathways.Pathway{DistrictID: x.d.ID, ClassID: x.class.ID,
		Targets: []pathways.PathwayTarget{{StandardID: x.s1.ID, IntroduceBy: &due}, {StandardID: x.s2.ID}}}))
	ok(t, s.SavePlan(ctx, pathways.Plan{DistrictID: x.d.ID, StudentID: x.bob.ID, ClassID: x.class.ID,
		Targets: []pathways.Target{{StandardID: x.s3.ID, Origin: pathways.AddedByTeacher}}}, x.teacher.ID))
	sp, err = s.SchoolPace(ctx, x.d.ID, x.school.ID, start, courseTargets)
	ok(t, err)
	pw := sp.Pathways[store.ClassStudentKey{ClassID: x.class.ID, StudentID: x.alice.ID}]
	if pw.Targets != 2 || pw.DueBy != 1 || pw.Undated != 1 || pw.Mastered != 2 {
		t.Errorf("Alice against the pathway %+v, want 2 targets, 1 due, 1 undated, 2 mastered", pw)
	}
	if bob := sp.Plans[store.ClassStudentKey{ClassID: x.class.ID, StudentID: x.bob.ID}]; bob.Targets != 1 || bob.Mastered != 0 {
		t.Errorf("Bob against his plan %+v, want 1 target, not mastered", bob)
	}
	direct, err := s.MasteredStates(ctx, x.d.ID, []int64{x.alice.ID, x.bob.ID})
	ok(t, err)
	if len(direct) != 4 {
		t.Errorf("MasteredStates gave %v, want Alice's four (the domain too, which the course does not map)", direct)
	}
	_, err = s.SchoolPace(ctx, x.d.ID, x.school.ID+1000, start, courseTargets)
	wantKind(t, err, problem.ErrNotFound, "school")
}
