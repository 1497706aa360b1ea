// Package web is cairn's HTTP layer: the JSON API under /api/v1, the
// operational endpoints (/healthz, /readyz, /metrics) and the server-rendered
// pages.
//
// Every route is registered in routes.go through one helper that knows the
// route's name, so that logging, metrics and (once people sign in) the access
// check apply to every route alike. Handlers return an error instead of
// writing one; problem.go turns every error into an RFC 9457 problem
// document in one place.
package web
