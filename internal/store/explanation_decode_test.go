package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/mastery"
)

// checkDecodesAsJSON fails t unless scanExplanation reads text as
// json.Unmarshal does: the same value, or an error where it fails.
func checkDecodesAsJSON(t *testing.T, text string) {
	t.Helper()
	var want mastery.Explanation
	var wantErr error
	if text != "" && text != "[]" && text != "null" {
		wantErr = json.Unmarshal([]byte(text), &want)
	}
	var got mastery.Explanation
	err := scanExplanation(text, &got)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("scanExplanation(%q): error %v, json.Unmarshal's %v", text, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("scanExplanation(%q) =\n%+v\njson.Unmarshal gives\n%+v", text, got, want)
	}
}

// explanationSeeds are texts in the form explanationJSON writes and near
// it, each of which must decode as encoding/json decodes it.
var explanationSeeds = []string{
	"", "[]", "null", "{}", `{"cut":3}`, `{"cut":-0}`, `{"method":"mean","cut":3}`,
	`{"method":"decaying_average","weight":0.65,"inputs":[{"evidenceId":1,"value":2,"assessedAt":"2026-03-04T05:06:07.891011Z","weight":0.35}],"cut":3}`,
	`{"rollup":"mean","children":[{"standardId":4,"value":3.25,"mastered":true,"assessed":true},{"standardId":5,"value":0,"mastered":false,"assessed":false}],"cut":3}`,
	`{"n":3,"inputs":[{"evidenceId":7,"value":1e-7,"assessedAt":"0001-01-01T00:00:00Z","weight":1}],"cut":2.5}`,
	`{"cut":3,"model":{"model":"bkt","params":{"prior":0.4,"learn":0.1,"guess":0.2,"slip":0.1,"forget":0.02},"fitted":true,"responses":4,"right":3,"confidence":0.95,"masteredBy":"both"}}`,
	`{"method":"a\u003cb","cut":1}`, `{"method":"a\"b","cut":1}`, `{"method":"é","cut":1}`,
	`{"inputs":[],"cut":1}`, `{"cut":1,"method":"mean"}`, `{ "cut":1}`, `{"cut":1}x`, `{"cut":+1}`, `{"cut":.5}`,
	`{"cut":1.}`, `{"cut":01}`, `{"cut":1e400}`, `{"n":1.5,"cut":1}`, `{"n":99999999999999999999,"cut":1}`,
	`{"weight":0,"cut":1}`, `{"method":"","cut":1}`, `{"cut":1,"model":null}`,
	`{"inputs":[{"evidenceId":1,"value":2,"assessedAt":"2026-03-04T05:06:07+02:00","weight":1}],"cut":3}`,
	`{"inputs":[{"evidenceId":1,"value":2,"assessedAt":"2026-13-04T05:06:07Z","weight":1}],"cut":3}`,
	`{"inputs":[{"evidenceId":1,"value":2,"assessedAt":"2026-03-04 05:06:07Z","weight":1}],"cut":3}`,
	`{"cut":1`, `{"cut":`, `{`,
}

// TestScanExplanation holds the hand-written decoder to json.Unmarshal on
// the explanations of TestExplanationJSON's random values, as
// explanationJSON writes them, and on texts near that form.
func TestScanExplanation(t *testing.T) {
	for _, text := range explanationSeeds {
		checkDecodesAsJSON(t, text)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		checkDecodesAsJSON(t, explanationJSON(randomExplanation(rng)))
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.FixedZone("", 3600))
	checkDecodesAsJSON(t, explanationJSON(mastery.Explanation{Cut: 1, Inputs: []mastery.Input{{EvidenceID: 1, AssessedAt: at}}}))
	var e mastery.Explanation
	n := 0
	fillNonZero(t, reflect.ValueOf(&e).Elem(), &n)
	text := explanationJSON(e)
	checkDecodesAsJSON(t, text)
	d := explanationDecoder{s: text}
	var got mastery.Explanation
	if !d.explanation(&got) || d.i != len(text) {
		t.Errorf("the hand-written decoder does not read every field of %s (it stopped at %d)", text, d.i)
	}
}

// FuzzScanExplanation holds the hand-written decoder to json.Unmarshal on
// any text.
func FuzzScanExplanation(f *testing.F) {
	for _, text := range explanationSeeds {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkDecodesAsJSON(t, text)
	})
}
