package store_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// TestRulesAndAlerts runs the rules and alerts behaviours on every engine.
func TestRulesAndAlerts(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			testRulesAndAlerts(t, e)
			testAlertsWithdrawnOnVoid(t, e)
		})
	}
}

func alertsOf(t *testing.T, e *env, districtID int64, f store.AlertFilter) []store.Alert {
	t.Helper()
	out, _, err := e.s.Alerts(e.ctx, districtID, f)
	ok(t, err)
	return out
}

func alertChanges(cs []store.Change) (n int, students map[int64]bool) {
	students = map[int64]bool{}
	for _, c := range cs {
		if c.Kind == store.AlertsChanged {
			n++
			students[c.StudentID] = true
		}
	}
	return n, students
}

func testRulesAndAlerts(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "rules")
	id := x.d.ID

	// A new district has the default rules, all on.
	rules, err := s.SupportRules(ctx, id)
	ok(t, err)
	if len(rules) != len(supports.RuleKinds) || !rules[0].Enabled || rules[0].Kind != supports.RuleBelowCut || rules[0].Params.Cut != 3 {
		t.Fatalf("default rules %+v", rules)
	}

	// Refusals name the field, and nothing is written.
	for _, tc := range []struct {
		name, kind, params, field string
	}{
		{"unknown field", "below_cut", `{"cut": 3, "count": 2, "colour": 1}`, "params.colour"},
		{"cut outside the scale", "below_cut", `{"cut": 7, "count": 2}`, "params.cut"},
		{"missing", "below_cut", `{"cut": 3}`, "params.count"},
		{"days out of range", "no_evidence", `{"days": 0}`, "params.days"},
		{"probability above 1", "probability_falling", `{"drop": 2}`, "params.drop"},
	} {
		_, err := s.UpdateSupportRule(ctx, id, supports.RuleKind(tc.kind), store.RuleUpdate{Enabled: true, Params: json.RawMessage(tc.params)}, x.teacher.ID)
		var inv *problem.InvalidError
		if !errors.As(err, &inv) || !hasField(inv, tc.field) {
			t.Errorf("%s: %v, want a reason on %s", tc.name, err, tc.field)
		}
	}
	if _, err := s.UpdateSupportRule(ctx, id, "sometimes", store.RuleUpdate{}, x.teacher.ID); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("unknown kind: %v, want not found", err)
	}
	if cs, err := s.SupportRuleChanges(ctx, id, 10); err != nil || len(cs) != 0 {
		t.Fatalf("after refusals: %d changes, %v", len(cs), err)
	}

	// A second teacher of the class is responsible too.
	co := roster.Person{DistrictID: id, GivenName: "Cora", FamilyName: "Lind", Roles: []roster.Role{roster.RoleTeacher}, SchoolIDs: []int64{x.school.ID}}
	ok(t, s.CreatePerson(ctx, &co))
	ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: id, ClassID: x.class.ID, PersonID: co.ID, Role: roster.EnrolledTeacher}))

	// Stalled and the probability are switched off so that the cut is
	// seen alone first.
	for _, k := range []supports.RuleKind{supports.RuleStalled, supports.RuleProbabilityFalling} {
		r, err := s.SupportRule(ctx, id, k)
		ok(t, err)
		_, err = s.UpdateSupportRule(ctx, id, k, store.RuleUpdate{Enabled: false, Params: r.Params.ParamsJSON(k), Reason: "one at a time"}, x.teacher.ID)
		ok(t, err)
	}
	if cs, err := s.SupportRuleChanges(ctx, id, 10); err != nil || len(cs) != 2 || cs[0].NewEnabled || !cs[0].OldEnabled || cs[0].Reason != "one at a time" {
		t.Fatalf("changes %+v, %v", cs, err)
	}
	e.takeChanges()

	// One score below the cut: nothing. Two in a row: one alert for each
	// teacher of the class, with the scores behind it.
	a1 := x.ev(x.alice, 3, level(x.s1, 2))
	ok(t, s.RecordEvidence(ctx, &a1))
	if got := alertsOf(t, e, id, store.AlertFilter{}); len(got) != 0 {
		t.Fatalf("after one low score: %d alerts", len(got))
	}
	a2 := x.ev(x.alice, 2, level(x.s1, 1))
	ok(t, s.RecordEvidence(ctx, &a2))
	got := alertsOf(t, e, id, store.AlertFilter{})
	if len(got) != 2 {
		t.Fatalf("after two low scores: %d alerts, want one per teacher", len(got))
	}
	mine := alertsOf(t, e, id, store.AlertFilter{TeacherID: x.teacher.ID})
	if len(mine) != 1 {
		t.Fatalf("the teacher's alerts: %d", len(mine))
	}
	al := mine[0]
	if al.Kind != supports.RuleBelowCut || al.StudentID != x.alice.ID || al.StandardID == nil || *al.StandardID != x.s1.ID ||
		al.ClassID == nil || *al.ClassID != x.class.ID || len(al.Data.Scores) != 2 || al.Data.Scores[0] != 1 || al.Data.EvidenceID[0] != a2.ID ||
		al.StudentName != "Alice Zane" || al.StandardCode != "6.RP.A.1" || al.ClassTitle != "Math 6 - P1" || al.Reason == "" {
		t.Fatalf("alert %+v", al)
	}
	if n, st := alertChanges(e.takeChanges()); n != 1 || !st[x.alice.ID] {
		t.Fatalf("%d alert changes for %v, want one for Alice", n, st)
	}

	// A third low score while it is open adds none, and says nothing.
	a3 := x.ev(x.alice, 1, level(x.s1, 1))
	ok(t, s.RecordEvidence(ctx, &a3))
	if got := alertsOf(t, e, id, store.AlertFilter{}); len(got) != 2 {
		t.Fatalf("a firing while open: %d alerts, want 2", len(got))
	}
	if n, _ := alertChanges(e.takeChanges()); n != 0 {
		t.Fatalf("%d alert changes for a firing while open", n)
	}

	// Dismissed with a note; dismissed twice is a conflict.
	d, err := s.DismissAlert(ctx, id, al.ID, x.teacher.ID, "  Reteaching Tuesday  ")
	ok(t, err)
	if d.Open() || d.DismissNote != "Reteaching Tuesday" || d.DismissedBy == nil || *d.DismissedBy != x.teacher.ID {
		t.Fatalf("dismissed %+v", d)
	}
	if _, err := s.DismissAlert(ctx, id, al.ID, x.teacher.ID, ""); !errors.Is(err, problem.ErrConflict) {
		t.Fatalf("dismissed twice: %v", err)
	}
	if _, err := s.DismissAlert(ctx, id+1000, al.ID, x.teacher.ID, ""); !errors.Is(err, problem.ErrNotFound) {
		t.Fatalf("another district's alert: %v", err)
	}
	if got := alertsOf(t, e, id, store.AlertFilter{TeacherID: x.teacher.ID, Dismissed: true}); len(got) != 1 {
		t.Fatalf("dismissed list: %d", len(got))
	}
	if n, _ := alertChanges(e.takeChanges()); n != 1 {
		t.Fatalf("%d alert changes for a dismissal", n)
	}
	// New evidence below the cut raises it again for the teacher who
	// dismissed it; the co-teacher's is still open.
	a4 := x.ev(x.alice, 0, level(x.s1, 1))
	ok(t, s.RecordEvidence(ctx, &a4))
	if got := alertsOf(t, e, id, store.AlertFilter{TeacherID: x.teacher.ID}); len(got) != 1 || got[0].ID == al.ID {
		t.Fatalf("after a new low score: %+v", got)
	}

	// A batch, and evidence without a class: the teachers of the
	// student's classes whose course holds the standard.
	b1, b2 := x.ev(x.bob, 3, level(x.s2, 1)), x.ev(x.bob, 2, level(x.s2, 2))
	b1.ClassID, b2.ClassID = nil, nil
	ok(t, s.RecordEvidenceBatch(ctx, []evidence.Evidence{b1, b2}))
	bob := alertsOf(t, e, id, store.AlertFilter{StudentIDs: []int64{x.bob.ID}})
	if len(bob) != 2 || bob[0].ClassID == nil || *bob[0].ClassID != x.class.ID {
		t.Fatalf("Bob's alerts %+v", bob)
	}
	// Interim scores are not formative: no alert.
	c1, c2 := x.ev(x.cleo, 3, level(x.s1, 1)), x.ev(x.cleo, 2, level(x.s1, 1))
	c1.Kind, c2.Kind = evidence.Interim, evidence.Interim
	ok(t, s.RecordEvidenceBatch(ctx, []evidence.Evidence{c1, c2}))
	if got := alertsOf(t, e, id, store.AlertFilter{StudentIDs: []int64{x.cleo.ID}}); len(got) != 0 {
		t.Fatalf("interim scores raised %d alerts", len(got))
	}

	// Stalled below a prerequisite: s1 is s2's, Cleo has not mastered
	// either after 3 pieces of evidence on s2.
	ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: id, StandardID: x.s2.ID, PrerequisiteID: x.s1.ID}))
	r, err := s.SupportRule(ctx, id, supports.RuleStalled)
	ok(t, err)
	_, err = s.UpdateSupportRule(ctx, id, supports.RuleStalled, store.RuleUpdate{Enabled: true, Params: r.Params.ParamsJSON(supports.RuleStalled)}, x.teacher.ID)
	ok(t, err)
	for i := range 3 {
		ev := x.ev(x.cleo, 3-i, level(x.s2, 2))
		ev.Kind = evidence.Interim
		ok(t, s.RecordEvidence(ctx, &ev))
	}
	stalled := alertsOf(t, e, id, store.AlertFilter{StudentIDs: []int64{x.cleo.ID}, TeacherID: x.teacher.ID})
	if len(stalled) != 1 || stalled[0].Kind != supports.RuleStalled || len(stalled[0].Data.Below) != 1 || stalled[0].Data.Below[0] != x.s1.ID || stalled[0].Data.Evidence != 3 {
		t.Fatalf("stalled %+v", stalled)
	}

	// A behaviour note raises an alert for the class's teachers but its
	// author, in the note's transaction; a comment raises none.
	e.takeChanges()
	comment := supports.Note{DistrictID: id, StudentID: x.bob.ID, ClassID: &x.class.ID, AuthorID: co.ID, Kind: supports.NoteComment, Text: "Worked well with a partner"}
	ok(t, s.RecordNote(ctx, &comment))
	if n, _ := alertChanges(e.takeChanges()); n != 0 {
		t.Fatalf("a comment changed %d students' alerts", n)
	}
	note := supports.Note{DistrictID: id, StudentID: x.bob.ID, ClassID: &x.class.ID, AuthorID: co.ID, Kind: supports.NoteBehaviour, Text: "Left the room twice during the quiz"}
	ok(t, s.RecordNote(ctx, &note))
	notes := alertsOf(t, e, id, store.AlertFilter{StudentIDs: []int64{x.bob.ID}})
	var byNote []store.Alert
	for _, a := range notes {
		if a.Kind == supports.RuleBehaviourNote {
			byNote = append(byNote, a)
		}
	}
	if len(byNote) != 1 || byNote[0].TeacherID != x.teacher.ID || byNote[0].StandardID != nil || byNote[0].Data.NoteAuthor != co.ID {
		t.Fatalf("note alerts %+v", byNote)
	}
	if n, st := alertChanges(e.takeChanges()); n != 1 || !st[x.bob.ID] {
		t.Fatalf("note: %d changes", n)
	}
	counts, err := s.OpenAlertCounts(ctx, id, x.teacher.ID)
	ok(t, err)
	if counts[x.class.ID] != 4 {
		t.Fatalf("open counts %v, want 4 in the class (Alice's, Bob's, Cleo's stall, Bob's note)", counts)
	}

	// The sweep: a target of Bob's plan due and without evidence for
	// more than the rule's days; twice raises nothing more.
	due := start.AddDate(0, 0, -30)
	ok(t, s.SavePlan(ctx, pathways.Plan{DistrictID: id, StudentID: x.bob.ID, ClassID: x.class.ID,
		Targets: []pathways.Target{{StandardID: x.s3.ID, Due: &due, Origin: pathways.AddedByTeacher}}}, x.teacher.ID))
	rep, err := s.SweepAlerts(ctx, id)
	ok(t, err)
	if rep.Raised == 0 {
		t.Fatalf("sweep %+v raised nothing", rep)
	}
	var quiet []store.Alert
	for _, a := range alertsOf(t, e, id, store.AlertFilter{StudentIDs: []int64{x.bob.ID}, TeacherID: x.teacher.ID}) {
		if a.Kind == supports.RuleNoEvidence {
			quiet = append(quiet, a)
		}
	}
	if len(quiet) != 1 || *quiet[0].StandardID != x.s3.ID || quiet[0].Data.Days < 30 {
		t.Fatalf("no-evidence alerts %+v", quiet)
	}
	again, err := s.SweepAlerts(ctx, id)
	ok(t, err)
	if again.Raised != 0 {
		t.Fatalf("second sweep raised %d", again.Raised)
	}
	// Dismissed, the sweep leaves it dismissed for SweepQuiet.
	_, err = s.DismissAlert(ctx, id, quiet[0].ID, x.teacher.ID, "on it")
	ok(t, err)
	if again, err = s.SweepAlerts(ctx, id); err != nil || again.Raised != 0 {
		t.Fatalf("sweep after a dismissal raised %d, %v", again.Raised, err)
	}
}

// testAlertsWithdrawnOnVoid: voiding a score an open alert rests on
// withdraws the alert, in the voiding's transaction, as the voider's with
// the voiding's reason; alerts on other evidence stay open.
func testAlertsWithdrawnOnVoid(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "rules-void")
	id := x.d.ID
	a1, a2 := x.ev(x.alice, 3, level(x.s1, 2)), x.ev(x.alice, 2, level(x.s1, 1))
	ok(t, s.RecordEvidence(ctx, &a1))
	ok(t, s.RecordEvidence(ctx, &a2))
	b1, b2 := x.ev(x.bob, 3, level(x.s1, 1)), x.ev(x.bob, 2, level(x.s1, 1))
	ok(t, s.RecordEvidenceBatch(ctx, []evidence.Evidence{b1, b2}))
	open := store.AlertFilter{TeacherID: x.teacher.ID}
	if got := alertsOf(t, e, id, open); len(got) != 2 {
		t.Fatalf("before the void: %d open alerts, want Alice's and Bob's", len(got))
	}
	e.takeChanges()
	ok(t, s.VoidEvidence(ctx, id, a2.ID, x.teacher.ID, "Scored against the wrong standard"))
	left := alertsOf(t, e, id, open)
	if len(left) != 1 || left[0].StudentID != x.bob.ID {
		t.Fatalf("after the void: %+v, want Bob's alone open", left)
	}
	gone := alertsOf(t, e, id, store.AlertFilter{TeacherID: x.teacher.ID, Dismissed: true})
	if len(gone) != 1 || gone[0].StudentID != x.alice.ID || gone[0].DismissNote != "Scored against the wrong standard" ||
		gone[0].DismissedBy == nil || *gone[0].DismissedBy != x.teacher.ID {
		t.Fatalf("withdrawn %+v", gone)
	}
	if n, st := alertChanges(e.takeChanges()); n != 1 || !st[x.alice.ID] {
		t.Fatalf("%d alert changes for %v, want one for Alice", n, st)
	}
}
