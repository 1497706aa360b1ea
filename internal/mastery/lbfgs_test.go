package mastery

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitLogisticExact fits a design whose maximum-likelihood solution is
// known in closed form: with one binary feature, the intercept is the
// log-odds of the rows without it and the weight the log odds ratio.
func TestFitLogisticExact(t *testing.T) {
	d := NewDesign(1)
	add := func(x float64, right, wrong int) {
		for range right {
			d.Set(0, x)
			d.EndRow(true)
		}
		for range wrong {
			d.Set(0, x)
			d.EndRow(false)
		}
	}
	add(1, 3, 1) // with the feature: 3 right of 4
	add(0, 1, 3) // without: 1 of 4
	fit, err := FitLogistic(context.Background(), d, LogisticFitOptions{L2: []float64{0}, Tolerance: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	if want := -math.Log(3); math.Abs(fit.Intercept-want) > 1e-5 {
		t.Errorf("Intercept = %v, want %v", fit.Intercept, want)
	}
	if want := 2 * math.Log(3); math.Abs(fit.Weights[0]-want) > 1e-5 {
		t.Errorf("Weight = %v, want %v", fit.Weights[0], want)
	}
	if got := fit.Predict([]int32{0}, []float64{1}); math.Abs(got-0.75) > 1e-5 {
		t.Errorf("Predict(feature) = %v, want 0.75", got)
	}
}

// TestFitLogisticStationary checks on random data with a ridge penalty
// that the fit ends where the penalised objective's gradient vanishes,
// measured by finite differences, and that the result does not depend on
// the number of workers.
func TestFitLogisticStationary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const p = 6
	truth := []float64{1.5, -1, 0.5, 0, 2, -0.3}
	d := NewDesign(p)
	for range 20000 {
		z := -0.2
		for j := range p {
			if rng.Float64() < 0.5 {
				v := rng.NormFloat64()
				d.Set(j, v)
				z += truth[j] * v
			}
		}
		d.EndRow(rng.Float64() < Sigmoid(z))
	}
	l2 := []float64{1e-3, 1e-4, 1e-3, 1e-4, 1e-4, 0}
	opt := LogisticFitOptions{L2: l2, Tolerance: 1e-13, MaxIter: 500}
	fit, err := FitLogistic(context.Background(), d, opt)
	if err != nil {
		t.Fatal(err)
	}
	x := append(append([]float64{}, fit.Weights...), fit.Intercept)
	e := &logisticEval{d: d, l2: l2, workers: 1}
	g := make([]float64, p+1)
	for j := range x {
		const h = 1e-5
		up, down := append([]float64{}, x...), append([]float64{}, x...)
		up[j] += h
		down[j] -= h
		if fd := (e.eval(up, g) - e.eval(down, g)) / (2 * h); math.Abs(fd) > 1e-6 {
			t.Errorf("d objective / d x[%d] = %v at the fit, want 0", j, fd)
		}
	}
	for j, w := range truth {
		if math.Abs(fit.Weights[j]-w) > 0.15 {
			t.Errorf("weight %d = %v, far from the true %v", j, fit.Weights[j], w)
		}
	}
	opt.Workers = 1
	one, err := FitLogistic(context.Background(), d, opt)
	if err != nil {
		t.Fatal(err)
	}
	for j := range fit.Weights {
		if one.Weights[j] != fit.Weights[j] {
			t.Fatalf("weight %d is %v with one worker, %v with several", j, one.Weights[j], fit.Weights[j])
		}
	}
}

func TestFitLogisticErrors(t *testing.T) {
	d := NewDesign(2)
	d.Set(0, 1)
	d.EndRow(true)
	tests := []struct {
		name string
		d    *Design
		l2   []float64
	}{
		{"no rows", NewDesign(2), nil},
		{"wrong number of penalties", d, []float64{1}},
		{"negative penalty", d, []float64{1, -1}},
		{"NaN penalty", d, []float64{math.NaN(), 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := FitLogistic(context.Background(), tt.d, LogisticFitOptions{L2: tt.l2}); err == nil {
				t.Error("FitLogistic succeeded, want an error")
			}
		})
	}
}

func TestSigmoidLogit(t *testing.T) {
	for _, z := range []float64{-800, -30, -1, 0, 0.5, 30, 800} {
		s := Sigmoid(z)
		if math.IsNaN(s) || s < 0 || s > 1 {
			t.Errorf("Sigmoid(%v) = %v", z, s)
		}
		if math.Abs(z) < 20 && math.Abs(Logit(s)-z) > 1e-9 {
			t.Errorf("Logit(Sigmoid(%v)) = %v", z, Logit(s))
		}
	}
	if Sigmoid(-800) != 0 && Sigmoid(-800) > 1e-300 {
		t.Errorf("Sigmoid(-800) = %v, want about 0", Sigmoid(-800))
	}
}
