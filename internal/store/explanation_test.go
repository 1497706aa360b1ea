package store

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// TestExplanationJSON holds the hand-written encoding of explanations to
// json.Marshal's, byte for byte, so that stored explanations read the same
// whichever wrote them.
func TestExplanationJSON(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
	tests := []struct {
		name string
		e    mastery.Explanation
	}{
		{"empty", mastery.Explanation{}},
		{"cut only", mastery.Explanation{Cut: 3}},
		{"decaying average", mastery.Explanation{Method: mastery.DecayingAverage, Weight: 0.65, Cut: 3, Inputs: []mastery.Input{
			{EvidenceID: 1, Value: 2, AssessedAt: at, Weight: 0.35},
			{EvidenceID: 22, Value: 3.5, AssessedAt: at.Add(time.Hour), Weight: 0.65},
		}}},
		{"n times", mastery.Explanation{Method: "n_times", N: 3, Cut: 2.5, Inputs: []mastery.Input{{EvidenceID: 7, Value: 1e-7, Weight: 1}}}},
		{"rollup", mastery.Explanation{Rollup: mastery.RollupMean, Cut: 3, Children: []mastery.ChildInput{
			{StandardID: 4, Value: 3.25, Mastered: true, Assessed: true}, {StandardID: 5},
		}}},
		{"odd numbers", mastery.Explanation{Weight: 1e21, Cut: -1e-9, Inputs: []mastery.Input{{Value: 1.0 / 3, Weight: 123456789.125, AssessedAt: time.Time{}}}}},
		{"escaped method", mastery.Explanation{Method: "a<b&\"c\"", Cut: 1}},
		{"model", mastery.Explanation{Method: mastery.Mean, Cut: 3, Model: &mastery.ModelInputs{Model: "bkt",
			Params: mastery.BKTParams{Prior: 0.4, Learn: 0.1, Guess: 0.2, Slip: 0.1}, Responses: 4, Right: 3, Confidence: 0.95,
			MasteredBy: mastery.MasteredByMethod}}},
		{"model with forgetting", mastery.Explanation{Cut: 3, Model: &mastery.ModelInputs{Model: "bkt",
			Params: mastery.BKTParams{Prior: 1e-4, Learn: 0.123456789, Guess: 0.49, Slip: 1e-7, Forget: 0.02}, Fitted: true,
			Responses: 40, Confidence: 0.9, MasteredBy: mastery.MasteredByBoth}}},
		{"far year", mastery.Explanation{Cut: 1, Inputs: []mastery.Input{{AssessedAt: time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.e)
			if err != nil {
				// The fallback must fail as json.Marshal does.
				defer func() {
					if recover() == nil {
						t.Errorf("explanationJSON did not fail where json.Marshal did (%v)", err)
					}
				}()
			}
			if got := explanationJSON(tt.e); got != string(want) {
				t.Errorf("explanationJSON =\n%s\nwant\n%s", got, want)
			}
		})
	}
	t.Run("random values", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for range 2000 {
			e := mastery.Explanation{Method: mastery.DecayingAverage, Weight: rng.Float64(), Cut: math.Ldexp(rng.Float64(), rng.IntN(160)-80),
				Rollup: mastery.RollupMean}
			for range rng.IntN(4) {
				e.Inputs = append(e.Inputs, mastery.Input{EvidenceID: rng.Int64(), Value: rng.NormFloat64() * math.Pow(10, float64(rng.IntN(50)-25)),
					AssessedAt: time.UnixMicro(rng.Int64N(1e17)).UTC(), Weight: rng.Float64()})
				e.Children = append(e.Children, mastery.ChildInput{StandardID: rng.Int64(), Value: -rng.Float64(), Mastered: rng.IntN(2) == 0})
			}
			if rng.IntN(2) == 0 {
				e.Model = &mastery.ModelInputs{Model: "bkt", Params: mastery.BKTParams{Prior: rng.Float64(), Learn: rng.Float64(),
					Guess: rng.Float64() / 2, Slip: rng.Float64() / 2, Forget: float64(rng.IntN(2)) * rng.Float64()},
					Fitted: rng.IntN(2) == 0, Responses: rng.IntN(100), Right: rng.IntN(100), Confidence: rng.Float64(),
					MasteredBy: mastery.MasteredByModel}
			}
			want, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if got := explanationJSON(e); got != string(want) {
				t.Fatalf("explanationJSON =\n%s\nwant\n%s", got, want)
			}
		}
	})
}
