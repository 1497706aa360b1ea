package oneroster

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/roster"
)

// Rows returns how many records of e the roster has and a function that
// gives the i-th one's sourcedId, whether it is active, and the record (an
// Org, a User...), for keeping records as read (Kept). Passwords are left
// out.
func (r *Roster) Rows(e Entity) (int, func(i int) (id string, active bool, rec any)) {
	row := func(rec *Record, v any) (string, bool, any) { return rec.SourcedID, rec.Status == Active, v }
	switch e {
	case Orgs:
		return len(r.Orgs), func(i int) (string, bool, any) { return row(&r.Orgs[i].Record, r.Orgs[i]) }
	case AcademicSessions:
		return len(r.AcademicSessions), func(i int) (string, bool, any) {
			return row(&r.AcademicSessions[i].Record, r.AcademicSessions[i])
		}
	case Courses:
		return len(r.Courses), func(i int) (string, bool, any) { return row(&r.Courses[i].Record, r.Courses[i]) }
	case Classes:
		return len(r.Classes), func(i int) (string, bool, any) { return row(&r.Classes[i].Record, r.Classes[i]) }
	case Users:
		// A password is never kept: cairn has its own sign-in.
		return len(r.Users), func(i int) (string, bool, any) {
			u := r.Users[i]
			u.Password = ""
			return row(&u.Record, u)
		}
	case UserProfiles:
		return len(r.UserProfiles), func(i int) (string, bool, any) {
			p := r.UserProfiles[i]
			p.Password = ""
			return row(&p.Record, p)
		}
	case Roles:
		return len(r.Roles), func(i int) (string, bool, any) { return row(&r.Roles[i].Record, r.Roles[i]) }
	case Demographics:
		return len(r.Demographics), func(i int) (string, bool, any) { return row(&r.Demographics[i].Record, r.Demographics[i]) }
	case Enrollments:
		return len(r.Enrollments), func(i int) (string, bool, any) { return row(&r.Enrollments[i].Record, r.Enrollments[i]) }
	}
	return 0, nil
}

// record returns the common fields of the i-th record of e.
func (r *Roster) record(e Entity, i int) *Record {
	switch e {
	case Orgs:
		return &r.Orgs[i].Record
	case AcademicSessions:
		return &r.AcademicSessions[i].Record
	case Courses:
		return &r.Courses[i].Record
	case Classes:
		return &r.Classes[i].Record
	case Users:
		return &r.Users[i].Record
	case UserProfiles:
		return &r.UserProfiles[i].Record
	case Roles:
		return &r.Roles[i].Record
	case Demographics:
		return &r.Demographics[i].Record
	}
	return &r.Enrollments[i].Record
}

// Kept holds OneRoster records as the import that last changed them read
// them, by sourcedId (roles and user profiles by their user's), so that
// FromDistrict gives back what cairn does not keep in its own tables:
// identifiers, userIds, user profiles, the sourcedIds of role rows,
// metadata, explicit "false"s, dates of last modification.
type Kept struct {
	Orgs             map[string]Org
	AcademicSessions map[string]AcademicSession
	Courses          map[string]Course
	Classes          map[string]Class
	Users            map[string]User
	Roles            map[string][]Role
	UserProfiles     map[string][]UserProfile
	Demographics     map[string]Demographic
	Enrollments      map[string]Enrollment
}

// Add decodes one record of e as Rows gave it, encoded as JSON.
func (k *Kept) Add(e Entity, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	bad := func(err error) error { return fmt.Errorf("kept %s record: %w", e, err) }
	switch e {
	case Orgs:
		var v Org
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.Orgs = setKept(k.Orgs, v.SourcedID, v)
	case AcademicSessions:
		var v AcademicSession
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.AcademicSessions = setKept(k.AcademicSessions, v.SourcedID, v)
	case Courses:
		var v Course
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.Courses = setKept(k.Courses, v.SourcedID, v)
	case Classes:
		var v Class
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.Classes = setKept(k.Classes, v.SourcedID, v)
	case Users:
		var v User
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.Users = setKept(k.Users, v.SourcedID, v)
	case Roles:
		var v Role
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		if k.Roles == nil {
			k.Roles = map[string][]Role{}
		}
		k.Roles[v.UserSourcedID] = append(k.Roles[v.UserSourcedID], v)
	case UserProfiles:
		var v UserProfile
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		if k.UserProfiles == nil {
			k.UserProfiles = map[string][]UserProfile{}
		}
		k.UserProfiles[v.UserSourcedID] = append(k.UserProfiles[v.UserSourcedID], v)
	case Demographics:
		var v Demographic
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.Demographics = setKept(k.Demographics, v.SourcedID, v)
	case Enrollments:
		var v Enrollment
		if err := json.Unmarshal(data, &v); err != nil {
			return bad(err)
		}
		k.Enrollments = setKept(k.Enrollments, v.SourcedID, v)
	}
	return nil
}

func setKept[T any](m map[string]T, id string, v T) map[string]T {
	if m == nil {
		m = map[string]T{}
	}
	m[id] = v
	return m
}

// sortKept puts each user's roles and profiles in sourcedId order, so that
// an export does not depend on the order the store returns them in.
func (k *Kept) sortKept() {
	for _, rs := range k.Roles {
		slices.SortFunc(rs, func(a, b Role) int { return strings.Compare(a.SourcedID, b.SourcedID) })
	}
	for _, ps := range k.UserProfiles {
		slices.SortFunc(ps, func(a, b UserProfile) int { return strings.Compare(a.SourcedID, b.SourcedID) })
	}
}

// dated gives rec the date of last modification of kept when the record,
// built from what cairn holds, still has the kept one's content; a record
// that is new or changed since is left undated, and Write dates it with
// the export's time.
func dated[T any, P interface {
	*T
	cells
}](e Entity, rec P, kept *T, found bool) {
	if !found {
		return
	}
	var h hasher
	k := P(kept)
	if h.of(e, rec) == h.of(e, k) {
		rec.record().DateLastModified = k.record().DateLastModified
	} else {
		rec.record().DateLastModified = time.Time{}
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// parentRelationship is the OneRoster role of a guardian whose links say
// relationship: parent for a mother, father or step-parent, relative for
// other family, guardian otherwise. What cairn holds exactly goes in
// metadata.cairn.relationship.
func parentRelationship(relationship string) string {
	switch strings.ToLower(relationship) {
	case "parent", "mother", "father", "stepmother", "stepfather", "stepparent":
		return "parent"
	case "relative", "aunt", "uncle", "grandmother", "grandfather", "grandparent", "sister", "brother", "sibling", "cousin":
		return "relative"
	}
	return "guardian"
}

// relationshipOf is the relationship metadata.cairn.relationship gives a
// guardian to a student: the one value, or the student's in
// "studentSourcedId=relationship,..." form.
func relationshipOf(meta, student string) string {
	if meta == "" || !strings.Contains(meta, "=") {
		return meta
	}
	for _, part := range strings.Split(meta, ",") {
		if i := strings.LastIndexByte(part, '='); i >= 0 && strings.TrimSpace(part[:i]) == student {
			return strings.TrimSpace(part[i+1:])
		}
	}
	return ""
}

// relationshipMeta is the metadata.cairn.relationship of a guardian whose
// links to students (by sourcedId, in order) have the relationships rels,
// or "" when the OneRoster role says it all.
func relationshipMeta(role string, students, rels []string) string {
	same := true
	for _, r := range rels {
		same = same && r == rels[0]
	}
	if len(rels) == 0 || same && rels[0] == role {
		return ""
	}
	if same {
		return rels[0]
	}
	parts := make([]string, len(rels))
	for i := range rels {
		parts[i] = students[i] + "=" + rels[i]
	}
	return strings.Join(parts, ",")
}

// keptRoles returns the role rows kept for a user when they still say
// what cairn holds of the person (the same cairn roles in the same
// schools) and refer only to organisations exported; otherwise false, and
// the roles are made from what cairn holds.
func keptRoles(kept []Role, p roster.Person, schools []string, orgType map[string]string, primaryOrg string, profiles map[string]bool) ([]Role, bool) {
	if len(kept) == 0 {
		return nil, false
	}
	var roles []roster.Role
	var held []string
	for _, r := range kept {
		t, ok := orgType[r.OrgSourcedID]
		if !ok || r.UserProfileSourcedID != "" && !profiles[r.UserProfileSourcedID] {
			return nil, false
		}
		cr, ok := MapRole(r.Role, []string{t})
		if ok && !slices.Contains(roles, cr) {
			roles = append(roles, cr)
		}
		if t == "school" && !slices.Contains(held, r.OrgSourcedID) {
			held = append(held, r.OrgSourcedID)
		}
	}
	if orgType[primaryOrg] == "school" && !slices.Contains(held, primaryOrg) {
		held = append(held, primaryOrg)
	}
	want := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		want[i] = string(r)
	}
	got := make([]string, len(roles))
	for i, r := range roles {
		got[i] = string(r)
	}
	if !sameSet(want, got) || !sameSet(schools, held) {
		return nil, false
	}
	return kept, true
}

func cloneMeta(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func setMeta(m map[string]string, k, v string) map[string]string {
	if v == "" {
		delete(m, k)
		if len(m) == 0 {
			return nil
		}
		return m
	}
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}
