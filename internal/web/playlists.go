package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// Who may see or change a playlist is access.Allow's to say, on the
// resource access.Playlists, from the facts playlistScope finds: whether
// the playlist is the actor's own, the school whose library it is shared
// to, and for a student whether its owner teaches them (the relation the
// store finds for any teacher and student). Every page and API route on a
// playlist, an activity or its file goes through playlistFor.

// playlistScope returns the facts access.Allow needs about playlist p for
// the request's actor.
func (s *Server) playlistScope(r *http.Request, p pathways.Playlist) (access.Scope, error) {
	a := actorOf(r)
	sc := access.Scope{Own: p.OwnerID == a.PersonID}
	if p.Shared && p.SchoolID != nil {
		sc.SchoolID = *p.SchoolID
	}
	if a.Has(roster.RoleStudent) && !sc.Own {
		owner := access.Actor{PersonID: p.OwnerID, DistrictID: p.DistrictID, Roles: []roster.Role{roster.RoleTeacher}}
		rels, err := s.store.RelationsTo(r.Context(), owner, a.PersonID)
		switch {
		case err == nil:
			sc.TeachesActor = rels.Teacher
		case !errors.Is(err, problem.ErrNotFound):
			return sc, err
		}
	}
	return sc, nil
}

// playlistFor returns playlist id when the actor may do action on it. One
// they may not see is not found, like one that does not exist.
func (s *Server) playlistFor(r *http.Request, id int64, action access.Action) (pathways.Playlist, error) {
	p, err := s.store.Playlist(r.Context(), actorOf(r).DistrictID, id)
	if err != nil {
		return p, urlRecord(err, "playlist", id)
	}
	return p, s.allowPlaylist(r, p, action)
}

// allowPlaylist decides about a playlist already loaded.
func (s *Server) allowPlaylist(r *http.Request, p pathways.Playlist, action access.Action) error {
	sc, err := s.playlistScope(r, p)
	if err != nil {
		return err
	}
	if err := access.Allow(actorOf(r), action, access.Playlists, sc); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			if action == access.Change {
				// Seen but not one's own: say why rather than hide it.
				if verr := access.Allow(actorOf(r), access.View, access.Playlists, sc); verr == nil {
					return problem.Forbidden("only the teacher who made a playlist may change it; copy it to make your own")
				}
			}
			return notFound("playlist", p.ID)
		}
		return err
	}
	return nil
}

// activityFor returns activity id and its playlist when the actor may do
// action on the playlist.
func (s *Server) activityFor(r *http.Request, id int64, action access.Action) (pathways.Activity, pathways.Playlist, error) {
	a, p, err := s.store.Activity(r.Context(), actorOf(r).DistrictID, id)
	if err != nil {
		return a, p, urlRecord(err, "activity", id)
	}
	if err := s.allowPlaylist(r, p, action); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return a, p, notFound("activity", id)
		}
		return a, p, err
	}
	return a, p, nil
}

// mayMakePlaylists refuses someone who may not make playlists of their
// own (a new playlist is its maker's).
func mayMakePlaylists(r *http.Request) error {
	return access.Allow(actorOf(r), access.Change, access.Playlists, access.Scope{Own: true})
}

// homeSchool is the school a teacher's new playlists belong to: their
// first, or none.
func homeSchool(a access.Actor) *int64 {
	if len(a.SchoolIDs) == 0 {
		return nil
	}
	id := a.SchoolIDs[0]
	return &id
}

// modalityOption is a modality as forms and lists show it.
type modalityOption struct {
	Value, Label string
}

func modalityOptions(pr *i18n.Printer) []modalityOption {
	out := make([]modalityOption, len(pathways.Modalities))
	for i, m := range pathways.Modalities {
		out[i] = modalityOption{string(m), pr.T("playlist.modality." + string(m))}
	}
	return out
}

// standardLabel names a standard in lists: its code and statement.
func standardLabel(cat *standards.Catalog, id int64) (label, lang string) {
	st, ok := cat.Standard(id)
	if !ok {
		return "", ""
	}
	if st.Code != "" {
		return st.Code + " · " + truncateWords(st.Statement, 80), cat.LangOf(st)
	}
	return truncateWords(st.Statement, 80), cat.LangOf(st)
}

// playlistFieldErrors turns a refusal naming fields into the messages a form
// shows beside each, in the page's language where the catalog has one for
// the field ("activities[0].link" is shown beside "link"), else the
// store's reason. Other errors are returned as they are.
func playlistFieldErrors(pr *i18n.Printer, err error) (map[string]string, error) {
	var ie *problem.InvalidError
	if !errors.As(err, &ie) {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range ie.Fields {
		name := f.Field
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		msg, ok := pr.Lookup("playlist.error." + name)
		if !ok {
			msg = f.Reason
		}
		if _, dup := out[name]; !dup {
			out[name] = msg
		}
	}
	return out, nil
}

// maySeeGoals reports whether the actor may see a student's goals (and
// the choices they made on playlists), logging the read when they may.
// A refusal is not an error: the page shows the rest.
func (s *Server) maySeeGoals(r *http.Request, studentID int64) (bool, error) {
	rels, err := s.store.RelationsTo(r.Context(), actorOf(r), studentID)
	if err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if _, err := access.Decide(actorOf(r), access.View, access.Goals, rels); err != nil {
		return false, nil
	}
	if _, err := s.studentPage(r, studentID, access.Goals); err != nil {
		return false, err
	}
	return true, nil
}

// playlistsLink is where a standard's page leads for its playlists: the
// student's own choice for a student looking at their own standard, the
// library for those who keep playlists, else nowhere.
func playlistsLink(a access.Actor, studentID, standardID int64) string {
	switch {
	case a.Has(roster.RoleStudent) && a.PersonID == studentID:
		return fmt.Sprintf("/me/targets/%d", standardID)
	case slices.ContainsFunc(playlistRoles, a.Has):
		return fmt.Sprintf("/playlists?standard=%d", standardID)
	}
	return ""
}
