package web

import (
	"net/http"
)

// landingPage is what a visitor who has not signed in sees at /.
type landingPage struct {
	pageBase
	District string
}

// landing sends a person who is signed in to their own home page, and
// shows a visitor the district's name and the way in.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) error {
	if a := stateOf(r).actor; a != nil {
		return redirect(w, r, homeOf(*a))
	}
	d, err := s.store.District(r.Context(), s.districtID)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	data := &landingPage{pageBase: s.newBase(w, r, d.Name), District: d.Name}
	data.Title = pr.T("landing.title", d.Name)
	return s.renderPage(w, r, http.StatusOK, "landing", data)
}
