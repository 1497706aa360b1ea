package oneroster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/roster"
)

// Domain is a roster in cairn's terms, keyed by sourcedId: what the store
// creates or updates, each record carrying the sourcedIds of the records it
// refers to for the store to resolve to ids. Only active records are here;
// Diff says which to retire.
type Domain struct {
	District      *roster.District `json:"district,omitempty"`
	Schools       []roster.School  `json:"schools,omitempty"`
	Terms         []TermRef        `json:"terms,omitempty"`
	Courses       []CourseRef      `json:"courses,omitempty"`
	Classes       []ClassRef       `json:"classes,omitempty"`
	People        []PersonRef      `json:"people,omitempty"`
	Enrollments   []EnrollmentRef  `json:"enrollments,omitempty"`
	GuardianLinks []GuardianLink   `json:"guardianLinks,omitempty"`
	Demographics  []DemographicRef `json:"demographics,omitempty"`
	// Skipped says what OneRoster has that cairn does not keep: orgs that
	// are neither a district nor a school, users with only roles cairn has
	// no use for (proctor), enrollments as administrator or proctor.
	Skipped []string `json:"skipped,omitempty"`
}

// TermRef is a roster.Term with its parent's sourcedId.
type TermRef struct {
	roster.Term
	ParentSourcedID string `json:"parentSourcedId,omitempty"`
}

// CourseRef is a roster.Course with its school's sourcedId ("" for a
// course of the whole district).
type CourseRef struct {
	roster.Course
	SchoolSourcedID string `json:"schoolSourcedId,omitempty"`
}

// ClassRef is a roster.Class with the sourcedIds of its school, course and
// term. A OneRoster class may run over several terms; cairn keeps the
// first.
type ClassRef struct {
	roster.Class
	SchoolSourcedID string `json:"schoolSourcedId"`
	CourseSourcedID string `json:"courseSourcedId"`
	TermSourcedID   string `json:"termSourcedId"`
}

// PersonRef is a roster.Person with the sourcedIds of their schools.
type PersonRef struct {
	roster.Person
	SchoolSourcedIDs []string `json:"schoolSourcedIds,omitempty"`
}

// EnrollmentRef is a roster.Enrollment with the sourcedIds of its class and
// person.
type EnrollmentRef struct {
	roster.Enrollment
	ClassSourcedID  string `json:"classSourcedId"`
	PersonSourcedID string `json:"personSourcedId"`
}

// GuardianLink says that a guardian is responsible for a student, by
// sourcedIds. Relationship is the guardian's OneRoster role: parent,
// guardian or relative.
type GuardianLink struct {
	GuardianSourcedID string `json:"guardianSourcedId"`
	StudentSourcedID  string `json:"studentSourcedId"`
	Relationship      string `json:"relationship,omitempty"`
}

// DemographicRef is a roster.Demographics with its student's sourcedId.
type DemographicRef struct {
	roster.Demographics
	StudentSourcedID string `json:"studentSourcedId"`
}

// MapRole says which cairn role a OneRoster role gives, and false for
// roles cairn has no use for. orgTypes are the types of the organisations
// the role is held in, which decide what a 1.1 administrator is.
//
//	OneRoster role                             cairn role
//	student                                    student
//	teacher                                    teacher
//	aide                                       teacher: an aide works in classes; what a
//	                                           teacher sees is limited to the classes they
//	                                           are enrolled in, so an aide sees no more
//	guardian, parent, relative                 guardian
//	administrator (1.1), in a district,        district_admin
//	  state or national org
//	administrator (1.1), otherwise             school_admin
//	districtAdministrator, systemAdministrator district_admin
//	siteAdministrator, principal               school_admin
//	counselor                                  coach: supports students across a school
//	proctor, ext:...                           none
func MapRole(role string, orgTypes []string) (roster.Role, bool) {
	switch role {
	case "student":
		return roster.RoleStudent, true
	case "teacher", "aide":
		return roster.RoleTeacher, true
	case "guardian", "parent", "relative":
		return roster.RoleGuardian, true
	case "administrator":
		for _, t := range orgTypes {
			if t == "district" || t == "state" || t == "national" {
				return roster.RoleDistrictAdmin, true
			}
		}
		return roster.RoleSchoolAdmin, true
	case "districtAdministrator", "systemAdministrator":
		return roster.RoleDistrictAdmin, true
	case "siteAdministrator", "principal":
		return roster.RoleSchoolAdmin, true
	case "counselor":
		return roster.RoleCoach, true
	}
	return "", false
}

// NeedsRole is the role a person must hold for an enrollment as role to
// be imported: a student's for a student enrollment, a teacher's for a
// teacher enrollment.
func NeedsRole(role roster.EnrollmentRole) roster.Role {
	if role == roster.EnrolledTeacher {
		return roster.RoleTeacher
	}
	return roster.RoleStudent
}

// The metadata columns in which cairn writes what OneRoster has no column
// for, so that an export re-imports identically.
const (
	metaLanguage       = "metadata.cairn.language"
	metaEnglishLearner = "metadata.cairn.englishLearner"
	metaDisability     = "metadata.cairn.disability"
	metaEconomically   = "metadata.cairn.economicallyDisadvantaged"
	// metaRelationship, on a guardian, is their relationship to their
	// students when the OneRoster role does not say it ("mother" of a
	// parent), as "studentSourcedId=relationship,..." when it differs by
	// student.
	metaRelationship = "metadata.cairn.relationship"
)

// ToDomain maps the active records of r to cairn's roster types.
func (r *Roster) ToDomain() *Domain {
	d := &Domain{}
	orgType := map[string]string{}
	for _, o := range r.Orgs {
		if o.Status != Active {
			continue
		}
		orgType[o.SourcedID] = o.Type
		switch o.Type {
		case "district":
			if d.District != nil {
				d.Skipped = append(d.Skipped, fmt.Sprintf("org %q: a second district (cairn runs one district; kept %q)", o.SourcedID, d.District.SourcedID))
				continue
			}
			d.District = &roster.District{SourcedID: o.SourcedID, Name: o.Name}
		case "school":
			d.Schools = append(d.Schools, roster.School{SourcedID: o.SourcedID, Name: o.Name})
		default:
			d.Skipped = append(d.Skipped, fmt.Sprintf("org %q: type %s (cairn keeps districts and schools)", o.SourcedID, o.Type))
		}
	}
	school := func(id string) string {
		if orgType[id] == "school" {
			return id
		}
		return ""
	}
	for _, s := range r.AcademicSessions {
		if s.Status != Active {
			continue
		}
		typ := roster.TermType(s.Type)
		switch typ {
		case roster.TermSchoolYear, roster.TermSemester, roster.TermTerm, roster.TermGradingPeriod:
		default:
			d.Skipped = append(d.Skipped, fmt.Sprintf("academic session %q: type %s", s.SourcedID, s.Type))
			continue
		}
		d.Terms = append(d.Terms, TermRef{
			Term:            roster.Term{SourcedID: s.SourcedID, Title: s.Title, Type: typ, StartDate: s.StartDate.Time(), EndDate: s.EndDate.Time()},
			ParentSourcedID: s.ParentSourcedID,
		})
	}
	for _, c := range r.Courses {
		if c.Status != Active {
			continue
		}
		d.Courses = append(d.Courses, CourseRef{
			Course:          roster.Course{SourcedID: c.SourcedID, Title: c.Title, Code: c.CourseCode, Grades: c.Grades},
			SchoolSourcedID: school(c.OrgSourcedID),
		})
	}
	for _, c := range r.Classes {
		if c.Status != Active {
			continue
		}
		ref := ClassRef{
			Class:           roster.Class{SourcedID: c.SourcedID, Title: c.Title, Code: c.ClassCode, Period: join(c.Periods)},
			SchoolSourcedID: c.SchoolSourcedID,
			CourseSourcedID: c.CourseSourcedID,
		}
		if len(c.TermSourcedIDs) > 0 {
			ref.TermSourcedID = c.TermSourcedIDs[0]
		}
		d.Classes = append(d.Classes, ref)
	}

	// People and their roles.
	type held struct {
		roles     []roster.Role
		oneroster []string // OneRoster roles, for guardian relationships
		schools   []string
	}
	roles := map[string]*held{}
	hold := func(user, role string, orgs []string) {
		h := roles[user]
		if h == nil {
			h = &held{}
			roles[user] = h
		}
		types := make([]string, len(orgs))
		for i, o := range orgs {
			types[i] = orgType[o]
			if s := school(o); s != "" && !slices.Contains(h.schools, s) {
				h.schools = append(h.schools, s)
			}
		}
		h.oneroster = append(h.oneroster, role)
		if cr, ok := MapRole(role, types); ok && !slices.Contains(h.roles, cr) {
			h.roles = append(h.roles, cr)
		}
	}
	for _, u := range r.Users {
		if u.Status == Active && u.Role != "" {
			hold(u.SourcedID, u.Role, u.OrgSourcedIDs)
		}
	}
	for _, pass := range []string{"primary", "secondary"} {
		for _, ro := range r.Roles {
			if ro.Status == Active && ro.RoleType == pass {
				hold(ro.UserSourcedID, ro.Role, []string{ro.OrgSourcedID})
			}
		}
	}
	isStudent := map[string]bool{}
	relationship := map[string]string{}
	for _, u := range r.Users {
		if u.Status != Active {
			continue
		}
		h := roles[u.SourcedID]
		if h == nil || len(h.roles) == 0 {
			var had []string
			if h != nil {
				had = h.oneroster
			}
			d.Skipped = append(d.Skipped, fmt.Sprintf("user %q: no role cairn uses (%s)", u.SourcedID, strings.Join(had, ", ")))
			continue
		}
		if s := school(u.PrimaryOrgSourcedID); s != "" && !slices.Contains(h.schools, s) {
			h.schools = append([]string{s}, h.schools...)
		}
		p := roster.Person{
			SourcedID:  u.SourcedID,
			GivenName:  cmpOr(u.PreferredGivenName, u.GivenName),
			FamilyName: cmpOr(u.PreferredFamilyName, u.FamilyName),
			Email:      u.Email,
			Username:   u.Username,
			Roles:      h.roles,
			Language:   u.Metadata[metaLanguage],
		}
		if len(u.Grades) > 0 {
			p.Grade = u.Grades[0]
		}
		d.People = append(d.People, PersonRef{Person: p, SchoolSourcedIDs: h.schools})
		isStudent[u.SourcedID] = p.Has(roster.RoleStudent)
		if p.Has(roster.RoleGuardian) {
			for _, o := range h.oneroster {
				if o == "guardian" || o == "parent" || o == "relative" {
					relationship[u.SourcedID] = o
					break
				}
			}
		}
	}

	// Guardians from agentSourcedIds, whichever side lists the other; the
	// relationship is the guardian's OneRoster role, or what cairn wrote of
	// it in metadata.cairn.relationship ("mother").
	exact := map[string]string{}
	for _, u := range r.Users {
		if m := u.Metadata[metaRelationship]; m != "" && u.Status == Active {
			exact[u.SourcedID] = m
		}
	}
	seen := map[[2]string]bool{}
	link := func(guardian, student string) {
		k := [2]string{guardian, student}
		if seen[k] {
			return
		}
		seen[k] = true
		rel := cmpOr(relationshipOf(exact[guardian], student), relationship[guardian])
		d.GuardianLinks = append(d.GuardianLinks, GuardianLink{GuardianSourcedID: guardian, StudentSourcedID: student, Relationship: rel})
	}
	for _, u := range r.Users {
		if u.Status != Active {
			continue
		}
		for _, a := range u.AgentSourcedIDs {
			switch {
			case isStudent[u.SourcedID] && relationship[a] != "":
				link(a, u.SourcedID)
			case relationship[u.SourcedID] != "" && isStudent[a]:
				link(u.SourcedID, a)
			}
		}
	}

	skippedEnrollments := map[string]int{}
	personRoles := map[string][]roster.Role{}
	for _, p := range d.People {
		personRoles[p.SourcedID] = p.Roles
	}
	for _, e := range r.Enrollments {
		if e.Status != Active {
			continue
		}
		role, ok := enrollmentRole(e.Role)
		if !ok {
			skippedEnrollments[e.Role]++
			continue
		}
		// An enrollment gives access only as the person's own role allows:
		// a student enrolled as a teacher does not become the class's
		// teacher (see docs/privacy.md).
		if held, ok := personRoles[e.UserSourcedID]; ok && !slices.Contains(held, NeedsRole(role)) {
			d.Skipped = append(d.Skipped, fmt.Sprintf("enrollment %q: user %q is enrolled as %s but is not a %s", e.SourcedID, e.UserSourcedID, role, NeedsRole(role)))
			continue
		}
		en := roster.Enrollment{SourcedID: e.SourcedID, Role: role, Primary: e.Primary != nil && *e.Primary}
		if !e.BeginDate.IsZero() {
			t := e.BeginDate.Time()
			en.BeginDate = &t
		}
		if !e.EndDate.IsZero() {
			t := e.EndDate.Time()
			en.EndDate = &t
		}
		d.Enrollments = append(d.Enrollments, EnrollmentRef{Enrollment: en, ClassSourcedID: e.ClassSourcedID, PersonSourcedID: e.UserSourcedID})
	}
	for _, role := range sortedKeys(skippedEnrollments) {
		d.Skipped = append(d.Skipped, fmt.Sprintf("%d %s as %s (cairn enrolls students and teachers)", skippedEnrollments[role], plural(skippedEnrollments[role], "enrollment", "enrollments"), role))
	}

	for _, dm := range r.Demographics {
		if dm.Status != Active {
			continue
		}
		if !isStudent[dm.SourcedID] {
			d.Skipped = append(d.Skipped, fmt.Sprintf("demographics of %q: cairn keeps demographics of students only", dm.SourcedID))
			continue
		}
		x := roster.Demographics{
			Sex:                       dm.Sex,
			HispanicOrLatino:          dm.HispanicOrLatinoEthnicity,
			EnglishLearner:            metaBool(dm.Metadata[metaEnglishLearner]),
			Disability:                metaBool(dm.Metadata[metaDisability]),
			EconomicallyDisadvantaged: metaBool(dm.Metadata[metaEconomically]),
		}
		if !dm.BirthDate.IsZero() {
			t := dm.BirthDate.Time()
			x.BirthDate = &t
		}
		for _, race := range raceFlags {
			if b := race.get(&dm); b != nil && *b {
				x.Races = append(x.Races, race.name)
			}
		}
		d.Demographics = append(d.Demographics, DemographicRef{Demographics: x, StudentSourcedID: dm.SourcedID})
	}
	return d
}

// raceFlags are OneRoster's race columns; cairn keeps the names of those
// that are true.
var raceFlags = []struct {
	name string
	get  func(*Demographic) *bool
	set  func(*Demographic, *bool)
}{
	{"americanIndianOrAlaskaNative", func(d *Demographic) *bool { return d.AmericanIndianOrAlaskaNative }, func(d *Demographic, b *bool) { d.AmericanIndianOrAlaskaNative = b }},
	{"asian", func(d *Demographic) *bool { return d.Asian }, func(d *Demographic, b *bool) { d.Asian = b }},
	{"blackOrAfricanAmerican", func(d *Demographic) *bool { return d.BlackOrAfricanAmerican }, func(d *Demographic, b *bool) { d.BlackOrAfricanAmerican = b }},
	{"nativeHawaiianOrOtherPacificIslander", func(d *Demographic) *bool { return d.NativeHawaiianOrOtherPacificIslander }, func(d *Demographic, b *bool) { d.NativeHawaiianOrOtherPacificIslander = b }},
	{"white", func(d *Demographic) *bool { return d.White }, func(d *Demographic, b *bool) { d.White = b }},
	{"demographicRaceTwoOrMoreRaces", func(d *Demographic) *bool { return d.DemographicRaceTwoOrMoreRaces }, func(d *Demographic, b *bool) { d.DemographicRaceTwoOrMoreRaces = b }},
}

func metaBool(s string) *bool {
	switch strings.ToLower(s) {
	case "true":
		return &yes
	case "false":
		return &no
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// District is a district's roster as the store holds it, for export.
type District struct {
	importplan.RosterRecords
	// Kept are the records as the district's imports read them, or nil.
	Kept *Kept
}

// FromDistrict builds the OneRoster 1.2 roster of a district: orgs (the
// district and its schools), academic sessions, courses, classes, users
// with their roles, user profiles, demographics and enrollments. A record
// without a sourcedId (created in cairn) gets "cairn-<kind>-<id>". Roles
// map back as MapRole maps them in: coach becomes counselor, school_admin
// siteAdministrator, district_admin districtAdministrator, and a guardian
// is a parent, relative or guardian as their links say (the exact
// relationship, "mother", in metadata.cairn.relationship).
//
// A record the district's imports kept (d.Kept) is written as it was read,
// with what cairn holds of it (names, codes, dates, roles, links) put in:
// its identifiers, userIds, user profiles, role rows, metadata and date of
// last modification come back unchanged while cairn holds the same of it.
// A record new or changed since has no dateLastModified, and Write dates
// it with the export's time.
func FromDistrict(d District) (*Roster, error) {
	sid := func(kind string, id int64, sourced string) string {
		if sourced != "" {
			return sourced
		}
		return fmt.Sprintf("cairn-%s-%d", kind, id)
	}
	k := d.Kept
	if k == nil {
		k = &Kept{}
	}
	k.sortKept()
	r := &Roster{Version: Version12, Manifest: Manifest{ManifestVersion: "1.0", OneRosterVersion: Version12, Files: map[string]Mode{}}}
	active := Record{Status: Active}
	rec := func(id string) Record { x := active; x.SourcedID = id; return x }
	// base is the kept record, active, or a new one.
	keptRecord := func(r Record, found bool, id string) Record {
		if !found {
			return rec(id)
		}
		r.Status = Active
		r.Metadata = cloneMeta(r.Metadata)
		return r
	}

	districtID := sid("district", d.District.ID, d.District.SourcedID)
	orgType := map[string]string{districtID: "district"}
	{
		// The district's own org keeps the name its information system
		// gave it: cairn's name for the district is the server's.
		o, found := k.Orgs[districtID]
		if !found || o.Type != "district" {
			o, found = Org{Name: d.District.Name}, false
		}
		o.Record, o.Type = keptRecord(o.Record, found, districtID), "district"
		if o.ParentSourcedID != "" {
			o.ParentSourcedID = ""
		}
		r.Orgs = append(r.Orgs, o)
	}
	schools := map[int64]string{}
	for _, s := range d.Schools {
		schools[s.ID] = sid("school", s.ID, s.SourcedID)
		orgType[schools[s.ID]] = "school"
	}
	for _, s := range d.Schools {
		id := schools[s.ID]
		kept, found := k.Orgs[id]
		o := kept
		if !found {
			o = Org{ParentSourcedID: districtID}
		}
		o.Record, o.Name, o.Type = keptRecord(o.Record, found, id), s.Name, "school"
		if _, ok := orgType[o.ParentSourcedID]; !ok || o.ParentSourcedID == id {
			o.ParentSourcedID = districtID
		}
		dated(Orgs, &o, &kept, found)
		r.Orgs = append(r.Orgs, o)
	}
	terms := map[int64]string{}
	exportedTerm := map[string]bool{}
	for _, t := range d.Terms {
		terms[t.ID] = sid("term", t.ID, t.SourcedID)
		exportedTerm[terms[t.ID]] = true
	}
	for _, t := range d.Terms {
		id := terms[t.ID]
		kept, found := k.AcademicSessions[id]
		s := kept
		s.Record = keptRecord(kept.Record, found, id)
		s.Title, s.Type, s.StartDate, s.EndDate = t.Title, string(t.Type), DateOf(t.StartDate), DateOf(t.EndDate)
		if !found || s.SchoolYear == "" {
			s.SchoolYear = fmt.Sprint(t.EndDate.Year())
		}
		s.ParentSourcedID = ""
		if t.ParentID != nil {
			s.ParentSourcedID = terms[*t.ParentID]
		}
		dated(AcademicSessions, &s, &kept, found)
		r.AcademicSessions = append(r.AcademicSessions, s)
	}
	courses := map[int64]string{}
	for _, c := range d.Courses {
		courses[c.ID] = sid("course", c.ID, c.SourcedID)
		org := districtID
		if c.SchoolID != nil {
			org = schools[*c.SchoolID]
		}
		kept, found := k.Courses[courses[c.ID]]
		co := kept
		co.Record = keptRecord(kept.Record, found, courses[c.ID])
		co.Title, co.CourseCode, co.OrgSourcedID = c.Title, c.Code, org
		if !slices.Equal(co.Grades, c.Grades) {
			co.Grades = c.Grades
		}
		if !exportedTerm[co.SchoolYearSourcedID] {
			co.SchoolYearSourcedID = ""
		}
		dated(Courses, &co, &kept, found)
		r.Courses = append(r.Courses, co)
	}
	classes := map[int64]string{}
	for _, c := range d.Classes {
		classes[c.ID] = sid("class", c.ID, c.SourcedID)
		kept, found := k.Classes[classes[c.ID]]
		cl := kept
		cl.Record = keptRecord(kept.Record, found, classes[c.ID])
		cl.Title, cl.CourseSourcedID, cl.ClassCode, cl.SchoolSourcedID = c.Title, courses[c.CourseID], c.Code, schools[c.SchoolID]
		if cl.ClassType == "" {
			cl.ClassType = "scheduled"
		}
		if join(cl.Periods) != c.Period {
			cl.Periods = nil
			if c.Period != "" {
				cl.Periods = strings.Split(c.Period, ",")
			}
		}
		// A class may run over several terms; cairn keeps the first.
		keepTerms := len(cl.TermSourcedIDs) > 0 && cl.TermSourcedIDs[0] == terms[c.TermID]
		for _, t := range cl.TermSourcedIDs {
			keepTerms = keepTerms && exportedTerm[t]
		}
		if !keepTerms {
			cl.TermSourcedIDs = []string{terms[c.TermID]}
		}
		dated(Classes, &cl, &kept, found)
		r.Classes = append(r.Classes, cl)
	}
	people := map[int64]string{}
	for _, p := range d.People {
		people[p.ID] = sid("person", p.ID, p.SourcedID)
	}
	agents := map[int64][]string{}
	type link struct{ students, rels []string }
	links := map[int64]*link{}
	for _, g := range d.Guardians {
		agents[g.StudentID] = append(agents[g.StudentID], people[g.GuardianID])
		agents[g.GuardianID] = append(agents[g.GuardianID], people[g.StudentID])
		l := links[g.GuardianID]
		if l == nil {
			l = &link{}
			links[g.GuardianID] = l
		}
		rel := g.Relationship
		if rel == "" {
			rel = "guardian"
		}
		l.students = append(l.students, people[g.StudentID])
		l.rels = append(l.rels, rel)
	}
	for _, p := range d.People {
		id := people[p.ID]
		kept, found := k.Users[id]
		u := kept
		u.Record = keptRecord(kept.Record, found, id)
		u.Role, u.OrgSourcedIDs = "", nil
		if !found {
			u.EnabledUser = true
			u.GivenName, u.FamilyName = p.GivenName, p.FamilyName
		}
		// cairn holds the preferred name when there is one.
		if cmpOr(u.PreferredGivenName, u.GivenName) != p.GivenName {
			if u.PreferredGivenName != "" {
				u.PreferredGivenName = p.GivenName
			} else {
				u.GivenName = p.GivenName
			}
		}
		if cmpOr(u.PreferredFamilyName, u.FamilyName) != p.FamilyName {
			if u.PreferredFamilyName != "" {
				u.PreferredFamilyName = p.FamilyName
			} else {
				u.FamilyName = p.FamilyName
			}
		}
		u.Username, u.Email = p.Username, p.Email
		if first := ""; true {
			if len(u.Grades) > 0 {
				first = u.Grades[0]
			}
			if first != p.Grade {
				u.Grades = nil
				if p.Grade != "" {
					u.Grades = []string{p.Grade}
				}
			}
		}
		if !sameSet(u.AgentSourcedIDs, agents[p.ID]) {
			u.AgentSourcedIDs = agents[p.ID]
		}
		u.Metadata = setMeta(u.Metadata, metaLanguage, p.Language)
		var orgs []string
		for _, s := range p.SchoolIDs {
			orgs = append(orgs, schools[s])
		}
		relationship := ""
		if l := links[p.ID]; l != nil {
			relationship = parentRelationship(l.rels[0])
		}
		var roles []Role
		profiles := map[string]bool{}
		for _, pr := range k.UserProfiles[id] {
			profiles[pr.SourcedID] = true
		}
		primaryOrg := u.PrimaryOrgSourcedID
		if rs, ok := keptRoles(k.Roles[id], p, orgs, orgType, primaryOrg, profiles); ok {
			for _, ro := range rs {
				ro.Record = keptRecord(ro.Record, true, ro.SourcedID)
				roles = append(roles, ro)
			}
			if l := links[p.ID]; l != nil {
				for _, ro := range rs {
					if cr, _ := MapRole(ro.Role, nil); cr == roster.RoleGuardian {
						relationship = ro.Role
						break
					}
				}
			}
		} else {
			roles = generatedRoles(rec, id, p, orgs, districtID, relationship)
		}
		if l := links[p.ID]; l != nil && p.Has(roster.RoleGuardian) {
			u.Metadata = setMeta(u.Metadata, metaRelationship, relationshipMeta(relationship, l.students, l.rels))
		} else {
			u.Metadata = setMeta(u.Metadata, metaRelationship, "")
		}
		if _, ok := orgType[primaryOrg]; !ok || (orgType[primaryOrg] == "school" && !slices.Contains(orgs, primaryOrg)) {
			u.PrimaryOrgSourcedID = districtID
			if len(orgs) > 0 {
				u.PrimaryOrgSourcedID = orgs[0]
			}
		}
		// A OneRoster 1.1 user written as 1.2 is the same user.
		as12 := kept
		if as12.Role != "" || len(as12.OrgSourcedIDs) > 0 {
			as12.Role, as12.OrgSourcedIDs = "", nil
			if as12.PrimaryOrgSourcedID == "" {
				as12.PrimaryOrgSourcedID = u.PrimaryOrgSourcedID
			}
		}
		dated(Users, &u, &as12, found)
		r.Users = append(r.Users, u)
		// In sourcedId order, the order Kept gives them back in.
		slices.SortFunc(roles, func(a, b Role) int { return strings.Compare(a.SourcedID, b.SourcedID) })
		r.Roles = append(r.Roles, roles...)
		for _, pr := range k.UserProfiles[id] {
			pr.Record = keptRecord(pr.Record, true, pr.SourcedID)
			r.UserProfiles = append(r.UserProfiles, pr)
		}
	}
	for _, dm := range d.Demographics {
		id := people[dm.StudentID]
		kept, found := k.Demographics[id]
		x := kept
		x.Record = keptRecord(kept.Record, found, id)
		x.Sex, x.HispanicOrLatinoEthnicity, x.BirthDate = dm.Sex, dm.HispanicOrLatino, 0
		if dm.BirthDate != nil {
			x.BirthDate = DateOf(*dm.BirthDate)
		}
		for _, race := range raceFlags {
			switch was := race.get(&x); {
			case slices.Contains(dm.Races, race.name):
				race.set(&x, &yes)
			case was != nil:
				// An explicit no stays one; a yes cairn no longer
				// holds becomes one.
				race.set(&x, &no)
			}
		}
		for _, m := range []struct {
			key string
			b   *bool
		}{{metaEnglishLearner, dm.EnglishLearner}, {metaDisability, dm.Disability}, {metaEconomically, dm.EconomicallyDisadvantaged}} {
			x.Metadata = setMeta(x.Metadata, m.key, boolCell(m.b))
		}
		dated(Demographics, &x, &kept, found)
		r.Demographics = append(r.Demographics, x)
	}
	classSchool := map[int64]string{}
	for _, c := range d.Classes {
		classSchool[c.ID] = schools[c.SchoolID]
	}
	for _, e := range d.Enrollments {
		id := sid("enrollment", e.ID, e.SourcedID)
		kept, found := k.Enrollments[id]
		en := kept
		en.Record = keptRecord(kept.Record, found, id)
		en.ClassSourcedID, en.SchoolSourcedID, en.UserSourcedID, en.Role = classes[e.ClassID], classSchool[e.ClassID], people[e.PersonID], string(e.Role)
		switch {
		case e.Primary:
			en.Primary = &yes
		case en.Primary != nil:
			en.Primary = &no
		}
		en.BeginDate, en.EndDate = 0, 0
		if e.BeginDate != nil {
			en.BeginDate = DateOf(*e.BeginDate)
		}
		if e.EndDate != nil {
			en.EndDate = DateOf(*e.EndDate)
		}
		dated(Enrollments, &en, &kept, found)
		r.Enrollments = append(r.Enrollments, en)
	}
	for _, e := range AllEntities {
		r.Manifest.Files[e.File()] = Bulk
	}
	return r, nil
}

// generatedRoles makes the role rows of a person from what cairn holds:
// each role in each of the person's schools, or in the district for a
// role held there (a guardian, a district administrator); a person whose
// schools no role is held in (a district administrator who works in two)
// also holds their district role there, so that the schools come back. The
// first row is the primary role.
func generatedRoles(rec func(string) Record, id string, p roster.Person, orgs []string, districtID, relationship string) []Role {
	var out []Role
	covered := map[string]bool{}
	for _, role := range p.Roles {
		if _, scope := exportRole(role, relationship); scope == "school" {
			for _, o := range orgs {
				covered[o] = true
			}
		}
	}
	extra := false
	for i, role := range p.Roles {
		name, scope := exportRole(role, relationship)
		where := orgs
		if scope == "district" || len(where) == 0 {
			where = []string{districtID}
			if !extra {
				extra = true
				for _, o := range orgs {
					if !covered[o] {
						where = append(where, o)
					}
				}
			}
		}
		for j, org := range where {
			typ := "secondary"
			if i == 0 && j == 0 {
				typ = "primary"
			}
			out = append(out, Role{Record: rec(id + "-" + name + "-" + org), UserSourcedID: id, RoleType: typ, Role: name, OrgSourcedID: org})
		}
	}
	return out
}

// exportRole is the OneRoster 1.2 role of a cairn role, and whether it is
// held in the person's schools or the district.
func exportRole(r roster.Role, relationship string) (name, scope string) {
	switch r {
	case roster.RoleStudent:
		return "student", "school"
	case roster.RoleTeacher:
		return "teacher", "school"
	case roster.RoleGuardian:
		return parentRelationship(relationship), "district"
	case roster.RoleCoach:
		return "counselor", "school"
	case roster.RoleSchoolAdmin:
		return "siteAdministrator", "school"
	case roster.RoleDistrictAdmin:
		return "districtAdministrator", "district"
	}
	return "ext:" + string(r), "district"
}

// enrollmentRole is the role in a class an enrollment's role gives: cairn
// keeps students and teachers; false for the others (aides, guardians,
// administrators, proctors), which a roster lists and cairn leaves out.
func enrollmentRole(role string) (roster.EnrollmentRole, bool) {
	switch role {
	case "student":
		return roster.EnrolledStudent, true
	case "teacher":
		return roster.EnrolledTeacher, true
	}
	return "", false
}
