package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// policy says who may use a route at all. It is the first of two gates:
// the route's policy refuses whoever may never use the route (a guardian
// on an administrator's page), and the handler then asks access.Decide or
// access.Allow about each student or class it touches, so that an id the
// actor may not see is answered like one that does not exist.
//
// A policy is made by one of the constructors below; the zero policy is
// refused at registration.
type policy struct {
	defined bool
	// public routes need no sign-in.
	public bool
	// unidentified routes do not even look at who is asking: probes and
	// assets must answer whatever the database does.
	unidentified bool
	// changes says the route changes something: a read-only access token
	// may not use it, and a browser must prove the request comes from one
	// of the server's own forms.
	changes bool
	// roles, when not empty, are the roles that may use the route.
	roles []roster.Role
	// resource, when set, must be allowed (access.Allow) for the whole
	// district: the administrator's pages.
	resource access.Resource
}

// public lets anyone use the route, signed in or not: the sign-in page,
// health probes, the assets.
func public() policy { return policy{defined: true, public: true} }

// operational is a public route that never looks up who is asking:
// health probes, metrics, assets, the API's description.
func operational() policy { return policy{defined: true, public: true, unidentified: true} }

// publicForm is a public route that takes a form (signing in, choosing a
// language, setting a new password from a reset link): anyone may post
// it, but only from one of the server's own pages.
func publicForm() policy { return policy{defined: true, public: true, changes: true} }

// signedIn lets any signed-in person read through the route; the handler
// decides about each record.
func signedIn() policy { return policy{defined: true} }

// changing lets any signed-in person change something through the route;
// the handler decides about each record.
func changing() policy { return policy{defined: true, changes: true} }

// forRoles restricts a route that reads to people holding one of roles.
func forRoles(roles ...roster.Role) policy { return policy{defined: true, roles: roles} }

// onResource restricts a route to people access.Allow lets do action on
// res across the district.
func onResource(action access.Action, res access.Resource) policy {
	return policy{defined: true, resource: res, changes: action == access.Change}
}

// action is the access action of the route.
func (p policy) action() access.Action {
	if p.changes {
		return access.Change
	}
	return access.View
}

// requestState is what the server learns about a request as it goes:
// who is asking, how, and in which language to answer.
type requestState struct {
	// arrival is how the request reached the server.
	arrival arrival
	// route is the pattern of the route that answers, as the audit log
	// records it.
	route      string
	identified bool
	actor      *access.Actor
	// session is the browser session the actor signed in with; nil for
	// an access token or nobody.
	session *sessionInfo
	// expired says the request carried a session cookie that has ended.
	expired bool
	// anonCSRF is the form secret of a visitor who has not signed in
	// (see csrf.go).
	anonCSRF string
	lang     string
	printer  *i18n.Printer
}

type requestStateKey struct{}

// stateOf returns the request's state; a request that did not come
// through ServeHTTP (a test calling a handler) gets an empty one.
func stateOf(r *http.Request) *requestState {
	if st, ok := r.Context().Value(requestStateKey{}).(*requestState); ok {
		return st
	}
	return &requestState{}
}

// actorOf returns who is making the request. Handlers of routes that are
// not public can count on one.
func actorOf(r *http.Request) access.Actor {
	if a := stateOf(r).actor; a != nil {
		return *a
	}
	return access.Actor{}
}

// districtOf is the district of the request: the actor's, or for a
// visitor who has not signed in, the server's default.
func (s *Server) districtOf(r *http.Request) int64 {
	if a := stateOf(r).actor; a != nil {
		return a.DistrictID
	}
	return s.districtID
}

// errAnswered says that the response has already been written (a
// redirect to the sign-in page).
var errAnswered = errors.New("answered")

// errUnauthenticated is an API request without valid credentials.
var errUnauthenticated = &requestError{status: http.StatusUnauthorized,
	detail: "sign in, or send a personal access token as Authorization: Bearer cairn_pat_..."}

// allow decides whether the request may use the route: it finds who is
// asking, refuses forged cross-site requests, and applies the route's
// policy. A page asked for by someone not signed in (or whose session has
// ended) is answered with a redirect to the sign-in page, which returns
// them to it.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, rt route) error {
	pol := rt.Policy
	unsafe := !slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodOptions}, r.Method)
	if unsafe {
		// Browsers say where a request comes from; a request another site
		// made them send is refused before anything else is looked at.
		if err := s.crossOrigin.Check(r); err != nil {
			return &requestError{status: http.StatusForbidden, detail: "cross-site requests are refused: " + err.Error()}
		}
		r.Body = http.MaxBytesReader(w, r.Body, formBodyLimit(rt))
	}
	if pol.unidentified {
		return nil
	}
	if err := s.identify(w, r); err != nil {
		return err
	}
	st := stateOf(r)
	// A browser's cookie goes with every request, wherever it comes from;
	// only a token taken from one of our own pages proves the person meant
	// to send it. (A request with neither a session nor a token is refused
	// below as not signed in.) The token of a signed-in person's request
	// is checked once the roles allow the route, so that reading a form to
	// find its token (an upload may be large) is never done for someone
	// the route refuses anyway.
	formToken := unsafe && !isBearer(r) && (st.session != nil || pol.public)
	if pol.public {
		if formToken {
			return s.checkFormToken(r)
		}
		return nil
	}
	if st.actor == nil {
		if rt.Page {
			target := "/signin"
			if !unsafe {
				// Back to the page asked for; a form's action cannot be
				// returned to by a link, so a post leads home instead.
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			if st.expired {
				target += map[bool]string{true: "&", false: "?"}[!unsafe] + "expired=1"
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return errAnswered
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="cairn"`)
		return errUnauthenticated
	}
	a := *st.actor
	if pol.changes && a.TokenScope == access.TokenRead {
		return problem.Forbidden("a read-only access token cannot change anything")
	}
	if len(pol.roles) > 0 && !slices.ContainsFunc(pol.roles, a.Has) {
		return &forbiddenPage{roles: pol.roles}
	}
	if pol.resource != "" {
		if err := access.Allow(a, pol.action(), pol.resource, access.Scope{}); err != nil {
			if errors.Is(err, problem.ErrNotFound) {
				// Allow hides a resource of another school; a page of the
				// whole district has none to hide.
				return fmt.Errorf("%w: %w", err, problem.ErrForbidden)
			}
			return err
		}
	}
	if formToken {
		return s.checkFormToken(r)
	}
	return nil
}

// forbiddenPage is the refusal of a route that none of the actor's roles
// may use; the page says which roles may.
type forbiddenPage struct{ roles []roster.Role }

func (e *forbiddenPage) Error() string {
	names := make([]string, len(e.roles))
	for i, r := range e.roles {
		names[i] = strings.ReplaceAll(string(r), "_", " ")
	}
	return "only a " + strings.Join(names, " or ") + " may use this"
}

// Unwrap makes the refusal a problem.ErrForbidden whose message is Error.
func (e *forbiddenPage) Unwrap() error { return problem.Forbidden("%s", e.Error()) }

// formBodyLimit is the most a state-changing request may send: a batch of
// evidence or an uploaded roster may be large, a form is small.
func formBodyLimit(rt route) int64 {
	switch rt.Name {
	case "recordEvidenceBatch":
		return maxBatchBody
	case "adminImportCheck":
		return maxUploadBody
	case "addActivity", "editActivity":
		return limits.ActivityUploadBytes
	case "checkCartridge":
		return maxCartridgeUpload
	}
	return maxBody
}

// isBearer reports whether the request carries an access token.
func isBearer(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// wantsPage reports whether a request that matched no route comes from a
// person's browser, to be answered with a page rather than a problem
// document.
func wantsPage(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// changingFor restricts a route that changes something to people holding
// one of roles.
func changingFor(roles ...roster.Role) policy {
	return policy{defined: true, changes: true, roles: roles}
}
