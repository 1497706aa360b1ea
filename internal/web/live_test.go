package web

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/store"
)

// liveEvent is one server-sent event as a test reads it.
type liveEvent struct {
	name, data string
}

// liveStream is an open GET /events as a browser holds it.
type liveStream struct {
	t      testing.TB
	events chan liveEvent
	cancel context.CancelFunc
	ended  chan struct{}
	retry  string
}

// openLive opens an event stream of the server at base with token and
// waits for its ready event.
func openLive(t testing.TB, base, query, token string) *liveStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/events?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET /events?%s: status %d", query, res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type %q", ct)
	}
	if res.Header.Get("X-Accel-Buffering") != "no" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v: want X-Accel-Buffering: no and Cache-Control: no-store, for proxies", res.Header)
	}
	succeeded.Store("GET /events", true)
	s := &liveStream{t: t, events: make(chan liveEvent, 100), cancel: cancel, ended: make(chan struct{})}
	retry := make(chan string, 1)
	go func() {
		defer close(s.ended)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev liveEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = liveEvent{}
			case strings.HasPrefix(line, "retry: "):
				select {
				case retry <- strings.TrimPrefix(line, "retry: "):
				default:
				}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(s.close)
	if ev := s.next(5 * time.Second); ev.name != "ready" {
		t.Fatalf("first event %+v, want ready", ev)
	}
	s.retry = <-retry
	return s
}

func (s *liveStream) close() { s.cancel(); <-s.ended }

// next returns the next event, or a zero one after d.
func (s *liveStream) next(d time.Duration) liveEvent {
	select {
	case ev := <-s.events:
		return ev
	case <-time.After(d):
		return liveEvent{}
	}
}

// wantChange waits for a change event naming kind.
func (s *liveStream) wantChange(who, kind string) {
	s.t.Helper()
	ev := s.next(5 * time.Second)
	if ev.name != "change" || !strings.Contains(ev.data, `"`+kind+`"`) {
		s.t.Errorf("%s: event %+v, want a change of %s", who, ev, kind)
	}
}

// wantNothing checks that no event comes within a while.
func (s *liveStream) wantNothing(who string) {
	s.t.Helper()
	if ev := s.next(300 * time.Millisecond); ev.name != "" {
		s.t.Errorf("%s: event %+v, want none", who, ev)
	}
}

// TestLiveSubscriptionsDecided: a page follows only what it may show; a
// class or student the person may not see answers exactly like one that
// does not exist, and what no role of theirs may ever follow is refused
// as forbidden.
func TestLiveSubscriptionsDecided(t *testing.T) {
	f := newFixture(t)
	o := f.otherClass()
	f.linkFamily()
	teacher := f.newToken(f.teacher, access.TokenRead)
	guardian := f.newToken(f.guardian, access.TokenRead)
	student := f.newToken(f.students[0], access.TokenRead)
	const missing = 999999
	for _, tc := range []struct {
		who, token, query string
		hidden            int64
	}{
		{"teacher, another's class", teacher, "class=%d", o.class},
		{"teacher, another's student", teacher, "student=%d", o.student},
		{"guardian, another's child", guardian, "student=%d", f.students[1]},
		{"student, a classmate", student, "student=%d", f.students[1]},
	} {
		t.Run(tc.who, func(t *testing.T) {
			path := "/events?" + tc.query
			hidden := f.as(tc.token).do("GET", fmt.Sprintf(path, tc.hidden), nil)
			absent := f.as(tc.token).do("GET", fmt.Sprintf(path, missing), nil)
			if hidden.Status != http.StatusNotFound {
				t.Fatalf("hidden: status %d, want 404\n%s", hidden.Status, hidden.Body)
			}
			h := sameWords(string(hidden.Body), path, "", tc.hidden)
			a := sameWords(string(absent.Body), path, "", missing)
			if hidden.Status != absent.Status || h != a {
				t.Errorf("hidden: %d %s\nmissing: %d %s", hidden.Status, h, absent.Status, a)
			}
		})
	}
	for _, tc := range []struct {
		who, token, query string
		status            int
		says              string
	}{
		{"guardian, a class", guardian, fmt.Sprintf("class=%d", f.class), http.StatusForbidden, ""},
		{"student, alerts", student, "alerts=mine", http.StatusForbidden, "no classes"},
		{"nothing named", teacher, "", http.StatusBadRequest, "exactly one"},
		{"two things named", teacher, fmt.Sprintf("class=%d&student=%d", f.class, f.students[0]), http.StatusBadRequest, "exactly one"},
		{"not an id", teacher, "class=twelve", http.StatusBadRequest, "class must be"},
		{"alerts of another", teacher, "alerts=17", http.StatusBadRequest, "alerts must be mine"},
	} {
		t.Run(tc.who, func(t *testing.T) {
			res := f.as(tc.token).do("GET", "/events?"+tc.query, nil)
			if res.Status != tc.status || !strings.Contains(string(res.Body), tc.says) {
				t.Errorf("status %d, want %d saying %q:\n%s", res.Status, tc.status, tc.says, res.Body)
			}
		})
	}
	if res := f.as("").do("GET", fmt.Sprintf("/events?class=%d", f.class), nil); res.Status != http.StatusUnauthorized {
		t.Errorf("without credentials: status %d, want 401", res.Status)
	}
}

// TestLiveFanOut: a change reaches the streams that follow what it
// concerns, each as soon as it is committed, and no other: a student's
// new evidence reaches the heatmap of their class, their own page and
// their family's, not a classmate's page; alerts reach the teacher and
// not the family.
func TestLiveFanOut(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	hs := httptest.NewServer(f.srv)
	defer hs.Close()
	defer f.srv.StopLive()
	teacher := f.newToken(f.teacher, access.TokenWrite)
	heatmap := openLive(t, hs.URL, fmt.Sprintf("class=%d", f.class), teacher)
	alerts := openLive(t, hs.URL, "alerts=mine", teacher)
	page := openLive(t, hs.URL, fmt.Sprintf("student=%d", f.students[0]), teacher)
	classmate := openLive(t, hs.URL, fmt.Sprintf("student=%d", f.students[1]), teacher)
	family := openLive(t, hs.URL, fmt.Sprintf("student=%d", f.students[0]), f.newToken(f.guardian, access.TokenRead))
	me := openLive(t, hs.URL, fmt.Sprintf("student=%d", f.students[0]), f.newToken(f.students[0], access.TokenRead))
	if heatmap.retry == "" {
		t.Error("no retry: line")
	}

	lv := 3.0
	ev := evidence.Evidence{DistrictID: f.district, StudentID: f.students[0], ClassID: &f.class, Kind: evidence.Formative,
		Title: "Exit ticket", AssessedAt: testNow.Add(-time.Hour), RecordedBy: f.teacher, Scores: []evidence.Score{{StandardID: f.childA, Level: &lv}}}
	if err := f.st.RecordEvidence(context.Background(), &ev); err != nil {
		t.Fatal(err)
	}
	heatmap.wantChange("heatmap", "mastery")
	page.wantChange("student's page", "mastery")
	family.wantChange("family's page", "mastery")
	me.wantChange("student's own page", "mastery")
	classmate.wantNothing("classmate's page")
	alerts.wantNothing("alerts, on mastery")

	// The kinds of the other parts' changes, as the store hands them on.
	f.srv.live.publish(store.Change{Kind: store.AlertsChanged, DistrictID: f.district, StudentID: f.students[0]})
	alerts.wantChange("teacher's alerts", "alerts")
	page.wantChange("student's page, alerts", "alerts")
	family.wantNothing("family's page, alerts")
	me.wantNothing("student's own page, alerts")
	heatmap.wantChange("heatmap, alerts", "alerts")

	f.srv.live.publish(store.Change{Kind: store.SupportsChanged, DistrictID: f.district, StudentID: f.students[0]})
	page.wantChange("student's page, supports", "supports")
	family.wantNothing("family's page, supports and notes")
	heatmap.wantChange("heatmap, supports", "supports")
	alerts.wantNothing("alerts, supports")

	f.srv.live.publish(store.Change{Kind: store.GroupsChanged, DistrictID: f.district, ClassID: f.class})
	heatmap.wantChange("heatmap, groups", "groups")
	page.wantNothing("student's page, groups of the class")

	// Another district's student of the same id is not this one.
	f.srv.live.publish(store.Change{DistrictID: f.district + 1, StudentID: f.students[0]})
	page.wantNothing("another district's change")

	// Missed changes reach everyone.
	f.srv.live.publish(store.Change{Kind: store.ChangesMissed})
	for name, s := range map[string]*liveStream{"heatmap": heatmap, "alerts": alerts, "classmate": classmate, "family": family} {
		s.wantChange(name, "missed")
	}

	// Stopping the server's live updates ends every stream.
	f.srv.StopLive()
	for _, s := range []*liveStream{heatmap, alerts, page, classmate, family, me} {
		select {
		case <-s.ended:
		case <-time.After(5 * time.Second):
			t.Fatal("a stream is still open after StopLive")
		}
	}
	if res := f.as(teacher).do("GET", fmt.Sprintf("/events?class=%d", f.class), nil); res.Status != http.StatusServiceUnavailable {
		t.Errorf("after StopLive: status %d, want 503", res.Status)
	}
}

// TestLiveLimits: the open streams are bounded per server and per person,
// and the refusal names the limit.
func TestLiveLimits(t *testing.T) {
	f := newFixture(t)
	f.checkDoc = false
	srv, err := New(Config{Store: f.st, DistrictID: f.district, Now: f.clock.Now, Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
		LiveConnections: 3, LivePerPerson: 2, LiveHeartbeat: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.StopLive()
	teacher := f.newToken(f.teacher, access.TokenRead)
	admin := f.newToken(f.admin, access.TokenRead)
	q := fmt.Sprintf("class=%d", f.class)
	openLive(t, hs.URL, q, teacher)
	second := openLive(t, hs.URL, q, teacher)
	get := func(token string) (int, string, string) {
		req, _ := http.NewRequest("GET", hs.URL+"/events?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := make([]byte, 2000)
		n, _ := res.Body.Read(b)
		return res.StatusCode, string(b[:n]), res.Header.Get("Retry-After")
	}
	if status, body, after := get(teacher); status != http.StatusTooManyRequests || !strings.Contains(body, "2 pages") || after == "" {
		t.Errorf("a third stream of one person: %d (Retry-After %q) %s", status, after, body)
	}
	openLive(t, hs.URL, q, admin)
	if status, body, _ := get(admin); status != http.StatusServiceUnavailable || !strings.Contains(body, "limit of 3") {
		t.Errorf("a fourth stream on the server: %d %s", status, body)
	}
	// Heartbeats keep an idle stream open; a closed stream frees its place.
	if ev := second.next(300 * time.Millisecond); ev.name != "" {
		t.Errorf("heartbeats are comments, not events: %+v", ev)
	}
	second.close()
	deadline := time.Now().Add(5 * time.Second)
	for srv.live.count.Load() != 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	openLive(t, hs.URL, q, admin)

	// The metrics count the open streams, and keep a stream's lifetime
	// out of the request durations; a refused stream is a request like any.
	rec := httptest.NewRecorder()
	srv.metrics.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, "cairn_live_streams 3\n") {
		t.Errorf("/metrics does not count 3 open streams:\n%s", grepLines(body, "cairn_live"))
	}
	if strings.Contains(body, `route="/events",status="2xx"`) {
		t.Errorf("an event stream is measured as a request:\n%s", grepLines(body, `route="/events"`))
	}
	if !strings.Contains(body, `route="/events",status="4xx"`) {
		t.Errorf("a refused stream is not measured:\n%s", grepLines(body, `route="/events"`))
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestLiveOutlivesReadTimeout: a server's read timeout, which bounds how
// long a request may take to arrive, does not end an open stream.
func TestLiveOutlivesReadTimeout(t *testing.T) {
	f := newFixture(t)
	hs := httptest.NewUnstartedServer(f.srv)
	hs.Config.ReadTimeout = 200 * time.Millisecond
	hs.Start()
	defer hs.Close()
	defer f.srv.StopLive()
	heatmap := openLive(t, hs.URL, fmt.Sprintf("class=%d", f.class), f.newToken(f.teacher, access.TokenRead))
	time.Sleep(600 * time.Millisecond)
	f.srv.live.publish(store.Change{DistrictID: f.district, StudentID: f.students[0]})
	heatmap.wantChange("heatmap after the read timeout", "mastery")
}
