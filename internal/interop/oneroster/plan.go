package oneroster

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/roster"
)

// PlanImport is Plan(ro, snap, opt): it makes a *Roster what the store's
// ImportOneRoster plans with.
func (ro *Roster) PlanImport(snap *importplan.RosterSnapshot, opt importplan.Options) (*importplan.RosterPlan, error) {
	return Plan(ro, snap, opt)
}

// Plan works out what importing ro into the district of snap writes. A
// roster read with ReadOptions.Partial lacks the rows with errors: the
// records they name (Roster.Held) are neither changed nor retired.
//
// Records are matched by sourcedId (a record that cairn exported under
// "cairn-<kind>-<id>" matches the record it came from), created when new,
// updated when they differ, and left alone when they do not: importing the
// same package twice plans nothing the second time. A file supplied in
// bulk retires what an earlier import brought and the file no longer has;
// a delta file retires what it marks tobedeleted. A retired person's or
// class's enrollments are retired with them, and a retired person's
// guardian links removed. A record that comes back is brought back to
// life.
//
// What the files cannot say is checked here: a record referring to one
// this import retires, two enrollments of one person in one class as the
// same role, a username used twice. An enrollment of a person who does
// not hold the role (a student enrolled as a teacher) is left out with a
// warning: it gives no access. Each is reported (file, record and reason)
// in a *badinput.Error, and there is no plan.
func Plan(ro *Roster, snap *importplan.RosterSnapshot, opt importplan.Options) (*importplan.RosterPlan, error) {
	p := &importplan.RosterPlan{Counts: importplan.NewCounts()}
	p.Warnings = append(p.Warnings, problemLines(ro.Warnings, ro.MoreWarnings, "warning", "warnings")...)
	p.Refused = problemLines(ro.Refused, ro.MoreRefused, "row", "rows")
	im := &rosterImport{ro: ro, snap: snap, opt: opt, plan: p, district: snap.District, districtID: snap.District.ID}
	im.probs.Limit = opt.Limit
	if err := im.run(); err != nil {
		return nil, err
	}
	return p, nil
}

// problemLines writes problems one a line, then how many more there are.
func problemLines(ps []badinput.Problem, more int, one, many string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("and %d more %s", more, plural(more, one, many)))
	}
	return out
}

// ExportID is the identifier a record goes out under and is matched by
// when it comes back: its sourcedId, or "cairn-<kind>-<id>" for a record
// made in cairn (as FromDistrict names it).
func ExportID(kind string, id int64, sourcedID string) string {
	if sourcedID != "" {
		return sourcedID
	}
	return fmt.Sprintf("cairn-%s-%d", kind, id)
}

// kindTable holds one kind of record while an import is planned. Records
// are kept by value in slices and found through maps of indexes, because
// a large district has hundreds of thousands of them.
type kindTable[T comparable] struct {
	kind   string // as reported: "people"
	export string // as in export ids: "person"
	table  string // as ids are drawn for: "people"
	entity Entity
	recs   []importplan.Record[T] // the stored records
	stored map[string]int32       // index in recs by export id
	byID   map[int64]int32        // index in recs by id, made on first use
	// planned are the records the import has, by export id, with their
	// final ids; writes those to create or change.
	planned map[string]int64
	writes  []importplan.Record[T]
	ids     importplan.IDs
}

func newKindTable[T comparable](ids importplan.IDs, kind, export, table string, entity Entity, recs []importplan.Record[T]) *kindTable[T] {
	t := &kindTable[T]{kind: kind, export: export, table: table, entity: entity, recs: recs,
		stored: make(map[string]int32, len(recs)), planned: map[string]int64{}, ids: ids}
	for i := range recs {
		t.index(int32(i))
	}
	return t
}

// index finds the stored record i by its export id.
func (t *kindTable[T]) index(i int32) {
	rec := &t.recs[i]
	key := ExportID(t.export, rec.ID, rec.SourcedID)
	if j, ok := t.stored[key]; ok && t.recs[j].SourcedID == key {
		// A record whose sourcedId looks like another's export id keeps it.
		return
	}
	t.stored[key] = i
}

// get returns the stored record key.
func (t *kindTable[T]) get(key string) (*importplan.Record[T], bool) {
	i, ok := t.stored[key]
	if !ok {
		return nil, false
	}
	return &t.recs[i], true
}

// getID returns the stored record with the given id.
func (t *kindTable[T]) getID(id int64) (*importplan.Record[T], bool) {
	if t.byID == nil {
		t.byID = make(map[int64]int32, len(t.recs))
		for i := range t.recs {
			t.byID[t.recs[i].ID] = int32(i)
		}
	}
	i, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	return &t.recs[i], true
}

// put plans the record key with content row and returns its id.
func (t *kindTable[T]) put(im *rosterImport, key string, row T) (int64, error) {
	if id, ok := t.planned[key]; ok {
		return id, nil
	}
	if old, ok := t.get(key); ok {
		t.planned[key] = old.ID
		if old.Retired || old.Row != row {
			t.writes = append(t.writes, importplan.Record[T]{ID: old.ID, SourcedID: old.SourcedID, Row: row})
			im.plan.Updated[t.kind]++
		} else {
			im.plan.Unchanged[t.kind]++
		}
		return old.ID, nil
	}
	id, err := t.ids(t.table)
	if err != nil {
		return 0, err
	}
	t.planned[key] = id
	t.writes = append(t.writes, importplan.Record[T]{ID: id, SourcedID: key, Row: row})
	im.plan.Created[t.kind]++
	return id, nil
}

// ref resolves a reference to a record of this kind: one the import has,
// or a stored one it neither has nor retires. ok is false when there is no
// such record; retired says it is retired, or being retired now.
func (t *kindTable[T]) ref(im *rosterImport, key string) (id int64, ok, retired bool) {
	if id, ok := t.planned[key]; ok {
		return id, true, false
	}
	if old, ok := t.get(key); ok {
		return old.ID, true, old.Retired || im.retiring[t.entity][key]
	}
	return 0, false, false
}

// rosterImport is one OneRoster import being planned.
type rosterImport struct {
	districtID int64
	ro         *Roster
	d          *Domain
	snap       *importplan.RosterSnapshot
	opt        importplan.Options
	plan       *importplan.RosterPlan
	probs      badinput.List

	district roster.District
	// pending holds the package's records that the snapshot of earlier
	// imports lacks or has with other content.
	pending Snapshot
	// retiring holds, by entity, the sourcedIds of records this import
	// retires: those a bulk file no longer has, those a delta marks
	// tobedeleted.
	retiring map[Entity]map[string]bool
	// inFile holds every sourcedId of users.csv, when supplied.
	inFile map[Entity]map[string]bool

	schools     *kindTable[importplan.School]
	terms       *kindTable[importplan.Term]
	courses     *kindTable[importplan.Course]
	classes     *kindTable[importplan.Class]
	people      *kindTable[importplan.Person]
	enrollments *kindTable[importplan.Enrollment]

	// Final roles of people, for the checks of enrollments and links.
	roles map[int64][]roster.Role

	links map[importplan.GuardianLink]string // stored guardian links -> relationship
	demos map[int64]importplan.DemographicsRow
	// enrollMoves are the enrollments whose class, person or role change.
	enrollMoves []int64
	// mismatched counts the enrollments left out because the person does
	// not hold the role.
	mismatched int
	// claimed marks, by index, the stored enrollments the import has:
	// by sourcedId, or taken over by a new sourcedId.
	claimed []bool
}

func (im *rosterImport) addProblem(file, field, format string, args ...any) {
	im.probs.Add(badinput.Problem{File: file, Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (im *rosterImport) run() error {
	im.retiring = map[Entity]map[string]bool{}
	if err := im.compareSnapshot(); err != nil {
		return fmt.Errorf("comparing with the last import: %w", err)
	}
	im.inFile = map[Entity]map[string]bool{}
	im.inFile[Users] = map[string]bool{}
	im.eachRecord(func(e Entity, rec *Record) {
		if e == Users {
			im.inFile[e][rec.SourcedID] = true
		}
		// A delta may delete a record that came from elsewhere (made in
		// cairn, or imported before cairn kept snapshots).
		if rec.Status == ToBeDeleted {
			im.retire(e, rec.SourcedID)
		}
	})
	// Enrollments, the bulk of a large roster, are mapped a chunk at a
	// time as they are planned.
	lite := *im.ro
	lite.Enrollments = nil
	im.d = lite.ToDomain()
	im.load()
	im.opt.Report("loading", 1, 1)

	for _, step := range []func() error{
		im.planDistrict, im.planSchools, im.planTerms, im.planCourses, im.planClasses,
		im.planPeople, im.planLinks, im.planDemographics,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	// What ToDomain left out, but for the users of a delta that only
	// lack their role rows (mergeDeltaRoles took those in).
	for _, msg := range im.d.Skipped {
		if key, ok := skippedUser(msg); ok {
			if _, planned := im.people.planned[key]; planned {
				continue
			}
		}
		im.plan.Warnings = append(im.plan.Warnings, msg)
	}
	// Enrollments last, with what ToDomain made let go.
	im.d = nil
	if err := im.planEnrollments(); err != nil {
		return err
	}
	if err := im.probs.Err(); err != nil {
		return err
	}
	p := im.plan
	p.Schools, p.Terms, p.Courses, p.Classes = im.schools.writes, im.terms.writes, im.courses.writes, im.classes.writes
	p.People, p.Enrollments = im.people.writes, im.enrollments.writes
	p.EnrollmentMoves = im.enrollMoves
	im.planRetirements()
	im.planKept()
	return nil
}

// load indexes the district's records by export id.
func (im *rosterImport) load() {
	s, ids := im.snap, im.snap.IDs
	im.schools = newKindTable(ids, "schools", "school", "schools", Orgs, s.Schools)
	im.terms = newKindTable(ids, "terms", "term", "terms", AcademicSessions, s.Terms)
	im.courses = newKindTable(ids, "courses", "course", "courses", Courses, s.Courses)
	im.classes = newKindTable(ids, "classes", "class", "classes", Classes, s.Classes)
	im.people = newKindTable(ids, "people", "person", "people", Users, s.People)
	im.enrollments = newKindTable(ids, "enrollments", "enrollment", "enrollments", Enrollments, s.Enrollments)
	im.roles = map[int64][]roster.Role{}
	im.links = s.Links
	if im.links == nil {
		im.links = map[importplan.GuardianLink]string{}
	}
	im.demos = s.Demographics
	if im.demos == nil {
		im.demos = map[int64]importplan.DemographicsRow{}
	}
}

// planDistrict gives the district the sourcedId of the package's district
// org when it has none, so that exports name it as the student
// information system does.
func (im *rosterImport) planDistrict() error {
	org := im.d.District
	mine := ExportID("district", im.district.ID, im.district.SourcedID)
	if org == nil || org.SourcedID == mine {
		if org != nil {
			im.plan.Unchanged["districts"]++
		}
		return nil
	}
	if im.district.SourcedID != "" {
		im.plan.Warnings = append(im.plan.Warnings, fmt.Sprintf("orgs.csv: the district org %q is not this district (%q): its schools and people are imported into %s all the same",
			org.SourcedID, im.district.SourcedID, im.district.Name))
		return nil
	}
	if im.snap.OtherDistricts[org.SourcedID] {
		im.plan.Warnings = append(im.plan.Warnings, fmt.Sprintf("orgs.csv: the district org %q is another district of this database: this district keeps no sourcedId", org.SourcedID))
		return nil
	}
	im.plan.DistrictSourcedID = org.SourcedID
	im.plan.Updated["districts"]++
	return nil
}

// skippedUser returns the sourcedId of the user a Domain.Skipped
// message is about ("user \"u1\": ...").
func skippedUser(msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, "user ")
	if !ok {
		return "", false
	}
	quoted, _, ok := strings.Cut(rest, ": ")
	if !ok {
		return "", false
	}
	key, err := strconv.Unquote(quoted)
	return key, err == nil
}

func (im *rosterImport) retire(e Entity, id string) {
	if im.retiring[e] == nil {
		im.retiring[e] = map[string]bool{}
	}
	im.retiring[e][id] = true
}

// eachRecord calls f for every record of the files the manifest supplies.
func (im *rosterImport) eachRecord(f func(Entity, *Record)) {
	ro := im.ro
	supplied := func(e Entity) bool { return ro.Mode(e.File()) != Absent }
	visit := func(e Entity, n int, rec func(i int) *Record) {
		if !supplied(e) {
			return
		}
		for i := range n {
			f(e, rec(i))
		}
	}
	visit(Orgs, len(ro.Orgs), func(i int) *Record { return &ro.Orgs[i].Record })
	visit(AcademicSessions, len(ro.AcademicSessions), func(i int) *Record { return &ro.AcademicSessions[i].Record })
	visit(Courses, len(ro.Courses), func(i int) *Record { return &ro.Courses[i].Record })
	visit(Classes, len(ro.Classes), func(i int) *Record { return &ro.Classes[i].Record })
	visit(Users, len(ro.Users), func(i int) *Record { return &ro.Users[i].Record })
	visit(Roles, len(ro.Roles), func(i int) *Record { return &ro.Roles[i].Record })
	visit(Demographics, len(ro.Demographics), func(i int) *Record { return &ro.Demographics[i].Record })
	visit(Enrollments, len(ro.Enrollments), func(i int) *Record { return &ro.Enrollments[i].Record })
}

func (im *rosterImport) planSchools() error {
	for _, sc := range im.d.Schools {
		sc.DistrictID = im.districtID
		if err := sc.Validate(); err != nil {
			im.invalid(Orgs, "org", sc.SourcedID, err)
			continue
		}
		if _, err := im.schools.put(im, sc.SourcedID, importplan.School{Name: sc.Name}); err != nil {
			return err
		}
	}
	return nil
}

// invalid reports a record a domain rule refuses.
func (im *rosterImport) invalid(e Entity, what, sourcedID string, err error) {
	im.addProblem(e.File(), "", "%s %q: %s", what, sourcedID, err.Error())
}

// missing reports a reference that resolves to nothing, or to a record
// that is retired.
func (im *rosterImport) missing(e Entity, what, sourcedID, field, target, targetID string, retired bool) {
	if retired {
		im.addProblem(e.File(), field, "%s %q: %s %q is retired, or retired by this import", what, sourcedID, target, targetID)
		return
	}
	im.addProblem(e.File(), field, "%s %q: no %s %q in this package or in cairn", what, sourcedID, target, targetID)
}

func (im *rosterImport) planTerms() error {
	t := im.terms
	// Ids first: a term's parent may come after it in the file.
	var valid []TermRef
	for _, tr := range im.d.Terms {
		tr.DistrictID = im.districtID
		if err := tr.Validate(); err != nil {
			im.invalid(AcademicSessions, "academic session", tr.SourcedID, err)
			continue
		}
		if old, ok := t.get(tr.SourcedID); ok {
			t.planned[tr.SourcedID] = old.ID
		} else {
			id, err := t.ids(t.table)
			if err != nil {
				return err
			}
			t.planned[tr.SourcedID] = id
		}
		valid = append(valid, tr)
	}
	for _, tr := range valid {
		row := importplan.Term{Title: tr.Title, Type: string(tr.Type), Start: importplan.Micro(tr.StartDate), End: importplan.Micro(tr.EndDate)}
		if tr.ParentSourcedID != "" {
			pid, ok, retired := t.ref(im, tr.ParentSourcedID)
			if !ok || retired {
				im.missing(AcademicSessions, "academic session", tr.SourcedID, "parentSourcedId", "academic session", tr.ParentSourcedID, retired)
				continue
			}
			row.Parent, row.HasParent = pid, true
		}
		id := t.planned[tr.SourcedID]
		old, existed := t.get(tr.SourcedID)
		switch {
		case !existed:
			t.writes = append(t.writes, importplan.Record[importplan.Term]{ID: id, SourcedID: tr.SourcedID, Row: row})
			im.plan.Created[t.kind]++
		case old.Retired || old.Row != row:
			t.writes = append(t.writes, importplan.Record[importplan.Term]{ID: id, SourcedID: old.SourcedID, Row: row})
			im.plan.Updated[t.kind]++
		default:
			im.plan.Unchanged[t.kind]++
		}
	}
	im.orderTerms()
	return nil
}

// orderTerms puts the terms to write parents first, and refuses terms
// that would contain each other.
func (im *rosterImport) orderTerms() {
	t := im.terms
	parent := map[int64]int64{}
	for _, rec := range t.recs {
		if rec.Row.HasParent {
			parent[rec.ID] = rec.Row.Parent
		}
	}
	pending := map[int64]int{} // index in writes by id
	for i, w := range t.writes {
		pending[w.ID] = i
		delete(parent, w.ID)
		if w.Row.HasParent {
			parent[w.ID] = w.Row.Parent
		}
	}
	// Loops anywhere in the final hierarchy.
	for _, w := range t.writes {
		seen := map[int64]bool{w.ID: true}
		for p, ok := parent[w.ID]; ok; p, ok = parent[p] {
			if seen[p] {
				im.addProblem(AcademicSessions.File(), "parentSourcedId", "academic session %q: the academic sessions would contain each other", w.SourcedID)
				return
			}
			seen[p] = true
		}
	}
	ordered := make([]importplan.Record[importplan.Term], 0, len(t.writes))
	done := map[int64]bool{}
	var visit func(w importplan.Record[importplan.Term])
	visit = func(w importplan.Record[importplan.Term]) {
		if done[w.ID] {
			return
		}
		done[w.ID] = true
		if i, ok := pending[w.Row.Parent]; ok && w.Row.HasParent {
			visit(t.writes[i])
		}
		ordered = append(ordered, w)
	}
	for _, w := range t.writes {
		visit(w)
	}
	t.writes = ordered
}

func (im *rosterImport) planCourses() error {
	for _, c := range im.d.Courses {
		c.DistrictID = im.districtID
		if err := c.Validate(); err != nil {
			im.invalid(Courses, "course", c.SourcedID, err)
			continue
		}
		row := importplan.Course{Title: c.Title, Code: c.Code, Grades: importplan.JSONText(c.Grades)}
		if c.SchoolSourcedID != "" {
			id, ok, retired := im.schools.ref(im, c.SchoolSourcedID)
			if !ok || retired {
				im.missing(Courses, "course", c.SourcedID, "orgSourcedId", "school", c.SchoolSourcedID, retired)
				continue
			}
			row.School, row.HasSchool = id, true
		}
		if _, err := im.courses.put(im, c.SourcedID, row); err != nil {
			return err
		}
	}
	return nil
}

func (im *rosterImport) planClasses() error {
	orgType := map[string]string{}
	for _, o := range im.ro.Orgs {
		orgType[o.SourcedID] = o.Type
	}
	for _, c := range im.d.Classes {
		row := importplan.Class{Title: c.Title, Code: c.Code, Period: c.Period}
		bad := false
		school, ok, retired := im.schools.ref(im, c.SchoolSourcedID)
		if !ok || retired {
			if t := orgType[c.SchoolSourcedID]; t != "" && t != "school" && !retired {
				im.addProblem(Classes.File(), "schoolSourcedId", "class %q: org %q is a %s, not a school: a class is taught in a school", c.SourcedID, c.SchoolSourcedID, t)
			} else {
				im.missing(Classes, "class", c.SourcedID, "schoolSourcedId", "school", c.SchoolSourcedID, retired)
			}
			bad = true
		}
		course, ok, retired := im.courses.ref(im, c.CourseSourcedID)
		if !ok || retired {
			im.missing(Classes, "class", c.SourcedID, "courseSourcedId", "course", c.CourseSourcedID, retired)
			bad = true
		}
		term, ok, retired := im.terms.ref(im, c.TermSourcedID)
		if !ok || retired {
			im.missing(Classes, "class", c.SourcedID, "termSourcedIds", "academic session", c.TermSourcedID, retired)
			bad = true
		}
		if bad {
			continue
		}
		row.School, row.Course, row.Term = school, course, term
		cl := c.Class
		cl.SchoolID, cl.CourseID, cl.TermID = school, course, term
		if err := cl.Validate(); err != nil {
			im.invalid(Classes, "class", c.SourcedID, err)
			continue
		}
		if _, err := im.classes.put(im, c.SourcedID, row); err != nil {
			return err
		}
	}
	return nil
}

// plannedPerson is a person as the import will leave them.
type plannedPerson struct {
	roster.Person
	schools []int64
}

func (im *rosterImport) planPeople() error {
	ro := im.ro
	// In a OneRoster 1.2 delta, roles.csv holds the roles that changed,
	// not all of a person's roles: a stored person keeps theirs and gains
	// the new ones, and a person whose users.csv row comes without role
	// rows keeps their roles.
	delta12 := ro.Version == Version12 && ro.Mode(Roles.File()) != Bulk
	var order []string
	plan := map[string]*plannedPerson{}
	for _, p := range im.d.People {
		pp := &plannedPerson{Person: p.Person}
		bad := false
		for _, sid := range p.SchoolSourcedIDs {
			id, ok, retired := im.schools.ref(im, sid)
			if !ok || retired {
				im.missing(Users, "user", p.SourcedID, "orgSourcedIds", "school", sid, retired)
				bad = true
				continue
			}
			pp.schools = append(pp.schools, id)
		}
		if bad {
			continue
		}
		plan[p.SourcedID] = pp
		order = append(order, p.SourcedID)
	}
	if delta12 {
		if err := im.mergeDeltaRoles(plan, &order); err != nil {
			return err
		}
	}

	// Usernames must stay unique in the district once the import is done.
	owner := map[string]string{} // username -> export id of the person holding it afterwards
	for key, i := range im.people.stored {
		if rec := &im.people.recs[i]; rec.Row.Username != "" {
			if _, ok := plan[key]; !ok {
				owner[rec.Row.Username] = key
			}
		}
	}
	for _, key := range order {
		pp := plan[key]
		pp.DistrictID = im.districtID
		if err := pp.Validate(); err != nil {
			im.invalid(Users, "user", key, err)
			continue
		}
		if u := pp.Username; u != "" {
			if other, ok := owner[u]; ok && other != key {
				im.addProblem(Users.File(), "username", "user %q: username %q is already %s's", key, u, im.personName(other))
				continue
			}
			owner[u] = key
		}
		row := importplan.Person{Given: pp.GivenName, Family: pp.FamilyName, Email: pp.Email, Username: pp.Username,
			Roles: importplan.JSONText(pp.Roles), Schools: importplan.JSONText(pp.schools), Grade: pp.Grade, Language: pp.Language}
		if old, ok := im.people.get(key); ok {
			if old.Row.Username != "" && old.Row.Username != row.Username {
				im.plan.UsernameMoves = append(im.plan.UsernameMoves, old.ID)
			}
			// The order of a person's roles and schools is not a change:
			// an export lists role rows in its own order.
			if sameJSONSet(old.Row.Roles, row.Roles) {
				row.Roles = old.Row.Roles
			}
			if sameJSONSet(old.Row.Schools, row.Schools) {
				row.Schools = old.Row.Schools
			}
		}
		id, err := im.people.put(im, key, row)
		if err != nil {
			return err
		}
		im.roles[id] = pp.Roles
	}
	return nil
}

// personName names a person of the district by export id for messages.
func (im *rosterImport) personName(key string) string {
	if rec, ok := im.people.get(key); ok {
		name := strings.TrimSpace(rec.Row.Given + " " + rec.Row.Family)
		state := ""
		if rec.Retired {
			state = ", retired"
		}
		return fmt.Sprintf("%s (%q%s)", name, key, state)
	}
	return fmt.Sprintf("user %q", key)
}

// mergeDeltaRoles applies a OneRoster 1.2 delta's roles to stored people.
func (im *rosterImport) mergeDeltaRoles(plan map[string]*plannedPerson, order *[]string) error {
	ro := im.ro
	orgType := func(org string) string {
		for _, o := range ro.Orgs {
			if o.SourcedID == org {
				return o.Type
			}
		}
		if org == ExportID("district", im.district.ID, im.district.SourcedID) {
			return "district"
		}
		if _, ok := im.schools.get(org); ok {
			return "school"
		}
		return ""
	}
	type extra struct {
		roles   []roster.Role
		schools []int64
	}
	extras := map[string]*extra{}
	for _, rl := range ro.Roles {
		if rl.Status != Active {
			continue
		}
		typ := orgType(rl.OrgSourcedID)
		role, ok := MapRole(rl.Role, []string{typ})
		if !ok {
			continue
		}
		x := extras[rl.UserSourcedID]
		if x == nil {
			x = &extra{}
			extras[rl.UserSourcedID] = x
		}
		if !slices.Contains(x.roles, role) {
			x.roles = append(x.roles, role)
		}
		if typ == "school" {
			if id, ok, _ := im.schools.ref(im, rl.OrgSourcedID); ok && !slices.Contains(x.schools, id) {
				x.schools = append(x.schools, id)
			}
		}
	}
	stored := func(key string) (*plannedPerson, bool, error) {
		rec, ok := im.people.get(key)
		if !ok {
			return nil, false, nil
		}
		pp := &plannedPerson{Person: roster.Person{GivenName: rec.Row.Given, FamilyName: rec.Row.Family, Email: rec.Row.Email,
			Username: rec.Row.Username, Grade: rec.Row.Grade, Language: rec.Row.Language}}
		if err := json.Unmarshal([]byte(rec.Row.Roles), &pp.Roles); err != nil {
			return nil, false, fmt.Errorf("person %d: roles: %w", rec.ID, err)
		}
		if err := json.Unmarshal([]byte(rec.Row.Schools), &pp.schools); err != nil {
			return nil, false, fmt.Errorf("person %d: schools: %w", rec.ID, err)
		}
		return pp, true, nil
	}
	merge := func(pp *plannedPerson, roles []roster.Role, schools []int64) {
		for _, r := range roles {
			if !slices.Contains(pp.Roles, r) {
				pp.Roles = append(pp.Roles, r)
			}
		}
		for _, s := range schools {
			if !slices.Contains(pp.schools, s) {
				pp.schools = append(pp.schools, s)
			}
		}
	}
	// People of the delta that are stored: their stored roles stay.
	for _, key := range *order {
		old, ok, err := stored(key)
		if err != nil {
			return err
		}
		if ok {
			pp := plan[key]
			roles, schools := pp.Roles, pp.schools
			pp.Roles, pp.schools = old.Roles, old.schools
			merge(pp, roles, schools)
		}
	}
	// Users of the delta that ToDomain left out for want of role rows.
	var bare []User
	for _, u := range ro.Users {
		if _, ok := plan[u.SourcedID]; !ok && u.Status == Active {
			if _, ok := im.people.get(u.SourcedID); ok {
				bare = append(bare, u)
			}
		}
	}
	if len(bare) > 0 {
		// Map their fields as ToDomain maps any user's, giving each a
		// stand-in role that is then replaced by the stored ones.
		mini := &Roster{Version: ro.Version, Manifest: ro.Manifest, Users: bare}
		for _, u := range bare {
			mini.Roles = append(mini.Roles, Role{Record: Record{SourcedID: "stand-in:" + u.SourcedID, Status: Active},
				UserSourcedID: u.SourcedID, RoleType: "primary", Role: "student"})
		}
		for _, p := range mini.ToDomain().People {
			old, _, err := stored(p.SourcedID)
			if err != nil {
				return err
			}
			pp := &plannedPerson{Person: p.Person, schools: old.schools}
			pp.Roles = old.Roles
			if x := extras[p.SourcedID]; x != nil {
				merge(pp, x.roles, x.schools)
			}
			plan[p.SourcedID] = pp
			*order = append(*order, p.SourcedID)
		}
	}
	// Roles of stored people whose users.csv row is not in the delta.
	users := map[string]bool{}
	for _, u := range ro.Users {
		users[u.SourcedID] = true
	}
	var keys []string
	for key := range extras {
		if _, ok := plan[key]; !ok && !users[key] {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		old, ok, err := stored(key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		merge(old, extras[key].roles, extras[key].schools)
		plan[key] = old
		*order = append(*order, key)
	}
	deleted := 0
	for _, rl := range ro.Roles {
		if rl.Status == ToBeDeleted {
			deleted++
		}
	}
	if deleted > 0 {
		im.plan.Warnings = append(im.plan.Warnings, fmt.Sprintf("roles.csv: %d %s marked tobedeleted: a delta row does not say whose role it was, so people keep their roles until a bulk roles.csv, or their own users.csv row with role rows, says otherwise",
			deleted, plural(deleted, "role", "roles")))
	}
	return nil
}

// rolesOf returns a person's roles as they will be after the import.
func (im *rosterImport) rolesOf(id int64) []roster.Role {
	if rs, ok := im.roles[id]; ok {
		return rs
	}
	rec, ok := im.people.getID(id)
	if !ok {
		return nil
	}
	var rs []roster.Role
	json.Unmarshal([]byte(rec.Row.Roles), &rs) // written by the store: always a list
	im.roles[id] = rs
	return rs
}

type placeKey struct {
	class, person int64
	teacher       bool
}

func roleName(teacher bool) string {
	if teacher {
		return string(roster.EnrolledTeacher)
	}
	return string(roster.EnrolledStudent)
}

// enrollmentChunk is how often the planning of enrollments reports
// progress (stage "checking").
const enrollmentChunk = 16384

// planEnrollments plans the enrollments. There is one enrollment per
// person, class and role: a new sourcedId for a place that a stored
// enrollment the package does not have holds (the information system
// dropped the enrollment and made it again) takes that row over; a place
// held by an enrollment of the package that moves elsewhere is freed
// before the writes; any other clash is refused.
func (im *rosterImport) planEnrollments() error {
	t, ro := im.enrollments, im.ro
	im.claimed = make([]bool, len(t.recs))
	for i := range ro.Enrollments {
		if e := &ro.Enrollments[i]; e.Status == Active {
			if j, ok := t.stored[e.SourcedID]; ok {
				im.claimed[j] = true
			}
		}
	}
	var byPlace map[placeKey]int32
	holder := func(p placeKey) (int32, bool) {
		if byPlace == nil {
			byPlace = make(map[placeKey]int32, len(t.recs))
			for i, rec := range t.recs {
				byPlace[placeKey{rec.Row.Class, rec.Row.Person, rec.Row.Teacher}] = int32(i)
			}
		}
		i, ok := byPlace[p]
		return i, ok
	}
	type placed struct {
		place placeKey
		key   string
		own   int32 // the stored row the enrollment is written to, or -1
	}
	// The places the import puts enrollments in that their rows do not
	// hold already: only these can clash.
	var fresh []placed
	if len(t.recs) == 0 {
		t.writes = make([]importplan.Record[importplan.Enrollment], 0, len(ro.Enrollments))
		fresh = make([]placed, 0, len(ro.Enrollments))
	}
	skipped := map[string]int{}
	im.mismatched = 0
	for i := range ro.Enrollments {
		e := &ro.Enrollments[i]
		if e.Status != Active {
			continue
		}
		// As ToDomain maps an enrollment, without making a
		// copy of the largest file of a roster.
		role, ok := enrollmentRole(e.Role)
		if !ok {
			skipped[e.Role]++
			continue
		}
		if err := im.planEnrollment(e, role, holder, func(p placeKey, own int32) { fresh = append(fresh, placed{p, e.SourcedID, own}) }); err != nil {
			return err
		}
		if i%enrollmentChunk == 0 {
			im.opt.Report("checking", i, len(ro.Enrollments))
		}
	}
	im.opt.Report("checking", len(ro.Enrollments), len(ro.Enrollments))
	for _, role := range sortedKeys(skipped) {
		n := skipped[role]
		im.plan.Warnings = append(im.plan.Warnings, fmt.Sprintf("enrollments.csv: %d %s as %s not imported: cairn enrolls students and teachers", n, plural(n, "enrollment", "enrollments"), role))
	}
	if n := im.mismatched; n > 0 {
		im.plan.Warnings = append(im.plan.Warnings, fmt.Sprintf("enrollments.csv: %d %s of people who do not hold the role (a student enrolled as a teacher, or a teacher as a student) not imported: they give no access", n, plural(n, "enrollment", "enrollments")))
	}
	slices.SortFunc(fresh, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.place.class, b.place.class), cmp.Compare(a.place.person, b.place.person),
			compareBool(a.place.teacher, b.place.teacher), strings.Compare(a.key, b.key))
	})
	moved := make(map[int64]bool, len(im.enrollMoves))
	for _, id := range im.enrollMoves {
		moved[id] = true
	}
	for i, p := range fresh {
		clash := ""
		if i > 0 && fresh[i-1].place == p.place {
			clash = fresh[i-1].key
		} else if h, held := holder(p.place); held && h != p.own && im.claimed[h] && !moved[t.recs[h].ID] {
			// Held by an enrollment of the package that stays there.
			clash = ExportID("enrollment", t.recs[h].ID, t.recs[h].SourcedID)
		}
		if clash != "" {
			im.addProblem(Enrollments.File(), "userSourcedId", "enrollment %q: enrollment %q already puts this user in class %q as %s",
				p.key, clash, im.classKey(p.place.class), roleName(p.place.teacher))
		}
	}
	return nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// planEnrollment plans one enrollment and passes its place to placed.
func (im *rosterImport) planEnrollment(e *Enrollment, role roster.EnrollmentRole, holder func(placeKey) (int32, bool), placed func(placeKey, int32)) error {
	t := im.enrollments
	class, ok, retired := im.classes.ref(im, e.ClassSourcedID)
	if !ok || retired {
		im.missing(Enrollments, "enrollment", e.SourcedID, "classSourcedId", "class", e.ClassSourcedID, retired)
		return nil
	}
	person, ok, retired := im.people.ref(im, e.UserSourcedID)
	if !ok || retired {
		im.missing(Enrollments, "enrollment", e.SourcedID, "userSourcedId", "user", e.UserSourcedID, retired)
		return nil
	}
	teacher := role == roster.EnrolledTeacher
	need := roster.RoleStudent
	if teacher {
		need = roster.RoleTeacher
	}
	if roles := im.rolesOf(person); !slices.Contains(roles, need) {
		// Spec-valid, and common in exports: the enrollment is left out
		// rather than give the person a relation their role does not
		// (docs/privacy.md). A stored enrollment it had is retired as a
		// bulk file's missing rows are.
		im.mismatched++
		if j, ok := t.stored[e.SourcedID]; ok {
			im.claimed[j] = false
			im.retire(Enrollments, e.SourcedID)
		}
		return nil
	}
	row := importplan.Enrollment{Class: class, Person: person, Teacher: teacher, Primary: e.Primary != nil && *e.Primary, Begin: importplan.NoTime, End: importplan.NoTime}
	if !e.BeginDate.IsZero() {
		row.Begin = e.BeginDate.Time().UnixMicro()
	}
	if !e.EndDate.IsZero() {
		row.End = e.EndDate.Time().UnixMicro()
	}
	place := placeKey{class, person, teacher}
	j, hasOld := t.stored[e.SourcedID]
	takeOver := false
	fresh := !hasOld || placeOf(t.recs[j].Row) != place
	if fresh {
		if h, held := holder(place); held && (!hasOld || h != j) {
			switch {
			case im.claimed[h]:
				// Held by an enrollment of the package that moves away.
			case !hasOld:
				j, hasOld, takeOver = h, true, true
				im.claimed[h] = true
			default:
				im.addProblem(Enrollments.File(), "userSourcedId", "enrollment %q: the user is already in class %q as %s by enrollment %q, which this package does not have",
					e.SourcedID, e.ClassSourcedID, role, ExportID("enrollment", t.recs[h].ID, t.recs[h].SourcedID))
				return nil
			}
		}
		own := int32(-1)
		if hasOld {
			own = j
		}
		placed(place, own)
	}
	switch {
	case !hasOld:
		id, err := t.ids(t.table)
		if err != nil {
			return err
		}
		t.writes = append(t.writes, importplan.Record[importplan.Enrollment]{ID: id, SourcedID: e.SourcedID, Row: row})
		im.plan.Created[t.kind]++
	case takeOver || t.recs[j].Retired || t.recs[j].Row != row:
		old := &t.recs[j]
		sourced := old.SourcedID
		if takeOver {
			sourced = e.SourcedID
		}
		if placeOf(old.Row) != place {
			im.enrollMoves = append(im.enrollMoves, old.ID)
		}
		t.writes = append(t.writes, importplan.Record[importplan.Enrollment]{ID: old.ID, SourcedID: sourced, Row: row})
		im.plan.Updated[t.kind]++
	default:
		im.plan.Unchanged[t.kind]++
	}
	return nil
}

func placeOf(r importplan.Enrollment) placeKey { return placeKey{r.Class, r.Person, r.Teacher} }

func (im *rosterImport) classKey(id int64) string {
	if rec, ok := im.classes.getID(id); ok {
		return ExportID("class", rec.ID, rec.SourcedID)
	}
	for key, pid := range im.classes.planned {
		if pid == id {
			return key
		}
	}
	return fmt.Sprint(id)
}

// planLinks works out the guardian links: those the package gives, and,
// when users.csv is in bulk, the removal of links between its users that
// it no longer gives.
func (im *rosterImport) planLinks() error {
	want := map[importplan.GuardianLink]string{}
	var order []importplan.GuardianLink
	add := func(g, s int64, rel string) {
		k := importplan.GuardianLink{Guardian: g, Student: s}
		if _, ok := want[k]; !ok {
			order = append(order, k)
			want[k] = rel
		}
	}
	for _, l := range im.d.GuardianLinks {
		g, ok1, r1 := im.people.ref(im, l.GuardianSourcedID)
		s, ok2, r2 := im.people.ref(im, l.StudentSourcedID)
		if !ok1 || !ok2 || r1 || r2 {
			continue // the person was refused above
		}
		add(g, s, l.Relationship)
	}
	if im.ro.Mode(Users.File()) == Delta {
		// A delta user may name a guardian or student the delta does not
		// carry.
		relOf := map[int64]string{}
		for k, rel := range im.links {
			if rel != "" {
				relOf[k.Guardian] = rel
			}
		}
		for _, l := range im.d.GuardianLinks {
			if g, ok, _ := im.people.ref(im, l.GuardianSourcedID); ok && l.Relationship != "" {
				relOf[g] = l.Relationship
			}
		}
		for _, u := range im.ro.Users {
			if u.Status != Active {
				continue
			}
			me, ok, retired := im.people.ref(im, u.SourcedID)
			if !ok || retired {
				continue
			}
			mine := im.rolesOf(me)
			for _, a := range u.AgentSourcedIDs {
				other, ok, retired := im.people.ref(im, a)
				if !ok || retired {
					continue
				}
				theirs := im.rolesOf(other)
				switch {
				case slices.Contains(mine, roster.RoleStudent) && slices.Contains(theirs, roster.RoleGuardian):
					add(other, me, relOf[other])
				case slices.Contains(mine, roster.RoleGuardian) && slices.Contains(theirs, roster.RoleStudent):
					add(me, other, relOf[me])
				}
			}
		}
	}
	for _, k := range order {
		rel := want[k]
		old, ok := im.links[k]
		switch {
		case !ok:
			im.plan.Created["guardian links"]++
		case old != rel:
			im.plan.Updated["guardian links"]++
		default:
			im.plan.Unchanged["guardian links"]++
			continue
		}
		im.plan.Links = append(im.plan.Links, importplan.LinkWrite{GuardianLink: k, Relationship: rel})
	}
	if im.ro.Mode(Users.File()) == Bulk {
		inFile := map[int64]bool{}
		for key := range im.inFile[Users] {
			if id, ok := im.people.planned[key]; ok {
				inFile[id] = true
			} else if rec, ok := im.people.get(key); ok {
				inFile[rec.ID] = true
			}
		}
		for k := range im.links {
			if _, keep := want[k]; !keep && inFile[k.Guardian] && inFile[k.Student] {
				im.plan.LinkRemoves = append(im.plan.LinkRemoves, k)
			}
		}
		slices.SortFunc(im.plan.LinkRemoves, compareLinks)
	}
	return nil
}

// sameJSONSet reports whether two JSON lists hold the same values, in any
// order.
func sameJSONSet(a, b string) bool {
	if a == b {
		return true
	}
	var x, y []json.RawMessage
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil || len(x) != len(y) {
		return false
	}
	xs, ys := make([]string, len(x)), make([]string, len(y))
	for i := range x {
		xs[i], ys[i] = string(x[i]), string(y[i])
	}
	slices.Sort(xs)
	slices.Sort(ys)
	return slices.Equal(xs, ys)
}
func (im *rosterImport) planDemographics() error {
	list := im.d.Demographics
	// ToDomain keeps demographics of the students of the package only; a
	// delta's demographics of a stored student are mapped here the same
	// way.
	have := map[string]bool{}
	for _, dm := range list {
		have[dm.StudentSourcedID] = true
	}
	var extra []Demographic
	var users []User
	var roles []Role
	for _, dm := range im.ro.Demographics {
		if dm.Status != Active || have[dm.SourcedID] {
			continue
		}
		id, ok, retired := im.people.ref(im, dm.SourcedID)
		if !ok || retired || !slices.Contains(im.rolesOf(id), roster.RoleStudent) {
			continue
		}
		extra = append(extra, dm)
		u := User{Record: Record{SourcedID: dm.SourcedID, Status: Active}, GivenName: "stand-in"}
		if im.ro.Version == Version11 {
			u.Role = "student"
		} else {
			roles = append(roles, Role{Record: Record{SourcedID: "stand-in:" + dm.SourcedID, Status: Active},
				UserSourcedID: dm.SourcedID, RoleType: "primary", Role: "student"})
		}
		users = append(users, u)
	}
	if len(extra) > 0 {
		mini := &Roster{Version: im.ro.Version, Manifest: im.ro.Manifest, Users: users, Roles: roles, Demographics: extra}
		list = append(slices.Clip(list), mini.ToDomain().Demographics...)
	}
	for _, dm := range list {
		id, ok, retired := im.people.ref(im, dm.StudentSourcedID)
		if !ok || retired {
			continue // the person was refused above
		}
		row := importplan.DemographicsRowOf(dm.Demographics)
		old, exists := im.demos[id]
		switch {
		case !exists:
			im.plan.Created["demographics"]++
		case old != row:
			im.plan.Updated["demographics"]++
		default:
			im.plan.Unchanged["demographics"]++
			continue
		}
		im.plan.Demographics = append(im.plan.Demographics, importplan.DemographicsWrite{Student: id, Demographics: dm.Demographics})
	}
	for sid := range im.retiring[Demographics] {
		if rec, ok := im.people.get(sid); ok {
			if _, has := im.demos[rec.ID]; has {
				im.plan.DemographicsRemoves = append(im.plan.DemographicsRemoves, rec.ID)
			}
		}
	}
	slices.Sort(im.plan.DemographicsRemoves)
	return nil
}

// planRetirements works out what this import retires.
func (im *rosterImport) planRetirements() {
	p := im.plan
	idsOf := func(e Entity, stored func(key string) (int64, bool, bool)) []int64 {
		var out []int64
		for key := range im.retiring[e] {
			if id, ok, retired := stored(key); ok && !retired {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	p.RetireSchools = idsOf(Orgs, im.schools.storedRec)
	if org := ExportID("district", im.district.ID, im.district.SourcedID); im.retiring[Orgs][org] {
		p.Warnings = append(p.Warnings, fmt.Sprintf("orgs.csv: the district org %q is gone from the package: the district itself is never retired", org))
	}
	p.RetireTerms = idsOf(AcademicSessions, im.terms.storedRec)
	p.RetireCourses = idsOf(Courses, im.courses.storedRec)
	p.RetireClasses = idsOf(Classes, im.classes.storedRec)
	p.RetirePeople = idsOf(Users, im.people.storedRec)
	var enrollments []int64
	for key := range im.retiring[Enrollments] {
		if i, ok := im.enrollments.stored[key]; ok && !im.enrollments.recs[i].Retired && !im.claimed[i] {
			enrollments = append(enrollments, im.enrollments.recs[i].ID)
		}
	}
	// The enrollments of people and classes retired go with them.
	gone := map[int64]bool{}
	for _, id := range p.RetirePeople {
		gone[id] = true
	}
	goneClass := map[int64]bool{}
	for _, id := range p.RetireClasses {
		goneClass[id] = true
	}
	if len(gone)+len(goneClass) > 0 {
		for i, rec := range im.enrollments.recs {
			if !rec.Retired && !im.claimed[i] && (gone[rec.Row.Person] || goneClass[rec.Row.Class]) {
				enrollments = append(enrollments, rec.ID)
			}
		}
	}
	slices.Sort(enrollments)
	p.RetireEnrollments = slices.Compact(enrollments)
	// A retired guardian no longer sees the student, nor is seen as theirs.
	for k := range im.links {
		if gone[k.Guardian] || gone[k.Student] {
			if !slices.Contains(p.LinkRemoves, k) {
				p.RetiredLinks = append(p.RetiredLinks, k)
			}
		}
	}
	slices.SortFunc(p.RetiredLinks, compareLinks)
}

func compareLinks(a, b importplan.GuardianLink) int {
	return cmp.Or(cmp.Compare(a.Guardian, b.Guardian), cmp.Compare(a.Student, b.Student))
}

// storedRec says whether the stored record key exists, its id, and
// whether it is already retired or kept by the import (so not to retire).
func (t *kindTable[T]) storedRec(key string) (int64, bool, bool) {
	rec, ok := t.get(key)
	if !ok {
		return 0, false, false
	}
	_, planned := t.planned[key]
	return rec.ID, true, rec.Retired || planned
}

// compareSnapshot goes through what earlier imports brought, a record at
// a time, against the package, as Diff does without holding both:
// im.pending keeps the package's records that are new or changed, and the
// records a bulk file no longer has are marked for retiring.
func (im *rosterImport) compareSnapshot() error {
	im.pending = im.ro.Snapshot()
	if im.snap.EachKept == nil {
		return nil
	}
	return im.snap.EachKept(func(k importplan.KeptHash) {
		e := Entity(k.Entity)
		mode := im.ro.Mode(e.File())
		if mode == Absent {
			return
		}
		cur, ok := im.pending[e][k.SourcedID]
		switch {
		case ok && cur == k.Hash:
			delete(im.pending[e], k.SourcedID)
		case ok:
			// Changed: it stays pending.
		case mode == Bulk && !im.ro.IsHeld(e, k.SourcedID):
			im.retire(e, k.SourcedID)
		}
	})
}

// planKept plans what the store keeps of this import, for the next one to
// compare with: each record as read, for exports (Kept).
func (im *rosterImport) planKept() {
	for _, e := range AllEntities {
		pending := im.pending[e]
		k := importplan.KeptRecords{Entity: string(e), Forget: sortedKeys(im.retiring[e]), Count: len(pending)}
		if len(k.Forget)+k.Count == 0 {
			continue
		}
		ro := im.ro
		k.Keep = func() ([]string, []uint64, func(i int) (string, error)) {
			keep := sortedKeys(pending)
			hashes := make([]uint64, len(keep))
			for i, id := range keep {
				hashes[i] = pending[id]
			}
			n, row := ro.Rows(e)
			at := make(map[string]int, len(keep))
			for j := range n {
				if id, active, _ := row(j); active {
					if _, ok := pending[id]; ok {
						at[id] = j
					}
				}
			}
			return keep, hashes, func(i int) (string, error) {
				j, ok := at[keep[i]]
				if !ok {
					return "", nil
				}
				_, _, rec := row(j)
				b, err := json.Marshal(rec)
				return string(b), err
			}
		}
		im.plan.Kept = append(im.plan.Kept, k)
	}
}
