package oneroster

import (
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// Snapshot is what exists after an import, entity by entity: each record's
// sourcedId and a hash of its content. It is small (a number per record),
// so the store can keep the snapshot of the last import and diff the next
// one against it, and Read can accept a delta that refers to records it
// holds.
type Snapshot map[Entity]map[string]uint64

// SnapshotOf is the snapshot held by entity name ("users"), as the store
// gives what a district holds (store.OneRosterKnown).
func SnapshotOf(byName map[string]map[string]uint64) Snapshot {
	s := make(Snapshot, len(byName))
	for e, ids := range byName {
		s[Entity(e)] = ids
	}
	return s
}

// Snapshot returns the active records of r with their content hashes.
func (r *Roster) Snapshot() Snapshot {
	s := Snapshot{}
	r.each(func(e Entity, rec *Record, h uint64) {
		if rec.Status != Active {
			return
		}
		if s[e] == nil {
			s[e] = map[string]uint64{}
		}
		s[e][rec.SourcedID] = h
	})
	return s
}

// EntityChanges is what an import does to one entity's records, by
// sourcedId, each list in the order of the file.
type EntityChanges struct {
	Entity    Entity   `json:"entity"`
	Mode      Mode     `json:"mode"`
	Created   []string `json:"created,omitempty"`
	Updated   []string `json:"updated,omitempty"`
	Retired   []string `json:"retired,omitempty"`
	Unchanged int      `json:"unchanged"`
}

// Changes is what an import does, entity by entity in reading order.
type Changes []EntityChanges

// For returns the changes of entity e (empty when it has none).
func (c Changes) For(e Entity) EntityChanges {
	for _, x := range c {
		if x.Entity == e {
			return x
		}
	}
	return EntityChanges{Entity: e, Mode: Absent}
}

// Diff says what importing r on top of before would create, update and
// retire. For a file supplied in bulk, a record of before that the file
// lacks is retired; for a delta file, only rows marked tobedeleted retire
// records; an absent file changes nothing; a record whose row a partial
// read refused (Roster.Held) stays as it was. A record is updated when any of
// its fields other than status and dateLastModified differs.
func Diff(before Snapshot, r *Roster) Changes {
	byEntity := map[Entity]*EntityChanges{}
	var out Changes
	for _, e := range AllEntities {
		out = append(out, EntityChanges{Entity: e, Mode: r.Mode(e.File())})
	}
	for i := range out {
		byEntity[out[i].Entity] = &out[i]
	}
	seen := map[Entity]map[string]bool{}
	r.each(func(e Entity, rec *Record, h uint64) {
		c := byEntity[e]
		if c.Mode == Absent {
			return
		}
		if seen[e] == nil {
			seen[e] = map[string]bool{}
		}
		seen[e][rec.SourcedID] = true
		old, existed := before[e][rec.SourcedID]
		switch {
		case rec.Status == ToBeDeleted:
			if existed {
				c.Retired = append(c.Retired, rec.SourcedID)
			}
		case !existed:
			c.Created = append(c.Created, rec.SourcedID)
		case old != h:
			c.Updated = append(c.Updated, rec.SourcedID)
		default:
			c.Unchanged++
		}
	})
	for i := range out {
		c := &out[i]
		if c.Mode != Bulk {
			continue
		}
		var gone []string
		for id := range before[c.Entity] {
			if !seen[c.Entity][id] && !r.IsHeld(c.Entity, id) {
				gone = append(gone, id)
			}
		}
		slices.Sort(gone)
		c.Retired = append(c.Retired, gone...)
	}
	return out
}

// DiffRosters compares two rosters read from files: what importing after
// would change where before had been imported.
func DiffRosters(before, after *Roster) Changes { return Diff(before.Snapshot(), after) }

// each calls f for every record of r with its entity and content hash.
func (r *Roster) each(f func(Entity, *Record, uint64)) {
	var h hasher
	for i := range r.Orgs {
		f(Orgs, &r.Orgs[i].Record, h.of(Orgs, &r.Orgs[i]))
	}
	for i := range r.AcademicSessions {
		f(AcademicSessions, &r.AcademicSessions[i].Record, h.of(AcademicSessions, &r.AcademicSessions[i]))
	}
	for i := range r.Courses {
		f(Courses, &r.Courses[i].Record, h.of(Courses, &r.Courses[i]))
	}
	for i := range r.Classes {
		f(Classes, &r.Classes[i].Record, h.of(Classes, &r.Classes[i]))
	}
	for i := range r.Users {
		f(Users, &r.Users[i].Record, h.of(Users, &r.Users[i]))
	}
	for i := range r.UserProfiles {
		f(UserProfiles, &r.UserProfiles[i].Record, h.of(UserProfiles, &r.UserProfiles[i]))
	}
	for i := range r.Roles {
		f(Roles, &r.Roles[i].Record, h.of(Roles, &r.Roles[i]))
	}
	for i := range r.Demographics {
		f(Demographics, &r.Demographics[i].Record, h.of(Demographics, &r.Demographics[i]))
	}
	for i := range r.Enrollments {
		f(Enrollments, &r.Enrollments[i].Record, h.of(Enrollments, &r.Enrollments[i]))
	}
}

// hasher hashes a record's content: every column of both versions except
// status and dateLastModified, and its metadata, with FNV-1a (stable
// across runs and machines, unlike maphash, so that stored snapshots stay
// comparable).
type hasher struct{ buf []byte }

func (h *hasher) of(e Entity, rec cells) uint64 {
	h.buf = h.buf[:0]
	for _, col := range hashColumns[e] {
		v, _ := rec.cell(col)
		h.buf = binary.AppendUvarint(h.buf, uint64(len(v)))
		h.buf = append(h.buf, v...)
	}
	md := rec.record().Metadata
	if len(md) > 0 {
		keys := make([]string, 0, len(md))
		for k := range md {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			h.buf = append(h.buf, k...)
			h.buf = append(h.buf, '=')
			h.buf = append(h.buf, md[k]...)
			h.buf = append(h.buf, 0)
		}
	}
	f := fnv.New64a()
	f.Write(h.buf)
	return f.Sum64()
}

// hashColumns are each entity's columns of 1.1 and 1.2 together, less
// status and dateLastModified.
var hashColumns = func() map[Entity][]string {
	out := map[Entity][]string{}
	for _, e := range AllEntities {
		var cols []string
		for _, v := range []string{Version11, Version12} {
			for _, c := range columns[v][e] {
				if c != "status" && c != "dateLastModified" && !slices.Contains(cols, c) {
					cols = append(cols, c)
				}
			}
		}
		out[e] = cols
	}
	return out
}()

// cells is a record that can give the value of each of its columns as
// written in CSV.
type cells interface {
	cell(col string) (string, bool)
	record() *Record
}

func (r *Record) record() *Record { return r }

func (r *Record) common(col string) (string, bool) {
	switch col {
	case "sourcedId":
		return r.SourcedID, true
	case "status":
		return string(r.Status), true
	case "dateLastModified":
		if r.DateLastModified.IsZero() {
			return "", true
		}
		return r.DateLastModified.UTC().Format(dateTimeLayout), true
	}
	return "", false
}

// dateTimeLayout is how dateLastModified is written: ISO 8601 in UTC, to
// the millisecond.
const dateTimeLayout = "2006-01-02T15:04:05.000Z"

func join(xs []string) string { return strings.Join(xs, ",") }

func boolCell(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func (o *Org) cell(col string) (string, bool) {
	switch col {
	case "name":
		return o.Name, true
	case "type":
		return o.Type, true
	case "identifier":
		return o.Identifier, true
	case "parentSourcedId":
		return o.ParentSourcedID, true
	}
	return o.common(col)
}

func (s *AcademicSession) cell(col string) (string, bool) {
	switch col {
	case "title":
		return s.Title, true
	case "type":
		return s.Type, true
	case "startDate":
		return s.StartDate.String(), true
	case "endDate":
		return s.EndDate.String(), true
	case "parentSourcedId":
		return s.ParentSourcedID, true
	case "schoolYear":
		return s.SchoolYear, true
	}
	return s.common(col)
}

func (c *Course) cell(col string) (string, bool) {
	switch col {
	case "schoolYearSourcedId":
		return c.SchoolYearSourcedID, true
	case "title":
		return c.Title, true
	case "courseCode":
		return c.CourseCode, true
	case "grades":
		return join(c.Grades), true
	case "orgSourcedId":
		return c.OrgSourcedID, true
	case "subjects":
		return join(c.Subjects), true
	case "subjectCodes":
		return join(c.SubjectCodes), true
	}
	return c.common(col)
}

func (c *Class) cell(col string) (string, bool) {
	switch col {
	case "title":
		return c.Title, true
	case "grades":
		return join(c.Grades), true
	case "courseSourcedId":
		return c.CourseSourcedID, true
	case "classCode":
		return c.ClassCode, true
	case "classType":
		return c.ClassType, true
	case "location":
		return c.Location, true
	case "schoolSourcedId":
		return c.SchoolSourcedID, true
	case "termSourcedIds":
		return join(c.TermSourcedIDs), true
	case "subjects":
		return join(c.Subjects), true
	case "subjectCodes":
		return join(c.SubjectCodes), true
	case "periods":
		return join(c.Periods), true
	}
	return c.common(col)
}

func (u *User) cell(col string) (string, bool) {
	switch col {
	case "enabledUser":
		return strconv.FormatBool(u.EnabledUser), true
	case "orgSourcedIds":
		return join(u.OrgSourcedIDs), true
	case "role":
		return u.Role, true
	case "username":
		return u.Username, true
	case "userIds":
		var b strings.Builder
		for i, id := range u.UserIDs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("{" + id.Type + ":" + id.Identifier + "}")
		}
		return b.String(), true
	case "givenName":
		return u.GivenName, true
	case "familyName":
		return u.FamilyName, true
	case "middleName":
		return u.MiddleName, true
	case "identifier":
		return u.Identifier, true
	case "email":
		return u.Email, true
	case "sms":
		return u.SMS, true
	case "phone":
		return u.Phone, true
	case "agentSourcedIds":
		return join(u.AgentSourcedIDs), true
	case "grades":
		return join(u.Grades), true
	case "password":
		return u.Password, true
	case "userMasterIdentifier":
		return u.UserMasterIdentifier, true
	case "preferredGivenName":
		return u.PreferredGivenName, true
	case "preferredMiddleName":
		return u.PreferredMiddleName, true
	case "preferredFamilyName":
		return u.PreferredFamilyName, true
	case "primaryOrgSourcedId":
		return u.PrimaryOrgSourcedID, true
	case "pronouns":
		return u.Pronouns, true
	}
	return u.common(col)
}

func (p *UserProfile) cell(col string) (string, bool) {
	switch col {
	case "userSourcedId":
		return p.UserSourcedID, true
	case "profileType":
		return p.ProfileType, true
	case "vendorId":
		return p.VendorID, true
	case "applicationId":
		return p.ApplicationID, true
	case "description":
		return p.Description, true
	case "credentialType":
		return p.CredentialType, true
	case "username":
		return p.Username, true
	case "password":
		return p.Password, true
	}
	return p.common(col)
}

func (r *Role) cell(col string) (string, bool) {
	switch col {
	case "userSourcedId":
		return r.UserSourcedID, true
	case "roleType":
		return r.RoleType, true
	case "role":
		return r.Role, true
	case "beginDate":
		return r.BeginDate.String(), true
	case "endDate":
		return r.EndDate.String(), true
	case "orgSourcedId":
		return r.OrgSourcedID, true
	case "userProfileSourcedId":
		return r.UserProfileSourcedID, true
	}
	return r.common(col)
}

func (d *Demographic) cell(col string) (string, bool) {
	switch col {
	case "birthDate":
		return d.BirthDate.String(), true
	case "sex":
		return d.Sex, true
	case "americanIndianOrAlaskaNative":
		return boolCell(d.AmericanIndianOrAlaskaNative), true
	case "asian":
		return boolCell(d.Asian), true
	case "blackOrAfricanAmerican":
		return boolCell(d.BlackOrAfricanAmerican), true
	case "nativeHawaiianOrOtherPacificIslander":
		return boolCell(d.NativeHawaiianOrOtherPacificIslander), true
	case "white":
		return boolCell(d.White), true
	case "demographicRaceTwoOrMoreRaces":
		return boolCell(d.DemographicRaceTwoOrMoreRaces), true
	case "hispanicOrLatinoEthnicity":
		return boolCell(d.HispanicOrLatinoEthnicity), true
	case "countryOfBirthCode":
		return d.CountryOfBirthCode, true
	case "stateOfBirthAbbreviation":
		return d.StateOfBirthAbbreviation, true
	case "cityOfBirth":
		return d.CityOfBirth, true
	case "publicSchoolResidenceStatus":
		return d.PublicSchoolResidenceStatus, true
	}
	return d.common(col)
}

func (e *Enrollment) cell(col string) (string, bool) {
	switch col {
	case "classSourcedId":
		return e.ClassSourcedID, true
	case "schoolSourcedId":
		return e.SchoolSourcedID, true
	case "userSourcedId":
		return e.UserSourcedID, true
	case "role":
		return e.Role, true
	case "primary":
		return boolCell(e.Primary), true
	case "beginDate":
		return e.BeginDate.String(), true
	case "endDate":
		return e.EndDate.String(), true
	}
	return e.common(col)
}
