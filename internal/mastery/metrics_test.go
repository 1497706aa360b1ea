package mastery

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name    string
		p       []float64
		correct []bool
		want    float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"reversed", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		// Pairs (right, wrong): (.5,.2)=1 (.5,.5)=1/2 (.8,.2)=1 (.8,.5)=1.
		{"one tie across classes", []float64{0.2, 0.5, 0.5, 0.8}, []bool{false, false, true, true}, 3.5 / 4},
		// Right {.3,.7}, wrong {.3,.3,.1}: .3 scores 1/2+1/2+1, .7 scores 3.
		{"ties within and across", []float64{0.3, 0.3, 0.3, 0.7, 0.1}, []bool{true, false, false, true, false}, 5.0 / 6},
		// Right {.6, .4}, wrong {.5}: one pair won, one lost.
		{"half", []float64{0.6, 0.5, 0.4}, []bool{true, false, true}, 0.5},
		// NaN counts as .5 and ties the wrong answer at .5.
		{"NaN prediction", []float64{math.NaN(), 0.5, 0.9}, []bool{true, false, true}, 0.75},
		{"unsorted input", []float64{0.9, 0.1, 0.8, 0.2}, []bool{true, false, true, false}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AUC(tt.p, tt.correct); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("AUC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAUCUndefined(t *testing.T) {
	for name, y := range map[string][]bool{"all right": {true, true}, "all wrong": {false, false}, "none": {}} {
		if got := AUC([]float64{0.3, 0.7}[:len(y)], y); !math.IsNaN(got) {
			t.Errorf("%s: AUC = %v, want NaN", name, got)
		}
	}
}

// TestAUCMatchesPairCount checks the rank formula against counting every
// pair, on data with many ties.
func TestAUCMatchesPairCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 2 + rng.IntN(60)
		p := make([]float64, n)
		y := make([]bool, n)
		for i := range p {
			p[i] = float64(rng.IntN(5)) / 4 // five distinct values: many ties
			y[i] = rng.Float64() < 0.3+0.4*p[i]
		}
		var won, pairs float64
		for i := range n {
			for j := range n {
				if y[i] && !y[j] {
					pairs++
					switch {
					case p[i] > p[j]:
						won++
					case p[i] == p[j]:
						won += 0.5
					}
				}
			}
		}
		got := AUC(p, y)
		if pairs == 0 {
			if !math.IsNaN(got) {
				t.Fatalf("trial %d: AUC = %v with one class, want NaN", trial, got)
			}
			continue
		}
		if want := won / pairs; math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUC = %v, pair count gives %v", trial, got, want)
		}
	}
}

func TestScore(t *testing.T) {
	got := Score([]float64{0.8, 0.4, 0.6}, []bool{true, false, false})
	want := Scores{
		N:        3,
		AUC:      1, // the right answer (.8) is above both wrong ones
		RMSE:     math.Sqrt((0.04 + 0.16 + 0.36) / 3),
		Accuracy: 2.0 / 3, // .6 predicts right, was wrong
		LogLoss:  -(math.Log(0.8) + math.Log(0.6) + math.Log(0.4)) / 3,
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"AUC", got.AUC, want.AUC}, {"RMSE", got.RMSE, want.RMSE}, {"Accuracy", got.Accuracy, want.Accuracy}, {"LogLoss", got.LogLoss, want.LogLoss}} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if got.N != 3 {
		t.Errorf("N = %d, want 3", got.N)
	}
}

func TestScoreConfidentMissIsFinite(t *testing.T) {
	s := Score([]float64{1, 0}, []bool{false, true})
	if want := -math.Log(logLossFloor); math.Abs(s.LogLoss-want) > 1e-3 {
		t.Errorf("LogLoss = %v, want %v (clipped)", s.LogLoss, want)
	}
	if s.Accuracy != 0 || s.RMSE != 1 {
		t.Errorf("Accuracy %v RMSE %v, want 0 and 1", s.Accuracy, s.RMSE)
	}
}

func TestScoreEmpty(t *testing.T) {
	s := Score(nil, nil)
	if s.N != 0 || !math.IsNaN(s.AUC) || !math.IsNaN(s.RMSE) || !math.IsNaN(s.LogLoss) || !math.IsNaN(s.Accuracy) {
		t.Errorf("Score(nil) = %+v, want N 0 and NaNs", s)
	}
}
