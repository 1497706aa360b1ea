package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
)

// playlistPage is one playlist with its activities. Its owner edits it
// here (the playlist, each activity, a file for an activity, sharing it to
// the school library); another teacher copies it to make their own.
type playlistPage struct {
	pageBase
	Playlist   pathways.Playlist
	Standard   string
	StdLang    string
	Owner      string
	Own        bool
	MayCopy    bool
	Shareable  bool
	Ways       []string
	Activities []activityRow
	// The forms: the playlist's, the new activity's, and errors by form
	// ("playlist", "new", or an activity's id) then field.
	Edit      playlistForm
	Standards []standardOption
	New       activityForm
	Errors    map[string]map[string]string
	// Notice is what the last action did ("created", "copied"...).
	Notice     string
	Modalities []modalityOption
	FileLimit  string
}

type activityRow struct {
	pathways.Activity
	Modality  string
	FileURL   string
	FileSize  string
	Interests string
	Form      activityForm
}

// activityForm is what the form of an activity holds.
type activityForm struct {
	Title, Description, Link, Modality, Minutes, Interests, Language string
	Assessment                                                       bool
}

func formOfActivity(a pathways.Activity) activityForm {
	f := activityForm{Title: a.Title, Description: a.Description, Link: a.Link, Modality: string(a.Modality),
		Interests: strings.Join(a.Interests, ", "), Language: a.Language, Assessment: a.Assessment}
	if a.Minutes > 0 {
		f.Minutes = strconv.Itoa(a.Minutes)
	}
	return f
}

// playlistNotices are the notices a playlist page may show after an
// action, by the query's notice.
var playlistNotices = map[string]bool{"created": true, "copied": true, "saved": true, "shared": true, "unshared": true, "added": true, "removed": true}

func (s *Server) playlistData(w http.ResponseWriter, r *http.Request, p pathways.Playlist) (*playlistPage, error) {
	ctx := r.Context()
	a := actorOf(r)
	pr := s.printerOf(r)
	cat, err := s.store.Catalog(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	data := &playlistPage{pageBase: s.newBase(w, r, p.Title), Playlist: p, Own: p.OwnerID == a.PersonID,
		Errors: map[string]map[string]string{}, Modalities: modalityOptions(pr), FileLimit: limits.Bytes(limits.ActivityFileBytes),
		Shareable: p.SchoolID != nil}
	data.Standard, data.StdLang = standardLabel(cat, p.StandardID)
	data.MayCopy = !data.Own && mayMakePlaylists(r) == nil
	if owner, err := s.store.Person(ctx, a.DistrictID, p.OwnerID); err == nil {
		data.Owner = owner.Name()
	}
	for _, k := range p.WaysToShow {
		data.Ways = append(data.Ways, pr.T("kind."+string(k)))
	}
	for _, act := range p.Activities {
		data.Activities = append(data.Activities, activityRowOf(pr, act))
	}
	if data.Own {
		data.Edit = playlistForm{StandardID: p.StandardID, Title: p.Title, Description: p.Description, Ways: wayOptions(pr, p.WaysToShow)}
		if data.Standards, err = s.libraryStandards(r, cat); err != nil {
			return nil, err
		}
		if !containsStandard(data.Standards, p.StandardID) {
			data.Standards = append([]standardOption{{ID: p.StandardID, Label: data.Standard, Lang: data.StdLang}}, data.Standards...)
		}
		data.New = activityForm{Modality: string(pathways.Practice)}
	}
	if n := r.URL.Query().Get("notice"); playlistNotices[n] {
		data.Notice = pr.T("playlist.notice." + n)
	}
	return data, nil
}

func containsStandard(opts []standardOption, id int64) bool {
	for _, o := range opts {
		if o.ID == id {
			return true
		}
	}
	return false
}

func activityRowOf(pr *i18n.Printer, a pathways.Activity) activityRow {
	row := activityRow{Activity: a, Modality: pr.T("playlist.modality." + string(a.Modality)),
		Interests: strings.Join(a.Interests, ", "), Form: formOfActivity(a)}
	if a.File != nil {
		row.FileURL = fmt.Sprintf("/activities/%d/file", a.ID)
		row.FileSize = limits.Bytes(a.File.Size)
	}
	return row
}

func (s *Server) playlistPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	p, err := s.playlistFor(r, id, access.View)
	if err != nil {
		return err
	}
	data, err := s.playlistData(w, r, p)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "playlist", data)
}

// playlistAgain shows the playlist page again with the errors of one of
// its forms, keeping what was typed.
func (s *Server) playlistAgain(w http.ResponseWriter, r *http.Request, id int64, form string, err error, keep func(*playlistPage)) error {
	errs, err := playlistFieldErrors(s.printerOf(r), err)
	if err != nil {
		return err
	}
	p, err := s.playlistFor(r, id, access.View)
	if err != nil {
		return err
	}
	data, err := s.playlistData(w, r, p)
	if err != nil {
		return err
	}
	data.Errors[form] = errs
	if keep != nil {
		keep(data)
	}
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "playlist", data)
}

// editPlaylist changes a playlist's title, description, standard and ways
// to show mastery.
func (s *Server) editPlaylist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	old, err := s.playlistFor(r, id, access.Change)
	if err != nil {
		return err
	}
	p, err := readPlaylistForm(r)
	if err == nil {
		p.ID, p.DistrictID = id, old.DistrictID
		err = s.store.UpdatePlaylist(r.Context(), actorOf(r).PersonID, &p)
	}
	if err != nil {
		return s.playlistAgain(w, r, id, "playlist", err, func(d *playlistPage) {
			d.Edit = playlistForm{StandardID: p.StandardID, Title: p.Title, Description: p.Description, Ways: wayOptions(s.printerOf(r), p.WaysToShow)}
		})
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=saved", id))
}

// copyPlaylist copies a playlist the actor may see to a new one of their
// own, and opens it.
func (s *Server) copyPlaylist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	cp, err := s.copyPlaylistFor(r, id, "")
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=copied", cp.ID))
}

// copyPlaylistFor copies playlist id for the actor, titled title (the
// original's when "").
func (s *Server) copyPlaylistFor(r *http.Request, id int64, title string) (pathways.Playlist, error) {
	if _, err := s.playlistFor(r, id, access.View); err != nil {
		return pathways.Playlist{}, err
	}
	if err := mayMakePlaylists(r); err != nil {
		return pathways.Playlist{}, err
	}
	a := actorOf(r)
	return s.store.CopyPlaylist(r.Context(), a.DistrictID, id, a.PersonID, homeSchool(a), title)
}

// sharePlaylist puts a playlist in its school's library (shared=1) or
// takes it out.
func (s *Server) sharePlaylist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	if _, err := s.playlistFor(r, id, access.Change); err != nil {
		return err
	}
	shared := r.PostFormValue("shared") == "1"
	if err := s.store.SharePlaylist(r.Context(), actorOf(r).DistrictID, actorOf(r).PersonID, id, shared); err != nil {
		return err
	}
	notice := "unshared"
	if shared {
		notice = "shared"
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=%s", id, notice))
}

// readActivityForm reads the form of an activity, and its file when one
// was uploaded.
func readActivityForm(r *http.Request) (pathways.Activity, activityForm, error) {
	f := activityForm{
		Title: strings.TrimSpace(r.PostFormValue("title")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Link: strings.TrimSpace(r.PostFormValue("link")), Modality: r.PostFormValue("modality"),
		Minutes: strings.TrimSpace(r.PostFormValue("minutes")), Interests: r.PostFormValue("interests"),
		Language: strings.TrimSpace(r.PostFormValue("language")), Assessment: r.PostFormValue("assessment") == "1",
	}
	a := pathways.Activity{Title: f.Title, Description: f.Description, Link: f.Link, Modality: pathways.Modality(f.Modality),
		Language: f.Language, Assessment: f.Assessment}
	var errs problem.Fields
	if f.Minutes != "" {
		n, err := strconv.Atoi(f.Minutes)
		if err != nil {
			errs.Add("minutes", "not a whole number of minutes")
		}
		a.Minutes = n
	}
	for _, t := range strings.Split(f.Interests, ",") {
		if t = strings.TrimSpace(t); t != "" {
			a.Interests = append(a.Interests, t)
		}
	}
	file, err := uploadedFile(r)
	if err != nil {
		var ie *problem.InvalidError
		if !errors.As(err, &ie) {
			return a, f, err
		}
		errs = append(errs, ie.Fields...)
	}
	a.File = file
	return a, f, errs.Err()
}

// uploadedFile reads the form's file, nil when none was chosen. A file
// over limits.ActivityFileBytes is refused naming the limit.
func uploadedFile(r *http.Request) (*pathways.File, error) {
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(uploadMemory); err != nil {
			var me *http.MaxBytesError
			if errors.As(err, &me) {
				return nil, err
			}
			return nil, nil // not an upload
		}
	}
	fh, ok := r.MultipartForm.File["file"]
	if !ok || len(fh) == 0 || fh[0].Filename == "" {
		return nil, nil
	}
	if fh[0].Size > limits.ActivityFileBytes {
		return nil, problem.Invalid("file", "%s: larger than the %s an activity's file may be", limits.Bytes(fh[0].Size), limits.Bytes(limits.ActivityFileBytes))
	}
	in, err := fh[0].Open()
	if err != nil {
		return nil, err
	}
	defer in.Close()
	b, err := io.ReadAll(io.LimitReader(in, limits.ActivityFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limits.ActivityFileBytes {
		return nil, problem.Invalid("file", "larger than the %s an activity's file may be", limits.Bytes(limits.ActivityFileBytes))
	}
	name := path.Base(strings.ReplaceAll(fh[0].Filename, `\`, "/"))
	return &pathways.File{Name: truncate(name, 200), ContentType: uploadType(name, b), Size: int64(len(b)), Data: b}, nil
}

// uploadType is the content type an uploaded file is kept with: one of
// the types it is served as (fileTypes), by its extension and its first
// bytes, else application/octet-stream. What the browser said is not
// trusted.
func uploadType(name string, b []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := fileTypes[ext]; ok {
		sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(b))
		if t == sniffed || !strings.HasPrefix(t, "image/") && !strings.HasPrefix(sniffed, "text/html") {
			return t
		}
	}
	return "application/octet-stream"
}

// fileTypes are the types an activity's file is served as, by extension.
// None of them runs script in a browser; whatever else is uploaded is
// served as application/octet-stream. Every file is served as an
// attachment all the same (serveActivityFile).
var fileTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".txt": "text/plain", ".csv": "text/csv", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".odt":  "application/vnd.oasis.opendocument.text",
}

// addActivity adds an activity, with its file when one was uploaded, at
// the end of a playlist.
func (s *Server) addActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	p, err := s.playlistFor(r, id, access.Change)
	if err != nil {
		return err
	}
	a, f, err := readActivityForm(r)
	if err == nil {
		a.DistrictID, a.PlaylistID = p.DistrictID, p.ID
		err = s.store.AddActivity(r.Context(), actorOf(r).PersonID, &a)
	}
	if err != nil {
		return s.playlistAgain(w, r, id, "new", err, func(d *playlistPage) { d.New = f })
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=added#activity-%d", id, a.ID))
}

// editActivity changes an activity, and replaces its file when one was
// uploaded.
func (s *Server) editActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "activity")
	if err != nil {
		return err
	}
	old, p, err := s.activityFor(r, id, access.Change)
	if err != nil {
		return err
	}
	a, f, err := readActivityForm(r)
	if err == nil {
		a.ID, a.DistrictID = old.ID, p.DistrictID
		err = s.store.UpdateActivity(r.Context(), actorOf(r).PersonID, &a)
	}
	if err != nil {
		return s.playlistAgain(w, r, p.ID, strconv.FormatInt(id, 10), err, func(d *playlistPage) {
			for i := range d.Activities {
				if d.Activities[i].ID == id {
					d.Activities[i].Form = f
				}
			}
		})
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=saved#activity-%d", p.ID, id))
}

// removeActivity removes an activity from its playlist.
func (s *Server) removeActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "activity")
	if err != nil {
		return err
	}
	_, p, err := s.activityFor(r, id, access.Change)
	if err != nil {
		return err
	}
	if err := s.store.RemoveActivity(r.Context(), p.DistrictID, actorOf(r).PersonID, id); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/playlists/%d?notice=removed", p.ID))
}

// activityFile serves an activity's uploaded file to whoever may see its
// playlist: always as an attachment, with a type from fileTypes or
// application/octet-stream, never sniffed, and in a sandbox, so that a file
// a teacher uploaded cannot run script on this site.
func (s *Server) activityFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "activity")
	if err != nil {
		return err
	}
	if _, _, err := s.activityFor(r, id, access.View); err != nil {
		return err
	}
	f, err := s.store.ActivityFile(r.Context(), actorOf(r).DistrictID, id)
	if err != nil {
		return urlRecord(err, "file of activity", id)
	}
	serveActivityFile(w, r, f)
	return nil
}

func serveActivityFile(w http.ResponseWriter, r *http.Request, f pathways.File) {
	ct := "application/octet-stream"
	for _, t := range fileTypes {
		if t == f.ContentType {
			ct = t
		}
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})
	if cd == "" {
		cd = "attachment" // a name that cannot be written in the header
	}
	h.Set("Content-Disposition", cd)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(f.Data)
	}
}

// activityFields is what the fields of an activity's form are drawn
// from: the form's values and errors, under an id prefix of its own.
type activityFields struct {
	Prefix     string
	Form       activityForm
	Errors     map[string]string
	Modalities []modalityOption
	FileLimit  string
	FileName   string
}

// FieldsFor is the fields of the form prefix ("new", "a12"), with the
// errors kept under key.
func (d *playlistPage) FieldsFor(prefix string, form activityForm, key string, file *pathways.File) activityFields {
	f := activityFields{Prefix: prefix, Form: form, Errors: d.Errors[key], Modalities: d.Modalities, FileLimit: d.FileLimit}
	if file != nil {
		f.FileName = file.Name
	}
	return f
}

// ActivityFields is the fields of the form that changes activity row.
func (d *playlistPage) ActivityFields(row activityRow) activityFields {
	return d.FieldsFor("a"+strconv.FormatInt(row.ID, 10), row.Form, strconv.FormatInt(row.ID, 10), row.File)
}

// ErrorsOf is the errors of the form of activity id.
func (d *playlistPage) ErrorsOf(id int64) map[string]string {
	return d.Errors[strconv.FormatInt(id, 10)]
}

// playlistFields is what the fields of a playlist's form are drawn from.
type playlistFields struct {
	Prefix    string
	Form      playlistForm
	Standards []standardOption
	Errors    map[string]string
}

// EditFields is the fields of the form that changes the playlist.
func (d *playlistPage) EditFields() playlistFields {
	return playlistFields{Prefix: "edit", Form: d.Edit, Standards: d.Standards, Errors: d.Errors["playlist"]}
}
