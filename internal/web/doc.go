// Package web is cairn's HTTP layer: the JSON API under /api/v1, the
// operational endpoints (/healthz, /readyz, /metrics) and the pages
// teachers, students, families and administrators use.
//
// Every route is registered in routes.go through s.handle (the API) or
// s.page (pages) with a name and an access policy (policy.go); a route
// without a policy is refused at start. ServeHTTP first works out how a
// request arrived (arrival.go): the client's address, whether the browser
// used TLS and the address people open, believing X-Forwarded-For and
// X-Forwarded-Proto only from trusted proxies. Every request then goes
// through one gate (Server.allow): who is asking (a session cookie or a personal
// access token, auth.go), whether a state-changing request really comes
// from one of the server's own pages (net/http's CrossOriginProtection
// and a per-session form token), and whether the route's policy lets the
// person's roles use it at all. Handlers then ask internal/access about
// each student or class they touch (checks.go), log every read or change
// of a student's record in the audit log, and answer a record the person
// may not see exactly like one that does not exist.
//
// Handlers return an error instead of writing one: problem.go turns it
// into an RFC 9457 problem document for the API, pages.go into a page
// that helps the person on. Pages are html/template, one file per page
// (page_*.go with templates/*.html), with their words in internal/i18n's
// catalogs, assets embedded and served at hashed URLs, no inline script or
// style (the Content-Security-Policy forbids it), and every page works
// with JavaScript off.
package web
