package web

import (
	"net/http"
)

// adminScalesPage lists the district's proficiency scales: their levels,
// what each means, where mastery starts, and the frameworks that use
// them.
type adminScalesPage struct {
	pageBase
	Scales []scaleRow
}

type scaleRow struct {
	ID         int64
	Name       string
	Levels     []levelView
	Cut        string
	Frameworks []string
}

func (s *Server) adminScalesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, d)
	if err != nil {
		return err
	}
	scales, err := s.store.Scales(ctx, d)
	if err != nil {
		return err
	}
	data := &adminScalesPage{pageBase: s.newBase(w, r, pr.T("scales.title"))}
	for _, sc := range scales {
		row := scaleRow{ID: sc.ID, Name: sc.Name}
		row.Levels, row.Cut = levelsOf(pr, sc)
		for _, f := range cat.Frameworks() {
			if f.ScaleID == sc.ID {
				row.Frameworks = append(row.Frameworks, f.Title)
			}
		}
		data.Scales = append(data.Scales, row)
	}
	return s.renderPage(w, r, http.StatusOK, "admin_scales", data)
}
