package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/standards"
)

// targetPage is a student's page for one target (a standard): the
// playlists their teachers made for it, where they pick the activities
// they will do and how they will show mastery, among the ways the
// playlists allow. What they chose is part of their record (as goals are)
// and their teachers see it on the student's profile.
type targetPage struct {
	pageBase
	StandardID int64
	Standard   string
	StdLang    string
	Statement  string
	Playlists  []targetPlaylist
	Ways       []wayOption
	Note       string
	Saved      bool
	ChosenAt   string
	Errors     map[string]string
}

type targetPlaylist struct {
	ID          int64
	Title       string
	Description string
	Activities  []targetActivity
}

type targetActivity struct {
	activityRow
	Checked bool
}

func (s *Server) targetData(w http.ResponseWriter, r *http.Request, standardID int64, chosen *pathways.Choice) (*targetPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	st, ok := cat.Standard(standardID)
	if !ok {
		return nil, notFoundPage("standard", standardID)
	}
	ps, err := s.store.StudentPlaylists(ctx, a.DistrictID, a.PersonID, standardID)
	if err != nil {
		return nil, err
	}
	if chosen == nil {
		c, found, err := s.store.Choice(ctx, a.DistrictID, a.PersonID, standardID)
		if err != nil {
			return nil, err
		}
		if found {
			chosen = &c
		}
	}
	data := &targetPage{pageBase: s.newBase(w, r, pr.T("playlist.target.title", shortLabel(st))), StandardID: standardID,
		Standard: shortLabel(st), StdLang: cat.LangOf(st), Statement: st.Statement, Errors: map[string]string{}}
	var way evidence.Kind
	if chosen != nil {
		way, data.Note = chosen.WayToShow, chosen.Note
		if !chosen.ChosenAt.IsZero() {
			data.ChosenAt = pr.Date(chosen.ChosenAt)
		}
	}
	for _, p := range ps {
		tp := targetPlaylist{ID: p.ID, Title: p.Title, Description: p.Description}
		for _, act := range p.Activities {
			ta := targetActivity{activityRow: activityRowOf(pr, act)}
			ta.Checked = chosen != nil && slices.Contains(chosen.ActivityIDs, act.ID)
			tp.Activities = append(tp.Activities, ta)
		}
		data.Playlists = append(data.Playlists, tp)
	}
	for _, k := range pathways.WaysToShow(ps) {
		data.Ways = append(data.Ways, wayOption{Value: string(k), Label: pr.T("kind." + string(k)), Checked: k == way})
	}
	return data, nil
}

func (s *Server) targetPage(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	id, err := pathID(r, "standardId", "standard")
	if err != nil {
		return err
	}
	if _, err := s.studentPage(r, a.PersonID, access.Goals); err != nil {
		return err
	}
	data, err := s.targetData(w, r, id, nil)
	if err != nil {
		return err
	}
	data.Saved = r.URL.Query().Get("saved") == "1"
	return s.renderPage(w, r, http.StatusOK, "target", data)
}

// saveChoice keeps what the student chose for a target.
func (s *Server) saveChoice(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	id, err := pathID(r, "standardId", "standard")
	if err != nil {
		return err
	}
	entry, err := s.studentChange(r, a.PersonID, access.Goals)
	if err != nil {
		return err
	}
	c := pathways.Choice{DistrictID: a.DistrictID, StudentID: a.PersonID, StandardID: id,
		WayToShow: evidence.Kind(r.PostFormValue("way")), Note: strings.TrimSpace(r.PostFormValue("note"))}
	for _, v := range r.PostForm["activity"] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			n = -1 // refused by Validate, naming the item
		}
		c.ActivityIDs = append(c.ActivityIDs, n)
	}
	if err := s.store.SaveChoice(r.Context(), &c, entry); err != nil {
		errs, err := playlistFieldErrors(s.printerOf(r), err)
		if err != nil {
			return err
		}
		data, derr := s.targetData(w, r, id, &c)
		if derr != nil {
			return derr
		}
		data.Errors = errs
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "target", data)
	}
	return redirect(w, r, fmt.Sprintf("/me/targets/%d?saved=1", id))
}

// targetLink is a standard a student has playlists for, on their page.
type targetLink struct {
	Label, Lang, URL string
	Chosen           bool
}

// studentTargets lists the standards the student's teachers made
// playlists for, each saying whether the student has chosen yet.
func (s *Server) studentTargets(ctx context.Context, cat *standards.Catalog, districtID, studentID int64) ([]targetLink, error) {
	ids, err := s.store.PlaylistStandards(ctx, districtID, studentID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	choices, err := s.store.StudentChoices(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	var out []targetLink
	for _, id := range ids {
		st, ok := cat.Standard(id)
		if !ok {
			continue
		}
		out = append(out, targetLink{Label: shortLabel(st) + " · " + truncateWords(st.Statement, 80), Lang: cat.LangOf(st),
			URL:    fmt.Sprintf("/me/targets/%d", id),
			Chosen: slices.ContainsFunc(choices, func(c pathways.Choice) bool { return c.StandardID == id })})
	}
	return out, nil
}

// choiceRow is a student's choice as their teachers read it.
type choiceRow struct {
	Standard, StdLang string
	Activities        []string
	Way               string
	Note              string
	ChosenAt          string
	// Scorable are the chosen assessment pieces a teacher may score here,
	// with the levels of the standard's scale.
	Scorable []scorableActivity
}

// scorableActivity is an assessment piece a student chose, with the form
// that scores their work on it.
type scorableActivity struct {
	ID     int64
	Title  string
	URL    string
	Levels []levelView
}

// studentChoiceRows describes a student's choices for their profile.
// With scoring, the chosen assessment pieces carry a form to score them.
func (s *Server) studentChoiceRows(ctx context.Context, pr *i18n.Printer, cat *standards.Catalog, districtID, studentID int64, scoring bool) ([]choiceRow, error) {
	choices, err := s.store.StudentChoices(ctx, districtID, studentID)
	if err != nil || len(choices) == 0 {
		return nil, err
	}
	var out []choiceRow
	for _, c := range choices {
		row := choiceRow{Way: pr.T("kind." + string(c.WayToShow)), Note: c.Note, ChosenAt: pr.Date(c.ChosenAt)}
		row.Standard, row.StdLang = standardLabel(cat, c.StandardID)
		ps, err := s.store.StudentPlaylists(ctx, districtID, studentID, c.StandardID)
		if err != nil {
			return nil, err
		}
		var levels []levelView
		if st, ok := cat.Standard(c.StandardID); ok {
			levels, _ = levelsOf(pr, cat.ScaleOf(st))
		}
		for _, id := range c.ActivityIDs {
			for _, p := range ps {
				for _, a := range p.Activities {
					if a.ID != id {
						continue
					}
					row.Activities = append(row.Activities, a.Title)
					if a.Assessment && scoring && len(levels) > 0 {
						row.Scorable = append(row.Scorable, scorableActivity{ID: a.ID, Title: a.Title, Levels: levels,
							URL: fmt.Sprintf("/students/%d/activities/%d/score", studentID, a.ID)})
					}
				}
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// scoreChosenActivity records a teacher's score on a student's work on an
// assessment piece they chose, from the student's profile: evidence on
// the playlist's standard titled with the activity, recorded and audited
// as any evidence.
func (s *Server) scoreChosenActivity(w http.ResponseWriter, r *http.Request) error {
	studentID, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	id, err := pathID(r, "activityId", "activity")
	if err != nil {
		return err
	}
	act, p, err := s.activityFor(r, id, access.View)
	if err != nil {
		return err
	}
	entry, err := s.studentChange(r, studentID, access.Evidence)
	if err != nil {
		return err
	}
	ev, err := act.Evidence(p, evidence.Formative, s.now())
	if err != nil {
		return err
	}
	level, err := strconv.ParseFloat(r.PostFormValue("level"), 64)
	if err != nil {
		return malformed("level", "%q is not a level", r.PostFormValue("level"))
	}
	ev.StudentID, ev.RecordedBy, ev.Scores[0].Level = studentID, actorOf(r).PersonID, &level
	if err := s.store.RecordEvidence(r.Context(), &ev, entry); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/students/%d?recorded=1#choices-heading", studentID))
}
