package access

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

var allRoles = []roster.Role{roster.RoleStudent, roster.RoleGuardian, roster.RoleTeacher,
	roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin}

// tokenScopes are the ways of calling: a browser session, a write token and
// a read token.
var tokenScopes = []string{"", TokenWrite, TokenRead}

// outcome writes a decision as one word: the relation (or "ok") when
// allowed, 404 for a record reported as missing, 403 for forbidden.
func outcome(rel Relation, err error) string {
	switch {
	case err == nil && rel == "":
		return "ok"
	case err == nil:
		return string(rel)
	case errors.Is(err, problem.ErrNotFound):
		return "404"
	case errors.Is(err, problem.ErrForbidden):
		return "403"
	}
	return "error: " + err.Error()
}

// related returns the facts that relate an actor of role r to a student
// in the way r is about.
func related(r roster.Role) Relations {
	switch r {
	case roster.RoleStudent:
		return Relations{Self: true}
	case roster.RoleGuardian:
		return Relations{Guardian: true}
	case roster.RoleTeacher:
		return Relations{Teacher: true}
	case roster.RoleCoach:
		return Relations{Coach: true}
	case roster.RoleSchoolAdmin:
		return Relations{SchoolAdmin: true}
	case roster.RoleDistrictAdmin:
		return Relations{DistrictAdmin: true}
	}
	panic(r)
}

// decideMatrix is every role x record x action, related and unrelated, each
// through a session, a write token and a read token.
func decideMatrix() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %-12s %-6s | %-44s | %s\n", "role", "record", "action",
		"related: session / write token / read token", "unrelated: session / write / read")
	for _, r := range allRoles {
		for _, w := range Whats {
			for _, act := range Actions {
				fmt.Fprintf(&b, "%-14s %-12s %-6s |", r, w, act)
				for _, rel := range []Relations{related(r), {}} {
					for _, scope := range tokenScopes {
						a := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{r}, SchoolIDs: []int64{1}, TokenScope: scope}
						fmt.Fprintf(&b, " %-14s", outcome(Decide(a, act, w, rel)))
					}
					if rel == related(r) {
						b.WriteString(" |")
					}
				}
				b.WriteString("\n")
			}
		}
	}
	return trimLines(b.String())
}

// trimLines removes the spaces at the ends of lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func TestDecideMatrix(t *testing.T) {
	got := decideMatrix()
	if diff := cmp.Diff(strings.Split(wantDecide, "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("the student-record policy changed (-want +got):\n%s", diff)
	}
}

// wantDecide is the policy for student records, written out: a change to
// the policy shows here as a diff.
const wantDecide = `role           record       action | related: session / write token / read token  | unrelated: session / write / read
student        profile      view   | self           self           self           | 404            404            404
student        profile      change | 403            403            403            | 403            403            403
student        mastery      view   | self           self           self           | 404            404            404
student        mastery      change | 403            403            403            | 403            403            403
student        evidence     view   | self           self           self           | 404            404            404
student        evidence     change | 403            403            403            | 403            403            403
student        goals        view   | self           self           self           | 404            404            404
student        goals        change | self           self           403            | 404            404            403
student        guardians    view   | 403            403            403            | 403            403            403
student        guardians    change | 403            403            403            | 403            403            403
student        demographics view   | 403            403            403            | 403            403            403
student        demographics change | 403            403            403            | 403            403            403
student        audit        view   | self           self           self           | 404            404            404
student        audit        change | 403            403            403            | 403            403            403
student        plan         view   | self           self           self           | 404            404            404
student        plan         change | 403            403            403            | 403            403            403
student        supports     view   | self           self           self           | 404            404            404
student        supports     change | 403            403            403            | 403            403            403
student        notes        view   | 403            403            403            | 403            403            403
student        notes        change | 403            403            403            | 403            403            403
student        alerts       view   | 403            403            403            | 403            403            403
student        alerts       change | 403            403            403            | 403            403            403
guardian       profile      view   | guardian       guardian       guardian       | 404            404            404
guardian       profile      change | 403            403            403            | 403            403            403
guardian       mastery      view   | guardian       guardian       guardian       | 404            404            404
guardian       mastery      change | 403            403            403            | 403            403            403
guardian       evidence     view   | guardian       guardian       guardian       | 404            404            404
guardian       evidence     change | 403            403            403            | 403            403            403
guardian       goals        view   | guardian       guardian       guardian       | 404            404            404
guardian       goals        change | 403            403            403            | 403            403            403
guardian       guardians    view   | 403            403            403            | 403            403            403
guardian       guardians    change | 403            403            403            | 403            403            403
guardian       demographics view   | 403            403            403            | 403            403            403
guardian       demographics change | 403            403            403            | 403            403            403
guardian       audit        view   | guardian       guardian       guardian       | 404            404            404
guardian       audit        change | 403            403            403            | 403            403            403
guardian       plan         view   | guardian       guardian       guardian       | 404            404            404
guardian       plan         change | 403            403            403            | 403            403            403
guardian       supports     view   | guardian       guardian       guardian       | 404            404            404
guardian       supports     change | 403            403            403            | 403            403            403
guardian       notes        view   | 403            403            403            | 403            403            403
guardian       notes        change | 403            403            403            | 403            403            403
guardian       alerts       view   | 403            403            403            | 403            403            403
guardian       alerts       change | 403            403            403            | 403            403            403
teacher        profile      view   | teacher        teacher        teacher        | 404            404            404
teacher        profile      change | 403            403            403            | 403            403            403
teacher        mastery      view   | teacher        teacher        teacher        | 404            404            404
teacher        mastery      change | 403            403            403            | 403            403            403
teacher        evidence     view   | teacher        teacher        teacher        | 404            404            404
teacher        evidence     change | teacher        teacher        403            | 404            404            403
teacher        goals        view   | teacher        teacher        teacher        | 404            404            404
teacher        goals        change | teacher        teacher        403            | 404            404            403
teacher        guardians    view   | teacher        teacher        teacher        | 404            404            404
teacher        guardians    change | 403            403            403            | 403            403            403
teacher        demographics view   | 403            403            403            | 403            403            403
teacher        demographics change | 403            403            403            | 403            403            403
teacher        audit        view   | 403            403            403            | 403            403            403
teacher        audit        change | 403            403            403            | 403            403            403
teacher        plan         view   | teacher        teacher        teacher        | 404            404            404
teacher        plan         change | teacher        teacher        403            | 404            404            403
teacher        supports     view   | teacher        teacher        teacher        | 404            404            404
teacher        supports     change | teacher        teacher        403            | 404            404            403
teacher        notes        view   | teacher        teacher        teacher        | 404            404            404
teacher        notes        change | teacher        teacher        403            | 404            404            403
teacher        alerts       view   | teacher        teacher        teacher        | 404            404            404
teacher        alerts       change | teacher        teacher        403            | 404            404            403
coach          profile      view   | coach          coach          coach          | 404            404            404
coach          profile      change | 403            403            403            | 403            403            403
coach          mastery      view   | coach          coach          coach          | 404            404            404
coach          mastery      change | 403            403            403            | 403            403            403
coach          evidence     view   | coach          coach          coach          | 404            404            404
coach          evidence     change | 403            403            403            | 403            403            403
coach          goals        view   | 403            403            403            | 403            403            403
coach          goals        change | 403            403            403            | 403            403            403
coach          guardians    view   | 403            403            403            | 403            403            403
coach          guardians    change | 403            403            403            | 403            403            403
coach          demographics view   | 403            403            403            | 403            403            403
coach          demographics change | 403            403            403            | 403            403            403
coach          audit        view   | 403            403            403            | 403            403            403
coach          audit        change | 403            403            403            | 403            403            403
coach          plan         view   | coach          coach          coach          | 404            404            404
coach          plan         change | 403            403            403            | 403            403            403
coach          supports     view   | coach          coach          coach          | 404            404            404
coach          supports     change | 403            403            403            | 403            403            403
coach          notes        view   | 403            403            403            | 403            403            403
coach          notes        change | 403            403            403            | 403            403            403
coach          alerts       view   | 403            403            403            | 403            403            403
coach          alerts       change | 403            403            403            | 403            403            403
school_admin   profile      view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   profile      change | 403            403            403            | 403            403            403
school_admin   mastery      view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   mastery      change | 403            403            403            | 403            403            403
school_admin   evidence     view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   evidence     change | school_admin   school_admin   403            | 404            404            403
school_admin   goals        view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   goals        change | 403            403            403            | 403            403            403
school_admin   guardians    view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   guardians    change | 403            403            403            | 403            403            403
school_admin   demographics view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   demographics change | 403            403            403            | 403            403            403
school_admin   audit        view   | 403            403            403            | 403            403            403
school_admin   audit        change | 403            403            403            | 403            403            403
school_admin   plan         view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   plan         change | school_admin   school_admin   403            | 404            404            403
school_admin   supports     view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   supports     change | school_admin   school_admin   403            | 404            404            403
school_admin   notes        view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   notes        change | school_admin   school_admin   403            | 404            404            403
school_admin   alerts       view   | school_admin   school_admin   school_admin   | 404            404            404
school_admin   alerts       change | 403            403            403            | 403            403            403
district_admin profile      view   | district_admin district_admin district_admin | 404            404            404
district_admin profile      change | district_admin district_admin 403            | 404            404            403
district_admin mastery      view   | district_admin district_admin district_admin | 404            404            404
district_admin mastery      change | district_admin district_admin 403            | 404            404            403
district_admin evidence     view   | district_admin district_admin district_admin | 404            404            404
district_admin evidence     change | district_admin district_admin 403            | 404            404            403
district_admin goals        view   | district_admin district_admin district_admin | 404            404            404
district_admin goals        change | district_admin district_admin 403            | 404            404            403
district_admin guardians    view   | district_admin district_admin district_admin | 404            404            404
district_admin guardians    change | district_admin district_admin 403            | 404            404            403
district_admin demographics view   | district_admin district_admin district_admin | 404            404            404
district_admin demographics change | district_admin district_admin 403            | 404            404            403
district_admin audit        view   | district_admin district_admin district_admin | 404            404            404
district_admin audit        change | 403            403            403            | 403            403            403
district_admin plan         view   | district_admin district_admin district_admin | 404            404            404
district_admin plan         change | district_admin district_admin 403            | 404            404            403
district_admin supports     view   | district_admin district_admin district_admin | 404            404            404
district_admin supports     change | district_admin district_admin 403            | 404            404            403
district_admin notes        view   | district_admin district_admin district_admin | 404            404            404
district_admin notes        change | district_admin district_admin 403            | 404            404            403
district_admin alerts       view   | district_admin district_admin district_admin | 404            404            404
district_admin alerts       change | 403            403            403            | 403            403            403
`

// allowMatrix is every role x resource x action, for a resource of one of
// the actor's schools (and a class they teach), of another school (a class
// they do not teach) and of the whole district, each through a session, a
// write token and a read token.
func allowMatrix() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s %-10s %-6s | %-14s | %-14s | %s\n", "role", "resource", "action",
		"mine: s / w / r", "other: s / w / r", "district: s / w / r")
	scopes := []Scope{{SchoolID: 1, ClassTaught: true}, {SchoolID: 2}, {}}
	for _, r := range allRoles {
		for _, res := range Resources {
			for _, act := range Actions {
				fmt.Fprintf(&b, "%-14s %-10s %-6s |", r, res, act)
				for i, sc := range scopes {
					for _, scope := range tokenScopes {
						a := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{r}, SchoolIDs: []int64{1}, TokenScope: scope}
						fmt.Fprintf(&b, " %-4s", outcome("", Allow(a, act, res, sc)))
					}
					if i < len(scopes)-1 {
						b.WriteString(" |")
					}
				}
				b.WriteString("\n")
			}
		}
	}
	return trimLines(b.String())
}

func TestAllowMatrix(t *testing.T) {
	got := allowMatrix()
	if diff := cmp.Diff(strings.Split(wantAllow, "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("the policy for classes, standards and the rest changed (-want +got):\n%s", diff)
	}
}

// wantAllow is the policy for everything that is not one student's record,
// written out.
const wantAllow = `role           resource   action | mine: s / w / r | other: s / w / r | district: s / w / r
student        class      view   | 403  403  403  | 403  403  403  | 403  403  403
student        class      change | 403  403  403  | 403  403  403  | 403  403  403
student        roster     view   | 403  403  403  | 403  403  403  | 403  403  403
student        roster     change | 403  403  403  | 403  403  403  | 403  403  403
student        standards  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
student        standards  change | 403  403  403  | 403  403  403  | 403  403  403
student        scales     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
student        scales     change | 403  403  403  | 403  403  403  | 403  403  403
student        policy     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
student        policy     change | 403  403  403  | 403  403  403  | 403  403  403
student        users      view   | 403  403  403  | 403  403  403  | 403  403  403
student        users      change | 403  403  403  | 403  403  403  | 403  403  403
student        audit_log  view   | 403  403  403  | 403  403  403  | 403  403  403
student        audit_log  change | 403  403  403  | 403  403  403  | 403  403  403
student        playlists  view   | 404  404  404  | 404  404  404  | 404  404  404
student        playlists  change | 403  403  403  | 403  403  403  | 403  403  403
guardian       class      view   | 403  403  403  | 403  403  403  | 403  403  403
guardian       class      change | 403  403  403  | 403  403  403  | 403  403  403
guardian       roster     view   | 403  403  403  | 403  403  403  | 403  403  403
guardian       roster     change | 403  403  403  | 403  403  403  | 403  403  403
guardian       standards  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
guardian       standards  change | 403  403  403  | 403  403  403  | 403  403  403
guardian       scales     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
guardian       scales     change | 403  403  403  | 403  403  403  | 403  403  403
guardian       policy     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
guardian       policy     change | 403  403  403  | 403  403  403  | 403  403  403
guardian       users      view   | 403  403  403  | 403  403  403  | 403  403  403
guardian       users      change | 403  403  403  | 403  403  403  | 403  403  403
guardian       audit_log  view   | 403  403  403  | 403  403  403  | 403  403  403
guardian       audit_log  change | 403  403  403  | 403  403  403  | 403  403  403
guardian       playlists  view   | 403  403  403  | 403  403  403  | 403  403  403
guardian       playlists  change | 403  403  403  | 403  403  403  | 403  403  403
teacher        class      view   | ok   ok   ok   | 404  404  404  | 404  404  404
teacher        class      change | ok   ok   403  | 404  404  403  | 404  404  403
teacher        roster     view   | 403  403  403  | 403  403  403  | 403  403  403
teacher        roster     change | 403  403  403  | 403  403  403  | 403  403  403
teacher        standards  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
teacher        standards  change | 403  403  403  | 403  403  403  | 403  403  403
teacher        scales     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
teacher        scales     change | 403  403  403  | 403  403  403  | 403  403  403
teacher        policy     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
teacher        policy     change | 403  403  403  | 403  403  403  | 403  403  403
teacher        users      view   | 403  403  403  | 403  403  403  | 403  403  403
teacher        users      change | 403  403  403  | 403  403  403  | 403  403  403
teacher        audit_log  view   | 403  403  403  | 403  403  403  | 403  403  403
teacher        audit_log  change | 403  403  403  | 403  403  403  | 403  403  403
teacher        playlists  view   | ok   ok   ok   | 404  404  404  | 404  404  404
teacher        playlists  change | 404  404  403  | 404  404  403  | 404  404  403
coach          class      view   | ok   ok   ok   | 404  404  404  | 404  404  404
coach          class      change | 403  403  403  | 403  403  403  | 403  403  403
coach          roster     view   | ok   ok   ok   | 404  404  404  | 403  403  403
coach          roster     change | 403  403  403  | 403  403  403  | 403  403  403
coach          standards  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
coach          standards  change | 403  403  403  | 403  403  403  | 403  403  403
coach          scales     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
coach          scales     change | 403  403  403  | 403  403  403  | 403  403  403
coach          policy     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
coach          policy     change | 403  403  403  | 403  403  403  | 403  403  403
coach          users      view   | 403  403  403  | 403  403  403  | 403  403  403
coach          users      change | 403  403  403  | 403  403  403  | 403  403  403
coach          audit_log  view   | 403  403  403  | 403  403  403  | 403  403  403
coach          audit_log  change | 403  403  403  | 403  403  403  | 403  403  403
coach          playlists  view   | ok   ok   ok   | 404  404  404  | 404  404  404
coach          playlists  change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   class      view   | ok   ok   ok   | 404  404  404  | 404  404  404
school_admin   class      change | ok   ok   403  | 404  404  403  | 404  404  403
school_admin   roster     view   | ok   ok   ok   | 404  404  404  | 403  403  403
school_admin   roster     change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   standards  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
school_admin   standards  change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   scales     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
school_admin   scales     change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   policy     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
school_admin   policy     change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   users      view   | 403  403  403  | 403  403  403  | 403  403  403
school_admin   users      change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   audit_log  view   | 403  403  403  | 403  403  403  | 403  403  403
school_admin   audit_log  change | 403  403  403  | 403  403  403  | 403  403  403
school_admin   playlists  view   | ok   ok   ok   | 404  404  404  | 404  404  404
school_admin   playlists  change | 404  404  403  | 404  404  403  | 404  404  403
district_admin class      view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin class      change | ok   ok   403  | ok   ok   403  | ok   ok   403
district_admin roster     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin roster     change | ok   ok   403  | ok   ok   403  | ok   ok   403
district_admin standards  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin standards  change | ok   ok   403  | ok   ok   403  | ok   ok   403
district_admin scales     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin scales     change | ok   ok   403  | ok   ok   403  | ok   ok   403
district_admin policy     view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin policy     change | ok   ok   403  | ok   ok   403  | ok   ok   403
district_admin users      view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin users      change | ok   403  403  | ok   403  403  | ok   403  403
district_admin audit_log  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin audit_log  change | 403  403  403  | 403  403  403  | 403  403  403
district_admin playlists  view   | ok   ok   ok   | ok   ok   ok   | ok   ok   ok
district_admin playlists  change | 404  404  403  | 404  404  403  | 404  404  403
`

// A role benefits only from its own relation: giving each role every fact
// at once changes nothing against giving it its own.
func TestDecideOnlyOwnRelationCounts(t *testing.T) {
	all := Relations{Self: true, Guardian: true, Teacher: true, SchoolAdmin: true, Coach: true, DistrictAdmin: true}
	for _, r := range allRoles {
		for _, w := range Whats {
			for _, act := range Actions {
				a := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{r}}
				got := outcome(Decide(a, act, w, all))
				want := outcome(Decide(a, act, w, related(r)))
				if got != want {
					t.Errorf("%s %s %s with every relation: %s, with only its own: %s", r, act, w, got, want)
				}
			}
		}
	}
}

func TestDecideSeveralRoles(t *testing.T) {
	teacherParent := []roster.Role{roster.RoleTeacher, roster.RoleGuardian}
	tests := []struct {
		name   string
		roles  []roster.Role
		action Action
		what   What
		rel    Relations
		want   string
	}{
		{"guardian of a child not in their class", teacherParent, View, Evidence, Relations{Guardian: true}, "guardian"},
		{"both: the closest relation is recorded", teacherParent, View, Evidence, Relations{Guardian: true, Teacher: true}, "guardian"},
		{"as guardian may not change evidence, as teacher may", teacherParent, Change, Evidence, Relations{Guardian: true, Teacher: true}, "teacher"},
		{"their own child, not in their class: no change", teacherParent, Change, Evidence, Relations{Guardian: true}, "404"},
		{"a student in their class: guardians list", teacherParent, View, Guardians, Relations{Teacher: true}, "teacher"},
		{"their own child: audit, as guardian", teacherParent, View, Audit, Relations{Guardian: true}, "guardian"},
		{"a student in their class: no audit", teacherParent, View, Audit, Relations{Teacher: true}, "404"},
		{"neither role sees demographics", teacherParent, View, Demographics, Relations{Guardian: true, Teacher: true}, "403"},
		{"coach and school admin: the admin relation allows demographics", []roster.Role{roster.RoleCoach, roster.RoleSchoolAdmin}, View, Demographics, Relations{Coach: true, SchoolAdmin: true}, "school_admin"},
		{"coach and school admin: the closer relation is school_admin", []roster.Role{roster.RoleCoach, roster.RoleSchoolAdmin}, View, Mastery, Relations{Coach: true, SchoolAdmin: true}, "school_admin"},
		{"no roles at all", nil, View, Profile, Relations{Self: true}, "403"},
		{"the facts alone do not make a role", []roster.Role{roster.RoleTeacher}, View, Audit, Relations{Self: true, Guardian: true}, "403"},
		{"a student who is also a teacher sees themself", []roster.Role{roster.RoleStudent, roster.RoleTeacher}, View, Audit, Relations{Self: true}, "self"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Actor{PersonID: 7, DistrictID: 1, Roles: tc.roles}
			if got := outcome(Decide(a, tc.action, tc.what, tc.rel)); got != tc.want {
				t.Errorf("Decide(%v, %s, %s, %+v) = %s, want %s", tc.roles, tc.action, tc.what, tc.rel, got, tc.want)
			}
		})
	}
}

func TestDecideRefusals(t *testing.T) {
	teacher := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{roster.RoleTeacher}}

	// A hidden record reads exactly like a missing one, whatever is asked.
	_, e1 := Decide(teacher, View, Mastery, Relations{})
	_, e2 := Decide(teacher, Change, Evidence, Relations{})
	if !errors.Is(e1, problem.ErrNotFound) || e1.Error() != e2.Error() {
		t.Errorf("refusals of unrelated records differ: %q, %q", e1, e2)
	}

	// Forbidden says which role and what, to help the person.
	_, err := Decide(teacher, View, Demographics, Relations{Teacher: true})
	if !errors.Is(err, problem.ErrForbidden) || !strings.Contains(err.Error(), "teacher may not view a student's demographics") {
		t.Errorf("teacher viewing demographics: %v", err)
	}

	bad := teacher
	bad.TokenScope = "admin"
	if _, err := Decide(bad, View, Profile, Relations{Teacher: true}); !errors.Is(err, problem.ErrForbidden) || !strings.Contains(err.Error(), `"admin"`) {
		t.Errorf("unknown token scope: %v", err)
	}
	for _, tc := range []struct {
		action Action
		what   What
		field  string
	}{{"delete", Profile, "action"}, {View, "grades", "what"}} {
		_, err := Decide(teacher, tc.action, tc.what, Relations{Teacher: true})
		var ie *problem.InvalidError
		if !errors.As(err, &ie) || ie.Fields[0].Field != tc.field {
			t.Errorf("Decide(%s, %s): %v, want invalid %s", tc.action, tc.what, err, tc.field)
		}
	}
}

func TestAllowOwnAccount(t *testing.T) {
	for _, r := range allRoles {
		for _, scope := range tokenScopes {
			a := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{r}, TokenScope: scope}
			for _, act := range Actions {
				want := "ok"
				if scope != "" && act == Change {
					want = "403" // no token changes an account or makes tokens
				}
				if got := outcome("", Allow(a, act, Users, Scope{Own: true})); got != want {
					t.Errorf("%s with token %q: %s own account = %s, want %s", r, scope, act, got, want)
				}
			}
		}
	}
	// Nobody signed in owns nothing.
	if err := Allow(Actor{}, View, Users, Scope{Own: true}); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("anonymous own account: %v", err)
	}
	// Own matters only for accounts.
	student := Actor{PersonID: 7, Roles: []roster.Role{roster.RoleStudent}}
	if err := Allow(student, Change, Policy, Scope{Own: true}); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("student changing policy they 'own': %v", err)
	}
}

func TestAllowRefusals(t *testing.T) {
	teacher := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{roster.RoleTeacher}, SchoolIDs: []int64{1}}
	err := Allow(teacher, View, AuditLog, Scope{})
	if !errors.Is(err, problem.ErrForbidden) || !strings.Contains(err.Error(), "teacher may not view the audit log") {
		t.Errorf("teacher opening the audit log: %v", err)
	}
	// A class the teacher does not teach reads like a missing class.
	if err := Allow(teacher, View, Class, Scope{SchoolID: 1}); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("class not taught: %v", err)
	}
	var ie *problem.InvalidError
	if err := Allow(teacher, View, "grades", Scope{}); !errors.As(err, &ie) || ie.Fields[0].Field != "resource" {
		t.Errorf("unknown resource: %v", err)
	}
	if err := Allow(teacher, "delete", Class, Scope{}); !errors.As(err, &ie) || ie.Fields[0].Field != "action" {
		t.Errorf("unknown action: %v", err)
	}
}
