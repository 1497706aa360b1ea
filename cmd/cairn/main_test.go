package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer that run can write to from its goroutine
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func noEnv(string) string { return "" }

// start runs the binary's run function in the background and waits until
// stdout shows a URL matching pattern. It returns that URL and a function
// that stops the server and returns run's error.
func start(t *testing.T, args []string, pattern string) (string, func() error) {
	t.Helper()
	base, stop, _ := startOut(t, args, pattern)
	return base, stop
}

// startOut is start that also returns a function reading what run has
// printed so far.
func startOut(t *testing.T, args []string, pattern string) (string, func() error, func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, noEnv, &stdout, &stderr) }()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], func() error {
				cancel()
				select {
				case err := <-errc:
					return err
				case <-time.After(30 * time.Second):
					return errors.New("server did not stop within 30s of cancel")
				}
			}, stdout.String
		}
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("run %v ended early: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("run %v printed no URL in time\nstdout:\n%s\nstderr:\n%s", args, stdout.String(), stderr.String())
		}
	}
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestDemoServes serves a demo dated a month ago, as someone trying cairn
// might ask for, and signs in through it twice: each time the requests
// after signing in are answered. The demo's date moves the school year and
// its evidence; signing in keeps the real time, so a session made "on" the
// demo's date does not end before it starts.
func TestDemoServes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo district")
	}
	date := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	base, stop, stdout := startOut(t, []string{"demo", "--addr", "127.0.0.1:0", "--date", date, "--students", "60"}, `Serving on (http://\S+)`)
	for _, path := range []string{"/healthz", "/readyz", "/", "/signin", "/api/v1/openapi.json", "/metrics"} {
		if code, body := get(t, base+path); code != http.StatusOK {
			t.Errorf("GET %s = %d: %.300s", path, code, body)
		}
	}
	// The API refuses a caller who has not signed in.
	if code, _ := get(t, base+"/api/v1/classes"); code != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/classes without signing in = %d, want 401", code)
	}

	// Sign in with the administrator's account the demo printed.
	signInAs := func(role string) *http.Client {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\s+` + role + `\s+(\S+)\s+(\S+)`).FindStringSubmatch(stdout())
		if m == nil {
			t.Fatalf("the demo printed no sign-in for the %s:\n%s", role, stdout())
		}
		return signIn(t, base, m[1], m[2])
	}
	client := signInAs("District admin")
	body := mustGet(t, client, base+"/api/v1/classes?limit=1")
	var classes struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &classes); err != nil || len(classes.Items) != 1 {
		t.Fatalf("classes: %v %s", err, body)
	}
	id := strconv.FormatInt(classes.Items[0].ID, 10)
	for _, path := range []string{"/api/v1/classes/" + id + "/mastery", "/classes/" + id} {
		mustGet(t, client, base+path)
	}

	// Then the teacher, on another browser: a second session, whose
	// requests are answered too, with the class the demo's date finds them
	// teaching.
	teacher := signInAs("Teacher")
	page := mustGet(t, teacher, base+"/classes")
	class := regexp.MustCompile(`href="/classes/(\d+)"`).FindSubmatch(page)
	if class == nil {
		t.Fatalf("the teacher's class list links no class:\n%.2000s", page)
	}
	mustGet(t, teacher, base+"/classes/"+string(class[1]))
	if err := stop(); err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

// mustGet answers one GET through client, which must succeed without
// being sent to sign in, and returns the body.
func mustGet(t *testing.T, client *http.Client, url string) []byte {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/signin" {
		t.Fatalf("GET %s = %d at %s: %.300s", url, resp.StatusCode, resp.Request.URL.Path, body)
	}
	return body
}

// signIn signs in through the sign-in form, as a browser would, and returns
// a client that carries the session cookie.
func signIn(t *testing.T, base, username, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := client.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("the sign-in page has no form token:\n%s", page)
	}
	resp, err = client.PostForm(base+"/signin", url.Values{"csrf": {string(csrf[1])}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/signin" {
		t.Fatalf("signing in as %s ended at %s with %d: %.500s", username, resp.Request.URL, resp.StatusCode, body)
	}
	return client
}

func TestMigrateDistrictServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cairn.db")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"migrate", "--db", db}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Errorf("migrate printed %q", out.String())
	}
	// Serving an empty database explains what to do.
	err := run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "cairn district create") {
		t.Fatalf("serve on an empty database: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"district", "create", "--name", "Riverside Unified", "--db", db}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("district create: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"district", "list", "--db", db}, noEnv, &out, &errOut); err != nil || !strings.Contains(out.String(), "Riverside Unified") {
		t.Fatalf("district list: %v %q", err, out.String())
	}
	// The district writes in English unless told otherwise.
	out.Reset()
	if err := run(ctx, []string{"district", "set", "--db", db, "--language", "Spanish"}, noEnv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "not a language tag") {
		t.Errorf("district set --language Spanish: %v, want a refusal naming the tag", err)
	}
	if err := run(ctx, []string{"district", "set", "--db", db, "--language", "es-mx"}, noEnv, &out, &errOut); err != nil || !strings.Contains(out.String(), "writes in es-MX") {
		t.Fatalf("district set --language es-mx: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"district", "list", "--db", db}, noEnv, &out, &errOut); err != nil || !strings.Contains(out.String(), "es-MX") {
		t.Errorf("district list after setting the language: %v %q", err, out.String())
	}
	base, stop := start(t, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, `serving on (http://\S+)`)
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz = %d: %s", code, body)
	}
	if err := stop(); err != nil {
		t.Errorf("serve after cancel: %v", err)
	}
}

func TestUsage(t *testing.T) {
	ctx := context.Background()
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := run(ctx, []string{c.name, "--help"}, noEnv, &out, &errOut); err != nil {
				t.Fatalf("%s --help: %v", c.name, err)
			}
			if !strings.Contains(out.String()+errOut.String(), "Usage: cairn "+c.name) {
				t.Errorf("%s --help printed no usage:\n%s%s", c.name, out.String(), errOut.String())
			}
		})
	}
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"frobnicate"}, noEnv, &out, &errOut)
	if !errors.Is(err, errUsage) || exitCode(err) != 2 {
		t.Errorf("unknown command: err %v, exit %d", err, exitCode(err))
	}
	err = run(ctx, []string{"serve", "--log-format", "xml"}, noEnv, &out, &errOut)
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("bad log format: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"version"}, noEnv, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "cairn ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}
