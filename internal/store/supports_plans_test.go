package store_test

import (
	"errors"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestSupportPlansProgressAndNotes runs revising a plan, its progress
// monitoring, the school's counts and teachers' notes on every engine.
func TestSupportPlansProgressAndNotes(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) { testSupportPlansProgressAndNotes(t, open(t, eng.url(t))) })
	}
}

func testSupportPlansProgressAndNotes(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "supports-plans")
	id := x.d.ID
	today := supports.Day(s.Now())
	startsOn := today.AddDate(0, 0, -7)
	p := supports.Plan{DistrictID: id, CreatedBy: x.teacher.ID, PlanDraft: supports.PlanDraft{StudentID: x.alice.ID, ClassID: &x.class.ID,
		Tier: supports.Tier2, Kind: supports.Reteach, StandardIDs: []int64{x.s1.ID}, ProviderID: x.teacher.ID, StartsOn: startsOn, Goal: "Ratios"}}
	e.takeChanges()
	ok(t, s.CreateSupportPlan(ctx, &p))
	if got := e.takeChanges(); len(got) != 1 || got[0].Kind != store.SupportsChanged || got[0].StudentID != x.alice.ID {
		t.Errorf("OnChange after creating: %+v", got)
	}

	// Progress: the evidence on the plan's standards since it started.
	for _, c := range []struct {
		daysAgo int
		v       float64
	}{{10, 1}, {5, 2}, {2, 3}} {
		ev := x.ev(x.alice, 0, level(x.s1, c.v), level(x.s2, 4))
		ev.AssessedAt = today.AddDate(0, 0, -c.daysAgo).Add(10 * 3600e9)
		ok(t, s.RecordEvidence(ctx, &ev))
	}
	pts, err := s.SupportProgress(ctx, p)
	ok(t, err)
	if len(pts) != 2 || pts[0].Value != 2 || pts[1].Value != 3 || pts[0].StandardID != x.s1.ID {
		t.Fatalf("progress %+v, want s1's 2 and 3 since the start", pts)
	}
	if got := supports.Monitor(p, 3.5, pts); got.Status != supports.ProgressRising {
		t.Errorf("status %s, want rising", got.Status)
	}

	// Revising: the tier and standards change, the student stays.
	d := p.PlanDraft
	d.Tier, d.StandardIDs, d.StudentID = supports.Tier3, []int64{x.s1.ID, x.s2.ID}, x.bob.ID
	e.takeChanges()
	got, err := s.ReviseSupportPlan(ctx, id, p.ID, d)
	ok(t, err)
	if got.Tier != supports.Tier3 || got.StudentID != x.alice.ID || len(got.StandardIDs) != 2 {
		t.Fatalf("revised %+v", got)
	}
	if ch := e.takeChanges(); len(ch) != 1 || ch[0].Kind != store.SupportsChanged {
		t.Errorf("OnChange after revising: %+v", ch)
	}
	read, err := s.SupportPlan(ctx, id, p.ID)
	ok(t, err)
	if read.Tier != supports.Tier3 || len(read.StandardIDs) != 2 {
		t.Fatalf("read back %+v", read)
	}
	d.Goal = ""
	var inv *problem.InvalidError
	if _, err := s.ReviseSupportPlan(ctx, id, p.ID, d); !errors.As(err, &inv) || !hasField(inv, "goal") {
		t.Errorf("revising without a goal: %v", err)
	}

	counts, students, err := s.SchoolSupportCounts(ctx, id, x.school.ID, today)
	ok(t, err)
	if students != 1 || len(counts) != 1 || counts[0].Tier != supports.Tier3 || counts[0].Plans != 1 || counts[0].Students != 1 {
		t.Errorf("school counts %+v, want one tier 3 reteach", counts)
	}

	_, err = s.CloseSupportPlan(ctx, id, p.ID, supports.GoalPartlyMet, "Ratios yes, rates not yet")
	ok(t, err)
	d.Goal = "Again"
	if _, err := s.ReviseSupportPlan(ctx, id, p.ID, d); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("revising a closed plan: %v, want a conflict", err)
	}

	// Notes: written with their audit entry, listed latest first.
	audit := store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, StudentID: x.alice.ID, Action: access.Change,
		What: access.Notes, Relation: access.TeacherOf, Allowed: true, At: s.Now()}
	n1 := supports.Note{DistrictID: id, StudentID: x.alice.ID, ClassID: &x.class.ID, AuthorID: x.teacher.ID, Kind: supports.NoteComment, Text: " Explains ratios to a peer "}
	ok(t, s.RecordNote(ctx, &n1, audit))
	n2 := supports.Note{DistrictID: id, StudentID: x.alice.ID, AuthorID: x.teacher.ID, Kind: supports.NoteBehaviour, Text: "Off task in the last ten minutes"}
	ok(t, s.RecordNote(ctx, &n2))
	if err := s.RecordNote(ctx, &supports.Note{DistrictID: id, StudentID: x.teacher.ID, AuthorID: x.teacher.ID, Kind: supports.NoteComment, Text: "x"}); !errors.As(err, &inv) || !hasField(inv, "studentId") {
		t.Errorf("a note about a teacher: %v", err)
	}
	notes, err := s.StudentNotes(ctx, id, x.alice.ID)
	ok(t, err)
	if len(notes) != 2 || notes[0].ID != n2.ID || notes[1].Text != "Explains ratios to a peer" || notes[1].ClassID == nil {
		t.Fatalf("notes %+v", notes)
	}
	if ch := e.takeChanges(); len(ch) != 3 || ch[0].Kind != store.SupportsChanged {
		t.Errorf("OnChange after closing and two notes: %+v", ch)
	}
}
