package access

import (
	"errors"
	"testing"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// TestPlaylistScope checks the facts the matrix leaves out: a playlist of
// one's own, and one made by a student's teacher.
func TestPlaylistScope(t *testing.T) {
	teacher := Actor{PersonID: 7, DistrictID: 1, Roles: []roster.Role{roster.RoleTeacher}, SchoolIDs: []int64{1}}
	student := Actor{PersonID: 8, DistrictID: 1, Roles: []roster.Role{roster.RoleStudent}}
	for _, c := range []struct {
		name   string
		a      Actor
		action Action
		sc     Scope
		want   error
	}{
		{"teacher changes their own", teacher, Change, Scope{Own: true}, nil},
		{"teacher reads their own unshared", teacher, View, Scope{Own: true}, nil},
		{"teacher reads another's unshared", teacher, View, Scope{}, problem.ErrNotFound},
		{"teacher changes another's shared", teacher, Change, Scope{SchoolID: 1}, problem.ErrNotFound},
		{"student reads their teacher's", student, View, Scope{TeachesActor: true}, nil},
		{"student reads another teacher's", student, View, Scope{SchoolID: 1}, problem.ErrNotFound},
		{"student changes their teacher's", student, Change, Scope{TeachesActor: true}, problem.ErrForbidden},
	} {
		err := Allow(c.a, c.action, Playlists, c.sc)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}
