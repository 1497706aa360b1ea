package web

import (
	"net/http"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

// setLanguage is the language switch in every page's header. A person
// signed in keeps the choice in their profile, so that it follows them to
// any browser; a visitor keeps it in a cookie.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := s.catalog.Match(r.PostFormValue("lang"))
	if lang == "" {
		return problem.Invalid("lang", "%q is not a language of these pages", r.PostFormValue("lang"))
	}
	st := stateOf(r)
	if a := st.actor; a != nil && st.session != nil {
		p, err := s.store.Person(r.Context(), a.DistrictID, a.PersonID)
		if err != nil {
			return err
		}
		if p.Language != lang {
			p.Language = lang
			if err := s.store.UpdatePerson(r.Context(), &p); err != nil {
				return err
			}
		}
	}
	s.setCookie(w, r, langCookie, lang, 365*24*time.Hour)
	next := localPath(r.PostFormValue("next"))
	if next == "" {
		next = "/"
	}
	return redirect(w, r, next)
}
