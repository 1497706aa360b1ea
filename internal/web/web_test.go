package web

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/pgtest"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// succeeded holds the pattern of every route a test request succeeded on;
// pagePatterns those of the pages, which TestMain holds to the same rule
// as the API's operations.
var succeeded, pagePatterns sync.Map

// TestMain runs the tests and then, when all of them ran, fails unless
// every route answered at least one of them with success: each route's
// happy path is tested.
func TestMain(m *testing.M) {
	code := m.Run()
	// Live updates' test of two servers on one PostgreSQL started a
	// cluster, if PostgreSQL is installed: stop it.
	code = pgtest.Stop(code)
	if code != 0 || testing.Short() {
		os.Exit(code)
	}
	if run := flag.Lookup("test.run"); run != nil && run.Value.String() != "" {
		os.Exit(code)
	}
	if bench := flag.Lookup("test.bench"); bench != nil && bench.Value.String() != "" {
		os.Exit(code)
	}
	var missing []string
	for pattern := range operations {
		if _, ok := succeeded.Load(pattern); !ok {
			missing = append(missing, pattern)
		}
	}
	pagePatterns.Range(func(k, _ any) bool {
		if _, ok := succeeded.Load(k); !ok {
			missing = append(missing, k.(string))
		}
		return true
	})
	if len(missing) > 0 {
		sort.Strings(missing)
		fmt.Fprintf(os.Stderr, "FAIL: no test succeeded on these routes:\n  %s\n", strings.Join(missing, "\n  "))
		os.Exit(1)
	}
	os.Exit(code)
}

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
	teacher, guardian, admin    int64
	students                    [3]int64
	scale, framework            int64
	parent, childA, childB      int64 // childB has childA as prerequisite

	// clock is the store's and the server's clock, the district's today;
	// wall is their clock of signing in, the same clock unless the test
	// made the fixture with newFixtureClocks. Tests may move them.
	clock, wall *testClock

	// statements records the statements the store runs while a test
	// counts them.
	statements *statementLog

	// token is sent as Authorization: Bearer with every request of do;
	// by default that of adminToken, a district administrator's write
	// token.
	token, adminToken string
}

// openStore opens a fresh SQLite store in a test directory.
func openStore(t testing.TB, onChange func(store.Change)) *store.Store {
	t.Helper()
	now := func() time.Time { return testNow }
	return openStoreAt(t, onChange, now, now, nil)
}

// openStoreAt opens a fresh SQLite store (a copy of one migrated once,
// storetest.SQLite) whose district's today is now and whose clock of
// signing in is wall, reporting each statement it runs to onStatement
// when that is not nil.
func openStoreAt(t testing.TB, onChange func(store.Change), now, wall func() time.Time, onStatement func(string)) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{
		URL:         storetest.SQLite(t),
		Now:         now,
		WallClock:   wall,
		OnChange:    onChange,
		OnStatement: onStatement,
	})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newFixture makes the fixture on one clock, at testNow: the district's
// today and the clock of signing in.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	clock := &testClock{at: testNow}
	return newFixtureClocks(t, clock, clock)
}

// newFixtureClocks makes the fixture with the district's today on clock
// and signing in on wall.
func newFixtureClocks(t testing.TB, clock, wall *testClock) *fixture {
	t.Helper()
	f := &fixture{t: t, reg: prometheus.NewRegistry(), logs: &syncBuffer{}, checkDoc: true, clock: clock, wall: wall,
		statements: &statementLog{}}
	metrics := NewMetrics(f.reg)
	f.st = openStoreAt(t, metrics.ObserveChange, f.clock.Now, f.wall.Now, f.statements.add)
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
		p := roster.Person{DistrictID: d.ID, GivenName: given, FamilyName: family, Roles: []roster.Role{role}, SchoolIDs: []int64{sc.ID},
			Username: strings.ToLower(given + "." + family)}
		must("person "+given, f.st.CreatePerson(ctx, &p))
		return p.ID
	}
	f.teacher = person("Ana", "Rivera", roster.RoleTeacher)
	f.students[0] = person("Maya", "Chen", roster.RoleStudent)
	f.students[1] = person("Omar", "Haddad", roster.RoleStudent)
	f.students[2] = person("Lena", "Okafor", roster.RoleStudent)
	f.guardian = person("Wei", "Chen", roster.RoleGuardian)
	f.admin = person("Dana", "Okoro", roster.RoleDistrictAdmin)
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

	srv, err := New(Config{Store: f.st, DistrictID: d.ID, Now: f.clock.Now,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Metrics: metrics, PasswordParams: testPasswordParams})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.srv = srv
	f.adminToken = f.newToken(f.admin, access.TokenWrite)
	f.token = f.adminToken
	for _, rt := range srv.routes {
		if rt.Page {
			pagePatterns.Store(rt.Pattern, true)
		}
	}
	if err := json.Unmarshal(srv.openapi, &f.doc); err != nil {
		t.Fatalf("OpenAPI document is not JSON: %v", err)
	}
	return f
}

// testClock is a clock tests can move forward.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

// advance moves the clock forward by d.
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// testPasswordParams make password hashes cheap, so that tests that set
// passwords do not spend 64 MiB and a tenth of a second on each.
var testPasswordParams = access.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// newToken makes a personal access token for a person of the fixture's
// district through the store, and returns its secret.
func (f *fixture) newToken(personID int64, scope string) string {
	f.t.Helper()
	secret, hash := access.NewAccessToken()
	tok := store.Token{DistrictID: f.district, PersonID: personID, Name: "test", Hash: hash, Scope: scope}
	if err := f.st.CreateToken(context.Background(), &tok); err != nil {
		f.t.Fatalf("CreateToken: %v", err)
	}
	return secret
}

// as returns a copy of the fixture whose requests carry token (none when
// it is "").
func (f *fixture) as(token string) *fixture {
	c := *f
	c.token = token
	return &c
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
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
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
	if _, pattern := f.srv.mux.Handler(req); pattern != "" {
		// A page succeeds with a redirect too (post, redirect, get).
		if rt, ok := f.srv.byPattern[pattern]; res.Status < 300 || ok && rt.Page && res.Status < 400 {
			succeeded.Store(pattern, true)
		}
	}
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
	rt, known := f.srv.byPattern[pattern]
	if !known {
		if strings.Contains(res.Header.Get("Content-Type"), "text/html") {
			return nil // a page answering a browser's wrong address
		}
		if strings.HasPrefix(path, "/ims/case/") {
			// No route of the CASE service: a CASE status.
			var v any
			if err := json.Unmarshal(res.Body, &v); err != nil {
				return err
			}
			return validate(f.doc, map[string]any{"$ref": "#/components/schemas/imsx_StatusInfo"}, v, "$")
		}
		// No route: the answer must be a problem, checked below.
		return f.validateProblem(res)
	}
	if rt.Page {
		return nil // pages are not in the API's description
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
