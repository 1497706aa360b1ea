package mastery

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestTraceReadsTheCutAsRightAndWrong(t *testing.T) {
	scale := fivePoint()
	tr := Tracer{Params: DefaultBKTParams()}
	st := Compute(Method{Name: Mean}, scale, history(2, 3, 4, 2.999999999, 1))
	est, in := tr.Trace(scale, st.Explanation.Inputs, EstimateOptions{})
	// 2.999999999 is within float error of the cut, as Compute reads it.
	if in.Responses != 5 || in.Right != 3 || in.Model != "bkt" || in.Fitted {
		t.Fatalf("inputs = %+v, want 5 responses, 3 right, bkt, defaults", in)
	}
	want := DefaultBKTParams().Replay([]bool{false, true, true, true, false})
	if got := DefaultBKTParams().Estimate(want, EstimateOptions{}); got != est {
		t.Fatalf("estimate = %+v, want %+v (the same responses replayed)", est, got)
	}
	if in.Confidence != DefaultConfidence {
		t.Fatalf("confidence = %g, want the default %g", in.Confidence, DefaultConfidence)
	}
}

func TestDecideMasteredBy(t *testing.T) {
	scale := fivePoint()
	// Low guess and slip: the model becomes sure quickly.
	sure := Tracer{Params: BKTParams{Prior: 0.3, Learn: 0.2, Guess: 0.05, Slip: 0.05}, Fitted: true}
	method := Method{Name: MostRecent}
	cases := []struct {
		name       string
		by         MasteredBy
		values     []float64
		wantMethod bool // the method's own verdict
		wantModel  Verdict
		want       bool
	}{
		// One lucky 4 after many 1s: the method (most recent) says
		// mastered; the model is far from sure.
		{"method", MasteredByMethod, []float64{1, 1, 1, 1, 4}, true, VerdictNeedsEvidence, true},
		{"model", MasteredByModel, []float64{1, 1, 1, 1, 4}, true, VerdictNeedsEvidence, false},
		{"both", MasteredByBoth, []float64{1, 1, 1, 1, 4}, true, VerdictNeedsEvidence, false},
		{"unset is method", "", []float64{1, 1, 1, 1, 4}, true, VerdictNeedsEvidence, true},
		// A run of 4s ending in one slip: the method says not yet; the
		// model is sure of mastery.
		{"model over a slip", MasteredByModel, []float64{4, 4, 4, 4, 4, 4, 2}, false, VerdictMastered, true},
		{"both over a slip", MasteredByBoth, []float64{4, 4, 4, 4, 4, 4, 2}, false, VerdictMastered, false},
		{"both agree", MasteredByBoth, []float64{4, 4, 4, 4, 4, 4}, true, VerdictMastered, true},
		{"model not yet", MasteredByModel, []float64{1, 2, 1, 2, 1, 1}, false, VerdictNotYet, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Policy{Method: method, MasteredBy: c.by}
			st := p.Decide(scale, history(c.values...), sure)
			plain := Compute(method, scale, history(c.values...))
			if plain.Mastered != c.wantMethod {
				t.Fatalf("method alone: mastered = %v, want %v", plain.Mastered, c.wantMethod)
			}
			if st.Model == nil || st.Explanation.Model == nil {
				t.Fatal("no model estimate")
			}
			if st.Model.Verdict != c.wantModel {
				t.Fatalf("model verdict = %s (p %.3f), want %s", st.Model.Verdict, st.Model.PMastered, c.wantModel)
			}
			if st.Mastered != c.want {
				t.Fatalf("mastered = %v, want %v", st.Mastered, c.want)
			}
			if st.Value != plain.Value || st.Level != plain.Level || st.Trend != plain.Trend {
				t.Fatalf("the model changed the method's value: %+v vs %+v", st, plain)
			}
			wantBy := c.by
			if wantBy == "" {
				wantBy = MasteredByMethod
			}
			if st.Explanation.Model.MasteredBy != wantBy {
				t.Fatalf("explanation says mastered by %q, want %q", st.Explanation.Model.MasteredBy, wantBy)
			}
		})
	}
}

func TestDecideNoEvidence(t *testing.T) {
	st := Policy{MasteredBy: MasteredByModel}.Decide(fivePoint(), nil, Tracer{Params: DefaultBKTParams()})
	if st.Model != nil || st.Mastered || st.EvidenceCount != 0 {
		t.Fatalf("no evidence gave %+v, want the zero state", st)
	}
}

func TestDecideConfidence(t *testing.T) {
	scale := fivePoint()
	tr := Tracer{Params: DefaultBKTParams()}
	obs := history(3, 3)
	strict := Policy{MasteredBy: MasteredByModel}.Decide(scale, obs, tr)
	lenient := Policy{MasteredBy: MasteredByModel, Confidence: 0.6}.Decide(scale, obs, tr)
	if strict.Model.PMastered != lenient.Model.PMastered {
		t.Fatal("the confidence changed the probability itself")
	}
	if p := strict.Model.PMastered; !(p > 0.6 && p < 0.95) {
		t.Fatalf("P(mastered) after two right = %g; the test needs it between 0.6 and 0.95", p)
	}
	if strict.Mastered || !lenient.Mastered {
		t.Fatalf("mastered at 0.95 = %v, at 0.6 = %v; want false, true", strict.Mastered, lenient.Mastered)
	}
	if lenient.Explanation.Model.Confidence != 0.6 {
		t.Fatalf("explanation confidence = %g", lenient.Explanation.Model.Confidence)
	}
}

func TestPolicyValidateModelChoice(t *testing.T) {
	for _, c := range []struct {
		p     Policy
		field string
	}{
		{Policy{Method: Method{Name: Mean}, MasteredBy: "teacher"}, "masteredBy"},
		{Policy{Method: Method{Name: Mean}, Confidence: 0.5}, "confidence"},
		{Policy{Method: Method{Name: Mean}, Confidence: 1}, "confidence"},
		{Policy{Method: Method{Name: Mean}, Confidence: math.NaN()}, "confidence"},
	} {
		err := c.p.Validate()
		var ie *problem.InvalidError
		if !errors.As(err, &ie) || len(ie.Fields) != 1 || ie.Fields[0].Field != c.field {
			t.Errorf("Validate(%+v) = %v, want one error on %s", c.p, err, c.field)
		}
	}
	ok := Policy{Method: Method{Name: Mean}, MasteredBy: MasteredByBoth, Confidence: 0.9}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v", ok, err)
	}
}

func TestSummaryNamesTheModel(t *testing.T) {
	scale := fivePoint()
	tr := Tracer{Params: BKTParams{Prior: 0.3, Learn: 0.2, Guess: 0.05, Slip: 0.05}, Fitted: true}
	st := Policy{Method: Method{Name: MostRecent}, MasteredBy: MasteredByModel}.Decide(scale, history(4, 4, 4, 4, 4, 4, 2), tr)
	got := st.Explanation.Summary(scale, st)
	for _, want := range []string{
		"Most recent of 7 pieces of evidence: 2, Developing (mastery is 3 Proficient or above). Mastered, as the model judges.",
		"Bayesian Knowledge Tracing (parameters fitted to this district's evidence) read 7 responses, 6 at mastery:",
		"likely mastered (the model is sure);",
		"chance the next score reaches mastery.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	for p, want := range map[float64]string{0: "0", 1: "100", 0.5: "50", 0.996: "99", 0.004: "1", 0.724: "72", 0.725: "73"} {
		if got := Percent(p); got != want {
			t.Errorf("Percent(%g) = %s, want %s", p, got, want)
		}
	}
}
