package web

import (
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy lets pages load only what the server itself
// serves, and nothing inline: no inline script, no style attribute, no
// <style> element. A name typed with markup in it is escaped by the
// templates; were it not, the browser would still refuse to run it. Pages
// may not be framed (clickjacking), forms may post only here, and <base>
// cannot move relative links elsewhere.
const contentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// hstsMaxAge is how long a browser that reached the server over TLS keeps
// to TLS: a year, as HSTS preload lists expect.
const hstsMaxAge = "max-age=31536000; includeSubDomains"

// securityHeaders sets the headers every response carries, whatever
// answers it (a page, the API, an error, an asset). secure says the
// browser reached the server over TLS (see arrival).
func securityHeaders(h http.Header, secure bool) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if secure {
		// Only a response that came over TLS may ask the browser to insist
		// on TLS: over plain HTTP the header could be a stranger's.
		h.Set("Strict-Transport-Security", hstsMaxAge)
	}
}

// localPath returns next when it is a path on this server, to return to
// after signing in, and "" otherwise. Anything that could send the browser
// to another site is refused: absolute URLs, scheme-relative "//host",
// backslashes that some browsers read as slashes, control characters.
func localPath(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' {
		return ""
	}
	if strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\x00\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return u.RequestURI()
}
