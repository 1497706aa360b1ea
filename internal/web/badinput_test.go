package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestBadInput sends what clients get wrong and checks that each answer
// is a problem document with the right status, type and fields.
func TestBadInput(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-time.Hour)
	ev := func(mod func(map[string]any)) map[string]any {
		b := f.evidenceBody(f.students[0], day, level(f.childA, 3))
		mod(b)
		return b
	}
	tests := []struct {
		name         string
		method, path string
		body         any
		contentType  string // when not application/json
		status       int
		field        string // the first errors[].field, when one is expected
		detail       string // a part of the detail
		allow        string // the Allow header of a 405
	}{
		{name: "malformed JSON", method: "POST", path: "/api/v1/schools", body: "{\n  \"name\": \"X\",\n  \"sourcedId\" \"y\"\n}",
			status: 400, detail: "line 3, column 15"},
		{name: "JSON ends early", method: "POST", path: "/api/v1/schools", body: `{"name": "X"`,
			status: 400, detail: "ends early"},
		{name: "unknown field", method: "POST", path: "/api/v1/schools", body: `{"name": "X", "colour": "green"}`,
			status: 400, field: "colour", detail: `unknown field "colour"`},
		{name: "server-set field on evidence", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["recordedAt"] = day }),
			status: 400, field: "recordedAt"},
		{name: "wrong JSON type", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["studentId"] = "Maya" }),
			status: 400, field: "studentId", detail: "expected an integer"},
		{name: "string for an array", method: "POST", path: "/api/v1/people", body: `{"givenName": "Ann", "roles": "student"}`,
			status: 400, field: "roles", detail: "expected an array"},
		{name: "date not RFC 3339", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["assessedAt"] = "14/03/2025" }),
			status: 400, detail: "RFC 3339"},
		{name: "empty body", method: "POST", path: "/api/v1/schools", body: "",
			status: 400, detail: "empty"},
		{name: "two JSON documents", method: "POST", path: "/api/v1/schools", body: `{"name": "X"} {"name": "Y"}`,
			status: 400, detail: "after the JSON document at line 1, column 15"},
		{name: "not JSON", method: "POST", path: "/api/v1/schools", body: "name=X", contentType: "application/x-www-form-urlencoded",
			status: 415},
		{name: "body too large", method: "POST", path: "/api/v1/schools", body: `{"name": "` + strings.Repeat("x", maxBody) + `"}`,
			status: 413},
		{name: "unknown student", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["studentId"] = 9999 }),
			status: 422, field: "studentId"},
		{name: "a teacher is not a student", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["studentId"] = f.teacher }),
			status: 422, field: "studentId"},
		{name: "unknown standard", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["scores"] = []any{level(9999, 3)} }),
			status: 422, field: "scores[0].standardId"},
		{name: "unknown class", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["classId"] = 9999 }),
			status: 422, field: "classId"},
		{name: "score outside its range", method: "POST", path: "/api/v1/evidence",
			body: ev(func(b map[string]any) {
				b["scores"] = []any{map[string]any{"standardId": f.childA, "points": 12, "minPoints": 0, "maxPoints": 10}}
			}),
			status: 422, field: "scores[0].points", detail: "outside 0..10"},
		{name: "level not on the scale", method: "POST", path: "/api/v1/evidence", body: ev(func(b map[string]any) { b["scores"] = []any{level(f.childA, 2.5)} }),
			status: 422, field: "scores[0].level"},
		{name: "evidence dated in the future", method: "POST", path: "/api/v1/evidence",
			body:   ev(func(b map[string]any) { b["assessedAt"] = testNow.Add(48 * time.Hour).Format(time.RFC3339) }),
			status: 422, field: "assessedAt", detail: "in the future"},
		{name: "empty batch", method: "POST", path: "/api/v1/evidence/batch", body: `[]`,
			status: 422, detail: "empty"},
		{name: "batch that is not an array", method: "POST", path: "/api/v1/evidence/batch", body: `{"studentId": 1}`,
			status: 400, detail: "array"},
		{name: "duplicate sourcedId", method: "POST", path: "/api/v1/schools", body: `{"name": "Another", "sourcedId": "cvms"}`,
			status: 409, field: "sourcedId", detail: `"cvms"`},
		{name: "duplicate sourcedId on a patch", method: "PATCH", path: fmt.Sprintf("/api/v1/schools/%d", f.otherSchool(t)), body: `{"sourcedId": "cvms"}`,
			status: 409, field: "sourcedId"},
		{name: "another district", method: "POST", path: "/api/v1/schools", body: fmt.Sprintf(`{"name": "X", "districtId": %d}`, f.district+1),
			status: 422, field: "districtId"},
		{name: "id on create", method: "POST", path: "/api/v1/courses", body: `{"title": "X", "id": 77}`,
			status: 422, field: "id"},
		{name: "patch changes the id", method: "PATCH", path: fmt.Sprintf("/api/v1/schools/%d", f.school), body: `{"id": 77}`,
			status: 422, field: "id"},
		{name: "patch breaks validation", method: "PATCH", path: fmt.Sprintf("/api/v1/terms/%d", f.term), body: `{"endDate": "2020-01-01T00:00:00Z"}`,
			status: 422, field: "endDate"},
		{name: "unknown id in the URL", method: "GET", path: "/api/v1/classes/9999",
			status: 404, detail: "no class 9999 in this district"},
		{name: "id in the URL not a number", method: "GET", path: "/api/v1/classes/abc",
			status: 404, detail: `no class "abc"`},
		{name: "negative id in the URL", method: "GET", path: "/api/v1/standards/-3",
			status: 404},
		{name: "batch is not an id", method: "GET", path: "/api/v1/evidence/batch",
			status: 404},
		{name: "person of the wrong role in the URL", method: "GET", path: fmt.Sprintf("/api/v1/students/%d/mastery", f.teacher),
			status: 404, detail: fmt.Sprintf("no student %d", f.teacher)},
		{name: "unknown path", method: "GET", path: "/api/v1/sections",
			status: 404},
		{name: "wrong method", method: "DELETE", path: "/api/v1/schools",
			status: 405, allow: "GET, HEAD, POST"},
		{name: "wrong method on a record", method: "PUT", path: "/api/v1/evidence/1",
			status: 405, allow: "GET, HEAD"},
		{name: "limit not a number", method: "GET", path: "/api/v1/schools?limit=lots",
			status: 400, field: "limit"},
		{name: "limit too large", method: "GET", path: "/api/v1/schools?limit=501",
			status: 400, field: "limit"},
		{name: "unknown role", method: "GET", path: "/api/v1/people?role=parent",
			status: 400, field: "role"},
		{name: "includeVoided not a boolean", method: "GET", path: fmt.Sprintf("/api/v1/students/%d/evidence?includeVoided=maybe", f.students[0]),
			status: 400, field: "includeVoided"},
		{name: "void without a reason", method: "POST", path: "/api/v1/evidence/1/void", body: fmt.Sprintf(`{"by": %d}`, f.admin),
			status: 404}, // no evidence 1 yet: the URL's id is checked first
		{name: "enroll a guardian as a student", method: "POST", path: fmt.Sprintf("/api/v1/classes/%d/enrollments", f.class),
			body: map[string]any{"personId": f.guardian, "role": "student"}, status: 422},
		{name: "enrollment for another class", method: "POST", path: fmt.Sprintf("/api/v1/classes/%d/enrollments", f.class),
			body: map[string]any{"personId": f.students[0], "role": "student", "classId": f.class + 100}, status: 422, field: "classId"},
		{name: "prerequisite cycle", method: "POST", path: fmt.Sprintf("/api/v1/standards/%d/prerequisites", f.childA),
			body: map[string]any{"prerequisiteId": f.childB}, status: 422, field: "prerequisiteId", detail: "cycle"},
		{name: "unknown policy method", method: "PUT", path: "/api/v1/policy",
			body: map[string]any{"method": map[string]any{"name": "median"}, "changedBy": f.admin}, status: 422, field: "method.name"},
		{name: "policy change in someone else's name", method: "PUT", path: "/api/v1/policy",
			body: map[string]any{"method": map[string]any{"name": "mean"}, "changedBy": f.teacher}, status: 422, field: "changedBy"},
		{name: "course policy removed in someone else's name", method: "DELETE", path: fmt.Sprintf("/api/v1/courses/%d/policy?changedBy=%d", f.course, f.teacher),
			status: 422, field: "changedBy"},
		{name: "course standards missing", method: "PUT", path: fmt.Sprintf("/api/v1/courses/%d/standards", f.course),
			body: `{}`, status: 422, field: "standardIds"},
		{name: "unknown scale for a framework", method: "POST", path: "/api/v1/frameworks",
			body: `{"title": "X", "kind": "academic", "scaleId": 9999}`, status: 422, field: "scaleId"},
		{name: "scale whose cut is not a level", method: "POST", path: "/api/v1/scales",
			body: `{"name": "X", "masteryCut": 5, "levels": [{"value": 1, "label": "A"}, {"value": 2, "label": "B"}]}`, status: 422, field: "masteryCut"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res response
			if tt.contentType != "" {
				res = f.doWithType(tt.method, tt.path, tt.body.(string), tt.contentType)
			} else {
				res = f.do(tt.method, tt.path, tt.body)
			}
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", res.Status, tt.status, res.Body)
			}
			p := res.problem(t)
			if slug := problemTypes[tt.status].slug; p.Type != problemTypeBase+slug || p.Title != problemTypes[tt.status].title {
				t.Errorf("type %q title %q, want the %s type", p.Type, p.Title, slug)
			}
			if want, _, _ := strings.Cut(tt.path, "?"); p.Instance != want {
				t.Errorf("instance = %q, want %q", p.Instance, want)
			}
			if p.RequestID == "" || p.RequestID != res.Header.Get("X-Request-ID") {
				t.Errorf("requestId %q, X-Request-ID %q", p.RequestID, res.Header.Get("X-Request-ID"))
			}
			if tt.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tt.field) {
				t.Errorf("errors = %+v, want field %q first", p.Errors, tt.field)
			}
			if !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", p.Detail, tt.detail)
			}
			if tt.status == 422 && len(p.Errors) > 0 {
				for _, e := range p.Errors {
					if e.Reason == "" {
						t.Errorf("field %q has no reason", e.Field)
					}
				}
			}
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if tt.status >= 500 || strings.Contains(p.Detail, "(") && strings.Contains(p.Detail, "):") {
				t.Errorf("detail shows internals: %q", p.Detail)
			}
		})
	}
}

// TestVoidRefusals checks the void body: a reason, and no one but the
// person voiding named as doing it.
func TestVoidRefusals(t *testing.T) {
	f := newFixture(t)
	res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[0], testNow.Add(-time.Hour), level(f.childA, 3)))
	wantStatus(t, res, http.StatusCreated)
	path := fmt.Sprintf("/api/v1/evidence/%d/void", idOf(t, res))
	for _, tt := range []struct {
		name, body, field string
	}{
		{"no reason", fmt.Sprintf(`{"by": %d}`, f.admin), "reason"},
		{"blank reason", fmt.Sprintf(`{"by": %d, "reason": "  "}`, f.admin), "reason"},
		{"someone else", fmt.Sprintf(`{"reason": "typo", "by": %d}`, f.teacher), "by"},
		{"unknown person", `{"reason": "typo", "by": 9999}`, "by"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do("POST", path, tt.body)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if p := res.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("errors = %+v, want %s", p.Errors, tt.field)
			}
		})
	}
}

// otherSchool creates a second school and returns its id.
func (f *fixture) otherSchool(t *testing.T) int64 {
	t.Helper()
	res := f.do("POST", "/api/v1/schools", map[string]any{"name": "Cedar Valley Elementary", "sourcedId": "cves"})
	wantStatus(t, res, http.StatusCreated)
	return idOf(t, res)
}

// doWithType sends a body with the given content type.
func (f *fixture) doWithType(method, path, body, contentType string) response {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	return f.serve(req)
}
