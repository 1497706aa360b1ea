package oneroster

import (
	"fmt"
	"slices"
	"strings"

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

	// Guardians from agentSourcedIds, whichever side lists the other.
	seen := map[[2]string]bool{}
	link := func(guardian, student string) {
		k := [2]string{guardian, student}
		if seen[k] {
			return
		}
		seen[k] = true
		d.GuardianLinks = append(d.GuardianLinks, GuardianLink{GuardianSourcedID: guardian, StudentSourcedID: student, Relationship: relationship[guardian]})
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
		var role roster.EnrollmentRole
		switch e.Role {
		case "student":
			role = roster.EnrolledStudent
		case "teacher":
			role = roster.EnrolledTeacher
		default:
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
	District     roster.District
	Schools      []roster.School
	Terms        []roster.Term
	Courses      []roster.Course
	Classes      []roster.Class
	People       []roster.Person
	Enrollments  []roster.Enrollment
	Guardians    []roster.GuardianLink
	Demographics []roster.Demographics
}

// FromDistrict builds the OneRoster 1.2 roster of a district: orgs (the
// district and its schools), academic sessions, courses, classes, users
// with their roles, demographics and enrollments. A record without a
// sourcedId (created in cairn) gets "cairn-<kind>-<id>". Roles map back as
// MapRole maps them in: coach becomes counselor, school_admin
// siteAdministrator, district_admin districtAdministrator, and a guardian
// is a parent, guardian or relative as their links say.
func FromDistrict(d District) (*Roster, error) {
	sid := func(kind string, id int64, sourced string) string {
		if sourced != "" {
			return sourced
		}
		return fmt.Sprintf("cairn-%s-%d", kind, id)
	}
	r := &Roster{Version: Version12, Manifest: Manifest{ManifestVersion: "1.0", OneRosterVersion: Version12, Files: map[string]Mode{}}}
	active := Record{Status: Active}
	rec := func(id string) Record { x := active; x.SourcedID = id; return x }

	districtID := sid("district", d.District.ID, d.District.SourcedID)
	r.Orgs = append(r.Orgs, Org{Record: rec(districtID), Name: d.District.Name, Type: "district"})
	schools := map[int64]string{}
	for _, s := range d.Schools {
		schools[s.ID] = sid("school", s.ID, s.SourcedID)
		r.Orgs = append(r.Orgs, Org{Record: rec(schools[s.ID]), Name: s.Name, Type: "school", ParentSourcedID: districtID})
	}
	terms := map[int64]string{}
	for _, t := range d.Terms {
		terms[t.ID] = sid("term", t.ID, t.SourcedID)
	}
	for _, t := range d.Terms {
		s := AcademicSession{Record: rec(terms[t.ID]), Title: t.Title, Type: string(t.Type), StartDate: DateOf(t.StartDate), EndDate: DateOf(t.EndDate), SchoolYear: fmt.Sprint(t.EndDate.Year())}
		if t.ParentID != nil {
			s.ParentSourcedID = terms[*t.ParentID]
		}
		r.AcademicSessions = append(r.AcademicSessions, s)
	}
	courses := map[int64]string{}
	for _, c := range d.Courses {
		courses[c.ID] = sid("course", c.ID, c.SourcedID)
		org := districtID
		if c.SchoolID != nil {
			org = schools[*c.SchoolID]
		}
		r.Courses = append(r.Courses, Course{Record: rec(courses[c.ID]), Title: c.Title, CourseCode: c.Code, Grades: c.Grades, OrgSourcedID: org})
	}
	classes := map[int64]string{}
	for _, c := range d.Classes {
		classes[c.ID] = sid("class", c.ID, c.SourcedID)
		cl := Class{Record: rec(classes[c.ID]), Title: c.Title, CourseSourcedID: courses[c.CourseID], ClassCode: c.Code, ClassType: "scheduled",
			SchoolSourcedID: schools[c.SchoolID], TermSourcedIDs: []string{terms[c.TermID]}}
		if c.Period != "" {
			cl.Periods = strings.Split(c.Period, ",")
		}
		r.Classes = append(r.Classes, cl)
	}
	people := map[int64]string{}
	for _, p := range d.People {
		people[p.ID] = sid("person", p.ID, p.SourcedID)
	}
	agents := map[int64][]string{}
	relationship := map[int64]string{}
	for _, g := range d.Guardians {
		agents[g.StudentID] = append(agents[g.StudentID], people[g.GuardianID])
		agents[g.GuardianID] = append(agents[g.GuardianID], people[g.StudentID])
		switch rel := g.Relationship; {
		case relationship[g.GuardianID] == "" && (rel == "parent" || rel == "relative" || rel == "guardian"):
			relationship[g.GuardianID] = rel
		}
	}
	for _, p := range d.People {
		id := people[p.ID]
		u := User{Record: rec(id), EnabledUser: true, Username: p.Username, GivenName: p.GivenName, FamilyName: p.FamilyName, Email: p.Email, AgentSourcedIDs: agents[p.ID]}
		if p.Grade != "" {
			u.Grades = []string{p.Grade}
		}
		if p.Language != "" {
			u.Metadata = map[string]string{metaLanguage: p.Language}
		}
		var orgs []string
		for _, s := range p.SchoolIDs {
			orgs = append(orgs, schools[s])
		}
		u.PrimaryOrgSourcedID = districtID
		if len(orgs) > 0 {
			u.PrimaryOrgSourcedID = orgs[0]
		}
		r.Users = append(r.Users, u)
		for i, role := range p.Roles {
			name, scope := exportRole(role, relationship[p.ID])
			where := orgs
			if scope == "district" || len(where) == 0 {
				where = []string{districtID}
			}
			for j, org := range where {
				typ := "secondary"
				if i == 0 && j == 0 {
					typ = "primary"
				}
				r.Roles = append(r.Roles, Role{Record: rec(id + "-" + name + "-" + org), UserSourcedID: id, RoleType: typ, Role: name, OrgSourcedID: org})
			}
		}
	}
	for _, dm := range d.Demographics {
		x := Demographic{Record: rec(people[dm.StudentID]), Sex: dm.Sex, HispanicOrLatinoEthnicity: dm.HispanicOrLatino}
		if dm.BirthDate != nil {
			x.BirthDate = DateOf(*dm.BirthDate)
		}
		for _, race := range raceFlags {
			if slices.Contains(dm.Races, race.name) {
				race.set(&x, &yes)
			}
		}
		for k, b := range map[string]*bool{metaEnglishLearner: dm.EnglishLearner, metaDisability: dm.Disability, metaEconomically: dm.EconomicallyDisadvantaged} {
			if b != nil {
				if x.Metadata == nil {
					x.Metadata = map[string]string{}
				}
				x.Metadata[k] = boolCell(b)
			}
		}
		r.Demographics = append(r.Demographics, x)
	}
	classSchool := map[int64]string{}
	for _, c := range d.Classes {
		classSchool[c.ID] = schools[c.SchoolID]
	}
	for _, e := range d.Enrollments {
		en := Enrollment{Record: rec(sid("enrollment", e.ID, e.SourcedID)), ClassSourcedID: classes[e.ClassID], SchoolSourcedID: classSchool[e.ClassID], UserSourcedID: people[e.PersonID], Role: string(e.Role)}
		if e.Primary {
			en.Primary = &yes
		}
		if e.BeginDate != nil {
			en.BeginDate = DateOf(*e.BeginDate)
		}
		if e.EndDate != nil {
			en.EndDate = DateOf(*e.EndDate)
		}
		r.Enrollments = append(r.Enrollments, en)
	}
	for _, e := range AllEntities {
		r.Manifest.Files[e.File()] = Bulk
	}
	return r, nil
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
		if relationship == "" {
			relationship = "guardian"
		}
		return relationship, "district"
	case roster.RoleCoach:
		return "counselor", "school"
	case roster.RoleSchoolAdmin:
		return "siteAdministrator", "school"
	case roster.RoleDistrictAdmin:
		return "districtAdministrator", "district"
	}
	return "ext:" + string(r), "district"
}
