package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// changesLogged lists the allowed changes of student records by person
// in the audit log, newest first.
func (f *fixture) changesLogged(t *testing.T, person int64) []store.AuditEntry {
	t.Helper()
	all, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: person})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range all {
		if e.Action == access.Change && e.Allowed {
			out = append(out, e)
		}
	}
	return out
}

// TestRefusedChangesAreNotLoggedAsAllowed checks that the API logs a
// change of a student's record as allowed only with the change itself: a
// write the store refuses leaves no entry, one it makes leaves one.
func TestRefusedChangesAreNotLoggedAsAllowed(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-48 * time.Hour)
	none := func(what string) {
		t.Helper()
		if got := f.changesLogged(t, f.admin); len(got) != 0 {
			t.Errorf("%s is logged as an allowed change: %+v", what, got)
		}
	}

	wantStatus(t, f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[0], day, level(f.childA, 9))), http.StatusUnprocessableEntity)
	none("evidence refused for a level off the scale")
	batch := []any{f.evidenceBody(f.students[0], day, level(f.childA, 3)), f.evidenceBody(f.students[1], day, level(f.childA, 9))}
	wantStatus(t, f.do("POST", "/api/v1/evidence/batch", batch), http.StatusUnprocessableEntity)
	none("a refused batch")
	wantStatus(t, f.do("PATCH", fmt.Sprintf("/api/v1/people/%d", f.students[0]), map[string]any{"roles": []string{"wizard"}}), http.StatusUnprocessableEntity)
	wantStatus(t, f.do("POST", fmt.Sprintf("/api/v1/students/%d/guardians", f.students[0]),
		map[string]any{"guardianId": f.teacher, "relationship": "parent"}), http.StatusUnprocessableEntity)
	none("a refused change of a profile or a guardian")

	// A change made is logged once, with the route and request that made
	// it; voiding again is refused and logged no more.
	res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[0], day, level(f.childA, 3)))
	wantStatus(t, res, http.StatusCreated)
	var ev struct{ ID int64 }
	res.json(t, &ev)
	got := f.changesLogged(t, f.admin)
	if len(got) != 1 || got[0].StudentID != f.students[0] || got[0].What != access.Evidence || got[0].Relation != access.DistrictAdmin ||
		got[0].Route != "POST /api/v1/evidence" || got[0].RequestID != res.Header.Get("X-Request-ID") {
		t.Errorf("recorded evidence logged as %+v", got)
	}
	void := fmt.Sprintf("/api/v1/evidence/%d/void", ev.ID)
	wantStatus(t, f.do("POST", void, map[string]any{"reason": "wrong student"}), http.StatusOK)
	wantStatus(t, f.do("POST", void, map[string]any{"reason": "wrong student"}), http.StatusConflict)
	if got := f.changesLogged(t, f.admin); len(got) != 2 || got[0].Detail != fmt.Sprintf("void of evidence %d", ev.ID) {
		t.Errorf("after a void and a refused second void: %+v", got)
	}
}

// TestGridAuditCommitsWithTheBatch checks that the evidence grid's batch
// and its audit entries are written together: a grid the store refuses
// leaves neither, a grid recorded leaves both.
func TestGridAuditCommitsWithTheBatch(t *testing.T) {
	f := newFixture(t)
	b := f.signedIn(f.teacher)
	// Nell joined the class on March 3rd: the grid lists her today, and
	// the store refuses evidence of hers from before.
	ctx := context.Background()
	nell := roster.Person{DistrictID: f.district, GivenName: "Nell", FamilyName: "Ruiz", Roles: []roster.Role{roster.RoleStudent}, SchoolIDs: []int64{f.school}}
	if err := f.st.CreatePerson(ctx, &nell); err != nil {
		t.Fatal(err)
	}
	joined := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	if err := f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: f.district, ClassID: f.class, PersonID: nell.ID,
		Role: roster.EnrolledStudent, BeginDate: &joined}); err != nil {
		t.Fatal(err)
	}
	post := func(assessed string) response {
		return b.post(fmt.Sprintf("/classes/%d/record", f.class), url.Values{"kind": {"formative"}, "assessed": {assessed},
			"standard": {fmt.Sprint(f.childA)}, cellName(f.students[0], f.childA): {"3"}, cellName(nell.ID, f.childA): {"2"}})
	}
	count := func() int {
		n := 0
		for _, s := range []int64{f.students[0], f.students[1], f.students[2], nell.ID} {
			evs, _, err := f.st.StudentEvidence(context.Background(), f.district, s, store.EvidenceFilter{})
			if err != nil {
				t.Fatal(err)
			}
			n += len(evs)
		}
		return n
	}

	// Before Nell joined: the store refuses the batch, Maya's record too.
	wantPage(t, post("2025-02-24"), http.StatusUnprocessableEntity)
	if n, got := count(), f.changesLogged(t, f.teacher); n != 0 || len(got) != 0 {
		t.Errorf("a refused grid wrote %d records and %d allowed changes: %+v", n, len(got), got)
	}

	// An entry that cannot be written fails the grid, and nothing of it
	// is recorded: sending it again records it once.
	db := sqliteOf(t)
	if _, err := db.Exec(`CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log WHEN NEW.route = 'POST /classes/{id}/record'
BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	if res := post("2025-03-13"); res.Status != http.StatusInternalServerError {
		t.Fatalf("grid whose audit failed: status %d, want 500", res.Status)
	}
	if n, got := count(), f.changesLogged(t, f.teacher); n != 0 || len(got) != 0 {
		t.Errorf("a grid whose audit failed wrote %d records and %d allowed changes", n, len(got))
	}
	if _, err := db.Exec(`DROP TRIGGER audit_refused`); err != nil {
		t.Fatal(err)
	}

	if res := post("2025-03-13"); res.Status != http.StatusSeeOther {
		t.Fatalf("grid: status %d:\n%s", res.Status, res.Body)
	}
	got := f.changesLogged(t, f.teacher)
	if n := count(); n != 2 || len(got) != 2 {
		t.Fatalf("a recorded grid wrote %d records and %d allowed changes: %+v", n, len(got), got)
	}
	for _, e := range got {
		if e.What != access.Evidence || e.Relation != access.TeacherOf || e.Route != "POST /classes/{id}/record" ||
			e.Detail != fmt.Sprintf("evidence grid of class %d", f.class) || (e.StudentID != f.students[0] && e.StudentID != nell.ID) {
			t.Errorf("grid logged as %+v", e)
		}
	}
}

// sqliteOf opens the fixture's SQLite database beside the store, for a
// test to break what the store cannot: the database is the only one in
// the test's temporary directories (storetest.Write puts it there).
func sqliteOf(t *testing.T) *sql.DB {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "cairn.db"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("the fixture's database: found %q, %v", paths, err)
	}
	db, err := sql.Open("sqlite", paths[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
