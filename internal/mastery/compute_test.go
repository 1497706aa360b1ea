package mastery

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cairn-learning/cairn/internal/standards"
)

// day0 is the first school day of the test histories.
var day0 = time.Date(2025, 9, 2, 9, 0, 0, 0, time.UTC)

func day(i int) time.Time { return day0.AddDate(0, 0, i) }

// history returns one piece of evidence a day with the given values, IDs
// 1, 2, 3... in order.
func history(values ...float64) []Observation {
	obs := make([]Observation, len(values))
	for i, v := range values {
		obs[i] = Observation{EvidenceID: int64(i + 1), Value: v, AssessedAt: day(i), RecordedAt: day(i).Add(time.Hour)}
	}
	return obs
}

// fivePoint is a 1-5 scale, the scale of the worked examples.
func fivePoint() standards.Scale {
	return standards.Scale{
		Name: "Five-level",
		Levels: []standards.Level{
			{Value: 1, Label: "Beginning"}, {Value: 2, Label: "Developing"}, {Value: 3, Label: "Proficient"},
			{Value: 4, Label: "Advanced"}, {Value: 5, Label: "Exemplary"},
		},
		MasteryCut: 3,
	}
}

// zeroBased is a 0-4 scale whose lowest level is 0.
func zeroBased() standards.Scale {
	return standards.Scale{
		Name: "Zero to four",
		Levels: []standards.Level{
			{Value: 0, Label: "No evidence of learning"}, {Value: 1, Label: "Beginning"}, {Value: 2, Label: "Developing"},
			{Value: 3, Label: "Meets"}, {Value: 4, Label: "Exceeds"},
		},
		MasteryCut: 3,
	}
}

// approx compares floats to within float error.
var approx = cmpopts.EquateApprox(0, 1e-9)

// result is the part of a State a method decides.
type result struct {
	Value    float64
	Level    float64
	Label    string
	Mastered bool
	Weights  []float64
}

func resultOf(st State) result {
	r := result{Value: st.Value, Level: st.Level, Label: st.LevelLabel, Mastered: st.Mastered}
	for _, in := range st.Explanation.Inputs {
		r.Weights = append(r.Weights, in.Weight)
	}
	return r
}

func TestComputeWorkedExamples(t *testing.T) {
	// The examples: 1, 2, 3, 4, 5 on a 1-5 scale at weight 0.65.
	// Decaying: 1 -> 1.65 -> 2.5275 -> 3.484625 -> 0.65*5 + 0.35*3.484625 = 4.46961875.
	// Weighted: 0.65*5 + 0.35*mean(1, 2, 3, 4) = 3.25 + 0.875 = 4.125.
	tests := []struct {
		method Method
		want   float64
	}{
		{Method{Name: DecayingAverage, Weight: 0.65}, 4.46961875},
		{Method{Name: WeightedAverage, Weight: 0.65}, 4.125},
	}
	for _, tt := range tests {
		t.Run(string(tt.method.Name), func(t *testing.T) {
			got := Compute(tt.method, fivePoint(), history(1, 2, 3, 4, 5))
			if math.Abs(got.Value-tt.want) > 1e-9 {
				t.Errorf("Value = %.10f, want %.10f", got.Value, tt.want)
			}
			if got, want := formatNumber(got.Value), formatNumber(tt.want); got != want {
				t.Errorf("shown as %s, want %s", got, want)
			}
			if got.Level != 4 || !got.Mastered {
				t.Errorf("Level %g, Mastered %v; want 4, true", got.Level, got.Mastered)
			}
		})
	}
}

func TestComputeMethods(t *testing.T) {
	scale := standards.DefaultScale()
	// mixed is 2, 3, 1, 4, 3 on the 1-4 scale, cut 3.
	mixed := []float64{2, 3, 1, 4, 3}
	tests := []struct {
		name   string
		method Method
		values []float64
		want   result
	}{
		{
			// 2 -> 2.65 -> 1.5775 -> 3.152125 -> 0.65*3 + 0.35*3.152125 = 3.05324375;
			// weights 0.35^4, 0.65*0.35^3, 0.65*0.35^2, 0.65*0.35, 0.65.
			name: "decaying average", method: Method{Name: DecayingAverage, Weight: 0.65}, values: mixed,
			want: result{3.05324375, 3, "Proficient", true, []float64{0.01500625, 0.02786875, 0.079625, 0.2275, 0.65}},
		},
		{
			// 2 -> 2.5 -> 1.75 -> 2.875 -> 0.5*3 + 0.5*2.875 = 2.9375.
			name: "decaying average at 0.5", method: Method{Name: DecayingAverage, Weight: 0.5}, values: mixed,
			want: result{2.9375, 2, "Developing", false, []float64{0.0625, 0.0625, 0.125, 0.25, 0.5}},
		},
		{
			name: "decaying average without a weight uses 0.65", method: Method{Name: DecayingAverage}, values: mixed,
			want: result{3.05324375, 3, "Proficient", true, []float64{0.01500625, 0.02786875, 0.079625, 0.2275, 0.65}},
		},
		{
			name: "decaying average at weight 1 is the latest", method: Method{Name: DecayingAverage, Weight: 1}, values: []float64{4, 4, 2},
			want: result{2, 2, "Developing", false, []float64{0, 0, 1}},
		},
		{
			name: "decaying average of one", method: Method{Name: DecayingAverage, Weight: 0.65}, values: []float64{2.5},
			want: result{2.5, 2, "Developing", false, []float64{1}},
		},
		{
			// 0.65*3 + 0.35*(2+3+1+4)/4 = 1.95 + 0.875 = 2.825.
			name: "weighted average", method: Method{Name: WeightedAverage, Weight: 0.65}, values: mixed,
			want: result{2.825, 2, "Developing", false, []float64{0.0875, 0.0875, 0.0875, 0.0875, 0.65}},
		},
		{
			name: "weighted average of one", method: Method{Name: WeightedAverage, Weight: 0.65}, values: []float64{3.5},
			want: result{3.5, 3, "Proficient", true, []float64{1}},
		},
		{
			name: "most recent", method: Method{Name: MostRecent}, values: mixed,
			want: result{3, 3, "Proficient", true, []float64{0, 0, 0, 0, 1}},
		},
		{
			name: "most recent of one", method: Method{Name: MostRecent}, values: []float64{1.5},
			want: result{1.5, 1, "Beginning", false, []float64{1}},
		},
		{
			name: "highest", method: Method{Name: Highest}, values: mixed,
			want: result{4, 4, "Advanced", true, []float64{0, 0, 0, 1, 0}},
		},
		{
			name: "highest shared goes to the latest", method: Method{Name: Highest}, values: []float64{3.5, 2, 3.5, 1},
			want: result{3.5, 3, "Proficient", true, []float64{0, 0, 1, 0}},
		},
		{
			name: "highest of one", method: Method{Name: Highest}, values: []float64{2},
			want: result{2, 2, "Developing", false, []float64{1}},
		},
		{
			// 13/5.
			name: "mean", method: Method{Name: Mean}, values: mixed,
			want: result{2.6, 2, "Developing", false, []float64{0.2, 0.2, 0.2, 0.2, 0.2}},
		},
		{
			// Three 3s: float error must not cost mastery.
			name: "mean of three 3s", method: Method{Name: Mean}, values: []float64{3, 3, 3},
			want: result{3, 3, "Proficient", true, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		},
		{
			name: "mean of one", method: Method{Name: Mean}, values: []float64{3.25},
			want: result{3.25, 3, "Proficient", true, []float64{1}},
		},
		{
			// Levels 2, 3, 1, 4, 3: level 3 twice.
			name: "mode", method: Method{Name: Mode}, values: mixed,
			want: result{3, 3, "Proficient", true, []float64{0, 0.5, 0, 0, 0.5}},
		},
		{
			// 2.5 and 2 are level 2, 3.9 and 3 level 3: a tie goes to the higher level.
			name: "mode tie goes to the higher level", method: Method{Name: Mode}, values: []float64{2.5, 3.9, 2, 3},
			want: result{3, 3, "Proficient", true, []float64{0, 0.5, 0, 0.5}},
		},
		{
			name: "mode of values between levels", method: Method{Name: Mode}, values: []float64{1.2, 1.9, 3.4},
			want: result{1, 1, "Beginning", false, []float64{0.5, 0.5, 0}},
		},
		{
			name: "mode of one", method: Method{Name: Mode}, values: []float64{2.5},
			want: result{2, 2, "Developing", false, []float64{1}},
		},
		{
			// 3, 4, 3 reach the cut; the third highest is 3.
			name: "n times, exactly N", method: Method{Name: NTimes, N: 3}, values: mixed,
			want: result{3, 3, "Proficient", true, []float64{0, 1, 0, 1, 1}},
		},
		{
			// Three reach the cut, four needed: the fourth highest is 2.
			name: "n times, one short", method: Method{Name: NTimes, N: 4}, values: mixed,
			want: result{2, 2, "Developing", false, []float64{0, 1, 0, 1, 1}},
		},
		{
			name: "n times without N needs 3", method: Method{Name: NTimes}, values: []float64{3, 4, 1, 2, 3.5},
			want: result{3, 3, "Proficient", true, []float64{1, 1, 0, 0, 1}},
		},
		{
			// Only two pieces of evidence, three needed: capped at the level below the cut.
			name: "n times, fewer than N all mastered", method: Method{Name: NTimes, N: 3}, values: []float64{4, 3.5},
			want: result{2, 2, "Developing", false, []float64{1, 1}},
		},
		{
			name: "n times, fewer than N below the cap", method: Method{Name: NTimes, N: 3}, values: []float64{1.5, 1},
			want: result{1.5, 1, "Beginning", false, []float64{0, 0}},
		},
		{
			name: "n times of one, N 1", method: Method{Name: NTimes, N: 1}, values: []float64{3.2},
			want: result{3.2, 3, "Proficient", true, []float64{1}},
		},
		{
			// ln k against ln score: a = 0, b = 1, so the fit at k = 3 is 3.
			name: "power law on the curve k", method: Method{Name: PowerLaw}, values: []float64{1, 2, 3},
			want: result{3, 3, "Proficient", true, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		},
		{
			name: "power law on a flat history", method: Method{Name: PowerLaw}, values: []float64{3, 3, 3, 3},
			want: result{3, 3, "Proficient", true, []float64{0.25, 0.25, 0.25, 0.25}},
		},
		{
			// Least squares of ln(2, 3, 1, 4, 3) on ln(1..5): a = 0.644001,
			// b = 0.220713; exp(a + b ln 5) = 2.716176.
			name: "power law", method: Method{Name: PowerLaw}, values: mixed,
			want: result{2.716175509941274, 2, "Developing", false, []float64{0.2, 0.2, 0.2, 0.2, 0.2}},
		},
		{
			name: "power law of one", method: Method{Name: PowerLaw}, values: []float64{2.25},
			want: result{2.25, 2, "Developing", false, []float64{1}},
		},
		{
			// An unknown method is the district default, decaying average at 0.65.
			name: "unknown method", method: Method{Name: "median"}, values: mixed,
			want: result{3.05324375, 3, "Proficient", true, []float64{0.01500625, 0.02786875, 0.079625, 0.2275, 0.65}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Compute(tt.method, scale, history(tt.values...))
			if diff := cmp.Diff(tt.want, resultOf(st), approx); diff != "" {
				t.Errorf("Compute(%v, %v) (-want +got):\n%s", tt.method, tt.values, diff)
			}
			if st.EvidenceCount != len(tt.values) {
				t.Errorf("EvidenceCount = %d, want %d", st.EvidenceCount, len(tt.values))
			}
			if want := day(len(tt.values) - 1); !st.LastAssessed.Equal(want) {
				t.Errorf("LastAssessed = %v, want %v", st.LastAssessed, want)
			}
			if st.Explanation.Cut != 3 {
				t.Errorf("Explanation.Cut = %g, want 3", st.Explanation.Cut)
			}
		})
	}
}

func TestComputeExplanation(t *testing.T) {
	obs := history(2, 3, 1, 4, 3)
	in := func(i int, w float64) Input {
		return Input{EvidenceID: obs[i].EvidenceID, Value: obs[i].Value, AssessedAt: obs[i].AssessedAt, Weight: w}
	}
	tests := []struct {
		method Method
		want   Explanation
	}{
		{
			Method{Name: DecayingAverage, Weight: 0.65},
			Explanation{Method: DecayingAverage, Weight: 0.65, Cut: 3, Inputs: []Input{
				in(0, 0.01500625), in(1, 0.02786875), in(2, 0.079625), in(3, 0.2275), in(4, 0.65)}},
		},
		{
			Method{Name: NTimes, N: 2, Weight: 0.5},
			Explanation{Method: NTimes, N: 2, Cut: 3, Inputs: []Input{
				in(0, 0), in(1, 1), in(2, 0), in(3, 1), in(4, 1)}},
		},
		{
			Method{Name: Highest, N: 2, Weight: 0.5},
			Explanation{Method: Highest, Cut: 3, Inputs: []Input{
				in(0, 0), in(1, 0), in(2, 0), in(3, 1), in(4, 0)}},
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.method.Name), func(t *testing.T) {
			got := Compute(tt.method, standards.DefaultScale(), obs).Explanation
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("Explanation (-want +got):\n%s", diff)
			}
		})
	}
}

// TestComputeWeightsSumToOne checks that, for every method but n_times, the
// explanation's weights add up to 1 and, for the averages, that they
// reproduce the value.
func TestComputeWeightsSumToOne(t *testing.T) {
	histories := [][]float64{{3}, {1, 4}, {2, 3, 1, 4, 3}, {1, 1.5, 2, 2.5, 3, 3.5, 4, 3.75, 3.5, 4, 2, 3}}
	for _, name := range Methods {
		if name == NTimes {
			continue
		}
		for _, values := range histories {
			st := Compute(Method{Name: name, Weight: 0.4}, standards.DefaultScale(), history(values...))
			var sum, weighted float64
			for _, in := range st.Explanation.Inputs {
				sum += in.Weight
				weighted += in.Weight * in.Value
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("%s of %v: weights sum to %.15f, want 1", name, values, sum)
			}
			switch name {
			case DecayingAverage, WeightedAverage, MostRecent, Highest, Mean:
				if math.Abs(weighted-st.Value) > 1e-9 {
					t.Errorf("%s of %v: weights give %.12f, value is %.12f", name, values, weighted, st.Value)
				}
			}
		}
	}
}

func TestComputeTrend(t *testing.T) {
	tests := []struct {
		values []float64
		want   float64
	}{
		{[]float64{3}, 0},
		{[]float64{1, 2, 3, 4}, 1},
		{[]float64{4, 3.5, 3, 2.5}, -0.5},
		// Positions 0..4 around 2, values around 2.6:
		// (-2)(-0.6) + (-1)(0.4) + 0 + (1)(1.4) + (2)(0.4) = 3, over 10.
		{[]float64{2, 3, 1, 4, 3}, 0.3},
	}
	for _, tt := range tests {
		for _, name := range Methods {
			got := Compute(Method{Name: name}, standards.DefaultScale(), history(tt.values...)).Trend
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("%s of %v: Trend = %g, want %g", name, tt.values, got, tt.want)
			}
		}
	}
}

func TestComputeOrder(t *testing.T) {
	at := day(3)
	tests := []struct {
		name string
		obs  []Observation
		want int64 // the evidence that counts as most recent
	}{
		{
			name: "assessed time first, whatever was recorded later",
			obs: []Observation{
				{EvidenceID: 1, Value: 4, AssessedAt: day(5), RecordedAt: day(5)},
				{EvidenceID: 2, Value: 2, AssessedAt: day(4), RecordedAt: day(9)},
			},
			want: 1,
		},
		{
			name: "same assessment time, later recording counts later",
			obs: []Observation{
				{EvidenceID: 3, Value: 4, AssessedAt: at, RecordedAt: at.Add(2 * time.Minute)},
				{EvidenceID: 1, Value: 2, AssessedAt: at, RecordedAt: at.Add(time.Minute)},
				{EvidenceID: 2, Value: 1, AssessedAt: at, RecordedAt: at},
			},
			want: 3,
		},
		{
			name: "same times, higher ID counts later",
			obs: []Observation{
				{EvidenceID: 9, Value: 4, AssessedAt: at, RecordedAt: at},
				{EvidenceID: 12, Value: 2, AssessedAt: at, RecordedAt: at},
				{EvidenceID: 10, Value: 1, AssessedAt: at, RecordedAt: at},
			},
			want: 12,
		},
		{
			name: "same instant in another time zone is a tie",
			obs: []Observation{
				{EvidenceID: 5, Value: 4, AssessedAt: at.In(time.FixedZone("EST", -5*3600)), RecordedAt: at},
				{EvidenceID: 4, Value: 2, AssessedAt: at, RecordedAt: at},
			},
			want: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.obs)
			st := Compute(Method{Name: MostRecent}, standards.DefaultScale(), tt.obs)
			in := st.Explanation.Inputs
			if got := in[len(in)-1].EvidenceID; got != tt.want {
				t.Errorf("most recent is evidence %d, want %d", got, tt.want)
			}
			for i := 1; i < len(in); i++ {
				if in[i].AssessedAt.Before(in[i-1].AssessedAt) {
					t.Errorf("Inputs[%d] assessed before Inputs[%d]", i, i-1)
				}
			}
			if diff := cmp.Diff(before, tt.obs); diff != "" {
				t.Errorf("Compute changed its argument (-before +after):\n%s", diff)
			}
		})
	}
}

// TestComputeShuffled checks that the order evidence arrives in makes no
// difference, including to ties in time, and that the caller's slice is left
// as it was.
func TestComputeShuffled(t *testing.T) {
	at := day(1)
	sorted := []Observation{
		{EvidenceID: 1, Value: 1, AssessedAt: day(0), RecordedAt: day(0)},
		{EvidenceID: 2, Value: 2.5, AssessedAt: at, RecordedAt: at},
		{EvidenceID: 3, Value: 3.5, AssessedAt: at, RecordedAt: at},
		{EvidenceID: 7, Value: 1.5, AssessedAt: at, RecordedAt: at.Add(time.Second)},
		{EvidenceID: 4, Value: 4, AssessedAt: day(2), RecordedAt: day(2)},
		{EvidenceID: 5, Value: 3, AssessedAt: day(3), RecordedAt: day(3)},
		{EvidenceID: 6, Value: 2, AssessedAt: day(4), RecordedAt: day(4)},
	}
	// A history longer than Compute orders on the stack.
	long := make([]Observation, 100)
	for i := range long {
		long[i] = Observation{EvidenceID: int64(i + 1), Value: 1 + float64(i%7)/2, AssessedAt: day(i / 3), RecordedAt: day(i / 3)}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, hist := range [][]Observation{sorted, long} {
		for _, name := range Methods {
			m := Method{Name: name, N: 2}
			want := Compute(m, standards.DefaultScale(), hist)
			for range 20 {
				shuffled := slices.Clone(hist)
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				arrived := slices.Clone(shuffled)
				got := Compute(m, standards.DefaultScale(), shuffled)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("%s of %d shuffled pieces of evidence (-sorted +shuffled):\n%s", name, len(hist), diff)
				}
				if diff := cmp.Diff(arrived, shuffled); diff != "" {
					t.Fatalf("%s changed its argument (-before +after):\n%s", name, diff)
				}
			}
		}
	}
}

func TestComputePowerLaw(t *testing.T) {
	curve := func(shift, a, b float64, n int) []float64 {
		v := make([]float64, n)
		for k := 1; k <= n; k++ {
			v[k-1] = a*math.Pow(float64(k), b) - shift
		}
		return v
	}
	tests := []struct {
		name   string
		scale  standards.Scale
		values []float64
		want   float64
	}{
		// 1.2·k^0.4 for k = 1..6: read at k = 6, 1.2·6^0.4.
		{"rising curve", standards.DefaultScale(), curve(0, 1.2, 0.4, 6), 1.2 * math.Pow(6, 0.4)},
		{"falling curve", standards.DefaultScale(), curve(0, 3.8, -0.3, 5), 3.8 * math.Pow(5, -0.3)},
		// On 0-4 values are fitted as value + 1: 1.5·√k - 1 is a power curve after the shift.
		{"zero-based scale", zeroBased(), curve(1, 1.5, 0.5, 5), 1.5*math.Sqrt(5) - 1},
		{"zero-based scale from 0", zeroBased(), curve(1, 1, 0.8, 4), math.Pow(4, 0.8) - 1},
		// Fit of 1, 4, 4, 4: a = 0.232587, b = 1.015884, so 5.16 at k = 4, above the scale.
		{"clamped to the top", standards.DefaultScale(), []float64{1, 4, 4, 4}, 4},
		// Fit of 0+1, 2+1, 3+1, 4+1 reads 5.544 at k = 4, 4.544 after the shift back.
		{"clamped on a zero-based scale", zeroBased(), []float64{0, 2, 3, 4}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compute(Method{Name: PowerLaw}, tt.scale, history(tt.values...)).Value
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("power law of %v = %.12f, want %.12f", tt.values, got, tt.want)
			}
		})
	}
}

func TestComputeZeroBasedScale(t *testing.T) {
	tests := []struct {
		method Method
		values []float64
		want   result
	}{
		{Method{Name: Mean}, []float64{0, 0, 3}, result{1, 1, "Beginning", false, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}}},
		{Method{Name: Mode}, []float64{0, 0.5, 3}, result{0, 0, "No evidence of learning", false, []float64{0.5, 0.5, 0}}},
		{Method{Name: NTimes, N: 3}, []float64{4, 4}, result{2, 2, "Developing", false, []float64{1, 1}}},
		{Method{Name: PowerLaw}, []float64{0}, result{0, 0, "No evidence of learning", false, []float64{1}}},
		{Method{Name: PowerLaw}, []float64{0, 0, 0}, result{0, 0, "No evidence of learning", false, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}}},
		{Method{Name: PowerLaw}, []float64{3, 3, 3}, result{3, 3, "Meets", true, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.method.Name), func(t *testing.T) {
			got := resultOf(Compute(tt.method, zeroBased(), history(tt.values...)))
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("%s of %v (-want +got):\n%s", tt.method.Name, tt.values, diff)
			}
		})
	}
}

func TestComputeClamping(t *testing.T) {
	tests := []struct {
		name   string
		method Method
		values []float64
		want   float64
	}{
		{"above the scale", Method{Name: MostRecent}, []float64{2, 9}, 4},
		{"below the scale", Method{Name: MostRecent}, []float64{2, -3}, 1},
		// 6 counts as 4: (4 + 1) / 2.
		{"each value before averaging", Method{Name: Mean}, []float64{6, 1}, 2.5},
		{"not a number is the lowest level", Method{Name: Mean}, []float64{math.NaN(), 4}, 2.5},
		{"infinities", Method{Name: Mean}, []float64{math.Inf(1), math.Inf(-1)}, 2.5},
		{"power law on infinities", Method{Name: PowerLaw}, []float64{math.Inf(-1), math.Inf(1)}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Compute(tt.method, standards.DefaultScale(), history(tt.values...))
			if math.Abs(st.Value-tt.want) > 1e-12 {
				t.Errorf("%s of %v = %g, want %g", tt.method.Name, tt.values, st.Value, tt.want)
			}
			for _, in := range st.Explanation.Inputs {
				if in.Value < 1 || in.Value > 4 {
					t.Errorf("explanation shows %g, outside the scale", in.Value)
				}
			}
		})
	}
}

func TestComputeNearTheCut(t *testing.T) {
	tests := []struct {
		value    float64
		want     float64
		mastered bool
	}{
		{2.9999999, 3, true},
		{3 - 1e-15, 3, true},
		{2.999, 2.999, false},
		{3.0000001, 3, true},
	}
	for _, tt := range tests {
		st := Compute(Method{Name: MostRecent}, standards.DefaultScale(), history(tt.value))
		if st.Value != tt.want || st.Mastered != tt.mastered || (st.Level == 3) != tt.mastered {
			t.Errorf("%.10f: Value %.10f, Level %g, Mastered %v; want %.10f, mastered %v",
				tt.value, st.Value, st.Level, st.Mastered, tt.want, tt.mastered)
		}
	}
}

func TestComputeNoEvidence(t *testing.T) {
	for _, name := range Methods {
		if diff := cmp.Diff(State{}, Compute(Method{Name: name}, standards.DefaultScale(), nil)); diff != "" {
			t.Errorf("%s of nothing (-want +got):\n%s", name, diff)
		}
	}
}

func TestComputeScaleWithoutLevels(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Compute on a scale without levels did not panic")
		}
	}()
	Compute(Method{Name: Mean}, standards.Scale{MasteryCut: 3}, history(3))
}
