package standards

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestScaleLevelOf(t *testing.T) {
	s := DefaultScale()
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0.2, "Beginning"}, {1, "Beginning"}, {2.99, "Developing"}, {2.9999999999, "Proficient"},
		{3, "Proficient"}, {3.7, "Proficient"}, {4, "Advanced"}, {9, "Advanced"},
	} {
		if got := s.LevelOf(tt.v).Label; got != tt.want {
			t.Errorf("LevelOf(%g) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestScaleValidate(t *testing.T) {
	good := DefaultScale()
	if err := good.Validate(); err != nil {
		t.Fatalf("default scale: %v", err)
	}
	bad := []struct {
		name string
		edit func(*Scale)
	}{
		{"one level", func(s *Scale) { s.Levels = s.Levels[:1]; s.MasteryCut = 1 }},
		{"not increasing", func(s *Scale) { s.Levels[2].Value = 1.5 }},
		{"cut not a level", func(s *Scale) { s.MasteryCut = 2.5 }},
		{"no name", func(s *Scale) { s.Name = " " }},
		{"no label", func(s *Scale) { s.Levels[0].Label = "" }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultScale()
			tt.edit(&s)
			if err := s.Validate(); !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestFromRaw(t *testing.T) {
	s := DefaultScale()
	if got := s.FromRaw(15, 0, 20); got != 3.25 {
		t.Errorf("15/20 = %g, want 3.25", got)
	}
	if got := s.FromRaw(0, 0, 20); got != 1 {
		t.Errorf("0/20 = %g, want the lowest level 1", got)
	}
}

func id(v int64) *int64 { return &v }

func TestGraph(t *testing.T) {
	// 1 -> {2, 3}, 3 -> {4}; prerequisites: 2 before 3, 3 before 4.
	all := []Standard{
		{ID: 4, ParentID: id(3)}, {ID: 3, ParentID: id(1), Position: 2},
		{ID: 2, ParentID: id(1), Position: 1}, {ID: 1},
	}
	g := NewGraph(all, []Prerequisite{{StandardID: 3, PrerequisiteID: 2}, {StandardID: 4, PrerequisiteID: 3}})
	if diff := cmp.Diff([]int64{3, 1}, g.Ancestors(4)); diff != "" {
		t.Errorf("Ancestors(4) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{2, 3}, g.Children(1)); diff != "" {
		t.Errorf("Children(1) in position order (-want +got):\n%s", diff)
	}
	if _, ok := g.Parent(1); ok {
		t.Error("Parent(1) reported a parent for a root")
	}
	if err := g.CheckPrerequisite(2, 4); !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("4 before 2 closes the cycle 2->3->4->2: got %v", err)
	}
	if err := g.CheckPrerequisite(3, 3); !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("self prerequisite: got %v", err)
	}
	if err := g.CheckPrerequisite(4, 2); err != nil {
		t.Errorf("2 before 4 is fine (already implied): got %v", err)
	}
	if err := g.CheckParent(1, 4); !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("making 4 the parent of its ancestor 1: got %v", err)
	}
	if err := g.CheckParent(4, 2); err != nil {
		t.Errorf("moving 4 under 2: got %v", err)
	}
}
