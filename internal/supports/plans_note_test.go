package supports_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/supports"
)

func TestNewNote(t *testing.T) {
	now := time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC)
	n, err := supports.NewNote(1, 2, nil, 3, supports.NoteBehaviour, "  Left the room twice  ", now)
	if err != nil || n.Text != "Left the room twice" || !n.At.Equal(now) {
		t.Fatalf("NewNote = %+v, %v", n, err)
	}
	for _, tc := range []struct {
		name  string
		kind  supports.NoteKind
		text  string
		field string
	}{
		{"empty", supports.NoteComment, "   ", "text"},
		{"too long", supports.NoteComment, strings.Repeat("a", 4001), "text"},
		{"unknown kind", "incident", "x", "kind"},
	} {
		_, err := supports.NewNote(1, 2, nil, 3, tc.kind, tc.text, now)
		var inv *problem.InvalidError
		if !errors.As(err, &inv) || inv.Fields[0].Field != tc.field {
			t.Errorf("%s: %v, want a reason on %s", tc.name, err, tc.field)
		}
	}
}

func TestReviseAndMonitor(t *testing.T) {
	now := time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC)
	start := supports.Day(now).AddDate(0, 0, -10)
	p := supports.Plan{ID: 1, PlanDraft: supports.PlanDraft{StudentID: 7, Tier: 2, Kind: supports.Reteach,
		StandardIDs: []int64{5}, ProviderID: 3, StartsOn: start, Goal: "Unit rates"}}
	d := p.PlanDraft
	d.StudentID, d.Tier, d.Goal = 99, 3, "Unit rates, with tutoring"
	if err := p.Revise(d, now); err != nil || p.StudentID != 7 || p.Tier != 3 {
		t.Fatalf("Revise: %v, %+v", err, p)
	}
	d.Goal = ""
	if err := p.Revise(d, now); !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("Revise without a goal: %v", err)
	}
	if err := p.Close(supports.GoalMet, "", now); err != nil {
		t.Fatal(err)
	}
	if err := p.Revise(p.PlanDraft, now); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("Revise a closed plan: %v", err)
	}

	at := func(days int, v float64) supports.ProgressPoint {
		return supports.ProgressPoint{StandardID: 5, AssessedAt: start.AddDate(0, 0, days), Value: v}
	}
	for _, tc := range []struct {
		name   string
		points []supports.ProgressPoint
		want   supports.ProgressStatus
		n      int
	}{
		{"none", nil, supports.ProgressNoEvidence, 0},
		{"only before the start", []supports.ProgressPoint{at(-3, 1)}, supports.ProgressNoEvidence, 0},
		{"rising", []supports.ProgressPoint{at(-3, 1), at(1, 1.5), at(5, 2.5)}, supports.ProgressRising, 2},
		{"flat", []supports.ProgressPoint{at(1, 2), at(5, 2)}, supports.ProgressFlat, 2},
		{"at goal", []supports.ProgressPoint{at(1, 2), at(5, 3)}, supports.ProgressAtGoal, 2},
	} {
		got := supports.Monitor(p, 3, tc.points)
		if got.Status != tc.want || len(got.Points) != tc.n {
			t.Errorf("%s: %s with %d points, want %s with %d", tc.name, got.Status, len(got.Points), tc.want, tc.n)
		}
	}
}
