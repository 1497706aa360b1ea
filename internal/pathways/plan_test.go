package pathways

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
)

func course() Course {
	return Course{
		Title:     "Math 6",
		Standards: map[int64]bool{1: true, 2: true, 3: true, 4: true},
		Beyond:    map[int64]bool{10: true, 11: true},
		Label: func(id int64) string {
			return map[int64]string{1: "6.RP.A.1", 10: "7.RP.A.1", 99: "X.1"}[id]
		},
	}
}

func ids(ts []Target) []int64 {
	var out []int64
	for _, t := range ts {
		out = append(out, t.StandardID)
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func reasons(err error) string {
	var ie *problem.InvalidError
	if !errors.As(err, &ie) {
		return ""
	}
	var b strings.Builder
	for _, f := range ie.Fields {
		b.WriteString(f.Field + ": " + f.Reason + "\n")
	}
	return b.String()
}

func TestPathwayValidate(t *testing.T) {
	tests := []struct {
		name    string
		targets []int64
		want    string // a part of the refusal, "" for none
	}{
		{"the course's standards", []int64{3, 1, 2}, ""},
		{"empty", nil, ""},
		{"a standard of another course", []int64{1, 10}, `targets[1].standardId: 7.RP.A.1 (standard 10) is not a standard of the course "Math 6"`},
		{"a standard of no course", []int64{99}, `targets[0].standardId: X.1 (standard 99) is not a standard of the course`},
		{"twice", []int64{1, 2, 1}, "targets[2].standardId: 6.RP.A.1 (standard 1) is already target 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pw := Pathway{ClassID: 1}
			for _, id := range tc.targets {
				pw.Targets = append(pw.Targets, PathwayTarget{StandardID: id})
			}
			err := pw.Validate(course())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !errors.Is(err, problem.ErrInvalid) || !strings.Contains(reasons(err), tc.want) {
				t.Fatalf("got %v (%s), want an invalid error with %q", err, reasons(err), tc.want)
			}
		})
	}
	t.Run("too many", func(t *testing.T) {
		pw := Pathway{Targets: make([]PathwayTarget, limits.PlanTargets+1)}
		if err := pw.Validate(course()); !strings.Contains(reasons(err), "limits.PlanTargets") {
			t.Fatalf("got %v, want the limit named", err)
		}
	})
}

func TestPlanValidate(t *testing.T) {
	tests := []struct {
		name    string
		targets []Target
		want    string
		beyond  []bool
	}{
		{"the course's standards", []Target{{StandardID: 1, Origin: FromPathway}, {StandardID: 2, Origin: AddedByTeacher}}, "", []bool{false, false}},
		{"a teacher goes beyond the course", []Target{{StandardID: 1, Origin: FromPathway}, {StandardID: 10, Origin: AddedByTeacher}}, "", []bool{false, true}},
		{"beyond the course from the pathway", []Target{{StandardID: 10, Origin: FromPathway}}, "only a teacher can add a standard of another course", nil},
		{"a standard of no course", []Target{{StandardID: 99, Origin: AddedByTeacher}}, `X.1 (standard 99) is not a standard of the course "Math 6" nor of any other course`, nil},
		{"an unknown origin", []Target{{StandardID: 1, Origin: "student"}}, `targets[0].origin: "student" is not an origin`, nil},
		{"twice", []Target{{StandardID: 2, Origin: FromPathway}, {StandardID: 2, Origin: AddedByTeacher}}, "already target 0", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Plan{Targets: tc.targets}
			err := p.Validate(course())
			if tc.want != "" {
				if !strings.Contains(reasons(err), tc.want) {
					t.Fatalf("got %v (%s), want %q", err, reasons(err), tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range tc.beyond {
				if p.Targets[i].Beyond != b {
					t.Errorf("target %d Beyond = %v, want %v", i, p.Targets[i].Beyond, b)
				}
			}
		})
	}
}

func TestApply(t *testing.T) {
	day := func(d int) *time.Time { v := time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC); return &v }
	pw := Pathway{DistrictID: 1, ClassID: 5, Targets: []PathwayTarget{{1, day(5)}, {2, day(12)}, {3, day(19)}}}
	mastered := func(ids ...int64) func(int64) bool {
		return func(id int64) bool {
			for _, m := range ids {
				if m == id {
					return true
				}
			}
			return false
		}
	}
	t.Run("a new plan is the pathway", func(t *testing.T) {
		p := Apply(Plan{StudentID: 9}, pw, 7, mastered())
		if !sameIDs(ids(p.Targets), []int64{1, 2, 3}) || p.StudentID != 9 || p.ClassID != 5 {
			t.Fatalf("got %+v", p)
		}
		if p.Targets[1].Due == nil || !p.Targets[1].Due.Equal(*day(12)) || p.Targets[1].Origin != FromPathway || p.Targets[1].AddedBy != 7 {
			t.Errorf("target 1 = %+v", p.Targets[1])
		}
	})
	t.Run("teacher's additions keep their place, open earlier content stays first", func(t *testing.T) {
		old := Plan{StudentID: 9, Targets: []Target{
			{StandardID: 4, Origin: FromPathway},     // no longer in the pathway, open: stays first
			{StandardID: 11, Origin: AddedByTeacher}, // led the plan: stays at the front
			{StandardID: 1, Origin: FromPathway},
			{StandardID: 10, Origin: AddedByTeacher, AddedBy: 8}, // follows 1
			{StandardID: 6, Origin: FromPathway},                 // no longer in the pathway, mastered: leaves
			{StandardID: 2, Origin: FromPathway},
		}}
		p := Apply(old, pw, 7, mastered(6))
		if want := []int64{4, 11, 1, 10, 2, 3}; !sameIDs(ids(p.Targets), want) {
			t.Fatalf("got %v, want %v", ids(p.Targets), want)
		}
		if p.Targets[3].AddedBy != 8 {
			t.Errorf("the teacher's addition lost who added it: %+v", p.Targets[3])
		}
	})
}

func TestWith(t *testing.T) {
	p := Plan{Targets: []Target{{StandardID: 1, Origin: FromPathway}, {StandardID: 2, Origin: FromPathway}, {StandardID: 3, Origin: FromPathway}}}
	tests := []struct {
		edit Edit
		want []int64
		err  string
	}{
		{Edit{Op: EditUp, StandardID: 2}, []int64{2, 1, 3}, ""},
		{Edit{Op: EditUp, StandardID: 1}, []int64{1, 2, 3}, ""},
		{Edit{Op: EditDown, StandardID: 2}, []int64{1, 3, 2}, ""},
		{Edit{Op: EditDown, StandardID: 3}, []int64{1, 2, 3}, ""},
		{Edit{Op: EditRemove, StandardID: 2}, []int64{1, 3}, ""},
		{Edit{Op: EditAdd, StandardID: 10}, []int64{1, 2, 3, 10}, ""},
		{Edit{Op: EditAdd, StandardID: 2}, nil, "already a target"},
		{Edit{Op: EditRemove, StandardID: 7}, nil, "not a target"},
		{Edit{Op: "jump", StandardID: 1}, nil, "not an edit"},
	}
	for _, tc := range tests {
		got, err := p.With(tc.edit, 4)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: got %v, want %q", tc.edit, err, tc.err)
			}
			continue
		}
		if err != nil || !sameIDs(ids(got.Targets), tc.want) {
			t.Errorf("%+v: got %v, %v, want %v", tc.edit, ids(got.Targets), err, tc.want)
		}
	}
	if !sameIDs(ids(p.Targets), []int64{1, 2, 3}) {
		t.Errorf("With changed the plan it was called on: %v", ids(p.Targets))
	}
	added, _ := p.With(Edit{Op: EditAdd, StandardID: 10}, 4)
	if a := added.Targets[3]; a.Origin != AddedByTeacher || a.AddedBy != 4 {
		t.Errorf("added target = %+v, want added by the teacher 4", a)
	}
}

// standing builds a student's standing from prerequisites and states
// given as (mastered, model probability or -1).
func standing(pre map[int64][]int64, st map[int64]mastery.State) Standing {
	return Standing{
		Prerequisites: func(id int64) []int64 { return pre[id] },
		State: func(id int64) (mastery.State, bool) {
			s, ok := st[id]
			return s, ok
		},
	}
}

func TestReady(t *testing.T) {
	s := standing(map[int64][]int64{3: {1, 2}, 2: {1}}, map[int64]mastery.State{1: {Mastered: true}, 2: {Mastered: false}})
	tests := []struct {
		id      int64
		ready   bool
		missing []int64
	}{
		{1, true, nil},
		{2, true, nil},
		{3, false, []int64{2}},
		{4, true, nil},
	}
	for _, tc := range tests {
		r := Ready(s, tc.id)
		if r.Ready != tc.ready || !sameIDs(r.Missing, tc.missing) {
			t.Errorf("Ready(%d) = %+v, want ready %v missing %v", tc.id, r, tc.ready, tc.missing)
		}
	}
	if !Ready(s, 1).Mastered || Ready(s, 2).Mastered {
		t.Error("Mastered wrong")
	}
}
