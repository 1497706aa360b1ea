package pathways

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

func friday() time.Time { return time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) }

func TestGoalRefused(t *testing.T) {
	good := GoalDraft{What: "Finish playlist B on unit rates", Due: friday(), Plan: "Two activities a day", Need: "A mini lesson on converting units"}
	tests := []struct {
		name          string
		edit          func(d *GoalDraft)
		field, reason string
	}{
		{"no what", func(d *GoalDraft) { d.What = "" }, "what", "required"},
		{"long what", func(d *GoalDraft) { d.What = strings.Repeat("w", 201) }, "what", "200 characters"},
		{"no plan", func(d *GoalDraft) { d.Plan = " " }, "plan", "required"},
		{"long need", func(d *GoalDraft) { d.Need = strings.Repeat("n", 4001) }, "need", "4000 characters"},
		{"no due", func(d *GoalDraft) { d.Due = time.Time{} }, "due", "required"},
		{"past", func(d *GoalDraft) { d.Due = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC) }, "due", "2026-11-29 has passed"},
		{"too far", func(d *GoalDraft) { d.Due = time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC) }, "due", "more than a year"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := good
			tc.edit(&d)
			_, err := NewGoal(1, 2, nil, d, monday)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	// Today is a day the goal may be due.
	d := good
	d.Due = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if _, err := NewGoal(1, 2, nil, d, monday); err != nil {
		t.Errorf("a goal due today: %v", err)
	}
	_, err := ParseDue("next friday")
	wantField(t, err, "due", "not a date")
	if got, err := ParseDue("2026-12-04"); err != nil || !got.Equal(friday()) {
		t.Errorf("ParseDue = %v, %v", got, err)
	}
}

func TestGoalReflection(t *testing.T) {
	ev := int64(7)
	g, err := NewGoal(1, 2, &ev, GoalDraft{What: " Finish playlist B ", Due: friday(), Plan: "Two a day"}, monday)
	if err != nil {
		t.Fatal(err)
	}
	if g.What != "Finish playlist B" || g.State != GoalOpen || g.IsDue(monday) {
		t.Fatalf("new goal %+v", g)
	}
	r := Reflection{Happened: "I did four of five", Learned: "Units cancel"}
	wantField(t, g.Reflect(r, monday), "met", "due on 2026-12-04")
	wantField(t, g.Reflect(Reflection{Met: true}, monday), "happened", "required")
	fri := friday().Add(16 * time.Hour)
	if !g.IsDue(fri) {
		t.Error("not due on its day")
	}
	if err := g.Reflect(r, fri); err != nil {
		t.Fatal(err)
	}
	if g.State != GoalNotMet || g.Reflection == nil || !g.Reflection.At.Equal(fri) || g.IsDue(fri) {
		t.Errorf("reflected: %+v", g)
	}
	if err := g.Reflect(Reflection{Met: true, Happened: "a", Learned: "b"}, fri); !errors.Is(err, problem.ErrConflict) {
		t.Errorf("a second reflection: %v, want a conflict", err)
	}
	// Met early.
	g2, _ := NewGoal(1, 2, nil, GoalDraft{What: "x", Due: friday(), Plan: "y"}, monday)
	if err := g2.Reflect(Reflection{Met: true, Happened: "done", Learned: "a lot"}, monday); err != nil || g2.State != GoalMet {
		t.Errorf("met early: %v, %+v", err, g2)
	}
}

func TestGoalComment(t *testing.T) {
	_, err := NewGoalComment(9, "  ", monday)
	wantField(t, err, "text", "required")
	_, err = NewGoalComment(9, strings.Repeat("c", 4001), monday)
	wantField(t, err, "text", "4000")
	c, err := NewGoalComment(9, " See me Thursday ", monday)
	if err != nil || c.Text != "See me Thursday" || c.By != 9 {
		t.Errorf("comment %+v, %v", c, err)
	}
}
