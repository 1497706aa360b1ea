package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// playlistInput is a playlist as a client makes one: the owner, school
// and times are the server's to set.
type playlistInput struct {
	StandardID  int64           `json:"standardId"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	WaysToShow  []evidence.Kind `json:"waysToShow"`
	Activities  []activityInput `json:"activities,omitempty"`
}

// activityInput is an activity as a client sends it. Files are uploaded
// on the playlist's page.
type activityInput struct {
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	Link        string            `json:"link,omitempty"`
	Modality    pathways.Modality `json:"modality"`
	Minutes     int               `json:"minutes,omitempty"`
	Interests   []string          `json:"interests,omitempty"`
	Language    string            `json:"language,omitempty"`
	Assessment  bool              `json:"assessment,omitempty"`
}

func (in activityInput) activity() pathways.Activity {
	return pathways.Activity{Title: in.Title, Description: in.Description, Link: in.Link, Modality: in.Modality,
		Minutes: in.Minutes, Interests: in.Interests, Language: in.Language, Assessment: in.Assessment}
}

// copyInput names a copy; without a title it keeps the original's.
type copyInput struct {
	Title string `json:"title,omitempty"`
}

// shareInput puts a playlist in its school's library or takes it out.
type shareInput struct {
	Shared bool `json:"shared"`
}

// activityScoreInput is a teacher's score on a student's work on an
// assessment piece: a level of the standard's scale, or points.
type activityScoreInput struct {
	StudentID  int64         `json:"studentId"`
	ClassID    *int64        `json:"classId,omitempty"`
	Kind       evidence.Kind `json:"kind,omitempty"`
	Level      *float64      `json:"level,omitempty"`
	Points     *float64      `json:"points,omitempty"`
	MinPoints  float64       `json:"minPoints,omitempty"`
	MaxPoints  float64       `json:"maxPoints,omitempty"`
	AssessedAt *time.Time    `json:"assessedAt,omitempty"`
	Comment    string        `json:"comment,omitempty"`
}

// choiceInput is what a student chose for a target.
type choiceInput struct {
	ActivityIDs []int64       `json:"activityIds"`
	WayToShow   evidence.Kind `json:"wayToShow"`
	Note        string        `json:"note,omitempty"`
}

func (s *Server) listPlaylists(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	std, err := queryID(r, "standard")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if why := pathways.CheckQuery(q); why != "" {
		return malformed("q", "%s", why)
	}
	found, err := s.store.SearchPlaylists(r.Context(), a.DistrictID, store.PlaylistQuery{OwnerID: a.PersonID, SchoolIDs: a.SchoolIDs,
		StandardID: std, Words: q})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(found, 0))
	return nil
}

func (s *Server) createPlaylistAPI(w http.ResponseWriter, r *http.Request) error {
	var in playlistInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := mayMakePlaylists(r); err != nil {
		return err
	}
	a := actorOf(r)
	p := pathways.Playlist{DistrictID: a.DistrictID, StandardID: in.StandardID, OwnerID: a.PersonID, SchoolID: homeSchool(a),
		Title: strings.TrimSpace(in.Title), Description: in.Description, WaysToShow: in.WaysToShow}
	for _, ai := range in.Activities {
		p.Activities = append(p.Activities, ai.activity())
	}
	if err := s.store.CreatePlaylist(r.Context(), &p); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/playlists/%d", p.ID), p)
	return nil
}

func (s *Server) getPlaylist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	p, err := s.playlistFor(r, id, access.View)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) copyPlaylistAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	var in copyInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	cp, err := s.copyPlaylistFor(r, id, strings.TrimSpace(in.Title))
	if err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/playlists/%d", cp.ID), cp)
	return nil
}

func (s *Server) sharePlaylistAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	var in shareInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.playlistFor(r, id, access.Change); err != nil {
		return err
	}
	a := actorOf(r)
	if err := s.store.SharePlaylist(r.Context(), a.DistrictID, a.PersonID, id, in.Shared); err != nil {
		return err
	}
	p, err := s.store.Playlist(r.Context(), a.DistrictID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) addActivityAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "playlist")
	if err != nil {
		return err
	}
	var in activityInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.playlistFor(r, id, access.Change)
	if err != nil {
		return err
	}
	act := in.activity()
	act.DistrictID, act.PlaylistID = p.DistrictID, p.ID
	if err := s.store.AddActivity(r.Context(), actorOf(r).PersonID, &act); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/playlists/%d", p.ID), act)
	return nil
}

// scoreActivity records a teacher's score on a student's work on an
// assessment piece as evidence on the playlist's standard, titled with the
// activity: the same evidence, checks and audit as any other.
func (s *Server) scoreActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "activity")
	if err != nil {
		return err
	}
	var in activityScoreInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	act, p, err := s.activityFor(r, id, access.View)
	if err != nil {
		return err
	}
	if in.StudentID == 0 {
		return problem.Invalid("studentId", "required")
	}
	entry, err := s.studentChange(r, in.StudentID, access.Evidence)
	if err != nil {
		return asInvalidStudent(err, "studentId", in.StudentID)
	}
	at := s.now()
	if in.AssessedAt != nil {
		at = *in.AssessedAt
	}
	ev, err := act.Evidence(p, in.Kind, at)
	if err != nil {
		return err
	}
	ev.StudentID, ev.ClassID, ev.RecordedBy, ev.Comment = in.StudentID, in.ClassID, actorOf(r).PersonID, in.Comment
	ev.Scores[0].Level, ev.Scores[0].Points, ev.Scores[0].MinPoints, ev.Scores[0].MaxPoints = in.Level, in.Points, in.MinPoints, in.MaxPoints
	if err := s.store.RecordEvidence(r.Context(), &ev, entry); err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/evidence/%d", ev.ID), ev)
	return nil
}

// studentChoicesAPI lists what a student chose for each target, to those
// who may see the student's goals.
func (s *Server) studentChoicesAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	if _, err := s.studentAccess(r, id, access.View, access.Goals); err != nil {
		return err
	}
	cs, err := s.store.StudentChoices(r.Context(), actorOf(r).DistrictID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(cs, 0))
	return nil
}

// putStudentChoice keeps what a student chose for a target; only the
// student (or someone who may change their goals) may.
func (s *Server) putStudentChoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return err
	}
	std, err := pathID(r, "standardId", "standard")
	if err != nil {
		return err
	}
	var in choiceInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	entry, err := s.studentChange(r, id, access.Goals)
	if err != nil {
		return err
	}
	c := pathways.Choice{DistrictID: actorOf(r).DistrictID, StudentID: id, StandardID: std, ActivityIDs: in.ActivityIDs,
		WayToShow: in.WayToShow, Note: in.Note}
	if err := s.store.SaveChoice(r.Context(), &c, entry); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
