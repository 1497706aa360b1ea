package store_test

import (
	"errors"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestChangeAudit checks that the audit entries handed to a write are
// written in the write's transaction, on every engine: a refused write
// leaves no entry, an entry that cannot be written leaves no change, and
// a write that succeeds has its entries.
func TestChangeAudit(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			testChangeAudit(t, open(t, eng.url(t)))
		})
	}
}

func testChangeAudit(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "audited")
	y := newDistrict(t, e, "elsewhere")
	id := x.d.ID
	change := func(student roster.Person, what access.What) store.AuditEntry {
		return store.AuditEntry{DistrictID: id, ActorID: x.teacher.ID, StudentID: student.ID, Action: access.Change,
			What: what, Relation: access.TeacherOf, Allowed: true, Route: "POST /api/v1/evidence/batch", RequestID: "req-1"}
	}
	// An entry the server built wrongly, refused before the write, and
	// one whose actor is no person of the district, refused by the
	// database inside the write's transaction, after the change.
	noActor := change(x.alice, access.Evidence)
	noActor.ActorID = 0
	stranger := change(x.alice, access.Evidence)
	stranger.ActorID = y.teacher.ID

	changes := func(t *testing.T) []store.AuditEntry {
		t.Helper()
		all, _, err := s.SearchAudit(ctx, id, store.AuditFilter{ActorID: x.teacher.ID})
		ok(t, err)
		var out []store.AuditEntry
		for _, a := range all {
			if a.Action == access.Change {
				out = append(out, a)
			}
		}
		return out
	}
	wantNoChange := func(t *testing.T, what string) {
		t.Helper()
		if got := changes(t); len(got) != 0 {
			t.Errorf("%s left audit entries: %+v", what, got)
		}
		for _, p := range []roster.Person{x.alice, x.bob} {
			evs, _, err := s.StudentEvidence(ctx, id, p.ID, store.EvidenceFilter{IncludeVoided: true})
			ok(t, err)
			if len(evs) != 0 || len(statesOf(t, e, id, p.ID)) != 0 {
				t.Errorf("%s wrote %d records or states for %s", what, len(evs), p.Name())
			}
		}
	}
	wantInternal := func(t *testing.T, err error, what string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, kind := range []error{problem.ErrInvalid, problem.ErrNotFound, problem.ErrForbidden, problem.ErrConflict} {
			if errors.Is(err, kind) {
				t.Errorf("%s: %v is %v: a bad entry is the server's fault, not the client's", what, err, kind)
			}
		}
	}

	t.Run("refused writes leave no entry", func(t *testing.T) {
		ev := x.ev(x.alice, 1, level(x.s1, 7))
		wantInvalid(t, s.RecordEvidence(ctx, &ev, change(x.alice, access.Evidence)), -1, "scores[0].level", "not a level")
		batch := []evidence.Evidence{x.ev(x.alice, 1, level(x.s1, 3)), x.ev(x.bob, 1, level(x.s1, 9))}
		err := s.RecordEvidenceBatch(ctx, batch, change(x.alice, access.Evidence), change(x.bob, access.Evidence))
		wantInvalid(t, err, 1, "scores[0].level", "not a level")
		wantNoChange(t, "a refused write")
	})

	t.Run("a bad entry leaves no change", func(t *testing.T) {
		for name, entry := range map[string]store.AuditEntry{"no actor": noActor, "actor of another district": stranger} {
			ev := x.ev(x.alice, 1, level(x.s1, 3))
			wantInternal(t, s.RecordEvidence(ctx, &ev, entry), "RecordEvidence with "+name)
			batch := []evidence.Evidence{x.ev(x.alice, 1, level(x.s1, 3)), x.ev(x.bob, 1, level(x.s2, 2))}
			wantInternal(t, s.RecordEvidenceBatch(ctx, batch, change(x.bob, access.Evidence), entry), "RecordEvidenceBatch with "+name)
			if batch[0].ID != 0 || ev.ID != 0 {
				t.Errorf("%s: IDs left on records that were not written: %d, %d", name, ev.ID, batch[0].ID)
			}
			wantNoChange(t, "a write with an entry of "+name)
		}
		e.takeChanges()
	})

	var recorded []evidence.Evidence
	t.Run("a write and its entries commit together", func(t *testing.T) {
		recorded = []evidence.Evidence{x.ev(x.alice, 2, level(x.s1, 3)), x.ev(x.bob, 2, level(x.s2, 2))}
		ok(t, s.RecordEvidenceBatch(ctx, recorded, change(x.alice, access.Evidence), change(x.bob, access.Evidence)))
		got := changes(t)
		if len(got) != 2 || got[0].StudentID != x.bob.ID || got[1].StudentID != x.alice.ID || got[0].RequestID != "req-1" || got[0].At.IsZero() {
			t.Errorf("entries of the batch: %+v", got)
		}
	})

	t.Run("void", func(t *testing.T) {
		voided := change(x.alice, access.Evidence)
		voided.Detail = "void"
		wantInternal(t, s.VoidEvidence(ctx, id, recorded[0].ID, x.teacher.ID, "wrong student", stranger), "VoidEvidence with a bad entry")
		if ev, err := s.Evidence(ctx, id, recorded[0].ID); err != nil || ev.Voided() {
			t.Errorf("a void whose entry failed voided the evidence: %+v, %v", ev.Void, err)
		}
		ok(t, s.VoidEvidence(ctx, id, recorded[0].ID, x.teacher.ID, "wrong student", voided))
		// Voided again: a conflict, and no second entry.
		err := s.VoidEvidence(ctx, id, recorded[0].ID, x.teacher.ID, "wrong student", voided)
		wantKind(t, err, problem.ErrConflict, "already voided")
		n := 0
		for _, a := range changes(t) {
			if a.Detail == "void" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d void entries, want 1", n)
		}
	})

	t.Run("profile and guardians", func(t *testing.T) {
		before := len(changes(t))
		p := x.alice
		p.Username = x.teacher.Username
		wantKind(t, s.UpdatePerson(ctx, &p, change(x.alice, access.Profile)), problem.ErrConflict, "username")
		p = x.alice
		p.Grade = "07"
		wantInternal(t, s.UpdatePerson(ctx, &p, stranger), "UpdatePerson with a bad entry")
		if got, err := s.Person(ctx, id, x.alice.ID); err != nil || got.Grade != "06" {
			t.Errorf("an update whose entry failed changed the person: grade %q, %v", got.Grade, err)
		}
		ok(t, s.UpdatePerson(ctx, &p, change(x.alice, access.Profile)))

		link := roster.GuardianLink{DistrictID: id, GuardianID: x.bob.ID, StudentID: x.alice.ID, Relationship: "parent"}
		wantInvalid(t, s.LinkGuardian(ctx, link, change(x.alice, access.Guardians)), -1, "guardianId", "")
		link.GuardianID = x.guardian.ID
		wantInternal(t, s.LinkGuardian(ctx, link, stranger), "LinkGuardian with a bad entry")
		if gs, err := s.Guardians(ctx, id, x.alice.ID); err != nil || len(gs) != 0 {
			t.Errorf("a link whose entry failed was made: %d guardians, %v", len(gs), err)
		}
		ok(t, s.LinkGuardian(ctx, link, change(x.alice, access.Guardians)))

		got := changes(t)[:len(changes(t))-before]
		if len(got) != 2 || got[0].What != access.Guardians || got[1].What != access.Profile {
			t.Errorf("entries of the profile and guardian changes (newest first): %+v", got)
		}
	})
}
