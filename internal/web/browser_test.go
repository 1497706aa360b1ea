package web

import (
	"context"
	"crypto/tls"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/store"
)

// browser is a person's browser as the page tests drive it: it keeps the
// cookies it is given, sends them back, and fills each form's token the
// way a page does.
type browser struct {
	f       *fixture
	cookies map[string]*http.Cookie
	// secret is the form secret of a session made through the store, so
	// that tokens can be made without loading a page.
	secret []byte
	// lang is sent as Accept-Language; tls makes requests look as if they
	// came over TLS.
	lang string
	tls  bool
}

// browser returns a browser nobody has signed in on.
func (f *fixture) browser() *browser {
	return &browser{f: f, cookies: map[string]*http.Cookie{}}
}

// signedIn returns a browser with a session of the person, made through
// the store as signing in makes it.
func (f *fixture) signedIn(personID int64) *browser {
	f.t.Helper()
	b := f.browser()
	secret, hash := access.NewSecret()
	b.secret = access.NewCSRFSecret()
	err := f.st.CreateSession(context.Background(), store.Session{TokenHash: hash, PersonID: personID, DistrictID: f.district,
		CSRFSecret: b.secret, ExpiresAt: f.st.WallClock().Add(access.DefaultSessions.Idle), Method: "password"})
	if err != nil {
		f.t.Fatalf("CreateSession: %v", err)
	}
	b.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: secret}
	return b
}

// do sends a request with the browser's cookies and keeps those it is
// given. Like a real browser it drops a cookie whose Expires has passed by
// its own clock, the real one, whatever the server's clocks say.
func (b *browser) do(req *http.Request) response {
	b.f.t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	if b.tls {
		req.TLS = &tls.ConnectionState{}
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	res := b.f.serve(req)
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		expired := c.MaxAge == 0 && !c.Expires.IsZero() && c.Expires.Before(time.Now())
		if c.MaxAge < 0 || c.Value == "" || expired {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return res
}

func (b *browser) get(path string) response {
	b.f.t.Helper()
	return b.do(httptest.NewRequest("GET", path, nil))
}

// post submits a form as a page of this site would: from the same
// origin, with the form token.
func (b *browser) post(path string, form url.Values) response {
	b.f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", b.token())
	}
	return b.postRaw(path, form, "same-origin")
}

// postRaw submits a form as is, with the Sec-Fetch-Site the browser would
// send ("" for none).
func (b *browser) postRaw(path string, form url.Values, fetchSite string) response {
	b.f.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if fetchSite != "" {
		req.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token returns a form token: made from the session's secret when the
// test knows it, else read from a page, as a person's browser gets it.
func (b *browser) token() string {
	b.f.t.Helper()
	if b.secret != nil {
		return access.CSRFToken(b.secret)
	}
	page := "/signin"
	if _, ok := b.cookies[sessionCookie]; ok {
		page = "/account/tokens"
	}
	res := b.get(page)
	m := csrfField.FindSubmatch(res.Body)
	if m == nil {
		b.f.t.Fatalf("no form token on %s (status %d)", page, res.Status)
	}
	return html.UnescapeString(string(m[1]))
}

// follow returns where a redirect leads.
func location(t testing.TB, res response) string {
	t.Helper()
	if res.Status != http.StatusSeeOther && res.Status != http.StatusFound {
		t.Fatalf("status %d, want a redirect; body %s", res.Status, res.Body)
	}
	return res.Header.Get("Location")
}

// text returns the page's body as text, for assertions that do not care
// about markup.
func (r response) text() string { return string(r.Body) }

// wantPage fails unless the answer is an HTML page with status want.
func wantPage(t testing.TB, r response, want int) string {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q, want an HTML page", ct)
	}
	return string(r.Body)
}

// newFormRequest is a form post with no cookies.
func newFormRequest(method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
