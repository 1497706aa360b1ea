package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// testNow is the fixed clock of the tests' store and server.
var testNow = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

// fixture is a tiny district in a real SQLite store, served by a Server.
type fixture struct {
	t        testing.TB
	st       *store.Store
	srv      *Server
	reg      *prometheus.Registry
	logs     *syncBuffer
	doc      map[string]any // the server's OpenAPI document
	checkDoc bool           // validate every response against doc

	district                    int64
	school, term, course, class int64
	teacher, guardian           int64
	students                    [3]int64
	scale, framework            int64
	parent, childA, childB      int64 // childB has childA as prerequisite
}

// openStore opens a fresh SQLite store in a test directory.
func openStore(t testing.TB, onChange func(store.Change)) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{
		URL:      filepath.Join(t.TempDir(), "cairn.db"),
		Now:      func() time.Time { return testNow },
		OnChange: onChange,
	})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, reg: prometheus.NewRegistry(), logs: &syncBuffer{}, checkDoc: true}
	metrics := NewMetrics(f.reg)
	f.st = openStore(t, metrics.ObserveChange)
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %s: %v", what, err)
		}
	}
	d := roster.District{Name: "Cedar Valley Unified", SourcedID: "cvu"}
	must("district", f.st.CreateDistrict(ctx, &d))
	f.district = d.ID
	sc := roster.School{DistrictID: d.ID, Name: "Cedar Valley Middle", SourcedID: "cvms"}
	must("school", f.st.CreateSchool(ctx, &sc))
	f.school = sc.ID
	term := roster.Term{DistrictID: d.ID, Title: "2024-25", Type: roster.TermSchoolYear,
		StartDate: time.Date(2024, 8, 26, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC)}
	must("term", f.st.CreateTerm(ctx, &term))
	f.term = term.ID
	course := roster.Course{DistrictID: d.ID, SchoolID: &sc.ID, Title: "Math 6", Code: "M6"}
	must("course", f.st.CreateCourse(ctx, &course))
	f.course = course.ID
	class := roster.Class{DistrictID: d.ID, SchoolID: sc.ID, CourseID: course.ID, TermID: term.ID, Title: "Math 6 (Rivera)", Period: "2"}
	must("class", f.st.CreateClass(ctx, &class))
	f.class = class.ID
	person := func(given, family string, role roster.Role) int64 {
		t.Helper()
		p := roster.Person{DistrictID: d.ID, GivenName: given, FamilyName: family, Roles: []roster.Role{role}, SchoolIDs: []int64{sc.ID}}
		must("person "+given, f.st.CreatePerson(ctx, &p))
		return p.ID
	}
	f.teacher = person("Ana", "Rivera", roster.RoleTeacher)
	f.students[0] = person("Maya", "Chen", roster.RoleStudent)
	f.students[1] = person("Omar", "Haddad", roster.RoleStudent)
	f.students[2] = person("Lena", "Okafor", roster.RoleStudent)
	f.guardian = person("Wei", "Chen", roster.RoleGuardian)
	must("enroll teacher", f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: d.ID, ClassID: class.ID, PersonID: f.teacher, Role: roster.EnrolledTeacher, Primary: true}))
	for _, s := range f.students {
		must("enroll student", f.st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: d.ID, ClassID: class.ID, PersonID: s, Role: roster.EnrolledStudent}))
	}
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	must("scale", f.st.CreateScale(ctx, &scale))
	f.scale = scale.ID
	fw := standards.Framework{DistrictID: d.ID, Title: "Grade 6 Mathematics", Kind: standards.Academic, ScaleID: scale.ID}
	must("framework", f.st.CreateFramework(ctx, &fw))
	f.framework = fw.ID
	std := func(code, statement string, parent *int64, pos int) int64 {
		t.Helper()
		s := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Code: code, Statement: statement, ParentID: parent, Position: pos}
		must("standard "+code, f.st.CreateStandard(ctx, &s))
		return s.ID
	}
	f.parent = std("6.RP.A", "Understand ratio concepts and use ratio reasoning to solve problems.", nil, 0)
	f.childA = std("6.RP.A.1", "Understand the concept of a ratio and use ratio language.", &f.parent, 0)
	f.childB = std("6.RP.A.2", "Understand the concept of a unit rate.", &f.parent, 1)
	must("prerequisite", f.st.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: d.ID, StandardID: f.childB, PrerequisiteID: f.childA}))
	must("course standards", f.st.SetCourseStandards(ctx, d.ID, course.ID, []int64{f.parent, f.childA, f.childB}))

	srv, err := New(Config{Store: f.st, DistrictID: d.ID, Now: func() time.Time { return testNow },
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Metrics: metrics})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.srv = srv
	if err := json.Unmarshal(srv.openapi, &f.doc); err != nil {
		t.Fatalf("OpenAPI document is not JSON: %v", err)
	}
	return f
}

// response is an answer as a test sees it.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response body is not the expected JSON: %v\n%s", err, r.Body)
	}
}

// problem decodes a problem answer, checking its content type.
func (r response) problem(t testing.TB) problemDetails {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p problemDetails
	r.json(t, &p)
	if p.Status != r.Status {
		t.Errorf("problem status %d, response status %d", p.Status, r.Status)
	}
	return p
}

// do sends a request through the server and, unless turned off, checks
// the answer against the OpenAPI document.
func (f *fixture) do(method, path string, body any) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return f.serve(req)
}

// serve answers req and, unless turned off, checks the answer against the
// OpenAPI document.
func (f *fixture) serve(req *http.Request) response {
	f.t.Helper()
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	res := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if f.checkDoc {
		if err := f.conforms(req.Method, req.URL.RequestURI(), res); err != nil {
			f.t.Errorf("%s %s answered %d, which the OpenAPI document does not describe: %v\n%s", req.Method, req.URL, res.Status, err, res.Body)
		}
	}
	return res
}

// conforms checks that the document describes res: the operation, its
// status and the body's schema.
func (f *fixture) conforms(method, path string, res response) error {
	req := httptest.NewRequest(method, path, nil)
	_, pattern := f.srv.mux.Handler(req)
	if _, known := f.srv.byPattern[pattern]; !known {
		// No route: the answer must be a problem, checked below.
		return f.validateProblem(res)
	}
	m, p, _ := strings.Cut(pattern, " ")
	apiPath, _ := openAPIPath(p)
	op, ok := lookup(f.doc, "paths", apiPath, strings.ToLower(m)).(map[string]any)
	if !ok {
		return fmt.Errorf("no operation for %s", pattern)
	}
	resp, ok := lookup(op, "responses", strconv.Itoa(res.Status)).(map[string]any)
	if !ok {
		return fmt.Errorf("status %d is not among the operation's responses", res.Status)
	}
	if ref, ok := resp["$ref"].(string); ok {
		resp = resolve(f.doc, ref).(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(res.Body) != 0 {
			return fmt.Errorf("documented without a body, answered %d bytes", len(res.Body))
		}
		return nil
	}
	ct, _, _ := strings.Cut(res.Header.Get("Content-Type"), ";")
	media, ok := content[ct].(map[string]any)
	if !ok {
		return fmt.Errorf("content type %q is not documented", ct)
	}
	if !strings.HasSuffix(ct, "json") {
		return nil
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %v", err)
	}
	return validate(f.doc, media["schema"], v, "$")
}

func (f *fixture) validateProblem(res response) error {
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("unrouted answer has Content-Type %q", ct)
	}
	var v any
	if err := json.Unmarshal(res.Body, &v); err != nil {
		return err
	}
	return validate(f.doc, map[string]any{"$ref": "#/components/schemas/Problem"}, v, "$")
}

func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func resolve(doc map[string]any, ref string) any {
	return lookup(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
}

// validate checks v against the subset of JSON Schema the document uses.
// It is stricter than JSON Schema in one way, on purpose: an object may
// not carry properties its schema does not declare, so that every field
// the API answers with is documented.
func validate(doc map[string]any, schema any, v any, at string) error {
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema is %T", at, schema)
	}
	if ref, ok := s["$ref"].(string); ok {
		return validate(doc, resolve(doc, ref), v, at)
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			if err := validate(doc, sub, v, at); err != nil {
				return err
			}
		}
	}
	if any_, ok := s["anyOf"].([]any); ok {
		var errs []string
		for _, sub := range any_ {
			err := validate(doc, sub, v, at)
			if err == nil {
				errs = nil
				break
			}
			errs = append(errs, err.Error())
		}
		if errs != nil {
			return fmt.Errorf("%s: matches none of anyOf: %s", at, strings.Join(errs, " | "))
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == v {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
		}
	}
	if t, ok := s["type"]; ok {
		types := []string{}
		switch t := t.(type) {
		case string:
			types = append(types, t)
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !typeMatches(types, v) {
			return fmt.Errorf("%s: %s is not %v", at, jsonKind(v), types)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, hasProps := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[r.(string)]; !ok {
					return fmt.Errorf("%s: required property %q is missing", at, r)
				}
			}
		}
		extra, _ := s["additionalProperties"].(map[string]any)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, declared := props[k]
			switch {
			case declared:
				if err := validate(doc, ps, v[k], at+"."+k); err != nil {
					return err
				}
			case extra != nil:
				if err := validate(doc, extra, v[k], at+"."+k); err != nil {
					return err
				}
			case hasProps:
				return fmt.Errorf("%s: property %q is not documented", at, k)
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, x := range v {
				if err := validate(doc, items, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func typeMatches(types []string, v any) bool {
	for _, t := range types {
		switch t {
		case "null":
			if v == nil {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "number":
			if _, ok := v.(float64); ok {
				return true
			}
		case "integer":
			if n, ok := v.(float64); ok && n == float64(int64(n)) {
				return true
			}
		}
	}
	return false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// syncBuffer is a log destination the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// idOf reads the id of a created record.
func idOf(t testing.TB, r response) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	r.json(t, &v)
	if v.ID == 0 {
		t.Fatalf("no id in %s", r.Body)
	}
	return v.ID
}

// wantStatus fails unless r has status want.
func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
}
