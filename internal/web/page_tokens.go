package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// tokensPage lists a person's access tokens, with the form to make one.
type tokensPage struct {
	pageBase
	Tokens []tokenRow
	// NewToken is the secret of the token just made, shown this once.
	NewToken string
	// The form's values and errors.
	Name, Scope, Expires string
	Errors               map[string]string
	// Expiries are the choices of how long a token lasts.
	Expiries []tokenExpiry
}

type tokenRow struct {
	store.Token
	Status string // "active", "revoked", "expired"
}

type tokenExpiry struct {
	Value, Label string
}

// tokenLifetimes are how long a new token may last, by form value.
var tokenLifetimes = map[string]time.Duration{
	"30": 30 * 24 * time.Hour, "90": 90 * 24 * time.Hour, "365": 365 * 24 * time.Hour, "never": 0,
}

// mayManageTokens refuses a request that may not manage its own tokens:
// one made with an access token (a stolen token must not make more).
func mayManageTokens(r *http.Request) error {
	return access.Allow(actorOf(r), access.Change, access.Users, access.Scope{Own: true})
}

func (s *Server) tokensData(w http.ResponseWriter, r *http.Request) (*tokensPage, error) {
	pr := s.printerOf(r)
	a := actorOf(r)
	data := &tokensPage{pageBase: s.newBase(w, r, pr.T("tokens.title")), Scope: access.TokenRead, Expires: "90",
		Errors: map[string]string{}}
	for _, v := range []string{"30", "90", "365", "never"} {
		data.Expiries = append(data.Expiries, tokenExpiry{v, pr.T("tokens.expires." + v)})
	}
	tokens, err := s.store.Tokens(r.Context(), a.PersonID)
	if err != nil {
		return nil, err
	}
	now := s.wall()
	for i := len(tokens) - 1; i >= 0; i-- { // newest first
		t := tokens[i]
		row := tokenRow{Token: t, Status: "active"}
		switch {
		case t.RevokedAt != nil:
			row.Status = "revoked"
		case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
			row.Status = "expired"
		}
		data.Tokens = append(data.Tokens, row)
	}
	return data, nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.tokensData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "tokens", data)
}

// createToken makes a token and shows its secret once; the store keeps
// only its hash.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := mayManageTokens(r); err != nil {
		return err
	}
	data, err := s.tokensData(w, r)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	data.Name = strings.TrimSpace(r.PostFormValue("name"))
	data.Scope = r.PostFormValue("scope")
	data.Expires = r.PostFormValue("expires")
	life, ok := tokenLifetimes[data.Expires]
	if !ok {
		data.Errors["expires"] = pr.T("tokens.error.expires")
	}
	switch {
	case data.Name == "":
		data.Errors["name"] = pr.T("tokens.error.name")
	case limits.TooLong(data.Name, limits.TokenName, "a token's name") != "":
		data.Errors["name"] = pr.T("tokens.error.name_long", limits.TokenName)
	}
	if data.Scope != access.TokenRead && data.Scope != access.TokenWrite {
		data.Errors["scope"] = pr.T("tokens.error.scope")
	}
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "tokens", data)
	}
	a := actorOf(r)
	secret, hash := access.NewAccessToken()
	t := store.Token{DistrictID: a.DistrictID, PersonID: a.PersonID, Name: data.Name, Hash: hash, Scope: data.Scope}
	if life > 0 {
		exp := s.wall().Add(life)
		t.ExpiresAt = &exp
	}
	if err := s.store.CreateToken(r.Context(), &t); err != nil {
		return err
	}
	s.log.Info("access token made", "request_id", requestIDFrom(r.Context()), "person", a.PersonID, "token", t.ID, "scope", t.Scope)
	if data, err = s.tokensData(w, r); err != nil {
		return err
	}
	data.NewToken = secret
	return s.renderPage(w, r, http.StatusCreated, "tokens", data)
}

// revokeToken ends one of the person's tokens.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := mayManageTokens(r); err != nil {
		return err
	}
	id, err := pathID(r, "id", "access token")
	if err != nil {
		return err
	}
	a := actorOf(r)
	if err := s.store.RevokeToken(r.Context(), a.PersonID, id); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return notFound("access token", id)
		}
		return err
	}
	return redirect(w, r, "/account/tokens")
}
