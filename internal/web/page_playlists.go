package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// playlistsPage is a teacher's playlist library: their own playlists and
// those shared to their school, searched by standard and by words, with
// the form to make a new playlist for a standard.
type playlistsPage struct {
	pageBase
	Standards []standardOption
	// The search.
	StandardID int64
	Query      string
	Searched   bool
	Results    []playlistRow
	// MayMake says the person may make playlists of their own (a coach
	// reads the library only).
	MayMake bool
	// Imported counts the playlists a cartridge import just made.
	Imported int
	// The form to make a playlist, its values and errors.
	New    playlistForm
	Errors map[string]string
}

type standardOption struct {
	ID          int64
	Label, Lang string
}

// playlistRow is one playlist of a list.
type playlistRow struct {
	ID         int64
	Title      string
	Standard   string
	StdLang    string
	Activities int
	Minutes    int
	Modalities []string
	Own        bool
	Shared     bool
	URL        string
}

// playlistForm is what the form to make or change a playlist holds.
type playlistForm struct {
	StandardID  int64
	Title       string
	Description string
	Ways        []wayOption
}

type wayOption struct {
	Value, Label string
	Checked      bool
}

// maxLibraryStandards bounds the standards the library's forms offer, so
// that the page stays light for someone who teaches no class (and is
// offered the district's standards): a course maps a few dozen.
const maxLibraryStandards = 150

func wayOptions(pr *i18n.Printer, checked []evidence.Kind) []wayOption {
	out := make([]wayOption, len(evidence.Kinds))
	for i, k := range evidence.Kinds {
		out[i] = wayOption{Value: string(k), Label: pr.T("kind." + string(k)), Checked: slices.Contains(checked, k)}
	}
	return out
}

// libraryStandards are the standards the actor's forms offer: those of
// the courses of their classes, or the district's when they have none.
func (s *Server) libraryStandards(r *http.Request, cat *standards.Catalog) ([]standardOption, error) {
	a := actorOf(r)
	classes, err := s.store.PersonClasses(r.Context(), a.DistrictID, a.PersonID)
	if err != nil {
		return nil, err
	}
	var sts []standards.Standard
	seen := map[int64]bool{}
	for _, c := range classes {
		for _, st := range cat.CourseStandards(c.CourseID) {
			if !seen[st.ID] {
				seen[st.ID] = true
				sts = append(sts, st)
			}
		}
	}
	if len(sts) == 0 {
		sts = cat.Standards()
	}
	var out []standardOption
	for _, st := range sts {
		if st.Retired || len(out) >= maxLibraryStandards {
			continue
		}
		label, lang := standardLabel(cat, st.ID)
		out = append(out, standardOption{ID: st.ID, Label: label, Lang: lang})
	}
	return out, nil
}

func (s *Server) playlistRows(r *http.Request, cat *standards.Catalog, ps []pathways.Playlist) []playlistRow {
	pr := s.printerOf(r)
	me := actorOf(r).PersonID
	out := make([]playlistRow, len(ps))
	for i, p := range ps {
		row := playlistRow{ID: p.ID, Title: p.Title, Activities: len(p.Activities), Own: p.OwnerID == me, Shared: p.Shared,
			URL: fmt.Sprintf("/playlists/%d", p.ID)}
		row.Standard, row.StdLang = standardLabel(cat, p.StandardID)
		seen := map[pathways.Modality]bool{}
		for _, a := range p.Activities {
			row.Minutes += a.Minutes
			if !seen[a.Modality] {
				seen[a.Modality] = true
				row.Modalities = append(row.Modalities, pr.T("playlist.modality."+string(a.Modality)))
			}
		}
		out[i] = row
	}
	return out
}

func (s *Server) playlistsData(w http.ResponseWriter, r *http.Request) (*playlistsPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	data := &playlistsPage{pageBase: s.newBase(w, r, pr.T("playlist.library.title")), Errors: map[string]string{}}
	if data.Standards, err = s.libraryStandards(r, cat); err != nil {
		return nil, err
	}
	q := r.URL.Query()
	if data.StandardID, err = queryID(r, "standard"); err != nil {
		return nil, err
	}
	data.Query = strings.TrimSpace(q.Get("q"))
	if why := pathways.CheckQuery(data.Query); why != "" {
		data.Errors["q"] = pr.T("playlist.error.q", pathways.QueryChars)
		data.Query = ""
	}
	data.Searched = data.StandardID != 0 || data.Query != ""
	data.MayMake = mayMakePlaylists(r) == nil
	if n, err := strconv.Atoi(q.Get("imported")); err == nil && n > 0 {
		data.Imported = n
	}
	found, err := s.store.SearchPlaylists(ctx, a.DistrictID, store.PlaylistQuery{OwnerID: a.PersonID, SchoolIDs: a.SchoolIDs,
		StandardID: data.StandardID, Words: data.Query})
	if err != nil {
		return nil, err
	}
	data.Results = s.playlistRows(r, cat, found)
	data.New = playlistForm{StandardID: data.StandardID, Ways: wayOptions(pr, []evidence.Kind{evidence.PerformanceTask, evidence.Summative})}
	return data, nil
}

func (s *Server) playlistsPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.playlistsData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "playlists", data)
}

// readPlaylistForm reads the form to make or change a playlist.
func readPlaylistForm(r *http.Request) (pathways.Playlist, error) {
	var p pathways.Playlist
	if v := r.PostFormValue("standard"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return p, problem.Invalid("standardId", "%q is not a standard", v)
		}
		p.StandardID = id
	}
	p.Title = strings.TrimSpace(r.PostFormValue("title"))
	p.Description = strings.TrimSpace(r.PostFormValue("description"))
	for _, v := range r.PostForm["ways"] {
		p.WaysToShow = append(p.WaysToShow, evidence.Kind(v))
	}
	return p, nil
}

// createPlaylist makes a playlist for a standard from the library's form
// and opens it, to add activities.
func (s *Server) createPlaylist(w http.ResponseWriter, r *http.Request) error {
	if err := mayMakePlaylists(r); err != nil {
		return err
	}
	a := actorOf(r)
	pr := s.printerOf(r)
	p, err := readPlaylistForm(r)
	if err == nil {
		p.DistrictID, p.OwnerID, p.SchoolID = a.DistrictID, a.PersonID, homeSchool(a)
		err = s.store.CreatePlaylist(r.Context(), &p)
	}
	if err != nil {
		errs, err := playlistFieldErrors(pr, err)
		if err != nil {
			return err
		}
		data, err := s.playlistsData(w, r)
		if err != nil {
			return err
		}
		data.Errors = errs
		data.New = playlistForm{StandardID: p.StandardID, Title: p.Title, Description: p.Description, Ways: wayOptions(pr, p.WaysToShow)}
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "playlists", data)
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=created", p.ID))
}

// NewFields is the fields of the form that makes a playlist.
func (d *playlistsPage) NewFields() playlistFields {
	return playlistFields{Prefix: "new", Form: d.New, Standards: d.Standards, Errors: d.Errors}
}
