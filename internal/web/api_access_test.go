package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestAPIAccess checks the API against the access policy, role by role:
// each may reach the students it has a relation to, a student it has none
// to answers exactly like one that does not exist, and what a role may
// never do is refused as such.
func TestAPIAccess(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	f.linkFamily() // the guardian of students[0]
	f.record(f.students[0], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3})
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	guardian := f.as(f.newToken(f.guardian, access.TokenWrite))
	student := f.as(f.newToken(f.students[0], access.TokenWrite))
	reader := f.as(f.newToken(f.teacher, access.TokenRead))
	h := f.classHistory() // a student who left the class and the school, one who joins it in two months
	principal := f.as(f.newToken(h.principal, access.TokenWrite))
	const missing = 999999

	tests := []struct {
		name   string
		as     *fixture
		method string
		path   string
		body   any
		status int
	}{
		{"teacher reads a student of their class", teacher, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", f.students[0]), nil, 200},
		{"teacher reads their class", teacher, "GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil, 200},
		{"teacher reads their class's students", teacher, "GET", fmt.Sprintf("/api/v1/classes/%d/students", f.class), nil, 200},
		{"teacher: another class's student", teacher, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", o.student), nil, 404},
		{"teacher: another class", teacher, "GET", fmt.Sprintf("/api/v1/classes/%d/mastery", o.class), nil, 404},
		{"teacher: another class's roster", teacher, "GET", fmt.Sprintf("/api/v1/classes/%d/students", o.class), nil, 404},
		{"teacher: another class's student's evidence", teacher, "GET", fmt.Sprintf("/api/v1/students/%d/evidence", o.student), nil, 404},
		{"teacher: another class's student as a person", teacher, "GET", fmt.Sprintf("/api/v1/people/%d", o.student), nil, 404},
		{"teacher: records for another class's student", teacher, "POST", "/api/v1/evidence", map[string]any{"studentId": o.student, "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(f.childA, 3)}}, 422},
		{"teacher records for their student", teacher, "POST", "/api/v1/evidence", map[string]any{"studentId": f.students[1], "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(f.childA, 2)}}, 201},
		{"teacher: a student whose enrollment ended", teacher, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", h.past), nil, 404},
		{"teacher: a student whose enrollment begins in two months", teacher, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", h.future), nil, 404},
		{"teacher: records for a student whose enrollment ended", teacher, "POST", "/api/v1/evidence", map[string]any{"studentId": h.past, "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(f.childA, 3)}}, 422},
		{"school admin reads a student of the school", principal, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", f.students[0]), nil, 200},
		{"school admin reads a class of the school", principal, "GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil, 200},
		{"school admin: a student who left for another school", principal, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", h.past), nil, 404},
		{"school admin: a student of the school who joins a class in two months", principal, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", h.future), nil, 200},
		{"school admin: the people list", principal, "GET", "/api/v1/people", nil, 403},
		{"teacher: the people list", teacher, "GET", "/api/v1/people", nil, 403},
		{"teacher: the policy", teacher, "PUT", "/api/v1/policy", map[string]any{"method": map[string]any{"name": "mean"}}, 403},
		{"teacher may read the policy", teacher, "GET", "/api/v1/policy", nil, 200},
		{"teacher sees only their classes", teacher, "GET", "/api/v1/classes", nil, 200},
		{"guardian reads their child", guardian, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", f.students[0]), nil, 200},
		{"guardian reads their child's evidence", guardian, "GET", fmt.Sprintf("/api/v1/students/%d/evidence", f.students[0]), nil, 200},
		{"guardian lists their children", guardian, "GET", fmt.Sprintf("/api/v1/guardians/%d/children", f.guardian), nil, 200},
		{"guardian: another child", guardian, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", f.students[1]), nil, 404},
		{"guardian: a student who does not exist", guardian, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", missing), nil, 404},
		{"guardian: a class", guardian, "GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil, 403},
		{"guardian: records evidence", guardian, "POST", "/api/v1/evidence", map[string]any{"studentId": f.students[0], "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(f.childA, 4)}}, 403},
		{"guardian: another guardian's children", guardian, "GET", fmt.Sprintf("/api/v1/people/%d/classes", f.teacher), nil, 404},
		{"student reads themself", student, "GET", fmt.Sprintf("/api/v1/students/%d/standards/%d/mastery", f.students[0], f.childA), nil, 200},
		{"student: a classmate", student, "GET", fmt.Sprintf("/api/v1/students/%d/mastery", f.students[1]), nil, 404},
		{"student: their guardians' contact details", student, "GET", fmt.Sprintf("/api/v1/students/%d/guardians", f.students[0]), nil, 403},
		{"read token reads", reader, "GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil, 200},
		{"read token cannot record", reader, "POST", "/api/v1/evidence", map[string]any{"studentId": f.students[0], "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(f.childA, 3)}}, 403},
		{"no token", f.as(""), "GET", "/api/v1/schools", nil, 401},
		{"a token that is no token", f.as("cairn_pat_nonsense"), "GET", "/api/v1/schools", nil, 401},
		{"a well-formed token nobody made", f.as(access.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "GET", "/api/v1/schools", nil, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.as.do(tt.method, tt.path, tt.body)
			wantStatus(t, res, tt.status)
			if tt.status >= 400 {
				res.problem(t)
			}
		})
	}

	// A hidden student reads word for word like a missing one.
	hidden := teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/mastery", o.student), nil).problem(t)
	absent := teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/mastery", missing), nil).problem(t)
	if want := fmt.Sprintf("no student %d in this district", o.student); hidden.Detail != want {
		t.Errorf("hidden: %q, want %q", hidden.Detail, want)
	}
	if absent.Detail != fmt.Sprintf("no student %d in this district", missing) || hidden.Type != absent.Type || hidden.Title != absent.Title {
		t.Errorf("hidden %+v and absent %+v differ", hidden, absent)
	}

	// The teacher's class list holds their class only.
	var classes list[struct{ ID int64 }]
	teacher.do("GET", "/api/v1/classes", nil).json(t, &classes)
	if len(classes.Items) != 1 || classes.Items[0].ID != f.class {
		t.Errorf("teacher's classes: %+v", classes.Items)
	}

	// Every read of a student's record through the API is in the log.
	entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: f.guardian, StudentID: f.students[0]})
	if err != nil || len(entries) == 0 {
		t.Fatalf("guardian's reads: %d entries, %v", len(entries), err)
	}
	reads, refusedChange := 0, false
	for _, e := range entries {
		switch {
		case e.Action == access.View && e.Allowed && e.Relation == access.GuardianOf:
			reads++
		case e.Action == access.Change && !e.Allowed && e.Relation == "":
			refusedChange = true
		}
	}
	if reads < 3 || !refusedChange {
		t.Errorf("guardian's reads and refused change logged as %+v", entries)
	}
	refused, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: f.guardian, StudentID: f.students[1]})
	if err != nil || len(refused) == 0 || refused[0].Allowed {
		t.Errorf("the guardian's refused read is not logged as refused: %+v, %v", refused, err)
	}
}

// TestAccountsAreChangedOnlyWhenSignedIn: an access token cannot make more
// tokens, even a write token of an administrator.
func TestAccountsAreChangedOnlyWhenSignedIn(t *testing.T) {
	f := newFixture(t)
	req := newFormRequest("POST", "/account/tokens", "name=more&scope=write&expires=30")
	req.Header.Set("Authorization", "Bearer "+f.adminToken)
	res := f.serve(req)
	if res.Status != http.StatusForbidden {
		t.Errorf("a token made a token: status %d", res.Status)
	}
	toks, _ := f.st.Tokens(context.Background(), f.admin)
	if len(toks) != 1 {
		t.Errorf("%d tokens, want the fixture's one", len(toks))
	}
}
