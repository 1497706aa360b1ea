package supports

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

var scale14 = ScaleRange{Min: 1, Max: 4}

func TestParseRuleParams(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  RuleKind
		raw   string
		want  RuleParams
		field string
		why   string
	}{
		{"below cut", RuleBelowCut, `{"cut": 2.5, "count": 3}`, RuleParams{Cut: 2.5, Count: 3}, "", ""},
		{"no evidence", RuleNoEvidence, `{"days": 10}`, RuleParams{Days: 10}, "", ""},
		{"pace", RulePaceBehind, `{"targets": 0}`, RuleParams{}, "", ""},
		{"drop", RuleProbabilityFalling, `{"drop": 1}`, RuleParams{Drop: 1}, "", ""},
		{"stalled", RuleStalled, `{"evidence": 4}`, RuleParams{Evidence: 4}, "", ""},
		{"note has none", RuleBehaviourNote, `{}`, RuleParams{}, "", ""},
		{"note null", RuleBehaviourNote, `null`, RuleParams{}, "", ""},
		{"unknown field", RuleBelowCut, `{"cut": 3, "count": 2, "colour": "red"}`, RuleParams{}, "params.colour", "unknown field for a below_cut rule (its thresholds are cut, count)"},
		{"note with a field", RuleBehaviourNote, `{"days": 2}`, RuleParams{}, "params.days", "it has no thresholds"},
		{"missing", RuleBelowCut, `{"cut": 3}`, RuleParams{}, "params.count", "required"},
		{"cut above the scale", RuleBelowCut, `{"cut": 5, "count": 2}`, RuleParams{}, "params.cut", "5 is outside the district's scale"},
		{"cut at the bottom", RuleBelowCut, `{"cut": 1, "count": 2}`, RuleParams{}, "params.cut", "outside the district's scale"},
		{"count below 2", RuleBelowCut, `{"cut": 3, "count": 1}`, RuleParams{}, "params.count", "1 scores: between 2 and 10"},
		{"count not whole", RuleBelowCut, `{"cut": 3, "count": 2.5}`, RuleParams{}, "params.count", "not a whole number"},
		{"days zero", RuleNoEvidence, `{"days": 0}`, RuleParams{}, "params.days", "between 1 and 365"},
		{"days too many", RuleNoEvidence, `{"days": 400}`, RuleParams{}, "params.days", "between 1 and 365"},
		{"days a word", RuleNoEvidence, `{"days": "ten"}`, RuleParams{}, "params.days", "is not a number"},
		{"probability above 1", RuleProbabilityFalling, `{"drop": 1.5}`, RuleParams{}, "params.drop", "at most 1"},
		{"probability 0", RuleProbabilityFalling, `{"drop": 0}`, RuleParams{}, "params.drop", "above 0"},
		{"negative targets", RulePaceBehind, `{"targets": -1}`, RuleParams{}, "params.targets", "between 0 and 100"},
		{"not an object", RuleStalled, `[1]`, RuleParams{}, "params", "not a JSON object"},
		{"unknown kind", "sometimes", `{}`, RuleParams{}, "kind", "not a kind of rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRuleParams(tc.kind, []byte(tc.raw), scale14)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Fatalf("got %+v, want %+v", got, tc.want)
				}
				// What is stored reads back the same.
				back, err := ParseRuleParams(tc.kind, got.ParamsJSON(tc.kind), scale14)
				if err != nil || back != got {
					t.Fatalf("round trip: %+v, %v", back, err)
				}
				return
			}
			var inv *problem.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want an invalid field", err)
			}
			for _, f := range inv.Fields {
				if f.Field == tc.field && strings.Contains(f.Reason, tc.why) {
					return
				}
			}
			t.Fatalf("err = %v, want %s: %s", err, tc.field, tc.why)
		})
	}
}

func TestDefaultRulesAreValid(t *testing.T) {
	rules := DefaultRules()
	if len(rules) != len(RuleKinds) {
		t.Fatalf("%d default rules for %d kinds", len(rules), len(RuleKinds))
	}
	for _, r := range rules {
		if err := r.Params.Validate(r.Kind, scale14); err != nil {
			t.Errorf("%s: %v", r.Kind, err)
		}
		if r.Kind.OnEvidence() == r.Kind.Daily() && r.Kind != RuleBehaviourNote {
			t.Errorf("%s is both or neither on evidence and daily", r.Kind)
		}
	}
}

func TestBelowCut(t *testing.T) {
	p := RuleParams{Cut: 3, Count: 2}
	s := func(vs ...float64) []ScoreFact {
		out := make([]ScoreFact, len(vs))
		for i, v := range vs {
			out[i] = ScoreFact{EvidenceID: int64(i + 1), Value: v}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		recent []ScoreFact
		fires  bool
	}{
		{"two below", s(2, 2.5, 4), true},
		{"newest at the cut", s(3, 2, 1), false},
		{"one below then one above", s(2, 3.5), false},
		{"only one score", s(1), false},
		{"none", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := BelowCut(p, 7, 9, tc.recent)
			if ok != tc.fires {
				t.Fatalf("fired %v, want %v", ok, tc.fires)
			}
			if ok {
				if f.StudentID != 7 || f.StandardID != 9 || len(f.Data.Scores) != 2 || *f.Data.Cut != 3 || f.Data.EvidenceID[0] != 1 {
					t.Fatalf("firing %+v", f)
				}
				if want := "2 formative scores in a row below 3 (2, 2.5)"; f.Reason != want {
					t.Fatalf("reason %q, want %q", f.Reason, want)
				}
			}
		})
	}
}

func TestNoEvidence(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	p := RuleParams{Days: 7}
	if _, ok := NoEvidence(p, 1, 2, day(20), day(1), day(26)); ok {
		t.Error("6 days fired a 7-day rule")
	}
	f, ok := NoEvidence(p, 1, 2, day(19), day(1), day(26))
	if !ok || f.Data.Days != 7 || !f.Data.LastEvidence.Equal(day(19)) {
		t.Errorf("7 days: %v %+v", ok, f.Data)
	}
	// Never any evidence: counted from the day the target became the
	// student's.
	if _, ok := NoEvidence(p, 1, 2, time.Time{}, day(22), day(26)); ok {
		t.Error("a target of 4 days fired")
	}
	f, ok = NoEvidence(p, 1, 2, time.Time{}, day(1), day(26))
	if !ok || f.Data.Since == nil || f.Data.Days != 25 {
		t.Errorf("since: %v %+v", ok, f.Data)
	}
}

func TestPaceBehind(t *testing.T) {
	p := RuleParams{Targets: 2}
	if _, ok := PaceBehind(p, 1, 5, 3); ok {
		t.Error("2 behind fired a rule of more than 2")
	}
	f, ok := PaceBehind(p, 1, 6, 3)
	if !ok || f.Data.Behind != 3 || f.StandardID != 0 {
		t.Errorf("3 behind: %v %+v", ok, f)
	}
	if _, ok := PaceBehind(RuleParams{}, 1, 3, 3); ok {
		t.Error("on track fired a rule of 0")
	}
}

func TestProbabilityFalling(t *testing.T) {
	p := RuleParams{Drop: 0.2}
	f64 := func(v float64) *float64 { return &v }
	if _, ok := ProbabilityFalling(p, 1, 2, f64(0.8), f64(0.65)); ok {
		t.Error("a fall of 0.15 fired")
	}
	if _, ok := ProbabilityFalling(p, 1, 2, f64(0.8), f64(0.6)); !ok {
		t.Error("a fall of exactly 0.2 did not fire")
	}
	if _, ok := ProbabilityFalling(p, 1, 2, nil, f64(0.1)); ok {
		t.Error("no probability before fired")
	}
	if _, ok := ProbabilityFalling(p, 1, 2, f64(0.3), f64(0.9)); ok {
		t.Error("a rise fired")
	}
}

func TestStalled(t *testing.T) {
	p := RuleParams{Evidence: 3}
	if _, ok := Stalled(p, 1, 2, []int64{5}, 2); ok {
		t.Error("2 pieces of evidence fired a rule of 3")
	}
	if _, ok := Stalled(p, 1, 2, nil, 9); ok {
		t.Error("not stalled fired")
	}
	f, ok := Stalled(p, 1, 2, []int64{5, 6}, 3)
	if !ok || len(f.Data.Below) != 2 {
		t.Errorf("stalled: %v %+v", ok, f)
	}
}
