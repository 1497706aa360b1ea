package web

import (
	"net/http"
)

// adminPage is the district administrator's start: the district and the
// pages that set how it works.
type adminPage struct {
	pageBase
	District string
	Links    []adminLink
}

type adminLink struct {
	URL, Label, About string
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) error {
	pr := s.printerOf(r)
	d, err := s.store.District(r.Context(), actorOf(r).DistrictID)
	if err != nil {
		return err
	}
	data := &adminPage{pageBase: s.newBase(w, r, pr.T("admin.title")), District: d.Name}
	for _, l := range []struct{ url, key string }{
		{"/admin/policy", "policy"}, {"/admin/scales", "scales"}, {"/admin/users", "users"}, {"/admin/audit", "audit"}, {"/admin/import", "import"}, {"/classes", "classes"},
	} {
		data.Links = append(data.Links, adminLink{URL: l.url, Label: pr.T("admin." + l.key), About: pr.T("admin." + l.key + ".about")})
	}
	data.Links = append(data.Links, adminLink{URL: "/admin/pace", Label: pr.T("pace.admin.link"), About: pr.T("pace.admin.link_about")})
	// Outcomes of supports.
	data.Links = append(data.Links, adminLink{URL: "/admin/outcomes", Label: pr.T("outcomes.admin.link"), About: pr.T("outcomes.admin.link_about")})
	// Rules and alerts.
	data.Links = append(data.Links, adminLink{URL: "/admin/rules", Label: pr.T("rules.link"), About: pr.T("rules.link_about")})
	return s.renderPage(w, r, http.StatusOK, "admin", data)
}
