package pathways

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Modality says how an activity teaches: what a student does in it.
type Modality string

// The modalities of an activity.
const (
	DirectInstruction Modality = "direct_instruction"
	Video             Modality = "video"
	Reading           Modality = "reading"
	Practice          Modality = "practice"
	Project           Modality = "project"
	Inquiry           Modality = "inquiry"
	Flipped           Modality = "flipped"
	SmallGroup        Modality = "small_group" // a small group with the teacher
	OutOfSchool       Modality = "out_of_school"
)

// Modalities lists every modality, in the order forms show them.
var Modalities = []Modality{DirectInstruction, Video, Reading, Practice, Project, Inquiry, Flipped, SmallGroup, OutOfSchool}

// ParseModality returns the modality named s.
func ParseModality(s string) (Modality, error) {
	for _, m := range Modalities {
		if string(m) == s {
			return m, nil
		}
	}
	names := make([]string, len(Modalities))
	for i, m := range Modalities {
		names[i] = string(m)
	}
	return "", fmt.Errorf("%q is not one of %s", s, strings.Join(names, ", "))
}

// Bounds on a playlist and its activities, beyond the lengths of text in
// package limits.
const (
	// MaxActivities bounds the activities of one playlist: a unit's worth
	// of choices is a dozen or two.
	MaxActivities = 100
	// MaxMinutes bounds an activity's estimated time: a project over a
	// few weeks of class periods is under a day of minutes.
	MaxMinutes = 6000
	// MaxInterests bounds an activity's interest tags.
	MaxInterests = 20
	// InterestChars bounds one interest tag ("music", "basketball").
	InterestChars = 50
	// QueryChars bounds the words of a search of the playlist library.
	QueryChars = 200
)

// Playlist is a set of activities for one standard, made by a teacher for
// their students to choose among, with the ways a student may show
// mastery of the standard once they have worked through what they chose.
// A playlist is the owner's until it is shared to the school library,
// where other teachers of the school find it and copy it to make their
// own.
type Playlist struct {
	ID         int64  `json:"id"`
	DistrictID int64  `json:"districtId"`
	StandardID int64  `json:"standardId"`
	Title      string `json:"title"`
	// Description says what the playlist is for, for teachers and
	// students; it may be empty.
	Description string `json:"description,omitempty"`
	// OwnerID is the teacher (a person) who made the playlist and alone
	// may change it.
	OwnerID int64 `json:"ownerId"`
	// SchoolID is the school whose library the playlist is shared to, or
	// nil when its owner teaches in no one school.
	SchoolID *int64 `json:"schoolId,omitempty"`
	// Shared says the playlist is in the school library, for the school's
	// teachers to find and copy.
	Shared bool `json:"shared"`
	// CopiedFrom is the playlist this one was copied from, if any.
	CopiedFrom *int64 `json:"copiedFrom,omitempty"`
	// WaysToShow are the kinds of evidence a student may choose to show
	// mastery with (a performance task, a portfolio, a summative...).
	WaysToShow []evidence.Kind `json:"waysToShow"`
	Activities []Activity      `json:"activities"`
	CreatedAt  time.Time       `json:"createdAt"`
	UpdatedAt  time.Time       `json:"updatedAt"`
}

// Activity is one thing to do in a playlist: a video, a reading, practice,
// a project, a small group with the teacher... It points to its material by
// a link or by an uploaded file, or needs none (a small group).
type Activity struct {
	ID         int64  `json:"id"`
	DistrictID int64  `json:"districtId"`
	PlaylistID int64  `json:"playlistId"`
	Position   int    `json:"position"`
	Title      string `json:"title"`
	// Description tells a student what to do; it may be empty.
	Description string `json:"description,omitempty"`
	// Link is an http or https address of the material, or "".
	Link string `json:"link,omitempty"`
	// File describes the uploaded file of the material, or is nil.
	File     *File    `json:"file,omitempty"`
	Modality Modality `json:"modality"`
	// Minutes is the estimated time the activity takes, or 0 when not
	// said.
	Minutes int `json:"minutes,omitempty"`
	// Interests are tags a student may choose by ("music", "sports").
	Interests []string `json:"interests,omitempty"`
	// Language is the BCP 47 tag of the material's language ("en", "es"),
	// or "" when it is the district's.
	Language string `json:"language,omitempty"`
	// Assessment says the activity is an assessment piece: when a teacher
	// scores a student's work on it, the score is recorded as evidence on
	// the playlist's standard.
	Assessment bool `json:"assessment"`
}

// File is an uploaded file of an activity. Data travels only between the
// upload, the store and the download; lists carry the name, type and size.
type File struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Data        []byte `json:"-"`
}

// Choice is what a student chose for a target (a standard): the activities
// they will do, from the playlists for that standard, and the way they will
// show mastery, among those the playlists allow.
type Choice struct {
	ID          int64         `json:"id"`
	DistrictID  int64         `json:"districtId"`
	StudentID   int64         `json:"studentId"`
	StandardID  int64         `json:"standardId"`
	ActivityIDs []int64       `json:"activityIds"`
	WayToShow   evidence.Kind `json:"wayToShow"`
	// Note is what the student wants the teacher to know; it may be empty.
	Note     string    `json:"note,omitempty"`
	ChosenAt time.Time `json:"chosenAt"`
}

// Validate checks a playlist and its activities before they are stored.
// Activities are named as "activities[i].field".
func (p *Playlist) Validate() error {
	var errs problem.Fields
	if p.StandardID <= 0 {
		errs.Add("standardId", "a playlist is for one standard: choose it")
	}
	checkTitle(&errs, "title", p.Title, "a playlist needs a title")
	checkText(&errs, "description", p.Description, limits.Text, "a description")
	if len(p.WaysToShow) == 0 {
		errs.Add("waysToShow", "give at least one way a student may show mastery")
	}
	seen := map[evidence.Kind]bool{}
	for i, k := range p.WaysToShow {
		if _, err := evidence.ParseKind(string(k)); err != nil {
			errs.AddItem("waysToShow", i, "", err.Error())
			continue
		}
		if seen[k] {
			errs.AddItemf("waysToShow", i, "", "%s is listed twice", k)
		}
		seen[k] = true
	}
	if len(p.Activities) > MaxActivities {
		errs.Addf("activities", "%d activities: more than the %d a playlist may have", len(p.Activities), MaxActivities)
		return errs.Err()
	}
	for i := range p.Activities {
		for _, f := range p.Activities[i].fields() {
			errs.AddItem("activities", i, f.Field, f.Reason)
		}
	}
	return errs.Err()
}

// Allows reports whether the playlist lets a student show mastery by way.
func (p *Playlist) Allows(way evidence.Kind) bool { return slices.Contains(p.WaysToShow, way) }

// Validate checks an activity before it is stored on its own.
func (a *Activity) Validate() error { return a.fields().Err() }

func (a *Activity) fields() problem.Fields {
	var errs problem.Fields
	checkTitle(&errs, "title", a.Title, "an activity needs a title")
	checkText(&errs, "description", a.Description, limits.Text, "a description")
	if a.Link != "" {
		if reason := CheckLink(a.Link); reason != "" {
			errs.Add("link", reason)
		}
	}
	if a.File != nil {
		if a.Link != "" {
			errs.Add("link", "give a link or a file, not both")
		}
		checkText(&errs, "file", a.File.Name, limits.Title, "a file name")
		if strings.TrimSpace(a.File.Name) == "" {
			errs.Add("file", "the file needs a name")
		}
		if n := max(a.File.Size, int64(len(a.File.Data))); n > limits.ActivityFileBytes {
			errs.Addf("file", "%s: larger than the %s an activity's file may be", limits.Bytes(n), limits.Bytes(limits.ActivityFileBytes))
		}
		checkText(&errs, "file", a.File.ContentType, limits.Identifier, "a content type")
	}
	if _, err := ParseModality(string(a.Modality)); err != nil {
		errs.Add("modality", err.Error())
	}
	if a.Minutes < 0 || a.Minutes > MaxMinutes {
		errs.Addf("minutes", "%d is outside 0..%d", a.Minutes, MaxMinutes)
	}
	if len(a.Interests) > MaxInterests {
		errs.Addf("interests", "%d interests: more than the %d an activity may have", len(a.Interests), MaxInterests)
	} else {
		for i, t := range a.Interests {
			if strings.TrimSpace(t) == "" {
				errs.AddItem("interests", i, "", "an interest needs a word")
			} else if reason := limits.TooLong(t, InterestChars, "an interest"); reason != "" {
				errs.AddItem("interests", i, "", reason)
			}
		}
	}
	if a.Language != "" && !isLanguageTag(a.Language) {
		errs.Addf("language", "%q is not a language tag such as en or es-MX", trimForMessage(a.Language))
	}
	return errs
}

// CheckLink returns why s is not an address an activity may link to (an
// absolute http or https address with a host, within limits.URL), or "".
// Other schemes (javascript:, data:, file:) are refused because a link is
// shown to students as something to click.
func CheckLink(s string) string {
	if reason := limits.TooLong(s, limits.URL, "an address"); reason != "" {
		return reason
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http or https address"
	}
	return ""
}

// Validate checks a student's choice against the playlists for its
// standard: each activity is in one of them, and the way to show mastery
// is one that a playlist of a chosen activity allows (any of the
// playlists when no activity is chosen).
func (c *Choice) Validate(playlists []Playlist) error {
	var errs problem.Fields
	if c.StudentID <= 0 {
		errs.Add("studentId", "required")
	}
	if c.StandardID <= 0 {
		errs.Add("standardId", "required")
	}
	checkText(&errs, "note", c.Note, limits.Comment, "a note")
	in := map[int64]int{} // activity -> index of its playlist
	for pi, p := range playlists {
		for _, a := range p.Activities {
			in[a.ID] = pi
		}
	}
	if len(c.ActivityIDs) > MaxActivities {
		errs.Addf("activityIds", "%d activities: more than the %d one may choose", len(c.ActivityIDs), MaxActivities)
		return errs.Err()
	}
	from := map[int]bool{}
	seen := map[int64]bool{}
	for i, id := range c.ActivityIDs {
		pi, ok := in[id]
		switch {
		case !ok:
			errs.AddItemf("activityIds", i, "", "activity %d is not in a playlist for this standard", id)
		case seen[id]:
			errs.AddItemf("activityIds", i, "", "activity %d is chosen twice", id)
		default:
			from[pi] = true
		}
		seen[id] = true
	}
	if c.WayToShow == "" {
		errs.Add("wayToShow", "choose how you will show mastery")
	} else {
		allowed := false
		for pi, p := range playlists {
			if (len(from) == 0 || from[pi]) && p.Allows(c.WayToShow) {
				allowed = true
			}
		}
		if !allowed {
			errs.Addf("wayToShow", "%q is not a way the chosen playlists allow", trimForMessage(string(c.WayToShow)))
		}
	}
	return errs.Err()
}

// WaysToShow returns the ways of showing mastery that any of the playlists
// allows, in the order of evidence.Kinds.
func WaysToShow(playlists []Playlist) []evidence.Kind {
	var out []evidence.Kind
	for _, k := range evidence.Kinds {
		for _, p := range playlists {
			if p.Allows(k) {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// CheckQuery returns why the words of a library search are refused, or "".
func CheckQuery(q string) string { return limits.TooLong(q, QueryChars, "a search") }

func checkTitle(errs *problem.Fields, field, s, missing string) {
	if strings.TrimSpace(s) == "" {
		errs.Add(field, missing)
		return
	}
	checkText(errs, field, s, limits.Title, "a title")
}

func checkText(errs *problem.Fields, field, s string, max int, what string) {
	if reason := limits.TooLong(s, max, what); reason != "" {
		errs.Add(field, reason)
	}
}

// isLanguageTag reports whether s has the shape of a BCP 47 tag: a primary
// language of two or three letters and subtags of letters and digits.
func isLanguageTag(s string) bool {
	if len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if i == 0 && (len(part) < 2 || len(part) > 3) {
			return false
		}
		if len(part) < 1 || len(part) > 8 {
			return false
		}
		for _, r := range part {
			isLetter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
			if !isLetter && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// trimForMessage shortens what a message quotes back.
func trimForMessage(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// Evidence is the evidence a teacher's score on an assessment piece
// records: on the standard of the activity's playlist, titled with the
// activity, of kind (formative when ""). The caller sets the student, the
// class, the score and who records it, and stores it as any evidence.
func (a Activity) Evidence(p Playlist, kind evidence.Kind, assessed time.Time) (evidence.Evidence, error) {
	if !a.Assessment {
		return evidence.Evidence{}, problem.Invalid("activityId", "activity %d is not an assessment piece", a.ID)
	}
	if kind == "" {
		kind = evidence.Formative
	}
	return evidence.Evidence{
		DistrictID: p.DistrictID,
		Kind:       kind,
		Title:      a.Title,
		AssessedAt: assessed,
		Scores:     []evidence.Score{{StandardID: p.StandardID}},
	}, nil
}
