package pathways

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

var fourLevels = standards.Scale{Name: "1-4", MasteryCut: 3, Levels: []standards.Level{
	{Value: 1, Label: "Beginning"}, {Value: 2, Label: "Approaching"}, {Value: 3, Label: "Meeting"}, {Value: 4, Label: "Exceeding"}}}

func TestReadinessBar(t *testing.T) {
	bar := DefaultReadinessBar()
	est := func(p, low float64) *mastery.MasteryEstimate { return &mastery.MasteryEstimate{PMastered: p, Low: low} }
	for _, tc := range []struct {
		name  string
		st    SummativeStanding
		ready bool
		code  SummativeReasonCode
	}{
		{"no evidence", SummativeStanding{}, false, ReasonNoEvidence},
		{"no model", SummativeStanding{Assessed: true, Level: 3}, false, ReasonNoModel},
		{"model below", SummativeStanding{Assessed: true, Level: 3, Estimate: est(0.8, 0.75)}, false, ReasonModelBelow},
		{"model unsure", SummativeStanding{Assessed: true, Level: 3, Estimate: est(0.9, 0.6)}, false, ReasonModelUnsure},
		{"method below", SummativeStanding{Assessed: true, Level: 1, Estimate: est(0.9, 0.8)}, false, ReasonMethodBelow},
		{"approaching agrees", SummativeStanding{Assessed: true, Level: 2, Estimate: est(0.9, 0.8)}, true, ReasonReady},
		{"at the bar", SummativeStanding{Assessed: true, Level: 3, Estimate: est(0.85, 0.7)}, true, ReasonReady},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bar.Ready(tc.st, fourLevels)
			if got.Ready != tc.ready || got.Reason.Code != tc.code {
				t.Errorf("Ready = %v %q, want %v %q", got.Ready, got.Reason.Code, tc.ready, tc.code)
			}
		})
	}
	strict := bar
	strict.LevelsBelowCut = 0
	if got := strict.Ready(SummativeStanding{Assessed: true, Level: 2, Estimate: est(0.9, 0.8)}, fourLevels); got.Ready || got.Reason.Bar != 3 {
		t.Errorf("strict bar at level 2: %+v, want not ready below 3", got)
	}
	if got := (ReadinessBar{MinProbability: 0.9, MinLow: 0.7, LevelsBelowCut: 5}).AgreeingLevel(fourLevels); got != 1 {
		t.Errorf("AgreeingLevel far below the cut = %g, want the first level 1", got)
	}
}

func TestReadinessBarValidate(t *testing.T) {
	if err := DefaultReadinessBar().Validate(); err != nil {
		t.Fatal(err)
	}
	err := ReadinessBar{MinProbability: 1.2, MinLow: -1, LevelsBelowCut: 9}.Validate()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) || len(ie.Fields) != 3 {
		t.Fatalf("Validate = %v, want three fields named", err)
	}
}

func TestReassessNext(t *testing.T) {
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	att := func(n int) []Attempt {
		out := make([]Attempt, n)
		for i := range out {
			out[i] = Attempt{EvidenceID: int64(i + 1), AssessedAt: day.AddDate(0, 0, i), Value: float64(i + 1)}
		}
		return out
	}
	p := ReassessPolicy{PracticeBeforeRetake: 2, MaxAttempts: 3, Counts: CountLatest}
	for _, tc := range []struct {
		name    string
		h       History
		allowed bool
		rule    Rule
		code    SummativeReasonCode
		left    int
		needed  int
	}{
		{"first", History{}, true, "", ReasonFirstAttempt, 3, 0},
		{"no practice yet", History{Attempts: att(1)}, false, RulePractice, ReasonPracticeFirst, 2, 2},
		{"some practice", History{Attempts: att(1), PracticeSince: 1}, false, RulePractice, ReasonPracticeFirst, 2, 1},
		{"practice done", History{Attempts: att(2), PracticeSince: 2}, true, "", ReasonRetakeOpen, 1, 0},
		{"cap reached", History{Attempts: att(3), PracticeSince: 9}, false, RuleCap, ReasonNoAttemptsLeft, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Next(tc.h)
			if got.Allowed != tc.allowed || got.Rule != tc.rule || got.Reason.Code != tc.code || got.Left != tc.left || got.PracticeNeeded != tc.needed {
				t.Errorf("Next = %+v, want allowed %v rule %q code %q left %d needed %d", got, tc.allowed, tc.rule, tc.code, tc.left, tc.needed)
			}
			err := got.Refusal("6.RP.A.3")
			if tc.allowed != (err == nil) {
				t.Fatalf("Refusal = %v", err)
			}
			if err != nil && (!errors.Is(err, problem.ErrConflict) || !strings.Contains(err.Error(), string(tc.rule)) || !strings.Contains(err.Error(), "6.RP.A.3")) {
				t.Errorf("Refusal = %v, want a conflict naming the rule and the standard", err)
			}
		})
	}
	if got := DefaultReassessPolicy().Next(History{Attempts: att(9)}); !got.Allowed || got.Left != -1 {
		t.Errorf("no cap, no practice needed: %+v, want allowed with no cap", got)
	}
}

func TestReassessResult(t *testing.T) {
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	atts := []Attempt{{1, day, 2}, {2, day.AddDate(0, 0, 7), 4}, {3, day.AddDate(0, 0, 14), 3}}
	for _, tc := range []struct {
		c    Counting
		want float64
		id   int64
	}{{CountLatest, 3, 3}, {CountHighest, 4, 2}, {CountMean, 3, 0}} {
		got, ok := ReassessPolicy{Counts: tc.c}.Result(atts)
		if !ok || got.Value != tc.want || got.EvidenceID != tc.id || got.Attempts != 3 {
			t.Errorf("%s: Result = %+v, want %g from %d", tc.c, got, tc.want, tc.id)
		}
	}
	if _, ok := DefaultReassessPolicy().Result(nil); ok {
		t.Error("Result of no attempts is ok")
	}
}

func TestReassessValidate(t *testing.T) {
	if err := DefaultReassessPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
	err := ReassessPolicy{PracticeBeforeRetake: -1, MaxAttempts: 99, Counts: "best"}.Validate()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) || len(ie.Fields) != 3 {
		t.Fatalf("Validate = %v, want three fields named", err)
	}
}

func TestIsPractice(t *testing.T) {
	for _, k := range evidence.Kinds {
		want := k != evidence.Summative && k != evidence.Capstone
		if IsPractice(k) != want {
			t.Errorf("IsPractice(%s) = %v", k, !want)
		}
	}
}
