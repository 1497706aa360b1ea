package access

import (
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// grant is what one role may do to the records of a student it is related
// to in one way.
type grant struct {
	role   roster.Role
	rel    Relation
	view   []What
	change []What
}

func (g grant) allows(action Action, what What) bool {
	if action == View {
		return slices.Contains(g.view, what)
	}
	return slices.Contains(g.change, what)
}

// studentGrants is the policy for student records, closest relation
// first. Nobody changes the audit of a student: it is append-only.
// Demographics are for district and school administrators only, and who
// viewed a record is for the student, their guardians and the district.
// Support plans are open to the student and their family, as a response
// to intervention asks; teachers' notes and the rules' alerts are for the
// staff who act on them.
var studentGrants = []grant{
	{roster.RoleStudent, Self,
		[]What{Profile, Mastery, Evidence, Goals, Audit, Plan, Supports},
		[]What{Goals}},
	{roster.RoleGuardian, GuardianOf,
		[]What{Profile, Mastery, Evidence, Goals, Audit, Plan, Supports},
		nil},
	// A teacher changes a student's goals by commenting on them and by
	// approving or returning the activities the student proposes.
	{roster.RoleTeacher, TeacherOf,
		[]What{Profile, Mastery, Evidence, Goals, Guardians, Plan, Supports, Notes, Alerts},
		[]What{Evidence, Goals, Plan, Supports, Notes, Alerts}},
	{roster.RoleSchoolAdmin, SchoolStaff,
		[]What{Profile, Mastery, Evidence, Goals, Guardians, Demographics, Plan, Supports, Notes, Alerts},
		[]What{Evidence, Plan, Supports, Notes}},
	{roster.RoleCoach, CoachAt,
		[]What{Profile, Mastery, Evidence, Plan, Supports},
		nil},
	{roster.RoleDistrictAdmin, DistrictAdmin,
		[]What{Profile, Mastery, Evidence, Goals, Guardians, Demographics, Audit, Plan, Supports, Notes, Alerts},
		[]What{Profile, Mastery, Evidence, Goals, Guardians, Demographics, Plan, Supports, Notes}},
}

// errHidden is the refusal of a student record the actor has no relation
// to: it reads like a record that does not exist, on purpose.
var errHidden = problem.Errorf(problem.KindNotFound, "student")

// Decide returns whether actor a may do action on the what record of a
// student they have the relations rel to, and if so the closest relation
// that allows it, for the audit log.
//
// A refusal is of one of two kinds. When none of the actor's roles may
// ever do this (a guardian changing evidence, a teacher viewing
// demographics, a read-only token changing anything) it is
// problem.ErrForbidden, which depends only on the actor and says nothing
// about the student. Otherwise, when the actor lacks a relation to this
// student that allows it, it is problem.ErrNotFound, the same as for a
// student who does not exist.
func Decide(a Actor, action Action, what What, rel Relations) (Relation, error) {
	if err := checkRequest(action, what); err != nil {
		return "", err
	}
	if err := checkToken(a, action, ""); err != nil {
		return "", err
	}
	may := false
	for _, g := range studentGrants {
		if !a.Has(g.role) || !g.allows(action, what) {
			continue
		}
		may = true
		if rel.has(g.rel) {
			return g.rel, nil
		}
	}
	if !may {
		return "", problem.Forbidden("%s may not %s a student's %s", rolesText(a), action, what)
	}
	return "", errHidden
}

func checkRequest(action Action, what What) error {
	if !slices.Contains(Actions, action) {
		return problem.Invalid("action", "%q is not an action (want view or change)", action)
	}
	if !slices.Contains(Whats, what) {
		return problem.Invalid("what", "%q is not a kind of student record", what)
	}
	return nil
}

// checkToken refuses what an access token's scope does not cover.
func checkToken(a Actor, action Action, res Resource) error {
	switch a.TokenScope {
	case "":
		return nil
	case TokenRead:
		if action == Change {
			return problem.Forbidden("a read-only access token cannot change anything")
		}
	case TokenWrite:
	default:
		return problem.Forbidden("access token scope %q is not read or write", a.TokenScope)
	}
	if res == Users && action == Change {
		// A stolen token must not be able to make more tokens, reset
		// passwords or change accounts: that needs a signed-in person.
		return problem.Forbidden("accounts and access tokens are changed only when signed in, not with an access token")
	}
	return nil
}

// rolesText names the actor's roles for a message.
func rolesText(a Actor) string {
	if len(a.Roles) == 0 {
		return "someone with no role"
	}
	names := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		names[i] = strings.ReplaceAll(string(r), "_", " ")
	}
	return "a " + strings.Join(names, " and ")
}

// when is the condition under which a role may act on a resource.
type when int

const (
	never        when = iota
	always            // anywhere in the district
	atSchool          // when the resource belongs to one of the actor's schools
	taught            // when the actor teaches the class
	own               // when the resource is the actor's own
	ownOrSchool       // when it is the actor's own or belongs to one of their schools
	teachesActor      // when its owner teaches the actor
)

// resourceRules says, for each resource and action, when each role may.
// A role missing from a map never may.
var resourceRules = map[Resource]map[Action]map[roster.Role]when{
	Class: {
		View: {roster.RoleDistrictAdmin: always, roster.RoleSchoolAdmin: atSchool, roster.RoleCoach: atSchool, roster.RoleTeacher: taught},
		// Changing a class here is recording evidence for it and managing
		// its groups; the roster itself is changed through Roster.
		Change: {roster.RoleDistrictAdmin: always, roster.RoleSchoolAdmin: atSchool, roster.RoleTeacher: taught},
	},
	Roster: {
		View:   {roster.RoleDistrictAdmin: always, roster.RoleSchoolAdmin: atSchool, roster.RoleCoach: atSchool},
		Change: {roster.RoleDistrictAdmin: always},
	},
	// Standards, scales and the mastery policy are what every student and
	// family is measured against: everyone may read them.
	Standards: {View: everyone(), Change: {roster.RoleDistrictAdmin: always}},
	Scales:    {View: everyone(), Change: {roster.RoleDistrictAdmin: always}},
	Policy:    {View: everyone(), Change: {roster.RoleDistrictAdmin: always}},
	// Everyone manages their own account (see Allow); these rules are for
	// other people's.
	Users: {
		View:   {roster.RoleDistrictAdmin: always},
		Change: {roster.RoleDistrictAdmin: always},
	},
	// The audit log is append-only: nobody changes it.
	AuditLog: {View: {roster.RoleDistrictAdmin: always}, Change: {}},
	// A playlist is its owner's; shared to its school's library (the
	// scope's SchoolID is then the school's), the school's teachers and
	// leaders find it and copy it. Students see the playlists of the
	// teachers of their classes, to choose among.
	Playlists: {
		View: {roster.RoleDistrictAdmin: always, roster.RoleSchoolAdmin: ownOrSchool, roster.RoleCoach: atSchool,
			roster.RoleTeacher: ownOrSchool, roster.RoleStudent: teachesActor},
		Change: {roster.RoleDistrictAdmin: own, roster.RoleSchoolAdmin: own, roster.RoleTeacher: own},
	},
}

func everyone() map[roster.Role]when {
	return map[roster.Role]when{
		roster.RoleStudent: always, roster.RoleGuardian: always, roster.RoleTeacher: always,
		roster.RoleCoach: always, roster.RoleSchoolAdmin: always, roster.RoleDistrictAdmin: always,
	}
}

// Allow returns nil when actor a may do action on a resource that is not
// one student's record, described by sc.
//
// As with Decide, a refusal is problem.ErrForbidden when none of the
// actor's roles may ever do this (a teacher opening the audit log search),
// and problem.ErrNotFound when they could elsewhere but not here (a class
// the teacher does not teach, another school's roster), so that an id the
// actor may not see looks like one that does not exist. A resource of the
// whole district (sc.SchoolID 0) that the actor may only see part of is
// forbidden, since there is no id to hide.
func Allow(a Actor, action Action, res Resource, sc Scope) error {
	rules, ok := resourceRules[res]
	if !ok {
		return problem.Invalid("resource", "%q is not a resource", res)
	}
	if !slices.Contains(Actions, action) {
		return problem.Invalid("action", "%q is not an action (want view or change)", action)
	}
	if err := checkToken(a, action, res); err != nil {
		return err
	}
	if res == Users && sc.Own && a.PersonID != 0 {
		return nil
	}
	may := false
	for role, w := range rules[action] {
		if !a.Has(role) {
			continue
		}
		var ok bool
		switch w {
		case always:
			ok = true
		case atSchool:
			ok = a.AtSchool(sc.SchoolID)
		case taught:
			ok = sc.ClassTaught
		case own:
			ok = sc.Own
		case ownOrSchool:
			ok = sc.Own || a.AtSchool(sc.SchoolID)
		case teachesActor:
			ok = sc.TeachesActor
		}
		if ok {
			return nil
		}
		may = may || w != never
	}
	if !may || (sc.SchoolID == 0 && res != Class && res != Playlists) {
		return problem.Forbidden("%s may not %s %s", rolesText(a), action, resourceText[res])
	}
	return problem.Errorf(problem.KindNotFound, "%s", res)
}

var resourceText = map[Resource]string{
	Class:     "this class",
	Roster:    "the roster",
	Standards: "standards",
	Scales:    "scales",
	Policy:    "the mastery policy",
	Users:     "other people's accounts",
	AuditLog:  "the audit log",
	Playlists: "playlists",
}
