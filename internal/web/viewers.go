package web

import (
	"context"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/i18n"
)

// viewersView is "who looked at this record": every person who read or
// changed a student's record in the last viewedWithin, for the student's
// own page and their guardians' pages.
type viewersView struct {
	// Key is the catalog prefix of the section's words: "family" as a
	// guardian reads them, "me" as the student does.
	Key  string
	Rows []viewerRow
}

type viewerRow struct {
	Name, Role string
	Last       time.Time
	Times      int
	You        bool
}

// viewedWithin is how far back "who viewed the record" looks.
const viewedWithin = 30 * 24 * time.Hour

// loadViewers lists who read or changed the student's record in the
// period before now, one row per person, the most recent first; you is
// the reader, whose own row says so.
func (s *Server) loadViewers(ctx context.Context, pr *i18n.Printer, key string, districtID, studentID, you int64, now time.Time) (viewersView, error) {
	vs, err := s.store.StudentViewers(ctx, districtID, studentID, now.Add(-viewedWithin))
	if err != nil {
		return viewersView{}, err
	}
	out := viewersView{Key: key}
	for _, v := range vs {
		rels := make([]string, len(v.Relations))
		for i, rel := range v.Relations {
			rels[i] = pr.T("relation." + string(rel))
		}
		out.Rows = append(out.Rows, viewerRow{Name: v.Name, Role: strings.Join(rels, ", "), Last: v.Last, Times: v.Times,
			You: v.PersonID == you})
	}
	return out, nil
}
