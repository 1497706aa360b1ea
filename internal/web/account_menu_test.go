package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAccountMenu keeps the main navigation for a person's work: access
// tokens, the language and signing out are in the account menu, a
// disclosure that needs no script, for every role.
func TestAccountMenu(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	pages := []struct {
		name   string
		person int64
		path   string
	}{
		{"teacher", f.teacher, "/classes"},
		{"student", f.students[0], "/me"},
		{"guardian", f.guardian, fmt.Sprintf("/family/%d", f.students[0])},
		{"district admin", f.admin, "/admin"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			b := f.signedIn(p.person)
			body := wantPage(t, b.get(p.path), http.StatusOK)
			nav := between(body, `<nav aria-label="Main">`, `</nav>`)
			if nav == "" || strings.Contains(nav, "/account/tokens") {
				t.Errorf("the main navigation offers access tokens, or is missing:\n%s", nav)
			}
			menu := between(body, `<details class="account" id="account-menu">`, `</details>`)
			for _, want := range []string{`<summary>`, `id="who-name"`, `<a href="/account/tokens">Access tokens</a>`,
				`id="language-form"`, `id="signout-form"`} {
				if !strings.Contains(menu, want) {
					t.Errorf("the account menu lacks %s:\n%s", want, menu)
				}
			}
			if strings.Count(body, `id="language-form"`) != 1 {
				t.Error("the page has more than one language switch")
			}
			body = wantPage(t, b.get("/account/tokens"), http.StatusOK)
			if menu := between(body, `id="account-menu"`, `</details>`); !strings.Contains(menu, `<a href="/account/tokens" aria-current="page">`) {
				t.Errorf("on the tokens page the menu does not mark it current:\n%s", menu)
			}
		})
	}
	// A visitor has no account: the way in and the language switch.
	body := wantPage(t, f.browser().get("/"), http.StatusOK)
	if strings.Contains(body, `id="account-menu"`) || !strings.Contains(body, `id="language-form"`) || !strings.Contains(body, `id="signin-link"`) {
		t.Errorf("a visitor's header:\n%s", between(body, `<header`, `</header>`))
	}
}

// between is the part of s from the first from to the next to after it,
// "" when either is missing.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}
