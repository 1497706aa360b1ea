package web

import (
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
)

// signinPage is the sign-in form. Only the username is kept when the form
// comes back; a password is never written into a page.
type signinPage struct {
	pageBase
	Next     string
	Username string
	Notice   string
	Error    string
	Errors   map[string]string
}

// signinForm shows the sign-in form, or sends someone already signed in
// on to where they were going.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	st := stateOf(r)
	if st.actor != nil && st.session != nil {
		if next == "" {
			next = homeOf(*st.actor)
		}
		return redirect(w, r, next)
	}
	pr := s.printerOf(r)
	data := &signinPage{pageBase: s.newBase(w, r, pr.T("signin.title")), Next: next}
	q := r.URL.Query()
	switch {
	case q.Get("expired") != "" || st.expired:
		data.Notice = pr.T("signin.expired")
	case q.Get("signedout") != "":
		data.Notice = pr.T("signin.signed_out")
	case q.Get("reset") != "":
		data.Notice = pr.T("signin.reset_done")
	}
	return s.renderPage(w, r, http.StatusOK, "signin", data)
}

// signin checks a username and password. Whatever is wrong (no such
// username, a wrong password, a disabled or locked account) the person
// sees one message, so that the form tells a stranger nothing about which
// accounts exist; the log keeps the reason. Attempts are limited per
// client address in memory (the client's own behind a trusted proxy, see
// arrival), and per account by the lockout the store keeps.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pr := s.printerOf(r)
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	data := &signinPage{pageBase: s.newBase(w, r, pr.T("signin.title")), Next: next, Username: username, Errors: map[string]string{}}

	ip := arrivalOf(r).client
	if ok, retry := s.signins.Allow(limitKey(ip)); !ok {
		secs := int(math.Ceil(retry.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.log.Warn("sign-in refused: too many attempts from this address", "request_id", requestIDFrom(ctx), "ip", ip)
		data.Error = pr.N("signin.too_many", secs)
		return s.renderPage(w, r, http.StatusTooManyRequests, "signin", data)
	}
	if username == "" {
		data.Errors["username"] = pr.T("signin.username_required")
	}
	if password == "" {
		data.Errors["password"] = pr.T("signin.password_required")
	}
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "signin", data)
	}

	acc, hash, err := s.store.AccountByUsername(ctx, username)
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		return err
	}
	found := err == nil && hash != ""
	res, err := access.CheckSignIn(access.SignInAccount{Found: found, Disabled: acc.Disabled, Hash: hash, LockedUntil: acc.LockedUntil}, password, s.wall())
	if err != nil {
		return err
	}
	if !res.OK {
		attrs := []any{"request_id", requestIDFrom(ctx), "ip", ip, "reason", res.Reason}
		if found {
			attrs = append(attrs, "person", acc.PersonID)
		}
		if res.CountFailure {
			until, err := s.store.RecordSignInFailure(ctx, acc.PersonID, s.lockout.For, s.lockout.After)
			if err != nil {
				return err
			}
			if !until.IsZero() {
				attrs = append(attrs, "locked_until", until)
			}
		}
		s.log.Info("sign-in refused", attrs...)
		data.Error = pr.T("signin.failed")
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "signin", data)
	}
	if res.NeedsRehash && s.pwParams == access.DefaultParams {
		// The password is known to be right: store it again with the
		// parameters of today.
		if phc, err := access.HashPassword(password, s.pwParams); err == nil {
			if err := s.store.SetPassword(ctx, acc.DistrictID, acc.PersonID, phc); err != nil {
				return err
			}
		}
	}
	if err := s.store.RecordSignInSuccess(ctx, acc.PersonID); err != nil {
		return err
	}
	a, err := s.store.Actor(ctx, acc.DistrictID, acc.PersonID)
	if err != nil {
		return err
	}
	if old := stateOf(r).session; old != nil {
		// A new sign-in on this browser replaces the old session.
		if err := s.store.RevokeSession(ctx, old.id); err != nil {
			return err
		}
	}
	if err := s.startSession(w, r, acc.DistrictID, acc.PersonID); err != nil {
		return err
	}
	s.log.Info("signed in", "request_id", requestIDFrom(ctx), "person", acc.PersonID, "ip", ip)
	if next == "" {
		next = homeOf(a)
	}
	return redirect(w, r, next)
}

// signout ends the browser's session, in the database and in the cookie.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	if sess := stateOf(r).session; sess != nil {
		if err := s.store.RevokeSession(r.Context(), sess.id); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	return redirect(w, r, "/signin?signedout=1")
}

// limitKey is what sign-in attempts from an address are counted under: the
// address itself for IPv4, its /64 network for IPv6, since one home or
// one server is given a whole /64 and could otherwise try from a new
// address every time.
func limitKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil || !a.Is6() || a.Is4In6() {
		return client
	}
	p, err := a.Prefix(64)
	if err != nil {
		return client
	}
	return p.String()
}
