package oneroster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
)

// ReadOptions tune Read.
type ReadOptions struct {
	// Known holds the records that already exist (for example the
	// snapshot of the last import). A delta file may refer to them: an
	// enrollment in a new class of a student imported last month. Without
	// it, every reference must be to a record in the files read.
	Known Snapshot
	// Limit is how many problems are reported in detail; 0 means
	// badinput.DefaultLimit.
	Limit int
	// Partial leaves out the rows that have an error, and the rows that
	// refer to them, instead of refusing the package: they are reported
	// in Roster.Refused and their sourcedIds kept in Roster.Held. A
	// problem with a whole file (the manifest, a header, a missing
	// required column, broken CSV quoting) still refuses the package,
	// since no row of it can be trusted.
	Partial bool
}

// Open reads a OneRoster package from a .zip file or a folder.
func Open(name string, opt ReadOptions) (*Roster, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("reading OneRoster package: %w", err)
	}
	if st.IsDir() {
		return Read(os.DirFS(name), opt)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading OneRoster package: %w", err)
	}
	defer f.Close()
	return ReadZip(f, st.Size(), path.Base(name), opt)
}

func badFile(name, reason string) error {
	var l badinput.List
	l.Add(badinput.Problem{File: name, Reason: reason})
	return l.Err()
}

// Read reads a OneRoster 1.1 or 1.2 CSV package from fsys: manifest.csv and
// the files it names, at the top or in one folder (zip files often hold a
// folder). It streams each file a row at a time and checks every row:
// required fields, vocabularies, dates, duplicate sourcedIds, and that
// every reference (a class's course, an enrollment's user, a guardian's
// students) is to a record that exists.
//
// What is spec-valid but odd (a student enrolled as a teacher, an unknown
// extra column, a misspelled manifest key) is a warning, in
// Roster.Warnings, and does not stop the read.
//
// When anything is wrong, Read returns a *badinput.Error listing every
// problem with its file, line, column and reason (the first 100, and how
// many more), and no Roster: nothing of a bad package is imported. With
// opt.Partial, errors confined to rows leave those rows out instead (see
// ReadOptions.Partial).
func Read(fsys fs.FS, opt ReadOptions) (*Roster, error) {
	rs := &readState{
		probs:   &badinput.List{Limit: opt.Limit},
		known:   opt.Known,
		index:   map[Entity]*index{},
		roster:  &Roster{},
		partial: opt.Partial,
	}
	fsys, names, err := findPackage(fsys)
	if err != nil {
		return nil, err
	}
	rs.fsys, rs.names = boundedFS{fsys, &budget{}}, names
	if !rs.readManifest() || rs.probs.Len() > 0 {
		rs.broken = true
	}
	if !rs.broken {
		for _, e := range AllEntities {
			rs.readEntity(e)
		}
		rs.finish()
	}
	rs.roster.Warnings, rs.roster.MoreWarnings = rs.probs.Warnings()
	err = rs.probs.Err()
	if err != nil && (rs.broken || !rs.partial) {
		return nil, err
	}
	if err != nil {
		var be *badinput.Error
		errors.As(err, &be)
		rs.roster.Refused, rs.roster.MoreRefused = be.Problems, be.More
		rs.leaveOutRefused()
	}
	return rs.roster, nil
}

// findPackage finds manifest.csv at the top of fsys or in its only folder
// that has one, and lists the files beside it by lower-case name (exports
// from Windows systems write Users.csv).
func findPackage(fsys fs.FS) (fs.FS, map[string]string, error) {
	list := func(f fs.FS) (map[string]string, error) {
		entries, err := fs.ReadDir(f, ".")
		if err != nil {
			return nil, err
		}
		names := map[string]string{}
		for _, e := range entries {
			if !e.IsDir() {
				names[strings.ToLower(e.Name())] = e.Name()
			}
		}
		return names, nil
	}
	names, err := list(fsys)
	if err != nil {
		return nil, nil, fmt.Errorf("reading OneRoster package: %w", err)
	}
	if _, ok := names["manifest.csv"]; ok {
		return fsys, names, nil
	}
	entries, _ := fs.ReadDir(fsys, ".")
	var found []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "__MACOSX") {
			continue
		}
		if sub, err := fs.Sub(fsys, e.Name()); err == nil {
			if n, err := list(sub); err == nil && n["manifest.csv"] != "" {
				found = append(found, e.Name())
			}
		}
	}
	if len(found) == 1 {
		sub, _ := fs.Sub(fsys, found[0])
		n, _ := list(sub)
		return sub, n, nil
	}
	if len(found) > 1 {
		return nil, nil, badFile("manifest.csv", fmt.Sprintf("the package has several folders with a manifest.csv (%s): give one of them", strings.Join(found, ", ")))
	}
	return nil, nil, badFile("manifest.csv", "missing: OneRoster 1.1 and 1.2 packages start with manifest.csv, which gives the version and lists the files")
}

// readState is what Read knows while it reads.
type readState struct {
	fsys   fs.FS
	names  map[string]string
	probs  *badinput.List
	known  Snapshot
	index  map[Entity]*index
	roster *Roster
	in     interner
	// roles[i] holds the cairn-relevant roles of the i-th user, for the
	// check that students are enrolled as students and teachers as
	// teachers.
	roles []roleBits
	// pending are references within one file, checked when it is read.
	pending     []pendingRef
	version     string
	roleTypeCol int // column of roleType in roles.csv
	// partial says to leave out rows with an error (ReadOptions.Partial);
	// broken that a problem concerns a whole file, so that no row can be
	// trusted.
	partial, broken bool
	pos             int32 // of the row being read in its file
}

// index is what is known of one entity's records: their sourcedIds and
// where they were.
type index struct {
	present bool // the file was read
	failed  bool // its header was unusable: references to it are not checked
	mode    Mode
	ids     map[string]int32 // active sourcedId -> position
	names   []string
	lines   []int32
	deleted map[string]int32 // tobedeleted sourcedId -> line
	// refused marks, by position, the rows with an error, which a
	// partial read leaves out.
	refused map[int32]bool
}

type pendingRef struct {
	file, field string
	line, col   int
	target      Entity
	value       string
	pos         int32 // of the row that refers
}

type roleBits uint8

const (
	bitStudent roleBits = 1 << iota
	bitTeacher          // teacher or aide: both teach classes in cairn
)

// readManifest reads manifest.csv: the version, refused unless it is one
// this package reads, and each file's mode.
func (rs *readState) readManifest() bool {
	f, err := rs.fsys.Open(rs.names["manifest.csv"])
	if err != nil {
		rs.probs.Addf("manifest.csv", 0, 0, "", "cannot be opened: %v", err)
		return false
	}
	defer f.Close()
	t := newTable(f, "manifest.csv", manifestEntity, "", Bulk, rs.probs)
	if t == nil {
		return false
	}
	m := Manifest{Files: map[string]Mode{}}
	var versionLine int
	for t.next() {
		name, value := t.get("propertyName"), t.get("value")
		switch {
		case name == "manifest.version":
			m.ManifestVersion = value
		case name == "oneroster.version":
			m.OneRosterVersion, versionLine = value, t.line
		case name == "source.systemName":
			m.SourceSystemName = value
		case name == "source.systemCode":
			m.SourceSystemCode = value
		case strings.HasPrefix(name, "file."):
			file := strings.TrimPrefix(name, "file.") + ".csv"
			mode, ok := modes.match(value)
			if value == "" {
				// Exports leave the files they do not supply blank.
				rs.probs.Warnf("manifest.csv", t.line, 2, name, "blank: read as absent")
				mode, ok = string(Absent), true
			}
			if !ok {
				rs.probs.Addf("manifest.csv", t.line, 2, name, "%q is not one of bulk, delta, absent", value)
				continue
			}
			if !knownFiles[file] {
				rs.probs.Warnf("manifest.csv", t.line, 1, name, "%s is not a OneRoster file%s; ignored", file, didYouMean(name))
				continue
			}
			m.Files[file] = Mode(mode)
		case name == "":
		default:
			rs.probs.Warnf("manifest.csv", t.line, 1, name, "not a manifest property of OneRoster%s; ignored", didYouMean(name))
		}
	}
	switch v := m.OneRosterVersion; v {
	case Version11, Version12:
		rs.version = v
	case "":
		rs.probs.Addf("manifest.csv", 0, 0, "oneroster.version", "missing: the manifest must say which OneRoster version the files follow (1.1 or 1.2)")
		return false
	case "1.0":
		rs.probs.Addf("manifest.csv", versionLine, 2, "oneroster.version", "OneRoster 1.0 is not supported: export the roster as OneRoster 1.1 or 1.2")
		return false
	default:
		rs.probs.Addf("manifest.csv", versionLine, 2, "oneroster.version", "%q is not a OneRoster version cairn reads (1.1 or 1.2)", v)
		return false
	}
	if m.ManifestVersion != "" && m.ManifestVersion != "1.0" {
		rs.probs.Warnf("manifest.csv", 0, 0, "manifest.version", "%q; read as 1.0", m.ManifestVersion)
	}
	rs.roster.Version = rs.version
	rs.roster.Manifest = m
	ok := true
	for file, mode := range m.Files {
		_, here := rs.names[strings.ToLower(file)]
		switch {
		case mode != Absent && !here:
			rs.probs.Addf("manifest.csv", 0, 0, "file."+strings.TrimSuffix(file, ".csv"), "the manifest says %s is %s, but the package has no %s", file, mode, file)
			ok = false
		case mode == Absent && here:
			rs.probs.Warnf(file, 0, 0, "", "in the package but the manifest says it is absent: not read")
		case mode != Absent && (slices.Contains(gradebookFiles, file) || slices.Contains(resourceFiles, file)):
			rs.probs.Warnf(file, 0, 0, "", "not imported: cairn reads rosters, not gradebooks or resources")
		case mode != Absent && rs.version == Version11 && (file == "roles.csv" || file == "userProfiles.csv"):
			rs.probs.Addf("manifest.csv", 0, 0, "file."+strings.TrimSuffix(file, ".csv"), "%s belongs to OneRoster 1.2, but the manifest says oneroster.version 1.1", file)
			ok = false
		}
	}
	for lower, name := range rs.names {
		if lower == "manifest.csv" || !strings.HasSuffix(lower, ".csv") {
			continue
		}
		listed := false
		for file := range m.Files {
			if strings.ToLower(file) == lower {
				listed = true
			}
		}
		if !listed {
			rs.probs.Warnf(name, 0, 0, "", "in the package but not in the manifest: not read")
		}
	}
	return ok
}

// readEntity reads one entity's file, if the manifest supplies it.
func (rs *readState) readEntity(e Entity) {
	idx := &index{ids: map[string]int32{}}
	rs.index[e] = idx
	mode := rs.roster.Mode(e.File())
	idx.mode = mode
	if mode == Absent || columns[rs.version][e] == nil {
		return
	}
	f, err := rs.fsys.Open(rs.names[strings.ToLower(e.File())])
	if err != nil {
		rs.probs.Addf(e.File(), 0, 0, "", "cannot be opened: %v", err)
		// None of its rows can be read: a partial import would take the
		// file as empty and retire every record it had.
		idx.failed = true
		rs.broken = true
		return
	}
	defer f.Close()
	t := newTable(f, e.File(), e, rs.version, mode, rs.probs)
	idx.present = true
	if t == nil {
		idx.failed = true
		rs.broken = true
		return
	}
	defer func() { rs.broken = rs.broken || t.broken || t.cut }()
	rs.pending = rs.pending[:0]
	if e == Roles {
		rs.roleTypeCol = t.cols["roleType"] + 1
	}
	for t.next() {
		rec, ok := rs.common(t, idx)
		if !ok {
			rs.hold(e, rec.SourcedID)
			continue
		}
		pos := int32(len(idx.names))
		rs.pos = pos
		if rec.Status == Active {
			idx.ids[rec.SourcedID] = pos
		}
		idx.names = append(idx.names, rec.SourcedID)
		idx.lines = append(idx.lines, int32(t.line))
		switch e {
		case Orgs:
			rs.roster.Orgs = append(rs.roster.Orgs, rs.org(t, rec))
		case AcademicSessions:
			rs.roster.AcademicSessions = append(rs.roster.AcademicSessions, rs.session(t, rec))
		case Courses:
			rs.roster.Courses = append(rs.roster.Courses, rs.course(t, rec))
		case Classes:
			rs.roster.Classes = append(rs.roster.Classes, rs.class(t, rec))
		case Users:
			rs.roster.Users = append(rs.roster.Users, rs.user(t, rec))
		case UserProfiles:
			rs.roster.UserProfiles = append(rs.roster.UserProfiles, rs.userProfile(t, rec))
		case Roles:
			rs.roster.Roles = append(rs.roster.Roles, rs.role(t, rec))
		case Demographics:
			rs.roster.Demographics = append(rs.roster.Demographics, rs.demographic(t, rec))
		case Enrollments:
			rs.roster.Enrollments = append(rs.roster.Enrollments, rs.enrollment(t, rec))
		}
		if t.bad {
			rs.refuse(e, pos)
		}
	}
	if t.cut {
		// References to its records cannot be checked.
		idx.failed = true
	}
	// References within the file, now that all its records are known. A
	// row refused for one may be what another row refers to: check again
	// until no more are refused.
	for again := true; again; {
		again = false
		for i, p := range rs.pending {
			if p.file == "" || idx.refused[p.pos] {
				continue
			}
			if _, ok := rs.check(p.file, p.line, p.col, p.field, p.target, p.value); !ok {
				rs.pending[i].file = ""
				rs.refuse(e, p.pos)
				again = true
			}
		}
	}
}

// refuse marks the row at pos of e as having an error: references to it
// no longer resolve, and a partial read leaves it out.
func (rs *readState) refuse(e Entity, pos int32) {
	if !rs.partial {
		return
	}
	idx := rs.index[e]
	if idx.refused == nil {
		idx.refused = map[int32]bool{}
	}
	idx.refused[pos] = true
	// The row keeps its sourcedId in idx.ids: a later row with the same
	// one is still a duplicate, and check finds a reference to it refused.
	rs.hold(e, idx.names[pos])
}

// hold keeps the sourcedId of a refused row, so that an import of a
// partial read neither changes nor retires the record it names.
func (rs *readState) hold(e Entity, id string) {
	if id == "" {
		return
	}
	r := rs.roster
	if r.Held == nil {
		r.Held = map[Entity]map[string]bool{}
	}
	if r.Held[e] == nil {
		r.Held[e] = map[string]bool{}
	}
	r.Held[e][id] = true
}

// leaveOutRefused removes the refused rows from the roster.
func (rs *readState) leaveOutRefused() {
	r := rs.roster
	keep := func(e Entity) func(i int) bool {
		refused := rs.index[e].refused
		return func(i int) bool { return !refused[int32(i)] }
	}
	r.Orgs = filter(r.Orgs, keep(Orgs))
	r.AcademicSessions = filter(r.AcademicSessions, keep(AcademicSessions))
	r.Courses = filter(r.Courses, keep(Courses))
	r.Classes = filter(r.Classes, keep(Classes))
	r.Users = filter(r.Users, keep(Users))
	r.UserProfiles = filter(r.UserProfiles, keep(UserProfiles))
	r.Roles = filter(r.Roles, keep(Roles))
	r.Demographics = filter(r.Demographics, keep(Demographics))
	r.Enrollments = filter(r.Enrollments, keep(Enrollments))
}

func filter[T any](xs []T, keep func(i int) bool) []T {
	out := xs[:0]
	for i, x := range xs {
		if keep(i) {
			out = append(out, x)
		}
	}
	return slices.Clip(out)
}

// common reads the fields every row has. A row without a sourcedId, or
// with one seen before, is reported and skipped.
func (rs *readState) common(t *table, idx *index) (Record, bool) {
	rec := Record{Status: Active}
	id := t.get("sourcedId")
	if id == "" {
		t.errf("sourcedId", "required, but blank")
		return rec, false
	}
	if first, dup := idx.ids[id]; dup {
		t.errf("sourcedId", "duplicate sourcedId %q: line %d has it too", id, idx.lines[first])
		return rec, false
	}
	if line, dup := idx.deleted[id]; dup {
		t.errf("sourcedId", "duplicate sourcedId %q: line %d has it too", id, line)
		return rec, false
	}
	rec.SourcedID = strings.Clone(id)
	switch s := t.get("status"); {
	case s == "" && t.mode == Delta:
		t.errf("status", "required in a delta file (active or tobedeleted)")
	case s == "":
	default:
		c, ok := statuses.match(s)
		switch {
		case !ok && strings.EqualFold(s, "inactive"):
			t.errf("status", "%q is a OneRoster 1.0 status: 1.1 and 1.2 use active or tobedeleted", s)
		case !ok:
			t.errf("status", "%q is not one of active, tobedeleted", s)
		case Status(c) == ToBeDeleted && t.mode == Bulk:
			t.errf("status", "tobedeleted belongs in a delta file: the manifest says %s is bulk, so leave the record out instead", t.file)
		default:
			rec.Status = Status(c)
		}
	}
	if s := t.get("dateLastModified"); s != "" {
		tm, err := parseDateTime(s)
		if err != nil {
			t.errf("dateLastModified", "%q is not a date and time: want ISO 8601, such as 2024-08-26T14:05:00Z", s)
		}
		rec.DateLastModified = tm
	} else if t.mode == Delta {
		t.errf("dateLastModified", "required in a delta file")
	}
	rec.Metadata = t.metadata()
	if rec.Status == ToBeDeleted {
		if idx.deleted == nil {
			idx.deleted = map[string]int32{}
		}
		idx.deleted[rec.SourcedID] = int32(t.line)
	}
	return rec, true
}

// entityNames name each entity in messages.
var entityNames = map[Entity]string{
	Orgs: "org", AcademicSessions: "academic session", Courses: "course", Classes: "class",
	Users: "user", UserProfiles: "user profile", Roles: "role", Demographics: "demographics record", Enrollments: "enrollment",
}

// ref checks that col's value refers to a record of target and returns it
// (the referenced record's own copy of the sourcedId, so that a large
// roster holds each identifier once).
func (rs *readState) ref(t *table, col string, target Entity, required bool) string {
	v := t.get(col)
	if v == "" {
		if required {
			t.errf(col, "required, but blank")
		}
		return ""
	}
	line, column := t.pos(col)
	v, ok := rs.check(t.file, line, column, col, target, v)
	if !ok {
		t.bad = true
	}
	return v
}

// refs checks each sourcedId of a list field.
func (rs *readState) refs(t *table, col string, target Entity, required bool) []string {
	vs := t.list(col, nil)
	if len(vs) == 0 {
		if required {
			t.errf(col, "required, but blank")
		}
		return nil
	}
	line, column := t.pos(col)
	for i, v := range vs {
		var ok bool
		if vs[i], ok = rs.check(t.file, line, column, col, target, v); !ok {
			t.bad = true
		}
	}
	return vs
}

// later defers the check of a reference to a record of the file being
// read (an org's parent), and returns a copy of the value.
func (rs *readState) later(t *table, col string, target Entity, v string) string {
	line, column := t.pos(col)
	rs.pending = append(rs.pending, pendingRef{file: t.file, field: col, line: line, col: column, target: target, value: v, pos: rs.pos})
	return v
}

// check reports a reference to a record that does not exist, or whose row
// has an error; it returns the value (the referenced record's own copy
// when it has one), and false when it reported.
func (rs *readState) check(file string, line, col int, field string, target Entity, v string) (string, bool) {
	idx := rs.index[target]
	if idx == nil || idx.failed {
		return strings.Clone(v), true
	}
	what := entityNames[target]
	if i, ok := idx.ids[v]; ok {
		if idx.refused[i] {
			rs.probs.Addf(file, line, col, field, "%s %q is refused (%s line %d has an error)", what, v, target.File(), idx.lines[i])
			return strings.Clone(v), false
		}
		return idx.names[i], true
	}
	if dl, ok := idx.deleted[v]; ok {
		rs.probs.Addf(file, line, col, field, "%s %q is deleted by %s line %d (tobedeleted)", what, v, target.File(), dl)
		return strings.Clone(v), false
	}
	if _, ok := rs.known[target][v]; ok {
		return strings.Clone(v), true
	}
	switch {
	case !idx.present:
		rs.probs.Addf(file, line, col, field, "no %s %q: %s is not in this package", what, v, target.File())
	case idx.mode == Delta:
		rs.probs.Addf(file, line, col, field, "no %s %q in %s or among the records that exist", what, v, target.File())
	default:
		rs.probs.Addf(file, line, col, field, "no %s %q in %s", what, v, target.File())
	}
	return strings.Clone(v), false
}

func (rs *readState) org(t *table, rec Record) Org {
	o := Org{Record: rec}
	if rec.Status == ToBeDeleted {
		return o
	}
	o.Name = t.need("name")
	o.Type = rs.in.get(t.enum("type", orgTypes, true))
	o.Identifier = t.get("identifier")
	if p := t.get("parentSourcedId"); p != "" {
		o.ParentSourcedID = rs.later(t, "parentSourcedId", Orgs, p)
		if p == rec.SourcedID {
			t.errf("parentSourcedId", "an org cannot be its own parent")
		}
	}
	return o
}

func (rs *readState) session(t *table, rec Record) AcademicSession {
	s := AcademicSession{Record: rec}
	if rec.Status == ToBeDeleted {
		return s
	}
	s.Title = t.need("title")
	s.Type = rs.in.get(t.enum("type", sessionTypes, true))
	s.StartDate = t.date("startDate", true)
	s.EndDate = t.date("endDate", true)
	if !s.StartDate.IsZero() && !s.EndDate.IsZero() && s.EndDate < s.StartDate {
		t.errf("endDate", "%s is before the startDate %s", s.EndDate, s.StartDate)
	}
	if p := t.get("parentSourcedId"); p != "" {
		s.ParentSourcedID = rs.later(t, "parentSourcedId", AcademicSessions, p)
	}
	s.SchoolYear = rs.in.get(t.need("schoolYear"))
	if y := s.SchoolYear; y != "" && (len(y) != 4 || strings.Trim(y, "0123456789") != "") {
		t.errf("schoolYear", "%q is not a year: want the four-digit year the school year ends in, such as 2025", y)
	}
	return s
}

func (rs *readState) course(t *table, rec Record) Course {
	c := Course{Record: rec}
	if rec.Status == ToBeDeleted {
		return c
	}
	c.SchoolYearSourcedID = rs.ref(t, "schoolYearSourcedId", AcademicSessions, false)
	c.Title = t.need("title")
	c.CourseCode = t.get("courseCode")
	c.Grades = t.list("grades", &rs.in)
	c.OrgSourcedID = rs.ref(t, "orgSourcedId", Orgs, true)
	c.Subjects = t.list("subjects", &rs.in)
	c.SubjectCodes = t.list("subjectCodes", &rs.in)
	return c
}

func (rs *readState) class(t *table, rec Record) Class {
	c := Class{Record: rec}
	if rec.Status == ToBeDeleted {
		return c
	}
	c.Title = t.need("title")
	c.Grades = t.list("grades", &rs.in)
	c.CourseSourcedID = rs.ref(t, "courseSourcedId", Courses, true)
	c.ClassCode = t.get("classCode")
	c.ClassType = rs.in.get(t.enum("classType", classTypes, true))
	c.Location = t.get("location")
	c.SchoolSourcedID = rs.ref(t, "schoolSourcedId", Orgs, true)
	c.TermSourcedIDs = rs.refs(t, "termSourcedIds", AcademicSessions, true)
	c.Subjects = t.list("subjects", &rs.in)
	c.SubjectCodes = t.list("subjectCodes", &rs.in)
	c.Periods = t.list("periods", &rs.in)
	return c
}

func (rs *readState) user(t *table, rec Record) User {
	u := User{Record: rec}
	var bits roleBits
	defer func() { rs.roles = append(rs.roles, bits) }()
	if rec.Status == ToBeDeleted {
		return u
	}
	switch e := t.boolean("enabledUser"); {
	case e == nil:
		if t.get("enabledUser") == "" {
			t.errf("enabledUser", "required, but blank (true or false)")
		}
	default:
		u.EnabledUser = *e
	}
	if rs.version == Version11 {
		u.OrgSourcedIDs = rs.refs(t, "orgSourcedIds", Orgs, true)
		u.Role = rs.in.get(t.enum("role", userRoles11, true))
		u.Username = t.need("username")
		bits = roleBitsOf(u.Role)
	} else {
		u.Username = t.get("username")
	}
	u.UserIDs = rs.userIDs(t)
	u.GivenName = t.need("givenName")
	u.FamilyName = t.need("familyName")
	u.MiddleName = t.get("middleName")
	u.Identifier = t.get("identifier")
	u.Email = t.get("email")
	u.SMS = t.get("sms")
	u.Phone = t.get("phone")
	for _, a := range t.list("agentSourcedIds", nil) {
		if a == rec.SourcedID {
			t.errf("agentSourcedIds", "a user cannot be their own agent")
			continue
		}
		u.AgentSourcedIDs = append(u.AgentSourcedIDs, rs.later(t, "agentSourcedIds", Users, a))
	}
	u.Grades = t.list("grades", &rs.in)
	u.Password = t.get("password")
	if rs.version == Version12 {
		u.UserMasterIdentifier = t.get("userMasterIdentifier")
		u.PreferredGivenName = t.get("preferredGivenName")
		u.PreferredMiddleName = t.get("preferredMiddleName")
		u.PreferredFamilyName = t.get("preferredFamilyName")
		u.PrimaryOrgSourcedID = rs.ref(t, "primaryOrgSourcedId", Orgs, false)
		u.Pronouns = t.get("pronouns")
	}
	return u
}

// userIDs reads {type:identifier},{type:identifier}.
func (rs *readState) userIDs(t *table) []UserID {
	s := t.get("userIds")
	if s == "" {
		return nil
	}
	var out []UserID
	for s != "" {
		s = strings.TrimLeft(s, " ,")
		if s == "" {
			break
		}
		end := strings.IndexByte(s, '}')
		colon := strings.IndexByte(s, ':')
		if s[0] != '{' || end < 0 || colon < 0 || colon > end {
			t.errf("userIds", "%q is not a list of {type:identifier}", t.get("userIds"))
			return nil
		}
		out = append(out, UserID{Type: rs.in.get(strings.TrimSpace(s[1:colon])), Identifier: strings.TrimSpace(s[colon+1 : end])})
		s = s[end+1:]
	}
	return out
}

func roleBitsOf(role string) roleBits {
	switch role {
	case "student":
		return bitStudent
	case "teacher", "aide":
		return bitTeacher
	}
	return 0
}

func (rs *readState) userProfile(t *table, rec Record) UserProfile {
	p := UserProfile{Record: rec}
	if rec.Status == ToBeDeleted {
		return p
	}
	p.UserSourcedID = rs.ref(t, "userSourcedId", Users, true)
	p.ProfileType = t.need("profileType")
	p.VendorID = t.need("vendorId")
	p.ApplicationID = t.get("applicationId")
	p.Description = t.get("description")
	p.CredentialType = t.need("credentialType")
	p.Username = t.need("username")
	p.Password = t.get("password")
	return p
}

func (rs *readState) role(t *table, rec Record) Role {
	r := Role{Record: rec}
	if rec.Status == ToBeDeleted {
		return r
	}
	r.UserSourcedID = rs.ref(t, "userSourcedId", Users, true)
	r.RoleType = rs.in.get(t.enum("roleType", roleTypes, true))
	raw := t.get("role")
	if strings.EqualFold(raw, "administrator") {
		t.errf("role", `"administrator" is a OneRoster 1.1 role: 1.2 has districtAdministrator, siteAdministrator, systemAdministrator and principal`)
	} else {
		r.Role = rs.in.get(t.enum("role", userRoles12, true))
	}
	r.BeginDate = t.date("beginDate", false)
	r.EndDate = t.date("endDate", false)
	if !r.BeginDate.IsZero() && !r.EndDate.IsZero() && r.EndDate < r.BeginDate {
		t.errf("endDate", "%s is before the beginDate %s", r.EndDate, r.BeginDate)
	}
	r.OrgSourcedID = rs.ref(t, "orgSourcedId", Orgs, true)
	r.UserProfileSourcedID = rs.ref(t, "userProfileSourcedId", UserProfiles, false)
	if idx := rs.index[Users]; idx != nil {
		if i, ok := idx.ids[r.UserSourcedID]; ok && int(i) < len(rs.roles) {
			rs.roles[i] |= roleBitsOf(r.Role)
		}
	}
	return r
}

func (rs *readState) demographic(t *table, rec Record) Demographic {
	d := Demographic{Record: rec}
	// The sourcedId of a demographics record is its user's.
	if _, ok := rs.check(t.file, t.line, t.cols["sourcedId"]+1, "sourcedId", Users, rec.SourcedID); !ok {
		t.bad = true
	}
	if rec.Status == ToBeDeleted {
		return d
	}
	d.BirthDate = t.date("birthDate", false)
	sexes := sexes12
	if rs.version == Version11 {
		sexes = sexes11
	}
	d.Sex = rs.in.get(t.enum("sex", sexes, false))
	d.AmericanIndianOrAlaskaNative = t.boolean("americanIndianOrAlaskaNative")
	d.Asian = t.boolean("asian")
	d.BlackOrAfricanAmerican = t.boolean("blackOrAfricanAmerican")
	d.NativeHawaiianOrOtherPacificIslander = t.boolean("nativeHawaiianOrOtherPacificIslander")
	d.White = t.boolean("white")
	d.DemographicRaceTwoOrMoreRaces = t.boolean("demographicRaceTwoOrMoreRaces")
	d.HispanicOrLatinoEthnicity = t.boolean("hispanicOrLatinoEthnicity")
	d.CountryOfBirthCode = t.get("countryOfBirthCode")
	d.StateOfBirthAbbreviation = t.get("stateOfBirthAbbreviation")
	d.CityOfBirth = t.get("cityOfBirth")
	d.PublicSchoolResidenceStatus = t.get("publicSchoolResidenceStatus")
	return d
}

func (rs *readState) enrollment(t *table, rec Record) Enrollment {
	e := Enrollment{Record: rec}
	if rec.Status == ToBeDeleted {
		return e
	}
	e.ClassSourcedID = rs.ref(t, "classSourcedId", Classes, true)
	e.SchoolSourcedID = rs.ref(t, "schoolSourcedId", Orgs, true)
	e.UserSourcedID = rs.ref(t, "userSourcedId", Users, true)
	roles := enrollRoles12
	if rs.version == Version11 {
		roles = enrollRoles11
	}
	e.Role = rs.in.get(t.enum("role", roles, true))
	e.Primary = t.boolean("primary")
	e.BeginDate = t.date("beginDate", false)
	e.EndDate = t.date("endDate", false)
	if !e.BeginDate.IsZero() && !e.EndDate.IsZero() && e.EndDate < e.BeginDate {
		t.errf("endDate", "%s is before the beginDate %s", e.EndDate, e.BeginDate)
	}
	// The standard lets a student be enrolled as a teacher (a student
	// aide, a teaching assistant), and exports do it; cairn does not give
	// such an enrollment a teacher's access (ToDomain leaves it out), so
	// say so here, with the line.
	if want := roleBitsOf(e.Role); want != 0 {
		users := rs.index[Users]
		rolesKnown := users.mode == Bulk && (rs.version == Version11 || rs.index[Roles].mode == Bulk && !rs.index[Roles].failed)
		if i, ok := users.ids[e.UserSourcedID]; ok && rolesKnown && int(i) < len(rs.roles) && rs.roles[i]&want == 0 {
			line, col := t.pos("role")
			rs.probs.Warnf(t.file, line, col, "role", "user %q is enrolled as a %s, but %s does not make them one: the enrollment is not imported, and gives no access", e.UserSourcedID, e.Role, rolesFile(rs.version))
		}
	}
	return e
}

func rolesFile(version string) string {
	if version == Version11 {
		return "users.csv"
	}
	return "roles.csv"
}

// finish runs the checks that need every file: in OneRoster 1.2, every
// user of a bulk users.csv has exactly one primary role.
func (rs *readState) finish() {
	if rs.version != Version12 {
		return
	}
	users, roles := rs.index[Users], rs.index[Roles]
	if users.failed || roles.failed || users.mode != Bulk {
		return
	}
	if !roles.present {
		rs.probs.Addf(Users.File(), 0, 0, "", "users.csv is in the package but roles.csv is not: OneRoster 1.2 keeps every user's roles in roles.csv")
		rs.broken = true // a problem of the package, not of a row
		return
	}
	primary := make([]int32, len(users.names)) // line of the primary role
	for i, r := range rs.roster.Roles {
		if r.Status != Active || r.RoleType != "primary" || roles.refused[int32(i)] {
			continue
		}
		u, ok := users.ids[r.UserSourcedID]
		if !ok {
			continue
		}
		if primary[u] != 0 {
			rs.probs.Addf(Roles.File(), int(roles.lines[i]), rs.roleTypeCol, "roleType", "user %q already has a primary role (line %d): a user has exactly one", r.UserSourcedID, primary[u])
			rs.refuse(Roles, int32(i))
			continue
		}
		primary[u] = roles.lines[i]
	}
	late := map[string]int32{} // user refused now -> line
	for i, u := range rs.roster.Users {
		if u.Status == Active && primary[i] == 0 && !users.refused[int32(i)] {
			rs.probs.Addf(Users.File(), int(users.lines[i]), 0, "", "user %q has no primary role in roles.csv: every user needs one", u.SourcedID)
			rs.refuse(Users, int32(i))
			late[u.SourcedID] = users.lines[i]
		}
	}
	rs.refuseRowsOf(late)
}

// refuseRowsOf refuses the rows read before it was known that the users
// of late (by sourcedId, with their lines) are refused: their roles,
// profiles, demographics and enrollments, and the users naming them as
// agents.
func (rs *readState) refuseRowsOf(late map[string]int32) {
	if !rs.partial || len(late) == 0 {
		return
	}
	r := rs.roster
	// Users naming a refused user as an agent first, until none is
	// added, so that their own rows below are refused with them.
	users := rs.index[Users]
	for more := true; more; {
		more = false
		for i, u := range r.Users {
			if users.refused[int32(i)] {
				continue
			}
			for _, agent := range u.AgentSourcedIDs {
				if line, ok := late[agent]; ok {
					rs.probs.Addf(Users.File(), int(users.lines[i]), 0, "agentSourcedIds", "user %q is refused (users.csv line %d has an error)", agent, line)
					rs.refuse(Users, int32(i))
					late[u.SourcedID] = users.lines[i]
					more = true
					break
				}
			}
		}
	}
	for _, x := range []struct {
		e     Entity
		n     int
		owner func(i int) string
	}{
		{UserProfiles, len(r.UserProfiles), func(i int) string { return r.UserProfiles[i].UserSourcedID }},
		{Roles, len(r.Roles), func(i int) string { return r.Roles[i].UserSourcedID }},
		{Demographics, len(r.Demographics), func(i int) string { return r.Demographics[i].SourcedID }},
		{Enrollments, len(r.Enrollments), func(i int) string { return r.Enrollments[i].UserSourcedID }},
	} {
		idx := rs.index[x.e]
		for i := range x.n {
			user := x.owner(i)
			if line, ok := late[user]; ok && !idx.refused[int32(i)] {
				rs.probs.Addf(x.e.File(), int(idx.lines[i]), 0, "", "user %q is refused (users.csv line %d has an error)", user, line)
				rs.refuse(x.e, int32(i))
			}
		}
	}
}
