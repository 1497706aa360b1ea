package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
)

// landingPage is what the landing page shows.
type landingPage struct {
	District string
	Classes  []landingClass
	// More is set when the district has more classes than the page lists.
	More bool
	Now  time.Time
}

type landingClass struct {
	Title, Code, Period string
	MasteryURL          string
}

// landingClassLimit is how many classes the landing page lists; a large
// district's classes are reached through the API.
const landingClassLimit = 200

// landing is the page at /: the district, its classes' mastery, and where
// the API is described.
func (s *Server) landing(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d, err := s.store.District(ctx, s.districtID)
	if err != nil {
		return err
	}
	classes, next, err := s.store.Classes(ctx, s.districtID, store.Page{Limit: landingClassLimit})
	if err != nil {
		return err
	}
	data := landingPage{District: d.Name, More: next != 0, Now: s.now()}
	for _, c := range classes {
		data.Classes = append(data.Classes, landingClass{Title: c.Title, Code: c.Code, Period: c.Period,
			MasteryURL: fmt.Sprintf("/api/v1/classes/%d/mastery", c.ID)})
	}
	return s.render(w, http.StatusOK, "landing", data)
}
