package evidence

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

func ptr(f float64) *float64 { return &f }

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	scale := standards.DefaultScale()
	scaleOf := func(id int64) (standards.Scale, bool) { return scale, id == 7 || id == 8 }
	valid := func() Evidence {
		return Evidence{
			StudentID:  1,
			Kind:       Formative,
			AssessedAt: now.Add(-time.Hour),
			Scores:     []Score{{StandardID: 7, Level: ptr(3)}},
		}
	}
	tests := []struct {
		name      string
		edit      func(*Evidence)
		wantField string // "" means valid
		wantIn    string // part of the reason
	}{
		{"valid level", func(*Evidence) {}, "", ""},
		{"valid points", func(e *Evidence) {
			e.Scores = []Score{{StandardID: 8, Points: ptr(8), MaxPoints: 10}}
		}, "", ""},
		{"no student", func(e *Evidence) { e.StudentID = 0 }, "studentId", "required"},
		{"unknown kind", func(e *Evidence) { e.Kind = "quiz" }, "kind", `"quiz" is not one of`},
		{"future", func(e *Evidence) { e.AssessedAt = now.Add(48 * time.Hour) }, "assessedAt", "in the future"},
		{"no assessed time", func(e *Evidence) { e.AssessedAt = time.Time{} }, "assessedAt", "required"},
		{"no scores", func(e *Evidence) { e.Scores = nil }, "scores", "at least one standard"},
		{"unknown standard", func(e *Evidence) { e.Scores[0].StandardID = 99 }, "scores[0].standardId", "no standard 99"},
		{"level not on scale", func(e *Evidence) { e.Scores[0].Level = ptr(2.5) }, "scores[0].level", "2.5 is not a level"},
		{"points above max", func(e *Evidence) {
			e.Scores = []Score{{StandardID: 7, Points: ptr(11), MaxPoints: 10}}
		}, "scores[0].points", "outside 0..10"},
		{"max not above min", func(e *Evidence) {
			e.Scores = []Score{{StandardID: 7, Points: ptr(1), MinPoints: 5, MaxPoints: 5}}
		}, "scores[0].maxPoints", "must be above minPoints"},
		{"both level and points", func(e *Evidence) { e.Scores[0].Points = ptr(3) }, "scores[0]", "not both"},
		{"neither", func(e *Evidence) { e.Scores[0].Level = nil }, "scores[0]", "give a level or points"},
		{"standard twice", func(e *Evidence) {
			e.Scores = append(e.Scores, Score{StandardID: 7, Level: ptr(2)})
		}, "scores[1].standardId", "scored twice"},
		{"artifact not a URL", func(e *Evidence) { e.ArtifactURL = "javascript:alert(1)" }, "artifactUrl", "http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid()
			tt.edit(&e)
			err := e.Validate(now, scaleOf)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, problem.ErrInvalid) {
				t.Fatalf("Validate = %v, want an ErrInvalid", err)
			}
			var ie *problem.InvalidError
			errors.As(err, &ie)
			for _, f := range ie.Fields {
				if f.Field == tt.wantField && strings.Contains(f.Reason, tt.wantIn) {
					return
				}
			}
			t.Errorf("Validate = %v, want field %q with %q", err, tt.wantField, tt.wantIn)
		})
	}
}

func TestValidateNormalises(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	scale := standards.DefaultScale()
	e := Evidence{StudentID: 1, Kind: Summative, AssessedAt: now,
		Scores: []Score{{StandardID: 1, Points: ptr(8), MaxPoints: 10}, {StandardID: 2, Level: ptr(4)}}}
	if err := e.Validate(now, func(int64) (standards.Scale, bool) { return scale, true }); err != nil {
		t.Fatal(err)
	}
	if got, want := e.Scores[0].Value, 3.4; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("8/10 on 1-4 = %g, want %g", got, want)
	}
	if got := e.Scores[1].Value; got != 4 {
		t.Errorf("level 4 = %g, want 4", got)
	}
	if e.Attempt != 1 {
		t.Errorf("Attempt = %d, want 1 when not given", e.Attempt)
	}
}
