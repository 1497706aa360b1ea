package mastery

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/standards"
)

// FuzzCompute feeds Compute arbitrary methods, parameters and histories:
// values inside and outside the scale, NaN and infinities, ties in time. It
// must never panic and must always give a State that is on the scale,
// consistent with itself and independent of the order evidence arrived in.
func FuzzCompute(f *testing.F) {
	// method picks from Methods (one past the end is an empty name); each
	// 3 bytes of data are one piece of evidence: value, day, minute.
	f.Add(uint8(0), 0.65, 3, false, []byte{0, 0, 0, 100, 1, 0, 200, 2, 0}, 2.5)
	f.Add(uint8(1), 0.0, 0, true, []byte{255, 0, 0, 255, 0, 0}, math.NaN())
	f.Add(uint8(5), 1.0, 1, false, []byte{10, 3, 1, 128, 3, 1, 250, 3, 0}, math.Inf(1))
	f.Add(uint8(6), -2.0, 50, true, []byte{}, math.Inf(-1))
	f.Add(uint8(7), math.NaN(), -1, false, []byte{1, 9, 9, 2, 8, 8, 3, 7, 7, 4, 6, 6}, 1e308)
	f.Add(uint8(8), 5e-324, 2, true, []byte{0, 0, 0}, -0.0)
	f.Fuzz(func(t *testing.T, method uint8, weight float64, n int, zero bool, data []byte, extra float64) {
		scale := standards.DefaultScale()
		if zero {
			scale = zeroBased()
		}
		lo, hi := scale.Min(), scale.Max()
		var name MethodName
		if i := int(method) % (len(Methods) + 1); i < len(Methods) {
			name = Methods[i]
		}
		m := Method{Name: name, Weight: weight, N: n}

		var obs []Observation
		for i := 0; i+2 < len(data) && len(obs) < 200; i += 3 {
			at := day(int(data[i+1]) % 8)
			obs = append(obs, Observation{
				EvidenceID: int64(len(obs) + 1),
				// Reaches a fifth of the range beyond either end.
				Value:      lo - (hi-lo)/5 + float64(data[i])/255*(hi-lo)*1.4,
				AssessedAt: at,
				RecordedAt: at.Add(time.Duration(data[i+2]%4) * time.Minute),
			})
		}
		obs = append(obs, Observation{EvidenceID: 0, Value: extra, AssessedAt: day(3), RecordedAt: day(3)})

		st := Compute(m, scale, obs)
		if math.IsNaN(st.Value) || st.Value < lo || st.Value > hi {
			t.Fatalf("Value %g is not within %g..%g", st.Value, lo, hi)
		}
		if math.IsNaN(st.Trend) || math.IsInf(st.Trend, 0) {
			t.Fatalf("Trend is %g", st.Trend)
		}
		if want := scale.LevelOf(st.Value); st.Level != want.Value || st.LevelLabel != want.Label {
			t.Fatalf("Level %g %q, but value %g is level %g %q", st.Level, st.LevelLabel, st.Value, want.Value, want.Label)
		}
		if want := st.Value >= scale.MasteryCut; st.Mastered != want {
			t.Fatalf("Mastered %v with value %g and cut %g", st.Mastered, st.Value, scale.MasteryCut)
		}
		if st.EvidenceCount != len(obs) || len(st.Explanation.Inputs) != len(obs) {
			t.Fatalf("EvidenceCount %d, %d inputs; want %d", st.EvidenceCount, len(st.Explanation.Inputs), len(obs))
		}
		var sum float64
		for i, in := range st.Explanation.Inputs {
			if math.IsNaN(in.Weight) || in.Weight < 0 || in.Weight > 1 {
				t.Fatalf("Inputs[%d].Weight is %g", i, in.Weight)
			}
			if math.IsNaN(in.Value) || in.Value < lo || in.Value > hi {
				t.Fatalf("Inputs[%d].Value %g is not within %g..%g", i, in.Value, lo, hi)
			}
			sum += in.Weight
		}
		if st.Explanation.Method != NTimes && math.Abs(sum-1) > 1e-9 {
			t.Fatalf("%s weights sum to %g", st.Explanation.Method, sum)
		}

		reversed := slices.Clone(obs)
		slices.Reverse(reversed)
		if diff := cmp.Diff(st, Compute(m, scale, reversed)); diff != "" {
			t.Fatalf("reversed evidence gives another state (-in order +reversed):\n%s", diff)
		}
		_ = st.Explanation.Summary(scale, st)
	})
}
