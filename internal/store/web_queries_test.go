package store_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestWebQueries tries the queries the pages need beyond the store's own
// API, on every engine.
func TestWebQueries(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			x := newDistrict(t, e, "webq")
			other := newDistrict(t, e, "other")
			ok(t, e.s.RecordEvidenceBatch(e.ctx, []evidence.Evidence{
				x.ev(x.alice, 3, level(x.s1, 2), level(x.s2, 3)),
				x.ev(x.bob, 2, level(x.s1, 4)),
			}))

			// StatesOf: only the pairs asked for that have evidence.
			states, err := e.s.StatesOf(e.ctx, x.d.ID, []int64{x.alice.ID, x.bob.ID, x.cleo.ID}, []int64{x.s1.ID, x.s3.ID})
			ok(t, err)
			got := map[[2]int64]float64{}
			for _, ms := range states {
				got[[2]int64{ms.StudentID, ms.StandardID}] = ms.Level
			}
			want := map[[2]int64]float64{{x.alice.ID, x.s1.ID}: 2, {x.bob.ID, x.s1.ID}: 4}
			if len(got) != len(want) || got[[2]int64{x.alice.ID, x.s1.ID}] != 2 || got[[2]int64{x.bob.ID, x.s1.ID}] != 4 {
				t.Errorf("StatesOf = %v, want %v", got, want)
			}
			// Another district's ids give nothing.
			states, err = e.s.StatesOf(e.ctx, other.d.ID, []int64{x.alice.ID}, []int64{x.s1.ID})
			ok(t, err)
			if len(states) != 0 {
				t.Errorf("StatesOf across districts = %v", states)
			}
			if states, err := e.s.StatesOf(e.ctx, x.d.ID, nil, []int64{x.s1.ID}); err != nil || states != nil {
				t.Errorf("StatesOf without students = %v, %v", states, err)
			}

			// SchoolClasses: the classes of the schools asked for, of the
			// district only.
			second := roster.School{DistrictID: x.d.ID, Name: "Second"}
			ok(t, e.s.CreateSchool(e.ctx, &second))
			c2 := roster.Class{DistrictID: x.d.ID, SchoolID: second.ID, CourseID: x.course.ID, TermID: x.term.ID, Title: "Math 6 - P2"}
			ok(t, e.s.CreateClass(e.ctx, &c2))
			ids := func(cs []roster.Class) []int64 {
				var out []int64
				for _, c := range cs {
					out = append(out, c.ID)
				}
				return out
			}
			cs, err := e.s.SchoolClasses(e.ctx, x.d.ID, []int64{second.ID})
			ok(t, err)
			if !slices.Equal(ids(cs), []int64{c2.ID}) {
				t.Errorf("SchoolClasses(second) = %v", ids(cs))
			}
			cs, err = e.s.SchoolClasses(e.ctx, x.d.ID, []int64{x.school.ID, second.ID})
			ok(t, err)
			if !slices.Equal(ids(cs), []int64{x.class.ID, c2.ID}) {
				t.Errorf("SchoolClasses(both) = %v", ids(cs))
			}
			cs, err = e.s.SchoolClasses(e.ctx, other.d.ID, []int64{x.school.ID})
			ok(t, err)
			if len(cs) != 0 {
				t.Errorf("SchoolClasses across districts = %v", ids(cs))
			}

			// ClassListings: each class's school and course, and whether
			// the actor teaches it, for a whole list at once; as
			// ClassRelation says one class at a time.
			teacher := access.Actor{PersonID: x.teacher.ID, DistrictID: x.d.ID, Roles: []roster.Role{roster.RoleTeacher}}
			ls, err := e.s.ClassListings(e.ctx, teacher, []int64{x.class.ID, c2.ID, other.class.ID})
			ok(t, err)
			wantL := map[int64]store.ClassListing{
				x.class.ID: {SchoolID: x.school.ID, SchoolName: "Ridge Middle", CourseTitle: "Math 6", Teaches: true},
				c2.ID:      {SchoolID: second.ID, SchoolName: "Second", CourseTitle: "Math 6"},
			}
			if diff := cmp.Diff(wantL, ls); diff != "" {
				t.Errorf("ClassListings (-want +got):\n%s", diff)
			}
			for id, l := range ls {
				teaches, school, err := e.s.ClassRelation(e.ctx, teacher, id)
				ok(t, err)
				if teaches != l.Teaches || school != l.SchoolID {
					t.Errorf("class %d: ClassListings says %+v, ClassRelation %v %d", id, l, teaches, school)
				}
			}
			// Without the teacher role, an enrollment as teacher teaches
			// nothing.
			coach := teacher
			coach.Roles = []roster.Role{roster.RoleCoach}
			ls, err = e.s.ClassListings(e.ctx, coach, []int64{x.class.ID})
			ok(t, err)
			if ls[x.class.ID].Teaches {
				t.Error("ClassListings: a coach's teacher enrollment counts as teaching")
			}
		})
	}
}
