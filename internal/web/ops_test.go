package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestHealth(t *testing.T) {
	f := newFixture(t)
	res := f.do("GET", "/healthz", nil)
	wantStatus(t, res, http.StatusOK)
	res = f.do("GET", "/readyz", nil)
	wantStatus(t, res, http.StatusOK)
	var ready map[string]string
	res.json(t, &ready)
	if ready["status"] != "ready" || ready["engine"] != "sqlite" {
		t.Errorf("readyz = %v", ready)
	}

	// With the database closed the process is up but not ready.
	f.st.Close()
	res = f.do("GET", "/healthz", nil)
	wantStatus(t, res, http.StatusOK)
	res = f.do("GET", "/readyz", nil)
	wantStatus(t, res, http.StatusServiceUnavailable)
	res.problem(t)
}

// metricValue reads a metric without labels (or the sum over its labels)
// from the server's /metrics.
func metricValue(t testing.TB, f *fixture, name string) float64 {
	t.Helper()
	res := f.do("GET", "/metrics", nil)
	wantStatus(t, res, http.StatusOK)
	var sum float64
	sc := bufio.NewScanner(bytes.NewReader(res.Body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
	}
	return sum
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	if got := metricValue(t, f, "cairn_evidence_recorded_total"); got != 0 {
		t.Fatalf("evidence counted before any was recorded: %g", got)
	}
	f.recordSome(t) // three records: Maya's two, Omar's one
	res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[2], testNow.Add(-time.Hour), level(f.childB, 3)))
	wantStatus(t, res, http.StatusCreated)
	f.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil)
	f.do("GET", "/api/v1/classes/abc/mastery", nil)

	if got := metricValue(t, f, "cairn_evidence_recorded_total"); got != 4 {
		t.Errorf("cairn_evidence_recorded_total = %g, want 4", got)
	}
	// Each record updates its standards and their parent: at least one
	// state per record, and Lena's record touches two (6.RP.A.2, 6.RP.A).
	if got := metricValue(t, f, "cairn_mastery_updates_total"); got < 5 {
		t.Errorf("cairn_mastery_updates_total = %g, want at least 5", got)
	}

	body := string(f.do("GET", "/metrics", nil).Body)
	for _, want := range []string{
		`cairn_http_request_duration_seconds_count{method="GET",route="/api/v1/classes/{id}/mastery",status="2xx"} 1`,
		`cairn_http_request_duration_seconds_count{method="GET",route="/api/v1/classes/{id}/mastery",status="4xx"} 1`,
		`cairn_http_request_duration_seconds_count{method="POST",route="/api/v1/evidence/batch",status="2xx"} 1`,
		"go_goroutines ",
		"process_start_time_seconds",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestNewMetricsSharesRuntimeCollectors(t *testing.T) {
	reg := prometheus.NewRegistry()
	NewMetrics(reg)
	defer func() {
		if v := recover(); v == nil {
			t.Error("registering cairn's metrics twice on one registry did not panic")
		}
	}()
	NewMetrics(reg) // the runtime collectors are tolerated; cairn's own are not
}

func hrefs(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `href="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

func TestStaticAsset(t *testing.T) {
	f := newFixture(t)
	u := f.srv.pages.urls["cairn.css"]
	if !strings.HasPrefix(u, "/static/cairn.") {
		t.Fatalf("asset URL %q", u)
	}
	res := f.do("GET", u, nil)
	wantStatus(t, res, http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control = %q", cc)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	wantStatus(t, f.do("GET", "/static/cairn.css", nil), http.StatusNotFound) // only the hashed name
}

func TestPanicRecovery(t *testing.T) {
	f := newFixture(t)
	f.checkDoc = false // a route only this test has
	f.srv.handle("boom", "GET /test/boom", public(), func(w http.ResponseWriter, r *http.Request) error {
		panic("the handler broke")
	})
	res := f.do("GET", "/test/boom", nil)
	wantStatus(t, res, http.StatusInternalServerError)
	p := res.problem(t)
	if strings.Contains(p.Detail, "broke") {
		t.Errorf("the panic is shown to the client: %q", p.Detail)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "the handler broke") || !strings.Contains(logs, p.RequestID) {
		t.Errorf("the panic is not logged with the request id %s:\n%s", p.RequestID, logs)
	}
	// The server goes on serving.
	wantStatus(t, f.do("GET", "/healthz", nil), http.StatusOK)
}

func TestUnencodableAnswer(t *testing.T) {
	f := newFixture(t)
	f.checkDoc = false
	f.srv.handle("nan", "GET /test/nan", public(), func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]float64{"trend": math.NaN()})
		return nil
	})
	res := f.do("GET", "/test/nan", nil)
	wantStatus(t, res, http.StatusInternalServerError)
	res.problem(t)
	if !strings.Contains(f.logs.String(), "NaN") {
		t.Errorf("the encoding failure is not logged:\n%s", f.logs.String())
	}
}

func TestInternalErrorIsNotShown(t *testing.T) {
	f := newFixture(t)
	f.checkDoc = false
	f.srv.handle("fail", "GET /test/fail", public(), func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("query classes: %w", errors.New("disk I/O error at /var/lib/cairn/cairn.db"))
	})
	res := f.do("GET", "/test/fail", nil)
	wantStatus(t, res, http.StatusInternalServerError)
	p := res.problem(t)
	if strings.Contains(p.Detail, "disk") || strings.Contains(string(res.Body), "/var/lib") {
		t.Errorf("internal error shown: %s", res.Body)
	}
	if !strings.Contains(f.logs.String(), "disk I/O error") {
		t.Error("internal error not logged")
	}
}

func TestRequestID(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-ID", "lb-7f3a.42")
	if got := f.serve(req).Header.Get("X-Request-ID"); got != "lb-7f3a.42" {
		t.Errorf("a proxy's request id is not kept: %q", got)
	}
	req = httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-ID", "bad id\nwith a newline")
	a := f.serve(req).Header.Get("X-Request-ID")
	b := f.do("GET", "/api/v1/schools", nil).Header.Get("X-Request-ID")
	if a == "" || b == "" || a == b || strings.Contains(a, " ") {
		t.Errorf("generated ids %q and %q: want two different, plain ids", a, b)
	}
	if !strings.Contains(f.logs.String(), "request_id="+b) {
		t.Errorf("access log lacks request id %s", b)
	}
	// The access log names the client, so that an audit entry's request
	// id leads to where the request came from.
	req = httptest.NewRequest("GET", "/api/v1/schools", nil)
	req.RemoteAddr = "198.51.100.23:41000"
	id := f.serve(req).Header.Get("X-Request-ID")
	if !regexp.MustCompile(`request_id=` + regexp.QuoteMeta(id) + ` .*client=198\.51\.100\.23 `).MatchString(f.logs.String()) {
		t.Errorf("the access line of request %s does not name its client:\n%s", id, f.logs.String())
	}
}

// TestProblemFor checks the one mapping from errors to answers, for the
// kinds no route test reaches.
func TestProblemFor(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		status   int
		detail   string
		record   int // -1 for none
		internal bool
	}{
		{"not found", problem.NotFound("student", 42), 404, "student 42", -1, false},
		{"not found wrapped by store functions", fmt.Errorf("Class(1, 9): %w", problem.NotFound("class", 9)), 404, "class 9", -1, false},
		{"forbidden", problem.Forbidden("guardian 3 of student 4"), 403, "guardian 3 of student 4", -1, false},
		{"conflict", fmt.Errorf("CreateSchool: %w", problem.Conflict("sourcedId", "%q is used by school 2", "cvms")), 409, `sourcedId: "cvms" is used by school 2`, -1, false},
		{"store.Open context", fmt.Errorf("store.Open: School(3): %w", problem.NotFound("school", 3)), 404, "school 3", -1, false},
		{"conflict in a batch", problem.InRecord(3, fmt.Errorf("RecordEvidenceBatch: %w", problem.Conflict("", "already recorded"))), 409, "record 3: already recorded", 3, false},
		{"invalid", problem.Invalid("scores[0].level", "5 is not a level"), 422, "scores[0].level: 5 is not a level", -1, false},
		{"invalid record", problem.InRecord(7, problem.Invalid("studentId", "required")), 422, "record 7: studentId: required", 7, false},
		{"bare invalid", fmt.Errorf("AddPrerequisite(1, 2): %w", problem.Errorf(problem.KindInvalid, "would loop")), 422, "would loop", -1, false},
		{"too large", &http.MaxBytesError{Limit: 10}, 413, "larger than 10 bytes", -1, false},
		{"other", errors.New("database is locked"), 500, "failed", -1, true},
		{"canceled", context.Canceled, 500, "failed", -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, internal := problemFor(tt.err)
			if p.Status != tt.status || internal != tt.internal {
				t.Errorf("status %d internal %v, want %d %v", p.Status, internal, tt.status, tt.internal)
			}
			if !strings.Contains(p.Detail, tt.detail) || strings.Contains(p.Detail, "):") || strings.Contains(p.Detail, "School") || strings.Contains(p.Detail, "store.") {
				t.Errorf("detail %q, want it to contain %q and no function names", p.Detail, tt.detail)
			}
			if tt.record < 0 && p.Record != nil || tt.record >= 0 && (p.Record == nil || *p.Record != tt.record) {
				t.Errorf("record %v, want %d", p.Record, tt.record)
			}
			if !strings.HasPrefix(p.Type, problemTypeBase) || p.Title == "" {
				t.Errorf("type %q title %q", p.Type, p.Title)
			}
			if p.Status == http.StatusConflict && !strings.HasPrefix(p.Detail, "record") {
				if len(p.Errors) != 1 || p.Errors[0].Field != "sourcedId" || p.Errors[0].Reason != `"cvms" is used by school 2` {
					t.Errorf("conflict errors = %+v, want the sourcedId and why", p.Errors)
				}
			}
		})
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	if _, err := New(Config{DistrictID: 1}); err == nil {
		t.Error("New without a store did not fail")
	}
	st := openStore(t, nil)
	if _, err := New(Config{Store: st}); err == nil {
		t.Error("New without a district did not fail")
	}
	// Defaults: no logger, clock or metrics needed.
	s, err := New(Config{Store: st, DistrictID: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "cairn_http_request_duration_seconds") && !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("a server's own metrics registry serves nothing:\n%s", rec.Body.String())
	}
}
