package web

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reconfigure replaces the fixture's server by one built on the same
// store, clock, log and metrics with the configuration change makes.
func (f *fixture) reconfigure(change func(*Config)) {
	f.t.Helper()
	cfg := Config{Store: f.st, DistrictID: f.district, Now: f.clock.Now,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Metrics: f.srv.metrics, PasswordParams: testPasswordParams}
	change(&cfg)
	srv, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	f.srv = srv
}

func mustPrefixes(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	ps, err := ParseTrustedProxies(s)
	if err != nil {
		t.Fatalf("ParseTrustedProxies(%q): %v", s, err)
	}
	return ps
}

func TestArrive(t *testing.T) {
	f := newFixture(t)
	proxies := mustPrefixes(t, "10.0.0.0/8, 2001:db8:cafe::/48, 192.0.2.44")
	servers := map[string]*Server{}
	for _, tt := range []struct {
		name       string
		publicURL  string
		remoteAddr string
		tls        bool
		header     http.Header
		want       arrival
	}{
		{name: "direct", remoteAddr: "198.51.100.7:51000",
			want: arrival{client: "198.51.100.7", base: "http://cairn.test"}},
		{name: "direct over TLS", remoteAddr: "198.51.100.7:51000", tls: true,
			want: arrival{client: "198.51.100.7", secure: true, base: "https://cairn.test"}},
		{name: "untrusted peer's forwarding headers are ignored", remoteAddr: "198.51.100.7:51000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.5"}, "X-Forwarded-Proto": {"https"}},
			want:   arrival{client: "198.51.100.7", base: "http://cairn.test"}},
		{name: "trusted proxy", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.5"}, "X-Forwarded-Proto": {"https"}},
			want:   arrival{client: "203.0.113.5", secure: true, base: "https://cairn.test"}},
		{name: "trusted proxy over plain HTTP", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.5"}, "X-Forwarded-Proto": {"http"}},
			want:   arrival{client: "203.0.113.5", base: "http://cairn.test"}},
		{name: "trusted proxy without headers", remoteAddr: "10.1.2.3:40000",
			want: arrival{client: "10.1.2.3", base: "http://cairn.test"}},
		{name: "what the client wrote to the left is ignored", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-For": {"1.2.3.4, 203.0.113.5"}},
			want:   arrival{client: "203.0.113.5", base: "http://cairn.test"}},
		{name: "a chain of trusted proxies", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-For": {"1.2.3.4, 203.0.113.5, 192.0.2.44", "10.9.9.9"}},
			want:   arrival{client: "203.0.113.5", base: "http://cairn.test"}},
		{name: "addresses with ports and brackets", remoteAddr: "[2001:db8:cafe::1]:40000",
			header: http.Header{"X-Forwarded-For": {"[2001:db8:1::5]:1234, 10.0.0.9:80"}},
			want:   arrival{client: "2001:db8:1::5", base: "http://cairn.test"}},
		{name: "a client inside the trusted networks", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-For": {"10.20.30.40, 10.0.0.9"}},
			want:   arrival{client: "10.20.30.40", base: "http://cairn.test"}},
		{name: "nonsense stops at the last trusted proxy", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.5, not-an-address, 10.0.0.9"}},
			want:   arrival{client: "10.0.0.9", base: "http://cairn.test"}},
		{name: "IPv4 mapped into IPv6", remoteAddr: "[::ffff:10.1.2.3]:40000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.5"}},
			want:   arrival{client: "203.0.113.5", base: "http://cairn.test"}},
		{name: "public https address", publicURL: "https://cairn.example.org/", remoteAddr: "198.51.100.7:51000",
			want: arrival{client: "198.51.100.7", secure: true, base: "https://cairn.example.org"}},
		{name: "public http address", publicURL: "http://cairn.example.org:8080", remoteAddr: "10.1.2.3:40000",
			header: http.Header{"X-Forwarded-Proto": {"https"}},
			want:   arrival{client: "10.1.2.3", secure: true, base: "http://cairn.example.org:8080"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := servers[tt.publicURL]
			if srv == nil {
				f.reconfigure(func(c *Config) { c.PublicURL = tt.publicURL; c.TrustedProxies = proxies })
				srv = f.srv
				servers[tt.publicURL] = srv
			}
			req := httptest.NewRequest("GET", "http://cairn.test/healthz", nil)
			req.RemoteAddr = tt.remoteAddr
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if diff := cmp.Diff(tt.want, srv.arrive(req), cmp.AllowUnexported(arrival{})); diff != "" {
				t.Errorf("arrival (-want +got):\n%s", diff)
			}
		})
	}
}

// signinFrom posts a sign-in form from the connection remoteAddr with the
// headers given, as a proxy (or someone pretending to be one) would pass
// it on.
func (b *browser) signinFrom(remoteAddr, username string, header http.Header) response {
	b.f.t.Helper()
	// No password: refused without the work of checking one, but only
	// once the limit has let the attempt through.
	form := url.Values{"csrf": {b.token()}, "username": {username}, "password": {""}}
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.RemoteAddr = remoteAddr
	return b.do(req)
}

func TestSignInLimitKeysOnTheClient(t *testing.T) {
	f := newFixture(t)
	f.reconfigure(func(c *Config) {
		c.TrustedProxies = mustPrefixes(t, "10.0.0.0/8")
		c.SignInBurst, c.SignInEvery = 2, time.Hour
	})
	b := f.browser()
	xff := func(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }

	t.Run("untrusted peer's forged X-Forwarded-For", func(t *testing.T) {
		// A stranger writing a new address into each attempt is still
		// limited by their own.
		for i := range 2 {
			res := b.signinFrom("203.0.113.9:5000", "x", xff(fmt.Sprintf("198.51.100.%d", i+1)))
			wantPage(t, res, http.StatusUnprocessableEntity)
		}
		res := b.signinFrom("203.0.113.9:5000", "x", xff("198.51.100.99"))
		wantPage(t, res, http.StatusTooManyRequests)
		if !strings.Contains(f.logs.String(), "ip=203.0.113.9") {
			t.Errorf("the log does not name the stranger's address:\n%s", f.logs.String())
		}
		// The addresses the stranger wrote were never charged.
		res = b.signinFrom("10.0.0.2:6000", "x", xff("198.51.100.1"))
		wantPage(t, res, http.StatusUnprocessableEntity)
	})

	t.Run("clients behind a trusted proxy", func(t *testing.T) {
		const proxy = "10.0.0.2:6000"
		wantPage(t, b.signinFrom(proxy, "x", xff("198.51.100.20")), http.StatusUnprocessableEntity)
		wantPage(t, b.signinFrom(proxy, "x", xff("198.51.100.20")), http.StatusUnprocessableEntity)
		res := b.signinFrom(proxy, "x", xff("198.51.100.20"))
		wantPage(t, res, http.StatusTooManyRequests)
		if !strings.Contains(f.logs.String(), "ip=198.51.100.20") {
			t.Errorf("the log does not name the client behind the proxy:\n%s", f.logs.String())
		}
		// Prepending another address does not get the client round it.
		wantPage(t, b.signinFrom(proxy, "x", xff("198.51.100.77, 198.51.100.20")), http.StatusTooManyRequests)
		// The proxy's other clients, and the proxy itself, are not held
		// back by one client's attempts.
		wantPage(t, b.signinFrom(proxy, "x", xff("198.51.100.21")), http.StatusUnprocessableEntity)
		wantPage(t, b.signinFrom("10.0.0.3:6000", "x", nil), http.StatusUnprocessableEntity)
	})

	t.Run("one IPv6 network", func(t *testing.T) {
		// A machine given a /64 cannot try from a new address each time;
		// the next /64 is someone else.
		wantPage(t, b.signinFrom("[2001:db8:1:2::1]:5000", "x", nil), http.StatusUnprocessableEntity)
		wantPage(t, b.signinFrom("[2001:db8:1:2::abcd]:5000", "x", nil), http.StatusUnprocessableEntity)
		wantPage(t, b.signinFrom("[2001:db8:1:2:ffff::9]:5000", "x", nil), http.StatusTooManyRequests)
		wantPage(t, b.signinFrom("[2001:db8:1:3::1]:5000", "x", nil), http.StatusUnprocessableEntity)
	})
}

func TestLimitKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"::ffff:198.51.100.7":  "::ffff:198.51.100.7",
		"not an address":       "not an address",
		"2001:db8::1":          "2001:db8::/64",
	} {
		if got := limitKey(in); got != want {
			t.Errorf("limitKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForwardedProtoFromTrustedProxiesOnly(t *testing.T) {
	f := newFixture(t)
	f.reconfigure(func(c *Config) { c.TrustedProxies = mustPrefixes(t, "10.0.0.0/8") })
	f.setPassword(f.teacher, "correct horse battery")
	for _, tt := range []struct {
		name, remoteAddr string
		secure           bool
	}{
		{"trusted proxy", "10.0.0.2:6000", true},
		{"untrusted peer", "203.0.113.9:5000", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := f.browser()
			form := url.Values{"csrf": {b.token()}, "username": {"ana.rivera"}, "password": {"correct horse battery"}}
			req := newFormRequest("POST", "/signin", form.Encode())
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.RemoteAddr = tt.remoteAddr
			res := b.do(req)
			location(t, res)
			cookie := strings.Join(res.Header.Values("Set-Cookie"), "\n")
			if got := strings.Contains(cookie, "; Secure"); got != tt.secure {
				t.Errorf("session cookie Secure %v, want %v: %s", got, tt.secure, cookie)
			}
			if got := res.Header.Get("Strict-Transport-Security") != ""; got != tt.secure {
				t.Errorf("HSTS %v, want %v", got, tt.secure)
			}
		})
	}
}

func TestPublicURL(t *testing.T) {
	f := newFixture(t)
	f.reconfigure(func(c *Config) { c.PublicURL = "https://Cairn.Example.org/" })
	f.setPassword(f.teacher, "correct horse battery")
	f.importCASEFile("fractions-prerequisites-v1p1.json")

	t.Run("cookies and HSTS over plain HTTP from the proxy", func(t *testing.T) {
		b := f.browser()
		res := b.post("/signin", url.Values{"username": {"ana.rivera"}, "password": {"correct horse battery"}})
		location(t, res)
		if cookie := strings.Join(res.Header.Values("Set-Cookie"), "\n"); !strings.Contains(cookie, "; Secure") {
			t.Errorf("session cookie is not Secure: %s", cookie)
		}
		if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("HSTS %q", got)
		}
	})

	t.Run("CASE URIs", func(t *testing.T) {
		req := httptest.NewRequest("GET", "http://attacker.example"+casePrefix+"/CFDocuments", nil)
		res := f.serve(req)
		wantStatus(t, res, http.StatusOK)
		var docs caseDocumentsJSON
		res.json(t, &docs)
		if len(docs.CFDocuments) == 0 {
			t.Fatal("no documents")
		}
		for _, d := range docs.CFDocuments {
			want := "https://cairn.example.org" + casePrefix + "/CFPackages/" + d.Identifier
			if d.CFPackageURI == nil || d.CFPackageURI.URI != want {
				t.Errorf("%s: CFPackageURI %+v, want %s", d.Title, d.CFPackageURI, want)
			}
		}
	})

	t.Run("reset links", func(t *testing.T) {
		admin := f.signedIn(f.admin)
		req := newFormRequest("POST", fmt.Sprintf("/admin/users/%d/reset", f.teacher), url.Values{"csrf": {admin.token()}}.Encode())
		req.Host = "attacker.example"
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		body := wantPage(t, admin.do(req), http.StatusCreated)
		if !regexp.MustCompile(`id="reset-url" class="secret" readonly value="https://cairn\.example\.org/reset/[^"/]+"`).MatchString(body) {
			t.Errorf("the reset link is not on the public address:\n%s", body)
		}
	})

	t.Run("forms posted from the public address", func(t *testing.T) {
		// A browser too old to send Sec-Fetch-Site, through a proxy that
		// passes the request on with a Host of its own.
		b := f.browser()
		form := url.Values{"csrf": {b.token()}, "username": {"ana.rivera"}, "password": {"correct horse battery"}}
		req := newFormRequest("POST", "/signin", form.Encode())
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Origin", "https://cairn.example.org")
		location(t, b.do(req))
		req = newFormRequest("POST", "/signin", form.Encode())
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Origin", "https://elsewhere.example")
		wantPage(t, b.do(req), http.StatusForbidden)
	})
}

func TestServedOverTLS(t *testing.T) {
	f := newFixture(t)
	f.setPassword(f.teacher, "correct horse battery")
	f.importCASEFile("fractions-prerequisites-v1p1.json")
	for _, tt := range []struct {
		name   string
		server func(http.Handler) *httptest.Server
		secure bool
	}{
		{"TLS", httptest.NewTLSServer, true},
		{"plain HTTP", httptest.NewServer, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := tt.server(f.srv)
			defer ts.Close()
			client := ts.Client()
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			client.Jar = jar
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

			res, err := client.Get(ts.URL + "/signin")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if got := res.Header.Get("Strict-Transport-Security") != ""; got != tt.secure {
				t.Errorf("HSTS on the sign-in page: %v, want %v", got, tt.secure)
			}
			m := csrfField.FindSubmatch(page)
			if m == nil {
				t.Fatalf("no form token:\n%s", page)
			}
			res, err = client.PostForm(ts.URL+"/signin", url.Values{"csrf": {string(m[1])}, "username": {"ana.rivera"}, "password": {"correct horse battery"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in: status %d", res.StatusCode)
			}
			var session *http.Cookie
			for _, c := range res.Cookies() {
				if c.Name == sessionCookie {
					session = c
				}
			}
			if session == nil || session.Secure != tt.secure {
				t.Errorf("session cookie %+v, want Secure %v", session, tt.secure)
			}

			res, err = client.Get(ts.URL + casePrefix + "/CFDocuments")
			if err != nil {
				t.Fatal(err)
			}
			var docs caseDocumentsJSON
			err = json.NewDecoder(res.Body).Decode(&docs)
			res.Body.Close()
			if err != nil || len(docs.CFDocuments) == 0 {
				t.Fatalf("CASE documents: %v %+v", err, docs)
			}
			for _, d := range docs.CFDocuments {
				if want := ts.URL + casePrefix + "/CFPackages/" + d.Identifier; d.CFPackageURI == nil || d.CFPackageURI.URI != want {
					t.Errorf("CFPackageURI %+v, want %s", d.CFPackageURI, want)
				}
			}
		})
	}
}

func TestParsePublicURL(t *testing.T) {
	for _, tt := range []struct{ in, want, says string }{
		{in: "https://cairn.example.org", want: "https://cairn.example.org"},
		{in: "https://cairn.example.org/", want: "https://cairn.example.org"},
		{in: " HTTPS://Cairn.Example.ORG:8443// ", want: "https://cairn.example.org:8443"},
		{in: "http://[2001:db8::1]:8080", want: "http://[2001:db8::1]:8080"},
		{in: "cairn.example.org", says: "absolute http:// or https://"},
		{in: "ftp://cairn.example.org", says: "absolute http:// or https://"},
		{in: "https://", says: "names no host"},
		{in: "https://:443", says: "names no host"},
		{in: "https://cairn.example.org/?x=1", says: "query"},
		{in: "https://cairn.example.org/?", says: "query"},
		{in: "https://cairn.example.org/#top", says: "fragment"},
		{in: "https://cairn.example.org/cairn", says: "has a path"},
		{in: "https://admin:pw@cairn.example.org", says: "user name or password"},
		{in: "https://cairn example.org", says: "not a URL"},
	} {
		u, err := ParsePublicURL(tt.in)
		switch {
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
			t.Errorf("ParsePublicURL(%q) = %v, %v; want an error saying %q", tt.in, u, err, tt.says)
		case tt.says == "" && (err != nil || u.String() != tt.want):
			t.Errorf("ParsePublicURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.7/24,,192.0.2.44 , 2001:db8::/32, ::ffff:198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.0/24", "192.0.2.44/32", "2001:db8::/32", "198.51.100.1/32"}
	var gotS []string
	for _, p := range got {
		gotS = append(gotS, p.String())
	}
	if diff := cmp.Diff(want, gotS); diff != "" {
		t.Errorf("networks (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"10.0.0.0/33", "10.0.0/8", "proxy.example.org", "10.0.0.0/8;192.168.0.0/16", "fe80::1%eth0"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), "is not a network") {
			t.Errorf("ParseTrustedProxies(%q): %v, want an error", bad, err)
		}
	}
	if _, err := New(Config{Store: openStore(t, nil), DistrictID: 1, TrustedProxies: []netip.Prefix{{}}}); err == nil {
		t.Error("New took an invalid network")
	}
	if _, err := New(Config{Store: openStore(t, nil), DistrictID: 1, PublicURL: "cairn.example.org"}); err == nil || !strings.Contains(err.Error(), "PublicURL") {
		t.Errorf("New took a public URL without a scheme: %v", err)
	}
}
