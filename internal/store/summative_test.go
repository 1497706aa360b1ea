package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestSummative checks, on every engine, the district's summative policy
// and its changes, the reassessment policy applied in the evidence
// transaction (refused attempts write nothing; an override is kept with
// its reason), and the teachers' decisions with what readiness reads.
func TestSummative(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			testSummative(t, open(t, eng.url(t)))
		})
	}
}

func testSummative(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "summative")
	id := x.d.ID

	p, err := s.SummativePolicy(ctx, id)
	ok(t, err)
	if p != pathways.DefaultSummativePolicy() {
		t.Errorf("policy before any is set = %+v, want the defaults", p)
	}
	// With the defaults, retakes are open: two attempts in a row pass.
	open := x.ev(x.cleo, 9, level(x.s3, 2))
	open.Kind = evidence.Summative
	ok(t, s.RecordEvidence(ctx, &open))
	open2 := open
	open2.ID, open2.AssessedAt = 0, open.AssessedAt.AddDate(0, 0, 1)
	ok(t, s.RecordEvidence(ctx, &open2))

	bad := pathways.SummativePolicy{Ready: pathways.ReadinessBar{MinProbability: 2}, Reassess: pathways.ReassessPolicy{Counts: "best"}}
	wantInvalid(t, s.SetSummativePolicy(ctx, id, bad, x.teacher.ID, "why"), -1, "reassess.counts", "best")
	wantInvalid(t, s.SetSummativePolicy(ctx, id, pathways.DefaultSummativePolicy(), x.teacher.ID, " "), -1, "reason", "say why")
	strict := pathways.SummativePolicy{Ready: pathways.DefaultReadinessBar(),
		Reassess: pathways.ReassessPolicy{PracticeBeforeRetake: 1, MaxAttempts: 2, Counts: pathways.CountHighest}}
	ok(t, s.SetSummativePolicy(ctx, id, strict, x.teacher.ID, "two attempts, practice between"))
	p, err = s.SummativePolicy(ctx, id)
	ok(t, err)
	if p != strict {
		t.Errorf("policy = %+v, want %+v", p, strict)
	}
	changes, err := s.SummativePolicyChanges(ctx, id)
	ok(t, err)
	if len(changes) != 1 || changes[0].Old != nil || changes[0].New != strict || changes[0].Reason != "two attempts, practice between" {
		t.Errorf("changes = %+v, want one from the defaults", changes)
	}

	summative := func(daysAgo int, v float64) evidence.Evidence {
		ev := x.ev(x.alice, daysAgo, level(x.s1, v))
		ev.Kind, ev.Title = evidence.Summative, "Mastery check"
		return ev
	}
	count := func(t *testing.T) int {
		t.Helper()
		evs, _, err := s.StudentEvidence(ctx, id, x.alice.ID, store.EvidenceFilter{StandardID: x.s1.ID})
		ok(t, err)
		return len(evs)
	}
	first := summative(10, 2)
	ok(t, s.RecordEvidence(ctx, &first))
	retake := summative(9, 3)
	err = s.RecordEvidence(ctx, &retake)
	wantKind(t, err, problem.ErrConflict, "practice_before_retake")
	wantKind(t, err, problem.ErrConflict, "6.RP.A.1")
	if n := count(t); n != 1 {
		t.Errorf("a refused retake left %d records, want 1", n)
	}
	practice := x.ev(x.alice, 8, level(x.s1, 3))
	ok(t, s.RecordEvidence(ctx, &practice))
	retake = summative(7, 3)
	ok(t, s.RecordEvidence(ctx, &retake))

	// The cap: practice does not open a third attempt.
	practice = x.ev(x.alice, 6, level(x.s1, 3))
	ok(t, s.RecordEvidence(ctx, &practice))
	third := summative(5, 4)
	wantKind(t, s.RecordEvidence(ctx, &third), problem.ErrConflict, "max_attempts")
	wantInvalid(t, s.RecordEvidenceOverriding(ctx, &third, store.RetakeOverride{Reason: ""}), -1, "overrideReason", "say why")
	ok(t, s.RecordEvidenceOverriding(ctx, &third, store.RetakeOverride{Reason: "missed the first attempt while ill"}))
	ovs, err := s.SummativeOverrides(ctx, id, x.alice.ID)
	ok(t, err)
	if len(ovs) != 1 || ovs[0].EvidenceID != third.ID || ovs[0].Rule != pathways.RuleCap || ovs[0].By != x.teacher.ID {
		t.Errorf("overrides = %+v, want the cap overridden on evidence %d", ovs, third.ID)
	}
	// An allowed attempt records no override, even when one is offered.
	bobFirst := x.ev(x.bob, 5, level(x.s1, 3))
	bobFirst.Kind = evidence.Summative
	ok(t, s.RecordEvidenceOverriding(ctx, &bobFirst, store.RetakeOverride{Reason: "just in case"}))
	if ovs, _ := s.SummativeOverrides(ctx, id, x.bob.ID); len(ovs) != 0 {
		t.Errorf("an allowed attempt recorded overrides %+v", ovs)
	}

	// A batch: the second summative of the batch has no practice before
	// it and is refused with its record; nothing of the batch is written.
	b1, b2 := x.ev(x.bob, 4, level(x.s2, 2)), x.ev(x.bob, 3, level(x.s2, 3))
	b1.Kind, b2.Kind = evidence.Summative, evidence.Summative
	err = s.RecordEvidenceBatch(ctx, []evidence.Evidence{b1, b2})
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Record != 1 || !errors.Is(err, problem.ErrConflict) || !strings.Contains(err.Error(), "practice_before_retake") {
		t.Fatalf("batch of two attempts: %v, want a conflict on record 1", err)
	}
	if evs, _, _ := s.StudentEvidence(ctx, id, x.bob.ID, store.EvidenceFilter{StandardID: x.s2.ID}); len(evs) != 0 {
		t.Errorf("a refused batch left %d records", len(evs))
	}
	// With practice between, in the same batch, both pass.
	bp := x.ev(x.bob, 3, level(x.s2, 3))
	b2.AssessedAt = bp.AssessedAt.Add(1)
	ok(t, s.RecordEvidenceBatch(ctx, []evidence.Evidence{b1, bp, b2}))

	// A voided attempt does not count toward the cap.
	ok(t, s.VoidEvidence(ctx, id, third.ID, x.teacher.ID, "entered for the wrong student"))
	in, err := s.SummativeInputs(ctx, id, []int64{x.alice.ID, x.bob.ID, x.cleo.ID}, []int64{x.s1.ID, x.s2.ID})
	ok(t, err)
	k := store.StudentStandard{Student: x.alice.ID, Standard: x.s1.ID}
	if h := in.Histories[k]; len(h.Attempts) != 2 || h.PracticeSince != 1 || h.Attempts[1].Value != 3 {
		t.Errorf("alice's history = %+v, want two attempts (the voided one left out)", h)
	}
	if st, found := in.Standings[k]; !found || !st.Assessed || st.Estimate == nil || st.Estimate.PMastered <= 0 {
		t.Errorf("alice's standing = %+v, want the method's level and the model's estimate", st)
	}
	if _, found := in.Standings[store.StudentStandard{Student: x.cleo.ID, Standard: x.s1.ID}]; found {
		t.Error("cleo has a standing on a standard without evidence")
	}
	if in.Policy != strict {
		t.Errorf("inputs' policy = %+v", in.Policy)
	}

	// Decisions: a decline needs a reason; the latest is in force until
	// the next attempt.
	entry := store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, StudentID: x.cleo.ID, Action: access.Change,
		What: access.Evidence, Relation: access.TeacherOf, Allowed: true, Route: "POST /classes/{id}/summative", RequestID: "req-s"}
	d := store.SummativeDecision{DistrictID: id, StudentID: x.cleo.ID, StandardID: x.s2.ID, Decision: store.SummativeDeclined, DecidedBy: x.teacher.ID}
	wantInvalid(t, s.DecideSummative(ctx, &d, entry), -1, "reason", "say why")
	d.Decision = "maybe"
	wantInvalid(t, s.DecideSummative(ctx, &d, entry), -1, "decision", "maybe")
	d.Decision, d.Reason = store.SummativeDeclined, "one more practice set first"
	ok(t, s.DecideSummative(ctx, &d, entry))
	d2 := store.SummativeDecision{DistrictID: id, StudentID: x.cleo.ID, StandardID: x.s2.ID, Decision: store.SummativeConfirmed, DecidedBy: x.teacher.ID}
	ok(t, s.DecideSummative(ctx, &d2, entry))
	ghost := store.SummativeDecision{DistrictID: id, StudentID: x.cleo.ID, StandardID: 999999, Decision: store.SummativeConfirmed, DecidedBy: x.teacher.ID}
	wantInvalid(t, s.DecideSummative(ctx, &ghost), -1, "standardId", "no standard")
	in, err = s.SummativeInputs(ctx, id, []int64{x.cleo.ID}, []int64{x.s2.ID})
	ok(t, err)
	ck := store.StudentStandard{Student: x.cleo.ID, Standard: x.s2.ID}
	if got, inForce := in.Decision(ck); !inForce || got.ID != d2.ID || got.Decision != store.SummativeConfirmed {
		t.Errorf("decision in force = %+v %v, want the confirmation", got, inForce)
	}
	audit, _, err := s.SearchAudit(ctx, id, store.AuditFilter{ActorID: x.teacher.ID})
	ok(t, err)
	if len(audit) != 2 {
		t.Errorf("%d audit entries, want one per decision", len(audit))
	}
	// The confirmed attempt is made: the confirmation is used.
	cleoAttempt := x.ev(x.cleo, 0, level(x.s2, 3))
	cleoAttempt.Kind = evidence.Summative
	ok(t, s.RecordEvidence(ctx, &cleoAttempt))
	in, err = s.SummativeInputs(ctx, id, []int64{x.cleo.ID}, []int64{x.s2.ID})
	ok(t, err)
	if got, inForce := in.Decision(ck); inForce {
		t.Errorf("decision %+v still in force after the attempt", got)
	}
}
