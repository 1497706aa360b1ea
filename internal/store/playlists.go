package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
)

// A playlist belongs to the teacher who made it: only its owner changes it
// or its activities. The store checks that, as it checks that a record
// belongs to the district; who may see a playlist (its owner, the
// teachers of its school once it is shared, the students of its owner's
// classes) is decided by the web's policy.

// errNotOwner refuses a change to someone else's playlist.
func errNotOwner(id int64) error {
	return problem.Forbidden("only the teacher who made playlist %d may change it; copy it to make your own", id)
}

const playlistCols = `p.id, p.district_id, p.standard_id, p.owner_id, p.school_id, p.title, p.description, p.shared,
       p.copied_from, p.ways_to_show, p.created_at, p.updated_at`

func scanPlaylist(row scanner) (p pathways.Playlist, err error) {
	err = row.Scan(&p.ID, &p.DistrictID, &p.StandardID, &p.OwnerID, nullCol[int64]{&p.SchoolID}, &p.Title, &p.Description,
		&p.Shared, nullCol[int64]{&p.CopiedFrom}, jsonCol{&p.WaysToShow}, tsCol{&p.CreatedAt}, tsCol{&p.UpdatedAt})
	return p, err
}

const activityCols = `a.id, a.district_id, a.playlist_id, a.position, a.title, a.description, a.link, a.modality, a.minutes,
       a.interests, a.language, a.assessment, a.file_name, a.file_type, a.file_size`

func scanActivity(row scanner) (a pathways.Activity, err error) {
	var name, typ string
	var size int64
	err = row.Scan(&a.ID, &a.DistrictID, &a.PlaylistID, &a.Position, &a.Title, &a.Description, &a.Link, &a.Modality,
		&a.Minutes, jsonCol{&a.Interests}, &a.Language, &a.Assessment, &name, &typ, &size)
	if name != "" {
		a.File = &pathways.File{Name: name, ContentType: typ, Size: size}
	}
	return a, err
}

// CreatePlaylist stores a new playlist with its activities (and their
// files), all or nothing, and sets the IDs, positions and times. The
// owner and the standard must be of the playlist's district.
func (s *Store) CreatePlaylist(ctx context.Context, p *pathways.Playlist) (err error) {
	defer wrap(&err, "CreatePlaylist")
	if err := p.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error { return r.insertPlaylist(ctx, p) })
}

// CreatePlaylists stores several playlists, all or nothing: an import
// either adds every playlist or none. The first refused is reported as
// problem.InRecord(i, err).
func (s *Store) CreatePlaylists(ctx context.Context, ps []pathways.Playlist) (err error) {
	defer wrap(&err, "CreatePlaylists(%d)", len(ps))
	for i := range ps {
		if err := ps[i].Validate(); err != nil {
			return problem.InRecord(i, err)
		}
	}
	err = s.inTx(ctx, func(r *runner) error {
		for i := range ps {
			if err := r.insertPlaylist(ctx, &ps[i]); err != nil {
				return problem.InRecord(i, err)
			}
		}
		return nil
	})
	if err != nil {
		for i := range ps {
			ps[i].ID = 0
		}
	}
	return err
}

func (r *runner) insertPlaylist(ctx context.Context, p *pathways.Playlist) error {
	s := r.s
	if err := r.checkPlaylistRefs(ctx, p); err != nil {
		return err
	}
	now := s.wallUTC()
	p.CreatedAt, p.UpdatedAt = now, now
	err := r.queryRow(ctx, `
INSERT INTO playlists (district_id, standard_id, owner_id, school_id, title, description, shared, copied_from, ways_to_show, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		p.DistrictID, p.StandardID, p.OwnerID, nullInt64(p.SchoolID), p.Title, p.Description, p.Shared,
		nullInt64(p.CopiedFrom), jsonText(p.WaysToShow), s.ts(now), s.ts(now)).Scan(&p.ID)
	if err != nil {
		return err
	}
	for i := range p.Activities {
		a := &p.Activities[i]
		a.DistrictID, a.PlaylistID, a.Position = p.DistrictID, p.ID, i+1
		if err := r.insertActivity(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// checkPlaylistRefs turns a standard, owner or school of another district
// (or none) into a refusal naming the field.
func (r *runner) checkPlaylistRefs(ctx context.Context, p *pathways.Playlist) error {
	var errs problem.Fields
	if ok, err := r.exists(ctx, `SELECT 1 FROM standards WHERE district_id = $1 AND id = $2`, p.DistrictID, p.StandardID); err != nil {
		return err
	} else if !ok {
		errs.Addf("standardId", "no standard %d in this district", p.StandardID)
	}
	if ok, err := r.exists(ctx, `SELECT 1 FROM people WHERE district_id = $1 AND id = $2`, p.DistrictID, p.OwnerID); err != nil {
		return err
	} else if !ok {
		errs.Addf("ownerId", "no person %d in this district", p.OwnerID)
	}
	if p.SchoolID != nil {
		if ok, err := r.exists(ctx, `SELECT 1 FROM schools WHERE district_id = $1 AND id = $2`, p.DistrictID, *p.SchoolID); err != nil {
			return err
		} else if !ok {
			errs.Addf("schoolId", "no school %d in this district", *p.SchoolID)
		}
	}
	return errs.Err()
}

func (r *runner) insertActivity(ctx context.Context, a *pathways.Activity) error {
	var name, typ string
	var size int64
	if a.File != nil {
		name, typ, size = a.File.Name, a.File.ContentType, int64(len(a.File.Data))
		a.File.Size = size
	}
	err := r.queryRow(ctx, `
INSERT INTO activities (district_id, playlist_id, position, title, description, link, modality, minutes, interests, language, assessment, file_name, file_type, file_size)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		a.DistrictID, a.PlaylistID, a.Position, a.Title, a.Description, a.Link, string(a.Modality), a.Minutes,
		jsonText(a.Interests), a.Language, a.Assessment, name, typ, size).Scan(&a.ID)
	if err != nil {
		return err
	}
	if a.File != nil {
		_, err = r.exec(ctx, `INSERT INTO activity_files (district_id, activity_id, data) VALUES ($1, $2, $3)`,
			a.DistrictID, a.ID, nonNilBytes(a.File.Data))
	}
	return err
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Playlist returns a playlist of the district with its activities in
// order (without their files' bytes).
func (s *Store) Playlist(ctx context.Context, districtID, id int64) (p pathways.Playlist, err error) {
	defer wrap(&err, "Playlist(%d)", id)
	err = s.inReadTx(ctx, func(r *runner) error {
		p, err = r.playlist(ctx, districtID, id)
		return err
	})
	return p, err
}

func (r *runner) playlist(ctx context.Context, districtID, id int64) (pathways.Playlist, error) {
	p, err := scanPlaylist(r.queryRow(ctx, `SELECT `+playlistCols+` FROM playlists p WHERE p.district_id = $1 AND p.id = $2`, districtID, id))
	if err != nil {
		return p, noRows(err, "playlist", id)
	}
	ps := []pathways.Playlist{p}
	if err := r.loadActivities(ctx, districtID, ps); err != nil {
		return p, err
	}
	return ps[0], nil
}

// loadActivities fills in the activities of the playlists, in order.
func (r *runner) loadActivities(ctx context.Context, districtID int64, ps []pathways.Playlist) error {
	if len(ps) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		at[p.ID], ids[i] = i, p.ID
	}
	return r.each(ctx, `SELECT `+activityCols+` FROM activities a WHERE a.district_id = $2 AND a.playlist_id IN ids($1)
ORDER BY a.playlist_id, a.position, a.id`, []any{r.s.ids(ids), districtID}, func(row scanner) error {
		a, err := scanActivity(row)
		if err != nil {
			return err
		}
		i := at[a.PlaylistID]
		ps[i].Activities = append(ps[i].Activities, a)
		return nil
	})
}

// ownedPlaylist returns the playlist for a change by person by: not found
// when it is not in the district, forbidden when it is someone else's.
func (r *runner) ownedPlaylist(ctx context.Context, districtID, by, id int64) (pathways.Playlist, error) {
	p, err := r.playlist(ctx, districtID, id)
	if err != nil {
		return p, err
	}
	if p.OwnerID != by {
		return p, errNotOwner(id)
	}
	return p, nil
}

// UpdatePlaylist changes the title, description, standard and ways to
// show mastery of a playlist of person by (its activities are changed one
// by one). It sets UpdatedAt and returns the playlist as stored.
func (s *Store) UpdatePlaylist(ctx context.Context, by int64, p *pathways.Playlist) (err error) {
	defer wrap(&err, "UpdatePlaylist(%d)", p.ID)
	return s.inTx(ctx, func(r *runner) error {
		old, err := r.ownedPlaylist(ctx, p.DistrictID, by, p.ID)
		if err != nil {
			return err
		}
		old.Title, old.Description, old.StandardID, old.WaysToShow = p.Title, p.Description, p.StandardID, p.WaysToShow
		if err := old.Validate(); err != nil {
			return err
		}
		if err := r.checkPlaylistRefs(ctx, &old); err != nil {
			return err
		}
		old.UpdatedAt = s.wallUTC()
		_, err = r.exec(ctx, `UPDATE playlists SET title = $3, description = $4, standard_id = $5, ways_to_show = $6, updated_at = $7
WHERE district_id = $1 AND id = $2`, old.DistrictID, old.ID, old.Title, old.Description, old.StandardID, jsonText(old.WaysToShow), s.ts(old.UpdatedAt))
		*p = old
		return err
	})
}

// SharePlaylist puts a playlist of person by in its school's library, or
// takes it out. A playlist without a school cannot be shared.
func (s *Store) SharePlaylist(ctx context.Context, districtID, by, id int64, shared bool) (err error) {
	defer wrap(&err, "SharePlaylist(%d)", id)
	return s.inTx(ctx, func(r *runner) error {
		p, err := r.ownedPlaylist(ctx, districtID, by, id)
		if err != nil {
			return err
		}
		if shared && p.SchoolID == nil {
			return problem.Invalid("shared", "the playlist belongs to no school, so it has no library to share to")
		}
		_, err = r.exec(ctx, `UPDATE playlists SET shared = $3, updated_at = $4 WHERE district_id = $1 AND id = $2`,
			districtID, id, shared, s.ts(s.wallUTC()))
		return err
	})
}

// CopyPlaylist copies a playlist, with its activities and their files, to
// a new one of person to at school (may be nil), not shared, titled title
// (the original's when ""), and returns it. Whether to may see the
// original is the caller's decision.
func (s *Store) CopyPlaylist(ctx context.Context, districtID, id, to int64, school *int64, title string) (p pathways.Playlist, err error) {
	defer wrap(&err, "CopyPlaylist(%d)", id)
	err = s.inTx(ctx, func(r *runner) error {
		src, err := r.playlist(ctx, districtID, id)
		if err != nil {
			return err
		}
		p = src
		p.ID, p.OwnerID, p.SchoolID, p.Shared, p.CopiedFrom = 0, to, school, false, &src.ID
		p.Activities = nil
		if title != "" {
			p.Title = title
		}
		if err := p.Validate(); err != nil {
			return err
		}
		if err := r.insertPlaylist(ctx, &p); err != nil {
			return err
		}
		for i, a := range src.Activities {
			c := a
			c.PlaylistID, c.Position, c.File = p.ID, i+1, nil
			if err := r.insertActivity(ctx, &c); err != nil {
				return err
			}
			if a.File != nil {
				_, err := r.exec(ctx, `UPDATE activities SET file_name = $3, file_type = $4, file_size = $5 WHERE district_id = $1 AND id = $2`,
					districtID, c.ID, a.File.Name, a.File.ContentType, a.File.Size)
				if err != nil {
					return err
				}
				_, err = r.exec(ctx, `INSERT INTO activity_files (district_id, activity_id, data)
SELECT district_id, $3, data FROM activity_files WHERE district_id = $1 AND activity_id = $2`, districtID, a.ID, c.ID)
				if err != nil {
					return err
				}
				f := *a.File
				c.File = &f
			}
			p.Activities = append(p.Activities, c)
		}
		return nil
	})
	if err != nil {
		p = pathways.Playlist{}
	}
	return p, err
}

// AddActivity adds an activity (and its file, if it has one) at the end of
// a playlist of person by and sets its ID and position.
func (s *Store) AddActivity(ctx context.Context, by int64, a *pathways.Activity) (err error) {
	defer wrap(&err, "AddActivity(playlist %d)", a.PlaylistID)
	if err := a.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		p, err := r.ownedPlaylist(ctx, a.DistrictID, by, a.PlaylistID)
		if err != nil {
			return err
		}
		if len(p.Activities) >= pathways.MaxActivities {
			return problem.Invalid("activities", "the playlist has the %d activities a playlist may have", pathways.MaxActivities)
		}
		a.Position = len(p.Activities) + 1
		if n := len(p.Activities); n > 0 {
			a.Position = max(a.Position, p.Activities[n-1].Position+1)
		}
		if err := r.insertActivity(ctx, a); err != nil {
			return err
		}
		return r.touchPlaylist(ctx, a.DistrictID, a.PlaylistID)
	})
}

func (r *runner) touchPlaylist(ctx context.Context, districtID, id int64) error {
	_, err := r.exec(ctx, `UPDATE playlists SET updated_at = $3 WHERE district_id = $1 AND id = $2`, districtID, id, r.s.ts(r.s.wallUTC()))
	return err
}

// activityOwned returns the activity and its playlist for a change by
// person by.
func (r *runner) activityOwned(ctx context.Context, districtID, by, id int64) (pathways.Activity, error) {
	a, err := scanActivity(r.queryRow(ctx, `SELECT `+activityCols+` FROM activities a WHERE a.district_id = $1 AND a.id = $2`, districtID, id))
	if err != nil {
		return a, noRows(err, "activity", id)
	}
	var owner int64
	if err := r.queryRow(ctx, `SELECT owner_id FROM playlists WHERE district_id = $1 AND id = $2`, districtID, a.PlaylistID).Scan(&owner); err != nil {
		return a, err
	}
	if owner != by {
		return a, errNotOwner(a.PlaylistID)
	}
	return a, nil
}

// UpdateActivity changes an activity of a playlist of person by: its
// title, description, link, modality, minutes, interests, language and
// whether it is an assessment piece. When a.File carries Data, the file is
// replaced by it; otherwise the file is kept, unless the activity is given
// a link (an activity has one or the other).
func (s *Store) UpdateActivity(ctx context.Context, by int64, a *pathways.Activity) (err error) {
	defer wrap(&err, "UpdateActivity(%d)", a.ID)
	return s.inTx(ctx, func(r *runner) error {
		old, err := r.activityOwned(ctx, a.DistrictID, by, a.ID)
		if err != nil {
			return err
		}
		a.PlaylistID, a.Position = old.PlaylistID, old.Position
		replace := a.File != nil && a.File.Data != nil
		switch {
		case replace:
			a.File.Size = int64(len(a.File.Data))
		case a.Link != "":
			a.File = nil
		default:
			a.File = old.File
		}
		if err := a.Validate(); err != nil {
			return err
		}
		var name, typ string
		var size int64
		if a.File != nil {
			name, typ, size = a.File.Name, a.File.ContentType, a.File.Size
		}
		if old.File != nil && (replace || a.File == nil) {
			if _, err := r.exec(ctx, `DELETE FROM activity_files WHERE district_id = $1 AND activity_id = $2`, a.DistrictID, a.ID); err != nil {
				return err
			}
		}
		if replace {
			if _, err := r.exec(ctx, `INSERT INTO activity_files (district_id, activity_id, data) VALUES ($1, $2, $3)`, a.DistrictID, a.ID, a.File.Data); err != nil {
				return err
			}
		}
		_, err = r.exec(ctx, `UPDATE activities SET title = $3, description = $4, link = $5, modality = $6, minutes = $7, interests = $8,
    language = $9, assessment = $10, file_name = $11, file_type = $12, file_size = $13
WHERE district_id = $1 AND id = $2`, a.DistrictID, a.ID, a.Title, a.Description, a.Link, string(a.Modality), a.Minutes,
			jsonText(a.Interests), a.Language, a.Assessment, name, typ, size)
		if err != nil {
			return err
		}
		return r.touchPlaylist(ctx, a.DistrictID, a.PlaylistID)
	})
}

// SetActivityFile replaces the file of an activity of a playlist of person
// by (and its link: an activity has one or the other).
func (s *Store) SetActivityFile(ctx context.Context, districtID, by, activityID int64, f pathways.File) (err error) {
	defer wrap(&err, "SetActivityFile(%d)", activityID)
	return s.inTx(ctx, func(r *runner) error {
		a, err := r.activityOwned(ctx, districtID, by, activityID)
		if err != nil {
			return err
		}
		f.Size = int64(len(f.Data))
		a.Link, a.File = "", &f
		if err := a.Validate(); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM activity_files WHERE district_id = $1 AND activity_id = $2`, districtID, activityID); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `INSERT INTO activity_files (district_id, activity_id, data) VALUES ($1, $2, $3)`, districtID, activityID, nonNilBytes(f.Data)); err != nil {
			return err
		}
		_, err = r.exec(ctx, `UPDATE activities SET link = '', file_name = $3, file_type = $4, file_size = $5 WHERE district_id = $1 AND id = $2`,
			districtID, activityID, f.Name, f.ContentType, f.Size)
		if err != nil {
			return err
		}
		return r.touchPlaylist(ctx, districtID, a.PlaylistID)
	})
}

// RemoveActivity removes an activity of a playlist of person by, with its
// file; students' choices of it go with it.
func (s *Store) RemoveActivity(ctx context.Context, districtID, by, activityID int64) (err error) {
	defer wrap(&err, "RemoveActivity(%d)", activityID)
	return s.inTx(ctx, func(r *runner) error {
		a, err := r.activityOwned(ctx, districtID, by, activityID)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM choice_activities WHERE district_id = $1 AND activity_id = $2`,
			`DELETE FROM activity_files WHERE district_id = $1 AND activity_id = $2`,
			`DELETE FROM activities WHERE district_id = $1 AND id = $2`,
		} {
			if _, err := r.exec(ctx, q, districtID, activityID); err != nil {
				return err
			}
		}
		return r.touchPlaylist(ctx, districtID, a.PlaylistID)
	})
}

// Activity returns an activity of the district with its playlist (and
// the playlist's other activities).
func (s *Store) Activity(ctx context.Context, districtID, id int64) (a pathways.Activity, p pathways.Playlist, err error) {
	defer wrap(&err, "Activity(%d)", id)
	err = s.inReadTx(ctx, func(r *runner) error {
		var pid int64
		if err := r.queryRow(ctx, `SELECT playlist_id FROM activities WHERE district_id = $1 AND id = $2`, districtID, id).Scan(&pid); err != nil {
			return noRows(err, "activity", id)
		}
		if p, err = r.playlist(ctx, districtID, pid); err != nil {
			return err
		}
		for _, x := range p.Activities {
			if x.ID == id {
				a = x
			}
		}
		return nil
	})
	return a, p, err
}

// ActivityFile returns the uploaded file of an activity, bytes included.
// An activity without a file is problem.ErrNotFound.
func (s *Store) ActivityFile(ctx context.Context, districtID, activityID int64) (f pathways.File, err error) {
	defer wrap(&err, "ActivityFile(%d)", activityID)
	err = s.reader().queryRow(ctx, `SELECT a.file_name, a.file_type, a.file_size, f.data FROM activities a
JOIN activity_files f ON f.district_id = a.district_id AND f.activity_id = a.id
WHERE a.district_id = $1 AND a.id = $2`, districtID, activityID).Scan(&f.Name, &f.ContentType, &f.Size, &f.Data)
	return f, noRows(err, "file of activity", activityID)
}

// PlaylistQuery is a search of the playlist library: the playlists of
// OwnerID and those shared to one of SchoolIDs, for one standard (0: any)
// and with all of Words in their title, description or activities'
// titles.
type PlaylistQuery struct {
	OwnerID    int64
	SchoolIDs  []int64
	StandardID int64
	Words      string
	// Limit bounds the playlists returned; 0 means 50.
	Limit int
}

// maxLibraryWords bounds the words of a search that are matched: each is
// one more condition.
const maxLibraryWords = 8

// SearchPlaylists returns the playlists of a library search, the owner's
// first and then by most recently changed, with their activities.
func (s *Store) SearchPlaylists(ctx context.Context, districtID int64, q PlaylistQuery) (out []pathways.Playlist, err error) {
	defer wrap(&err, "SearchPlaylists")
	if why := pathways.CheckQuery(q.Words); why != "" {
		return nil, problem.Invalid("q", "%s", why)
	}
	limit := q.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	like := "LIKE"
	if s.engine == Postgres {
		like = "ILIKE"
	}
	sql := `SELECT ` + playlistCols + ` FROM playlists p
WHERE p.district_id = $1 AND (p.owner_id = $2 OR (p.shared AND p.school_id IN ids($3)))`
	args := []any{districtID, q.OwnerID, s.ids(q.SchoolIDs)}
	if q.StandardID != 0 {
		args = append(args, q.StandardID)
		sql += ` AND p.standard_id = $4`
	} else {
		args = append(args, 0)
		sql += ` AND $4 = 0`
	}
	words := strings.Fields(q.Words)
	if len(words) > maxLibraryWords {
		words = words[:maxLibraryWords]
	}
	for _, w := range words {
		args = append(args, "%"+escapeLike(w)+"%")
		n := "$" + itoa(len(args))
		sql += ` AND (p.title ` + like + ` ` + n + ` ESCAPE '\' OR p.description ` + like + ` ` + n + ` ESCAPE '\'
  OR EXISTS (SELECT 1 FROM activities a WHERE a.district_id = p.district_id AND a.playlist_id = p.id AND a.title ` + like + ` ` + n + ` ESCAPE '\'))`
	}
	args = append(args, limit)
	sql += ` ORDER BY CASE WHEN p.owner_id = $2 THEN 0 ELSE 1 END, p.updated_at DESC, p.id DESC LIMIT $` + itoa(len(args))
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.each(ctx, sql, args, func(row scanner) error {
			p, err := scanPlaylist(row)
			out = append(out, p)
			return err
		}); err != nil {
			return err
		}
		return r.loadActivities(ctx, districtID, out)
	})
	return out, err
}

// escapeLike escapes the wildcards of a LIKE pattern with a backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// StudentPlaylists returns the playlists for a standard that the teachers
// of a student's current classes made, with their activities: what the
// student chooses among for that target. Playlists shared by other
// teachers reach a student once their teacher copies them.
func (s *Store) StudentPlaylists(ctx context.Context, districtID, studentID, standardID int64) (out []pathways.Playlist, err error) {
	defer wrap(&err, "StudentPlaylists(%d, %d)", studentID, standardID)
	err = s.inReadTx(ctx, func(r *runner) error {
		out, err = r.studentPlaylists(ctx, districtID, studentID, standardID)
		return err
	})
	return out, err
}

func (r *runner) studentPlaylists(ctx context.Context, districtID, studentID, standardID int64) (out []pathways.Playlist, err error) {
	err = r.each(ctx, `SELECT `+playlistCols+` FROM playlists p
WHERE p.district_id = $1 AND p.standard_id = $3 AND p.owner_id IN (
    SELECT t.person_id FROM enrollments t JOIN enrollments e ON e.district_id = t.district_id AND e.class_id = t.class_id
    WHERE t.district_id = $1 AND t.role = 'teacher' AND t.retired_at IS NULL
      AND e.person_id = $2 AND e.role = 'student' AND e.retired_at IS NULL)
ORDER BY p.title, p.id`, []any{districtID, studentID, standardID}, func(row scanner) error {
		p, err := scanPlaylist(row)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, r.loadActivities(ctx, districtID, out)
}

// PlaylistStandards returns the standards that the teachers of a
// student's current classes have playlists for, by id.
func (s *Store) PlaylistStandards(ctx context.Context, districtID, studentID int64) (out []int64, err error) {
	defer wrap(&err, "PlaylistStandards(%d)", studentID)
	err = s.reader().each(ctx, `SELECT DISTINCT p.standard_id FROM playlists p
WHERE p.district_id = $1 AND p.owner_id IN (
    SELECT t.person_id FROM enrollments t JOIN enrollments e ON e.district_id = t.district_id AND e.class_id = t.class_id
    WHERE t.district_id = $1 AND t.role = 'teacher' AND t.retired_at IS NULL
      AND e.person_id = $2 AND e.role = 'student' AND e.retired_at IS NULL)
ORDER BY p.standard_id`, []any{districtID, studentID}, func(row scanner) error {
		var id int64
		err := row.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

// ActivityTags returns, by standard, the interest tags of the activities
// in the playlists that the teachers of the classes made: what a
// recommendation matches a student's interests with. A tag appears once
// per standard.
func (s *Store) ActivityTags(ctx context.Context, districtID int64, classIDs []int64) (out map[int64][]string, err error) {
	defer wrap(&err, "ActivityTags")
	out = map[int64][]string{}
	if len(classIDs) == 0 {
		return out, nil
	}
	args := []any{districtID}
	marks := make([]string, len(classIDs))
	for i, id := range classIDs {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	seen := map[int64]map[string]bool{}
	err = s.reader().each(ctx, `SELECT p.standard_id, a.interests FROM playlists p
JOIN activities a ON a.district_id = p.district_id AND a.playlist_id = p.id
WHERE p.district_id = $1 AND a.interests <> '[]' AND p.owner_id IN (
    SELECT t.person_id FROM enrollments t
    WHERE t.district_id = $1 AND t.role = 'teacher' AND t.retired_at IS NULL AND t.class_id IN (`+strings.Join(marks, ", ")+`))`, args, func(row scanner) error {
		var std int64
		var tags []string
		if err := row.Scan(&std, jsonCol{&tags}); err != nil {
			return err
		}
		if seen[std] == nil {
			seen[std] = map[string]bool{}
		}
		for _, t := range tags {
			if !seen[std][t] {
				seen[std][t] = true
				out[std] = append(out[std], t)
			}
		}
		return nil
	})
	return out, err
}
