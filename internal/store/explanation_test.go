package store

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
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
			e := randomExplanation(rng)
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

// TestExplanationJSONHasEveryField fills every field of an explanation,
// and of every value inside it, with a value that is not zero, and checks
// that the hand-written encoding carries each one back: a field added to
// mastery.Explanation (or to an input, a child or the model's inputs)
// that appendExplanation does not write fails here, instead of being
// dropped from every stored explanation. The fill is by reflection, so
// a new field needs no change to this test to be checked.
func TestExplanationJSONHasEveryField(t *testing.T) {
	var e mastery.Explanation
	n := 0
	fillNonZero(t, reflect.ValueOf(&e).Elem(), &n)
	b, ok := appendExplanation(nil, e)
	if !ok {
		t.Fatalf("appendExplanation fell back to json.Marshal on plain values: %s", b)
	}
	var back mastery.Explanation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	if !reflect.DeepEqual(back, e) {
		t.Errorf("a field is lost by explanationJSON:\nwrote %s\nread back %+v\nwant      %+v", b, back, e)
	}
}

// fillNonZero sets every settable field of v to a distinct value that is
// not zero; *n counts the values set, so that no two are alike.
func fillNonZero(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strconv.Itoa(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillNonZero(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillNonZero(t, v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, *n*1000, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillNonZero(t, v.Field(i), n)
			}
		}
	default:
		t.Fatalf("fillNonZero: no value for a %s; teach it one", v.Type())
	}
}

// randomExplanation returns an explanation of random values, with and
// without inputs, children and a model.
func randomExplanation(rng *rand.Rand) mastery.Explanation {
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
	return e
}
