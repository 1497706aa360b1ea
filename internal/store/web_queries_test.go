package store_test

import (
	"slices"
	"testing"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
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
		})
	}
}
