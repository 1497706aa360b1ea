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

func TestParseLanguage(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "en"}, {"en", "en"}, {"ES", "es"}, {"es-mx", "es-MX"}, {"es-419", "es-419"},
		{"zh-hant-tw", "zh-Hant-TW"}, {"sr-Latn", "sr-Latn"}, {"haw", "haw"},
	} {
		got, err := ParseLanguage(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"English", "e", "en_US", "en-", "-en", "en-US-x-foo", "en-USA", "en-1234", "es-MX-MX", "1a", " en", "en-Latn-Latn", "é"} {
		if got, err := ParseLanguage(in); err == nil {
			t.Errorf("ParseLanguage(%q) = %q, want an error", in, got)
		}
	}
}

func TestFrameworkLanguage(t *testing.T) {
	f := Framework{Title: "Math", Kind: Academic, ScaleID: 1}
	if err := f.Validate(); err != nil {
		t.Fatalf("no language: %v", err)
	}
	if got := f.Lang(); got != "en" {
		t.Errorf("Lang() with none = %q, want en", got)
	}
	f.Language = "es-mx"
	if got := f.Lang(); got != "es-MX" {
		t.Errorf("Lang() = %q, want es-MX", got)
	}
	f.Language = "Spanish"
	var inv *problem.InvalidError
	if err := f.Validate(); !errors.As(err, &inv) || len(inv.Fields) != 1 || inv.Fields[0].Field != "language" {
		t.Errorf("Validate with language Spanish = %v, want an error naming language", err)
	}
}

func TestSameLanguage(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"en", "en", true}, {"en-US", "en", true}, {"EN", "en-GB", true}, {"en", "es", false}, {"es-MX", "en-US", false},
	} {
		if got := SameLanguage(tt.a, tt.b); got != tt.want {
			t.Errorf("SameLanguage(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
