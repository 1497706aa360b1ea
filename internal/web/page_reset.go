package web

import (
	"errors"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
)

// resetPage is the form a reset link opens: a new password, twice.
type resetPage struct {
	pageBase
	Action    string
	Username  string
	MinLength int
	// Gone is set when the link was used or has expired.
	Gone   bool
	Errors map[string]string
}

// resetForm shows the form to set a new password, when the link is still
// open. Looking at the link does not use it up.
func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	data, err := s.resetData(w, r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if data.Gone {
		status = http.StatusNotFound
	}
	return s.renderPage(w, r, status, "reset", data)
}

// resetData fills the reset page for the link in the URL.
func (s *Server) resetData(w http.ResponseWriter, r *http.Request) (*resetPage, error) {
	pr := s.printerOf(r)
	token := r.PathValue("token")
	data := &resetPage{pageBase: s.newBase(w, r, pr.T("reset.title")), Action: "/reset/" + token,
		MinLength: access.MinPasswordLength, Errors: map[string]string{}}
	// A reset link is a secret: the page must not send it on to anyone
	// through the Referer of its links.
	w.Header().Set("Referrer-Policy", "no-referrer")
	l, err := s.store.ResetLink(r.Context(), access.HashSecret(token))
	if errors.Is(err, problem.ErrNotFound) {
		data.Gone = true
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := s.store.Person(r.Context(), l.DistrictID, l.PersonID)
	if err != nil {
		return nil, err
	}
	data.Username = p.Username
	return data, nil
}

// reset sets the new password. The link is used up, the password set and
// every session of the person ended in one transaction; then the person
// signs in with the new password.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	data, err := s.resetData(w, r)
	if err != nil {
		return err
	}
	if data.Gone {
		return s.renderPage(w, r, http.StatusNotFound, "reset", data)
	}
	pr := s.printerOf(r)
	password, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	if err := access.ValidatePassword(password); err != nil {
		data.Errors["password"] = pr.T("reset.too_short", access.MinPasswordLength)
	} else if password != confirm {
		data.Errors["confirm"] = pr.T("reset.mismatch")
	}
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "reset", data)
	}
	phc, err := access.HashPassword(password, s.pwParams)
	if err != nil {
		return err
	}
	_, err = s.store.ResetPassword(r.Context(), access.HashSecret(r.PathValue("token")), phc)
	if errors.Is(err, problem.ErrNotFound) {
		data.Gone = true
		return s.renderPage(w, r, http.StatusNotFound, "reset", data)
	}
	if err != nil {
		return err
	}
	s.clearCookie(w, r, sessionCookie)
	return redirect(w, r, "/signin?reset=1")
}
