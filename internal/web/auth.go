package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// The cookies the server sets. All are HttpOnly and SameSite=Lax, and
// Secure when the browser reached the server over TLS, directly or
// through a proxy (see arrival).
const (
	// sessionCookie holds the secret of a signed-in browser's session.
	sessionCookie = "cairn_session"
	// formCookie holds the form secret of a visitor not signed in, so that
	// the sign-in form itself cannot be posted from another site.
	formCookie = "cairn_form"
	// langCookie holds the language a visitor chose with the switch.
	langCookie = "cairn_lang"
)

// sessionInfo is what a request needs of its browser session.
type sessionInfo struct {
	id         int64
	csrfSecret []byte
}

// identify finds who is making the request, once: the owner of an access
// token in the Authorization header, or the person of a session cookie.
// An invalid token is refused; a session cookie that has ended or been
// revoked is cleared, and the request goes on as a visitor's, remembering
// that a session ended (so that the sign-in page can say so). It also
// chooses the language of the answer.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) error {
	st := stateOf(r)
	if st.identified {
		return nil
	}
	st.identified = true
	defer s.chooseLanguage(r)
	if h := r.Header.Get("Authorization"); h != "" {
		a, err := s.tokenActor(r, h)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cairn", error="invalid_token"`)
			return err
		}
		st.actor = &a
		return nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	ctx := r.Context()
	sess, err := s.store.SessionByTokenHash(ctx, access.HashSecret(c.Value))
	now := s.wall()
	switch {
	case errors.Is(err, problem.ErrNotFound):
	case err != nil:
		return err
	case sess.RevokedAt != nil || !now.Before(sess.ExpiresAt):
	default:
		a, err := s.store.Actor(ctx, sess.DistrictID, sess.PersonID)
		if errors.Is(err, problem.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		if s.sessions.NeedsTouch(sess.LastSeenAt, now) {
			if err := s.store.TouchSession(ctx, sess.ID, s.sessions.Expiry(sess.CreatedAt, now)); err != nil {
				return err
			}
		}
		st.actor = &a
		st.session = &sessionInfo{id: sess.ID, csrfSecret: sess.CSRFSecret}
		return nil
	}
	st.expired = true
	s.clearCookie(w, r, sessionCookie)
	return nil
}

// tokenActor returns the owner of the personal access token in an
// Authorization header, with the token's scope.
func (s *Server) tokenActor(r *http.Request, header string) (access.Actor, error) {
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return access.Actor{}, &requestError{status: http.StatusUnauthorized,
			detail: "the Authorization header must be Bearer followed by a personal access token"}
	}
	tok = strings.TrimSpace(tok)
	invalid := &requestError{status: http.StatusUnauthorized,
		detail: "the access token is not valid: it may have been revoked or have expired; make a new one on your tokens page"}
	if !access.LooksLikeAccessToken(tok) {
		return access.Actor{}, invalid
	}
	ctx := r.Context()
	t, err := s.store.TokenByHash(ctx, access.HashSecret(tok))
	if errors.Is(err, problem.ErrNotFound) {
		return access.Actor{}, invalid
	}
	if err != nil {
		return access.Actor{}, err
	}
	now := s.wall()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return access.Actor{}, invalid
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		// Noted at most once a minute, so that a busy client does not make
		// every request a write.
		if err := s.store.TouchToken(ctx, t.ID); err != nil {
			return access.Actor{}, err
		}
	}
	a, err := s.store.Actor(ctx, t.DistrictID, t.PersonID)
	if errors.Is(err, problem.ErrNotFound) {
		return access.Actor{}, invalid
	}
	if err != nil {
		return access.Actor{}, err
	}
	a.TokenScope = t.Scope
	return a, nil
}

// startSession signs the person in on this browser: a new session in the
// database and its secret in a cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, districtID, personID int64) error {
	secret, hash := access.NewSecret()
	now := s.wall()
	sess := store.Session{
		TokenHash:  hash,
		PersonID:   personID,
		DistrictID: districtID,
		CSRFSecret: access.NewCSRFSecret(),
		CreatedAt:  now,
		ExpiresAt:  s.sessions.Expiry(now, now),
		LastSeenAt: now,
		UserAgent:  truncate(r.UserAgent(), 200),
		Method:     "password",
	}
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		return fmt.Errorf("starting a session: %w", err)
	}
	s.setCookie(w, r, sessionCookie, secret, s.sessions.Max)
	return nil
}

// setCookie sets one of the server's cookies for maxAge; zero makes it
// last as long as the browser's session. The cookie says how long it
// lasts (Max-Age), not until when (Expires): the browser counts from when
// it gets it, so its clock and the server's need not agree.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: arrivalOf(r).secure, SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie tells the browser to forget one of the server's cookies.
func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: arrivalOf(r).secure, SameSite: http.SameSiteLaxMode,
	})
}

// formToken returns the token the request's forms carry: made from the
// session's form secret, or for a visitor not signed in from a secret in
// a cookie of their own, set here when they have none.
func (s *Server) formToken(w http.ResponseWriter, r *http.Request) string {
	st := stateOf(r)
	if st.session != nil {
		return access.CSRFToken(st.session.csrfSecret)
	}
	secret := anonSecret(r)
	if secret == nil {
		if st.anonCSRF == "" {
			st.anonCSRF = base64.RawURLEncoding.EncodeToString(access.NewCSRFSecret())
			s.setCookie(w, r, formCookie, st.anonCSRF, 0)
		}
		secret, _ = base64.RawURLEncoding.DecodeString(st.anonCSRF)
	}
	return access.CSRFToken(secret)
}

// anonSecret returns the form secret of a visitor's cookie, or nil.
func anonSecret(r *http.Request) []byte {
	c, err := r.Cookie(formCookie)
	if err != nil {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) < 16 {
		return nil
	}
	return b
}

// errFormToken refuses a state-changing request without a valid form
// token. The message helps a person whose page was open too long.
var errFormToken = problem.Forbidden("the form is out of date or did not come from this site; reload the page and try again")

// checkFormToken checks the form token of a state-changing request from a
// browser: the form field "csrf", or the X-CSRF-Token header for scripts.
func (s *Server) checkFormToken(r *http.Request) error {
	token := r.Header.Get("X-CSRF-Token")
	if token == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/form-data") {
			// An upload: read the form here, keeping at most uploadMemory
			// of it in memory, and say so when it is too large rather than
			// that the form has no token.
			if err := r.ParseMultipartForm(uploadMemory); err != nil {
				var me *http.MaxBytesError
				if errors.As(err, &me) {
					return err
				}
			}
		}
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			token = r.PostFormValue("csrf")
		}
	}
	if token == "" {
		return errFormToken
	}
	st := stateOf(r)
	secret := anonSecret(r)
	if st.session != nil {
		secret = st.session.csrfSecret
	}
	if !access.CheckCSRF(secret, token) {
		return errFormToken
	}
	return nil
}

// chooseLanguage sets the language of the answer: the person's own
// preference when signed in, else the one chosen with the switch on this
// browser, else the browser's Accept-Language, else English.
func (s *Server) chooseLanguage(r *http.Request) {
	st := stateOf(r)
	var tags []string
	if st.actor != nil && st.actor.Language != "" {
		tags = append(tags, st.actor.Language)
	}
	if c, err := r.Cookie(langCookie); err == nil {
		tags = append(tags, c.Value)
	}
	tags = append(tags, i18n.ParseAcceptLanguage(r.Header.Get("Accept-Language"))...)
	st.lang = s.catalog.Match(tags...)
	if st.lang == "" {
		st.lang = i18n.Default
	}
	st.printer = s.catalog.Printer(st.lang)
}

// printerOf returns the printer of the request's language.
func (s *Server) printerOf(r *http.Request) *i18n.Printer {
	st := stateOf(r)
	if st.printer == nil {
		s.chooseLanguage(r)
	}
	return st.printer
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
