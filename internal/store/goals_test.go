package store_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestGoalsAndProposals runs the goals and proposals behaviours on every
// engine.
func TestGoalsAndProposals(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Run("proposals", func(t *testing.T) { testProposals(t, open(t, eng.url(t))) })
			t.Run("goals", func(t *testing.T) { testGoals(t, open(t, eng.url(t))) })
		})
	}
}

// changeEntry is the audit entry of a change by actor to student's goals.
func changeEntry(x *district, actor, student roster.Person, rel access.Relation) store.AuditEntry {
	return store.AuditEntry{DistrictID: x.d.ID, ActorID: actor.ID, StudentID: student.ID, Action: access.Change,
		What: access.Goals, Relation: rel, Allowed: true, Route: "POST /test"}
}

// goalChanges counts the audited changes of actor.
func goalChanges(t *testing.T, e *env, x *district, actor roster.Person) int {
	t.Helper()
	all, _, err := e.s.SearchAudit(e.ctx, x.d.ID, store.AuditFilter{ActorID: actor.ID})
	ok(t, err)
	n := 0
	for _, a := range all {
		if a.Action == access.Change && a.What == access.Goals {
			n++
		}
	}
	return n
}

func testProposals(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "voice")
	id := x.d.ID
	draft := pathways.ProposalDraft{Title: "Cereal prices", Plan: "Compare unit prices of five cereals", Link: "https://example.org/cereal"}

	// Refusals name the field and write nothing.
	outside := newDistrict(t, e, "outside")
	for _, tc := range []struct {
		name          string
		p             pathways.Proposal
		field, reason string
	}{
		{"not a link", pathways.Proposal{DistrictID: id, StudentID: x.alice.ID, ClassID: x.class.ID, StandardID: x.s1.ID,
			ProposalDraft: pathways.ProposalDraft{Title: "t", Plan: "p", Link: "ftp://x"}}, "link", "http or https"},
		{"standard outside the course", pathways.Proposal{DistrictID: id, StudentID: x.alice.ID, ClassID: x.class.ID, StandardID: x.domain.ID,
			ProposalDraft: draft}, "standardId", "not a standard of class"},
		{"standard of another district", pathways.Proposal{DistrictID: id, StudentID: x.alice.ID, ClassID: x.class.ID, StandardID: outside.s1.ID,
			ProposalDraft: draft}, "standardId", "no standard"},
		{"a teacher", pathways.Proposal{DistrictID: id, StudentID: x.teacher.ID, ClassID: x.class.ID, StandardID: x.s1.ID,
			ProposalDraft: draft}, "studentId", "not a student"},
		{"not in the class", pathways.Proposal{DistrictID: id, StudentID: x.alice.ID, ClassID: outside.class.ID, StandardID: x.s1.ID,
			ProposalDraft: draft}, "classId", "no class"},
	} {
		err := s.CreateProposal(ctx, &tc.p, changeEntry(x, x.alice, x.alice, access.Self))
		wantInvalid(t, err, -1, tc.field, tc.reason)
	}
	if n := goalChanges(t, e, x, x.alice); n != 0 {
		t.Fatalf("refused proposals left %d audit entries", n)
	}

	p := pathways.Proposal{DistrictID: id, StudentID: x.alice.ID, ClassID: x.class.ID, StandardID: x.s2.ID, ProposalDraft: draft}
	ok(t, s.CreateProposal(ctx, &p, changeEntry(x, x.alice, x.alice, access.Self)))
	other := pathways.Proposal{DistrictID: id, StudentID: x.bob.ID, ClassID: x.class.ID, StandardID: x.s1.ID,
		ProposalDraft: pathways.ProposalDraft{Title: "Recipe", Plan: "Scale a recipe"}}
	ok(t, s.CreateProposal(ctx, &other, changeEntry(x, x.bob, x.bob, access.Self)))
	got, err := s.Proposal(ctx, id, p.ID)
	ok(t, err)
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("Proposal (-created +read):\n%s", diff)
	}
	if n, err := s.WaitingProposals(ctx, id, x.class.ID); err != nil || n != 2 {
		t.Errorf("WaitingProposals = %d, %v; want 2", n, err)
	}

	// Returned with a comment, revised, approved.
	_, err = s.DecideProposal(ctx, id, p.ID, x.teacher.ID, pathways.Decision{}, changeEntry(x, x.teacher, x.alice, access.TeacherOf))
	wantInvalid(t, err, -1, "comment", "say what to change")
	p, err = s.DecideProposal(ctx, id, p.ID, x.teacher.ID, pathways.Decision{Comment: "Say how you will show the rate"},
		changeEntry(x, x.teacher, x.alice, access.TeacherOf))
	ok(t, err)
	if p.State != pathways.ProposalReturned {
		t.Errorf("state %s, want returned", p.State)
	}
	_, err = s.DecideProposal(ctx, id, p.ID, x.teacher.ID, pathways.Decision{Approve: true}, changeEntry(x, x.teacher, x.alice, access.TeacherOf))
	wantKind(t, err, problem.ErrConflict, "returned")
	revised := draft
	revised.Plan = "Compare unit prices and make a poster of the best buy"
	_, err = s.ReviseProposal(ctx, id, p.ID, revised, changeEntry(x, x.alice, x.alice, access.Self))
	ok(t, err)
	_, err = s.DecideProposal(ctx, id, p.ID, x.teacher.ID, pathways.Decision{Approve: true, Comment: "Great"}, changeEntry(x, x.teacher, x.alice, access.TeacherOf))
	ok(t, err)
	got, err = s.Proposal(ctx, id, p.ID)
	ok(t, err)
	var actions []pathways.ProposalAction
	for _, st := range got.History {
		actions = append(actions, st.Action)
	}
	if diff := cmp.Diff([]pathways.ProposalAction{"proposed", "returned", "proposed", "approved"}, actions); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if got.State != pathways.ProposalApproved || got.Plan != revised.Plan || got.History[0].Plan != draft.Plan || got.DecidedBy == nil {
		t.Errorf("approved proposal %+v", got)
	}
	if n := goalChanges(t, e, x, x.teacher); n != 2 {
		t.Errorf("teacher's audited changes %d, want 2 (the refused ones leave none)", n)
	}

	list, err := s.ClassProposals(ctx, id, x.class.ID)
	ok(t, err)
	if len(list) != 2 || list[0].ID != other.ID {
		t.Errorf("ClassProposals: %+v, want bob's waiting one first", list)
	}
	mine, err := s.StudentProposals(ctx, id, x.alice.ID)
	ok(t, err)
	if len(mine) != 1 || mine[0].ID != p.ID || len(mine[0].History) != 4 {
		t.Errorf("StudentProposals: %+v", mine)
	}
	if _, err := s.Proposal(ctx, outside.d.ID, p.ID); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("a proposal read from another district: %v", err)
	}
	// An entry that cannot be written leaves no change.
	bad := changeEntry(x, x.teacher, x.bob, access.TeacherOf)
	bad.ActorID = outside.teacher.ID
	if _, err := s.DecideProposal(ctx, id, other.ID, x.teacher.ID, pathways.Decision{Approve: true}, bad); err == nil {
		t.Fatal("a decision with a foreign actor's entry was made")
	}
	if got, _ := s.Proposal(ctx, id, other.ID); got.State != pathways.ProposalProposed {
		t.Errorf("a refused entry left the proposal %s", got.State)
	}
}

func testGoals(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "goals")
	id := x.d.ID
	ev := x.ev(x.alice, 1, level(x.s1, 2))
	ok(t, s.RecordEvidence(ctx, &ev))
	bobs := x.ev(x.bob, 1, level(x.s1, 3))
	ok(t, s.RecordEvidence(ctx, &bobs))

	today := pathways.Today(start)
	fri := today.AddDate(0, 0, 4)
	draft := pathways.GoalDraft{What: "Finish playlist B on unit rates", Due: fri, Plan: "Two activities a day",
		Need: "A mini lesson on converting units"}
	for _, tc := range []struct {
		name          string
		g             pathways.Goal
		field, reason string
	}{
		{"past", pathways.Goal{DistrictID: id, StudentID: x.alice.ID, GoalDraft: pathways.GoalDraft{What: "w", Plan: "p", Due: today.AddDate(0, 0, -1)}}, "due", "has passed"},
		{"someone else's evidence", pathways.Goal{DistrictID: id, StudentID: x.alice.ID, EvidenceID: &bobs.ID, GoalDraft: draft}, "evidenceId", "no evidence"},
		{"a guardian", pathways.Goal{DistrictID: id, StudentID: x.guardian.ID, GoalDraft: draft}, "studentId", "not a student"},
	} {
		err := s.CreateGoal(ctx, &tc.g, changeEntry(x, x.alice, x.alice, access.Self))
		wantInvalid(t, err, -1, tc.field, tc.reason)
	}
	g := pathways.Goal{DistrictID: id, StudentID: x.alice.ID, EvidenceID: &ev.ID, GoalDraft: draft}
	ok(t, s.CreateGoal(ctx, &g, changeEntry(x, x.alice, x.alice, access.Self)))
	got, err := s.Goal(ctx, id, g.ID)
	ok(t, err)
	if diff := cmp.Diff(g, got); diff != "" {
		t.Errorf("Goal (-created +read):\n%s", diff)
	}
	g, err = s.CommentOnGoal(ctx, id, g.ID, x.teacher.ID, "I will run the mini lesson Wednesday", changeEntry(x, x.teacher, x.alice, access.TeacherOf))
	ok(t, err)
	_, err = s.CommentOnGoal(ctx, id, g.ID, x.teacher.ID, " ", changeEntry(x, x.teacher, x.alice, access.TeacherOf))
	wantInvalid(t, err, -1, "text", "required")

	// Not due yet: only a goal met may be reflected on.
	rf := pathways.Reflection{Happened: "Four of five done", Learned: "Units cancel like numbers", Next: "Playlist C"}
	_, err = s.ReflectOnGoal(ctx, id, g.ID, rf, changeEntry(x, x.alice, x.alice, access.Self))
	wantInvalid(t, err, -1, "met", "due on")
	rf.Met = true
	g, err = s.ReflectOnGoal(ctx, id, g.ID, rf, changeEntry(x, x.alice, x.alice, access.Self))
	ok(t, err)
	_, err = s.ReflectOnGoal(ctx, id, g.ID, rf, changeEntry(x, x.alice, x.alice, access.Self))
	wantKind(t, err, problem.ErrConflict, "met")

	second := pathways.Goal{DistrictID: id, StudentID: x.alice.ID, GoalDraft: pathways.GoalDraft{What: "Retake the quiz", Due: today.AddDate(0, 0, 10), Plan: "Practise"}}
	ok(t, s.CreateGoal(ctx, &second, changeEntry(x, x.alice, x.alice, access.Self)))
	list, err := s.StudentGoals(ctx, id, x.alice.ID)
	ok(t, err)
	if len(list) != 2 || list[0].ID != second.ID {
		t.Fatalf("StudentGoals: %+v, want the open one first", list)
	}
	met := list[1]
	if met.State != pathways.GoalMet || met.Reflection == nil || met.Reflection.Next != "Playlist C" || len(met.Comments) != 1 ||
		met.Comments[0].By != x.teacher.ID || !met.Reflection.At.Equal(met.Reflection.At.UTC()) {
		t.Errorf("reflected goal %+v", met)
	}
	if n := goalChanges(t, e, x, x.alice); n != 3 {
		t.Errorf("student's audited changes %d, want 3", n)
	}
	if _, err := s.Goal(ctx, id, 99999); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("a missing goal: %v", err)
	}
}

// TestPersonNamesAndEvidenceHeads: the batched reads a goals page names
// its commenters and assessments with, on every engine; another
// district's ids are left out.
func TestPersonNamesAndEvidenceHeads(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			ctx, s := e.ctx, e.s
			x := newDistrict(t, e, "heads")
			other := newDistrict(t, e, "heads-other")
			names, err := s.PersonNames(ctx, x.d.ID, []int64{x.teacher.ID, x.alice.ID, x.alice.ID, other.bob.ID})
			ok(t, err)
			if len(names) != 2 || names[x.alice.ID] != "Alice Zane" || names[x.teacher.ID] == "" {
				t.Fatalf("names %v", names)
			}
			ev := x.ev(x.alice, 1, level(x.s1, 3))
			ev.Title = "Exit ticket"
			ok(t, s.RecordEvidence(ctx, &ev))
			oev := other.ev(other.bob, 1, level(other.s1, 3))
			ok(t, s.RecordEvidence(ctx, &oev))
			heads, err := s.EvidenceHeads(ctx, x.d.ID, []int64{ev.ID, oev.ID})
			ok(t, err)
			if len(heads) != 1 || heads[ev.ID].Title != "Exit ticket" || heads[ev.ID].StudentID != x.alice.ID {
				t.Fatalf("heads %+v", heads)
			}
			if empty, err := s.EvidenceHeads(ctx, x.d.ID, nil); err != nil || len(empty) != 0 {
				t.Fatalf("no ids: %v, %v", empty, err)
			}
		})
	}
}
