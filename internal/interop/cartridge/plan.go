package cartridge

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/standards"
)

// Resolver finds the district's standard that a CASE item identifier
// names, or reports false.
type Resolver func(caseID string) (standards.Standard, bool)

// CatalogResolver finds standards in a district's catalog by the CASE
// identifier each keeps (its SourcedID), written in any case: CASE
// identifiers are UUIDs, and exporters write them in upper or lower case.
func CatalogResolver(c *standards.Catalog) Resolver {
	byID := map[string]standards.Standard{}
	for _, s := range c.Standards() {
		if s.SourcedID != "" {
			byID[strings.ToLower(s.SourcedID)] = s
		}
	}
	return func(id string) (standards.Standard, bool) {
		s, ok := byID[strings.ToLower(id)]
		return s, ok
	}
}

// PlanOptions say whose playlists an import makes and how standards are
// found.
type PlanOptions struct {
	// DistrictID and OwnerID are the district and the teacher the
	// playlists are made for; SchoolID is the school whose library they
	// may later be shared to, or nil.
	DistrictID, OwnerID int64
	SchoolID            *int64
	// Resolve finds the district's standard a GUID names. Required.
	Resolve Resolver
	// WaysToShow are the ways a student may show mastery, on every
	// playlist made; nil is a performance task or a summative, which the
	// teacher changes per playlist afterwards.
	WaysToShow []evidence.Kind
	// Existing are the teacher's playlists already stored: a playlist
	// with the same standard and title (the same cartridge imported
	// before) is not planned again, so that an import can be re-run.
	Existing []pathways.Playlist
}

// Import is what importing a cartridge would write: a playlist per
// standard, the activities aligned to it in the cartridge's order.
type Import struct {
	Playlists []pathways.Playlist `json:"playlists"`
	// Unaligned are the entries aligned to none of the district's
	// standards: not imported, listed for the teacher to align.
	Unaligned []Entry `json:"unaligned,omitempty"`
	// Activities counts the activities of the playlists (an entry aligned
	// to two standards is an activity in each playlist).
	Activities int `json:"activities"`
	// AlreadyImported counts the playlists left out because the teacher
	// has them already.
	AlreadyImported int `json:"alreadyImported,omitempty"`
	// Warnings are the cartridge's warnings and the plan's: what is not
	// imported, or imported differently, and why.
	Warnings []string `json:"warnings,omitempty"`
	more     int
}

// Plan works out the playlists importing c makes for the teacher of opt:
// each entry becomes an activity (its title, its link or its file, a
// modality guessed from what it opens, the cartridge's language) in the
// playlist of each standard it is aligned to that the district has. The
// playlists come in the order their standards first appear in the
// cartridge; a standard with more activities than a playlist may hold
// gets several playlists.
//
// A GUID the district does not know, an entry with no standard, a file
// larger than an activity's file may be and a retired standard are
// warnings. The files taken together are bounded by
// limits.CartridgeImportBytes: past it the import is refused with a
// *badinput.Error, before the files are read.
func Plan(c *Cartridge, opt PlanOptions) (*Import, error) {
	if opt.Resolve == nil {
		return nil, fmt.Errorf("cartridge.Plan: no resolver")
	}
	ways := opt.WaysToShow
	if len(ways) == 0 {
		ways = []evidence.Kind{evidence.PerformanceTask, evidence.Summative}
	}
	p := &Import{Playlists: []pathways.Playlist{}}
	for _, w := range c.Warnings {
		p.warn(w.String())
	}
	defer p.moreWarnings()
	lang := ""
	if c.Language != "" {
		if l, err := standards.ParseLanguage(c.Language); err == nil {
			lang = l
		} else {
			p.warn(fmt.Sprintf("%s: the course's language: %v: the activities are taken to be in the district's language", ManifestFile, err))
		}
	}

	type group struct {
		standard   standards.Standard
		activities []pathways.Activity
	}
	var groups []*group
	byStandard := map[int64]*group{}
	unknown := map[string]*unknownGUID{}
	var unknownOrder []string
	retired := map[int64]bool{}

	// Standards first: which entries are imported, so that only their
	// files are read.
	type planned struct {
		entry     Entry
		standards []standards.Standard
	}
	var entries []planned
	var fileBytes int64
	for _, e := range c.Entries {
		var found []standards.Standard
		seen := map[int64]bool{}
		for _, a := range e.Standards {
			st, ok := resolve(opt.Resolve, a.GUID)
			switch {
			case !ok:
				u := unknown[a.GUID]
				if u == nil {
					u = &unknownGUID{alignment: a, first: e.Title}
					unknown[a.GUID] = u
					unknownOrder = append(unknownOrder, a.GUID)
				}
				u.entries++
				continue
			case st.Retired:
				if !retired[st.ID] {
					retired[st.ID] = true
					p.warn(fmt.Sprintf("%s:%d: standard %s (%s) is retired in this district: no playlist is made for it", ManifestFile, a.Line, a.GUID, st.Label()))
				}
				continue
			case seen[st.ID]:
				continue
			}
			seen[st.ID] = true
			found = append(found, st)
		}
		if len(found) == 0 {
			p.Unaligned = append(p.Unaligned, e)
			why := "names no standard"
			if len(e.Standards) > 0 {
				why = "names no standard of this district"
			}
			p.warn(fmt.Sprintf("%s:%d: %q %s: not imported; add it to a playlist by hand", ManifestFile, e.Line, e.Title, why))
			continue
		}
		if e.Kind == KindFile {
			if e.Size > limits.ActivityFileBytes {
				p.warn(fmt.Sprintf("%s: %q is %s: larger than the %s an activity's file may be: not imported",
					e.File, e.Title, limits.Bytes(e.Size), limits.Bytes(limits.ActivityFileBytes)))
				continue
			}
			fileBytes += e.Size
		}
		entries = append(entries, planned{e, found})
	}
	for _, g := range unknownOrder {
		u := unknown[g]
		p.warn(u.warning())
	}
	if fileBytes > limits.CartridgeImportBytes {
		var l badinput.List
		l.Addf(c.Name, 0, 0, "", "the files to import are %s together: more than the %s one import may bring; import the links first, and the files in smaller cartridges",
			limits.Bytes(fileBytes), limits.Bytes(limits.CartridgeImportBytes))
		return nil, l.Err()
	}

	data := map[string][]byte{} // a file read once, for every playlist it is in
	for _, pe := range entries {
		e := pe.entry
		a := pathways.Activity{
			DistrictID:  opt.DistrictID,
			Title:       e.Title,
			Description: clipRunes(strings.Join(e.Folders, " › "), limits.Text),
			Modality:    modality(e),
			Language:    lang,
			Assessment:  e.Kind == KindAssessment || e.Kind == KindAssignment,
		}
		switch e.Kind {
		case KindWebLink, KindLTI:
			a.Link = e.URL
		case KindFile:
			b, ok := data[e.File]
			if !ok {
				var err error
				if b, err = c.ReadFile(e, limits.ActivityFileBytes); err != nil {
					// A damaged zip shows only when a file is decompressed.
					cause := errors.Unwrap(err)
					if cause == nil {
						cause = err
					}
					var l badinput.List
					l.Addf(e.File, 0, 0, "", "cannot be read from the package (%v): the cartridge is damaged; export it again", cause)
					return nil, l.Err()
				}
				data[e.File] = b
			}
			a.File = &pathways.File{Name: path.Base(e.File), ContentType: e.MediaType, Size: int64(len(b)), Data: b}
		}
		for _, st := range pe.standards {
			g := byStandard[st.ID]
			if g == nil {
				g = &group{standard: st}
				byStandard[st.ID] = g
				groups = append(groups, g)
			}
			g.activities = append(g.activities, a)
		}
	}

	base := c.Title
	if base == "" {
		base = strings.TrimSuffix(c.Name, path.Ext(c.Name))
	}
	if strings.TrimSpace(base) == "" {
		base = "Imported activities"
	}
	for _, g := range groups {
		parts := (len(g.activities) + pathways.MaxActivities - 1) / pathways.MaxActivities
		for i := range parts {
			acts := g.activities[i*pathways.MaxActivities : min(len(g.activities), (i+1)*pathways.MaxActivities)]
			pl := pathways.Playlist{
				DistrictID:  opt.DistrictID,
				StandardID:  g.standard.ID,
				OwnerID:     opt.OwnerID,
				SchoolID:    opt.SchoolID,
				Title:       playlistTitle(base, g.standard, i+1, parts),
				Description: clipRunes(fmt.Sprintf("Imported from %s.", c.Name), limits.Text),
				WaysToShow:  ways,
				Activities:  acts,
			}
			if parts > 1 && i == 0 {
				p.warn(fmt.Sprintf("%s: %d activities for %s: more than the %d a playlist may hold, so they are in %d playlists",
					c.Name, len(g.activities), g.standard.Label(), pathways.MaxActivities, parts))
			}
			if exists(opt.Existing, pl) {
				p.AlreadyImported++
				continue
			}
			if err := pl.Validate(); err != nil {
				return nil, fmt.Errorf("the playlist for %s: %w", g.standard.Label(), err)
			}
			p.Activities += len(pl.Activities)
			p.Playlists = append(p.Playlists, pl)
		}
	}
	if p.AlreadyImported > 0 {
		p.warn(fmt.Sprintf("%s: %d of its playlists are already yours (imported before): not made again", c.Name, p.AlreadyImported))
	}
	return p, nil
}

// maxPlanWarnings bounds the warnings a plan lists (a cartridge of
// thousands of activities aligned to a framework the district lacks would
// have a warning per GUID); the rest are counted.
const maxPlanWarnings = 2 * badinput.DefaultLimit

func (p *Import) warn(w string) {
	if len(p.Warnings) < maxPlanWarnings {
		p.Warnings = append(p.Warnings, w)
		return
	}
	p.more++
}

func (p *Import) moreWarnings() {
	if p.more > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("and %d more warnings", p.more))
		p.more = 0
	}
}

// unknownGUID is a GUID the district does not know, with the first entry
// naming it and how many do.
type unknownGUID struct {
	alignment Alignment
	first     string
	entries   int
}

func (u *unknownGUID) warning() string {
	a := u.alignment
	what := a.GUID
	if a.Label != "" {
		what += " (" + clipRunes(a.Label, 80) + ")"
	}
	who := fmt.Sprintf("%q", u.first)
	if u.entries > 1 {
		who += fmt.Sprintf(" and %d more", u.entries-1)
	}
	from := ""
	if a.Provider != "" {
		from = " of provider " + a.Provider
	}
	return fmt.Sprintf("%s:%d: standard %s%s, named by %s, is not one of this district's standards: import its framework (CASE) first, or align by hand",
		ManifestFile, a.Line, what, from, who)
}

// trailingUUID finds a UUID at the end of an identifier written as an
// address (https://.../CFItems/<uuid>), as some exporters write CASE
// identifiers.
var trailingUUID = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// resolve finds the standard guid names: as written, or by the UUID an
// address ends with.
func resolve(r Resolver, guid string) (standards.Standard, bool) {
	if st, ok := r(guid); ok {
		return st, true
	}
	if strings.Contains(guid, "/") {
		if u := trailingUUID.FindString(guid); u != "" {
			return r(u)
		}
	}
	return standards.Standard{}, false
}

// playlistTitle is "course · code", or the statement when the standard
// has no code, within limits.Title; "(2 of 3)" when a standard has
// several.
func playlistTitle(base string, st standards.Standard, part, parts int) string {
	name := clipRunes(st.Code, 60)
	if name == "" {
		name = clipRunes(st.Statement, 60)
	}
	suffix := ""
	if parts > 1 {
		suffix = fmt.Sprintf(" (%d of %d)", part, parts)
	}
	tail := " · " + name + suffix
	return clipRunes(base, limits.Title-len([]rune(tail))) + tail
}

// exists reports whether the teacher already has a playlist like p.
func exists(existing []pathways.Playlist, p pathways.Playlist) bool {
	for _, e := range existing {
		if e.OwnerID == p.OwnerID && e.StandardID == p.StandardID && e.Title == p.Title {
			return true
		}
	}
	return false
}

// clipRunes shortens s to at most n characters, ending with … when cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	return string(r[:n-1]) + "…"
}
