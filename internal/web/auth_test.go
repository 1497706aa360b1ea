package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
)

// setPassword gives a person of the fixture an account with a password.
func (f *fixture) setPassword(personID int64, pw string) {
	f.t.Helper()
	phc, err := access.HashPassword(pw, testPasswordParams)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.SetPassword(context.Background(), f.district, personID, phc); err != nil {
		f.t.Fatalf("SetPassword: %v", err)
	}
}

// signinError returns the one message a refused sign-in shows.
var signinErrorRE = regexp.MustCompile(`<p class="error" role="alert" id="signin-error">([^<]*)</p>`)

func signinError(t testing.TB, body string) string {
	t.Helper()
	m := signinErrorRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sign-in error on the page:\n%s", body)
	}
	return m[1]
}

func TestSignIn(t *testing.T) {
	f := newFixture(t)
	const pw = "correct horse battery"
	f.setPassword(f.teacher, pw)

	b := f.browser()
	page := wantPage(t, b.get("/signin"), http.StatusOK)
	for _, want := range []string{`id="signin-form"`, `name="username"`, `autocomplete="current-password"`, `name="csrf"`} {
		if !strings.Contains(page, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
	if _, ok := b.cookies[formCookie]; !ok {
		t.Fatal("the sign-in page set no form cookie")
	}

	// Wrong password and unknown username: one message, the same.
	res := b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {"wrong password!"}})
	wrong := signinError(t, wantPage(t, res, http.StatusUnprocessableEntity))
	if strings.Contains(res.text(), "wrong password!") {
		t.Error("the password typed is written back into the page")
	}
	if !strings.Contains(res.text(), `value="ana.rivera"`) {
		t.Error("the username typed is not kept")
	}
	res = b.post("/signin", url.Values{"username": {"nobody.here"}, "password": {"wrong password!"}})
	unknown := signinError(t, wantPage(t, res, http.StatusUnprocessableEntity))
	if wrong != unknown || wrong == "" {
		t.Errorf("messages differ: wrong password %q, unknown username %q", wrong, unknown)
	}
	if !strings.Contains(f.logs.String(), access.ReasonNoAccount) || !strings.Contains(f.logs.String(), access.ReasonWrongPassword) {
		t.Error("the log does not keep the reasons")
	}

	// Empty fields are named beside the field.
	res = b.post("/signin", url.Values{"username": {""}, "password": {""}})
	body := wantPage(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="username-error"`) || !strings.Contains(body, `id="password-error"`) {
		t.Error("empty fields are not marked")
	}

	// The right password, in another case of username: signed in, sent home.
	res = b.post("/signin", url.Values{"username": {"Ana.Rivera"}, "password": {pw}})
	if got := location(t, res); got != "/classes" {
		t.Errorf("signed in to %q, want the teacher's home /classes", got)
	}
	c, ok := b.cookies[sessionCookie]
	if !ok {
		t.Fatal("no session cookie")
	}
	raw := strings.Join(res.Header.Values("Set-Cookie"), "\n")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("session cookie lacks %s: %s", want, raw)
		}
	}
	if strings.Contains(raw, "Secure") {
		t.Errorf("session cookie is Secure without TLS: %s", raw)
	}
	if _, err := f.st.SessionByTokenHash(context.Background(), access.HashSecret(c.Value)); err != nil {
		t.Errorf("the session is not in the database: %v", err)
	}
	page = wantPage(t, b.get("/classes"), http.StatusOK)
	if !strings.Contains(page, `<strong id="who-name">Ana Rivera</strong>`) || !strings.Contains(page, `<span class="role" id="who-role">Teacher</span>`) {
		t.Error("the header does not say who is signed in and in what role")
	}
}

func TestSignInOverTLS(t *testing.T) {
	f := newFixture(t)
	f.setPassword(f.teacher, "correct horse battery")
	b := f.browser()
	b.tls = true
	res := b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {"correct horse battery"}})
	location(t, res)
	if raw := strings.Join(res.Header.Values("Set-Cookie"), "\n"); !strings.Contains(raw, "Secure") {
		t.Errorf("session cookie is not Secure under TLS: %s", raw)
	}
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("no HSTS under TLS: %q", got)
	}
}

func TestSignInLockout(t *testing.T) {
	f := newFixture(t)
	const pw = "correct horse battery"
	f.setPassword(f.teacher, pw)
	b := f.browser()
	var first string
	for i := range access.DefaultLockout.After {
		res := b.postRaw("/signin", url.Values{"csrf": {b.token()}, "username": {"ana.rivera"}, "password": {fmt.Sprint("guess ", i)}}, "same-origin")
		msg := signinError(t, wantPage(t, res, http.StatusUnprocessableEntity))
		if first == "" {
			first = msg
		} else if msg != first {
			t.Errorf("attempt %d says %q, the first said %q", i, msg, first)
		}
	}
	acc, err := f.st.Account(context.Background(), f.teacher)
	if err != nil || !acc.LockedUntil.After(f.clock.Now()) {
		t.Fatalf("account after %d wrong passwords: %+v, %v", access.DefaultLockout.After, acc, err)
	}
	// Locked: the right password is refused with the same message.
	res := b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {pw}})
	if msg := signinError(t, wantPage(t, res, http.StatusUnprocessableEntity)); msg != first {
		t.Errorf("locked account says %q, want the one message %q", msg, first)
	}
	if !strings.Contains(f.logs.String(), access.ReasonLocked) {
		t.Error("the log does not say the account is locked")
	}
	// After the lock, the right password works.
	f.clock.advance(access.DefaultLockout.For + time.Second)
	res = b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {pw}})
	location(t, res)
}

func TestSignInRateLimit(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	token := b.token()
	var last response
	for range 11 {
		last = b.postRaw("/signin", url.Values{"csrf": {token}, "username": {"x"}, "password": {""}}, "same-origin")
	}
	body := wantPage(t, last, http.StatusTooManyRequests)
	if last.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many sign-in attempts") {
		t.Errorf("the 11th attempt from one address: Retry-After %q\n%s", last.Header.Get("Retry-After"), body)
	}
	// Another address is not held back.
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"csrf": {token}, "username": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "203.0.113.9:4000"
	if res := b.do(req); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("another address: status %d", res.Status)
	}
}

func TestSessionExpiryReturnsToThePage(t *testing.T) {
	f := newFixture(t)
	const pw = "correct horse battery"
	f.setPassword(f.teacher, pw)
	b := f.browser()
	location(t, b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {pw}}))
	page := fmt.Sprintf("/classes/%d?sort=mastered", f.class)
	wantPage(t, b.get(page), http.StatusOK)

	// Idle past the session's life: back to sign-in, told why, then back.
	f.clock.advance(access.DefaultSessions.Idle + time.Minute)
	res := b.get(page)
	to := location(t, res)
	u, _ := url.Parse(to)
	if u.Path != "/signin" || u.Query().Get("next") != page || u.Query().Get("expired") != "1" {
		t.Fatalf("expired session sent to %q", to)
	}
	if _, ok := b.cookies[sessionCookie]; ok {
		t.Error("the ended session's cookie is kept")
	}
	body := wantPage(t, b.get(to), http.StatusOK)
	if !strings.Contains(body, `id="signin-notice"`) || !strings.Contains(body, fmt.Sprintf(`name="next" value="%s"`, strings.ReplaceAll(page, "&", "&amp;"))) {
		t.Errorf("sign-in page after expiry lacks the notice or the way back:\n%s", body)
	}
	res = b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {pw}, "next": {page}})
	if got := location(t, res); got != page {
		t.Errorf("after signing in again went to %q, want %q", got, page)
	}
	wantPage(t, b.get(page), http.StatusOK)

	// A next that leaves the site is not followed.
	for _, next := range []string{"https://evil.example/", "//evil.example/x", `/\evil.example`, "javascript:alert(1)"} {
		res := b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {pw}, "next": {next}})
		if got := location(t, res); got != "/classes" {
			t.Errorf("next %q sent to %q, want home", next, got)
		}
	}
}

// TestSignInOnAPastDate signs in on a server whose district's today is a
// year behind the real time, as on a demo dated in the past. The session
// cookie says how long it lasts (Max-Age), not until when, so that the
// browser's clock need not agree with the district's today; the session
// lasts across the requests after signing in and a touch, and ends when it
// has been idle too long by the clock of signing in.
func TestSignInOnAPastDate(t *testing.T) {
	f := newFixtureClocks(t, &testClock{at: testNow}, &testClock{at: time.Now()})
	const pw = "correct horse battery"
	f.setPassword(f.teacher, pw)
	b := f.browser()
	res := b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {pw}})
	location(t, res)
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == sessionCookie && (c.MaxAge != int(access.DefaultSessions.Max/time.Second) || !c.Expires.IsZero()) {
			t.Errorf("the session cookie lasts Max-Age %d until %v, want Max-Age %d and no Expires",
				c.MaxAge, c.Expires, int(access.DefaultSessions.Max/time.Second))
		}
	}
	page := fmt.Sprintf("/classes/%d", f.class)
	wantPage(t, b.get(page), http.StatusOK)
	wantPage(t, b.get("/classes"), http.StatusOK)
	f.wall.advance(time.Hour) // the next request moves the session's expiry on
	wantPage(t, b.get(page), http.StatusOK)
	f.wall.advance(access.DefaultSessions.Idle - time.Minute)
	wantPage(t, b.get(page), http.StatusOK)
	f.wall.advance(access.DefaultSessions.Idle + time.Minute)
	if to := location(t, b.get(page)); !strings.HasPrefix(to, "/signin?") {
		t.Errorf("a session idle too long by the clock of signing in went on to %q", to)
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/classes/3", "/classes/3"},
		{"/classes/3?sort=name", "/classes/3?sort=name"},
		{"", ""},
		{"classes", ""},
		{"//evil.example", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/classes", ""},
		{"/ok\r\nSet-Cookie: x", ""},
		{"/%2F%2Fevil", "/%2F%2Fevil"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSignOutRevokesTheSession(t *testing.T) {
	f := newFixture(t)
	b := f.signedIn(f.teacher)
	secret := b.cookies[sessionCookie].Value
	wantPage(t, b.get("/classes"), http.StatusOK)
	res := b.post("/signout", nil)
	if got := location(t, res); got != "/signin?signedout=1" {
		t.Errorf("signed out to %q", got)
	}
	if _, err := f.st.SessionByTokenHash(context.Background(), access.HashSecret(secret)); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("the session still works in the database: %v", err)
	}
	// The old cookie, replayed, no longer signs in.
	old := f.browser()
	old.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: secret}
	if to := location(t, old.get("/classes")); !strings.HasPrefix(to, "/signin?next=") {
		t.Errorf("replayed cookie led to %q", to)
	}
}

func TestForgedRequestsAreRefused(t *testing.T) {
	f := newFixture(t)
	b := f.signedIn(f.teacher)
	form := func() url.Values { return url.Values{"name": {"sync"}, "scope": {"read"}, "expires": {"30"}} }
	tests := []struct {
		name   string
		form   url.Values
		site   string
		origin string
	}{
		{"from another site", withToken(form(), b.token()), "cross-site", ""},
		{"from another origin, without Sec-Fetch-Site", withToken(form(), b.token()), "", "https://evil.example"},
		{"without a token", form(), "same-origin", ""},
		{"with a forged token", withToken(form(), "bm90IGEgdG9rZW4"), "same-origin", ""},
		{"with another session's token", withToken(form(), access.CSRFToken(access.NewCSRFSecret())), "same-origin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/account/tokens", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			wantPage(t, b.do(req), http.StatusForbidden)
			toks, err := f.st.Tokens(context.Background(), f.teacher)
			if err != nil || len(toks) != 0 {
				t.Errorf("a forged request made a token: %d, %v", len(toks), err)
			}
		})
	}
	// The same form from the site itself works.
	res := b.post("/account/tokens", form())
	wantPage(t, res, http.StatusCreated)

	// Signing in from another site is refused too.
	anon := f.browser()
	res = anon.postRaw("/signin", url.Values{"csrf": {anon.token()}, "username": {"ana.rivera"}, "password": {"x"}}, "cross-site")
	wantPage(t, res, http.StatusForbidden)
	res = anon.postRaw("/signin", url.Values{"username": {"ana.rivera"}, "password": {"x"}}, "same-origin")
	wantPage(t, res, http.StatusForbidden)
}

func withToken(v url.Values, token string) url.Values {
	v.Set("csrf", token)
	return v
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(t)
	b := f.signedIn(f.teacher)
	cssURL := f.srv.pages.urls["cairn.css"]
	for _, tt := range []struct {
		name string
		res  response
	}{
		{"page", b.get("/classes")},
		{"page error", b.get("/students/999999")},
		{"redirect", f.browser().get("/classes")},
		{"unrouted page", b.get("/no/such/page")},
		{"sign-in", f.browser().get("/signin")},
		{"asset", f.browser().get(cssURL)},
		{"API", f.do("GET", "/api/v1/schools", nil)},
		{"API problem", f.do("GET", "/api/v1/schools/999", nil)},
		{"API without a token", f.as("").do("GET", "/api/v1/schools", nil)},
		{"health", f.do("GET", "/healthz", nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %s", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows inline code: %q", csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("headers %v", h)
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS without TLS")
			}
		})
	}
}

// TestPagesHaveNoInlineCode holds the pages to what the CSP allows: no
// inline script, no style attribute or element, no event handler.
func TestPagesHaveNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script[^>]*>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
	for name, set := range newFixture(t).srv.pages.templates["en"] {
		for _, tmpl := range set.Templates() {
			if tmpl.Tree == nil {
				continue
			}
			if m := inline.FindString(tmpl.Tree.Root.String()); m != "" {
				t.Errorf("page %s (%s) has inline code: %q", name, tmpl.Name(), m)
			}
		}
	}
}

func TestRouteWithoutPolicyIsRefused(t *testing.T) {
	f := newFixture(t)
	defer func() {
		v := recover()
		if v == nil || !strings.Contains(fmt.Sprint(v), "no access policy") {
			t.Errorf("registering a route without a policy: recovered %v, want a panic naming the missing policy", v)
		}
		if _, ok := f.srv.byPattern["GET /test/open"]; ok {
			t.Error("the route was registered")
		}
	}()
	f.srv.handle("open", "GET /test/open", policy{}, func(w http.ResponseWriter, r *http.Request) error { return nil })
}

// TestPublicRoutes lists the routes anyone may use without signing in;
// a route added to it must be added here on purpose.
func TestPublicRoutes(t *testing.T) {
	f := newFixture(t)
	var got []string
	for _, rt := range f.srv.routes {
		if !rt.Policy.defined {
			t.Errorf("route %s has no policy", rt.Name)
		}
		if rt.Policy.public {
			got = append(got, rt.Name)
		}
	}
	slices.Sort(got)
	want := []string{"caseAssociation", "caseDocument", "caseDocuments", "caseItem", "casePackage", // frameworks only: decision 9
		"healthz", "landing", "language", "metrics", "openapi", "readyz", "reset", "resetForm", "signin", "signinForm", "staticAsset"}
	if !slices.Equal(got, want) {
		t.Errorf("public routes %v, want %v", got, want)
	}
	// Every other route refuses a request without credentials.
	for _, rt := range f.srv.routes {
		if rt.Policy.public {
			continue
		}
		path := strings.NewReplacer("{id}", "1", "{standardId}", "1", "{token}", "x", "{name}", "x").Replace(rt.Path)
		req := httptest.NewRequest(rt.Method, path, nil)
		res := f.as("").serve(req)
		want := http.StatusUnauthorized
		if rt.Page {
			want = http.StatusSeeOther
		}
		if res.Status != want {
			t.Errorf("%s without credentials: status %d, want %d", rt.Pattern, res.Status, want)
		}
	}
}
