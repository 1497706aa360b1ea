package mastery

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Tally counts a student's responses, overall or on one standard, and
// remembers the latest ones.
type Tally struct {
	Successes int `json:"successes"`
	Failures  int `json:"failures"`
	// Recent holds the outcomes of the latest responses, the newest in the
	// lowest bit (1 right, 0 wrong); min(N, 8) bits are meaningful.
	Recent uint8 `json:"recent"`
	// Average is the exponentially weighted average of the outcomes (1
	// right, 0 wrong), each response keeping the model's Decay of the
	// weight of those before it.
	Average float64 `json:"average"`
}

// N returns the number of responses counted.
func (t *Tally) N() int { return t.Successes + t.Failures }

func (t *Tally) add(correct bool, decay float64) {
	y := 0.0
	if correct {
		y = 1
	}
	if t.N() == 0 {
		t.Average = y
	} else {
		t.Average = decay*t.Average + (1-decay)*y
	}
	t.Recent <<= 1
	if correct {
		t.Successes++
		t.Recent |= 1
	} else {
		t.Failures++
	}
}

// StudentTrace is what the logistic model keeps about a student across all
// standards: a small value the store can keep in the student's row.
type StudentTrace struct {
	Tally
	Ability Ability `json:"ability"`
}

// StandardTrace is what the logistic model keeps about a student on one
// standard: a small value for a (student, standard) row, updated in O(1)
// by each piece of evidence on the standard.
type StandardTrace struct {
	Tally
	Ability Ability `json:"ability"`
	// LastSeen is the student's response count (StudentTrace.N) just after
	// their latest response on this standard: when it still equals the
	// count, nothing else came in between and the student is in a run on
	// this standard.
	LastSeen int `json:"lastSeen,omitempty"`
	// RunSuccesses and RunFailures count the responses of the current run.
	RunSuccesses int `json:"runSuccesses,omitempty"`
	RunFailures  int `json:"runFailures,omitempty"`
	// StudentAbility is the student's overall ability just after their
	// latest response on this standard: with Ability, what the model
	// believed about the standard then, which a stored estimate of
	// mastery of the standard is read from.
	StudentAbility Ability `json:"studentAbility"`
}

// inRun reports whether the student's previous response was on this
// standard.
func (t *StandardTrace) inRun(student *StudentTrace) bool {
	return t.N() > 0 && t.LastSeen == student.N()
}

// Features selects the groups of features a LogisticModel uses.
type Features uint32

// The feature groups. Counts are used as log(1+count), because the
// hundredth right answer says less than the second (Gervet et al., 2020).
const (
	// FeatItem: one easiness per item (item response theory's difficulty).
	FeatItem Features = 1 << iota
	// FeatStandard: one easiness per standard.
	FeatStandard
	// FeatCounts: the student's earlier right and wrong answers on the
	// standard, with slopes of the standard's own (performance factors
	// analysis).
	FeatCounts
	// FeatTotals: the student's right and wrong answers on all standards.
	FeatTotals
	// FeatItemCounts: the student's earlier attempts and right answers on
	// this very item.
	FeatItemCounts
	// FeatRecent: whether each of the last three responses, on the
	// standard and overall, was right or wrong.
	FeatRecent
	// FeatAverage: the exponentially weighted averages of the outcomes, on
	// the standard and overall.
	FeatAverage
	// FeatAbility: the ability model's abilities, overall and on the
	// standard, and its log-odds of a right answer.
	FeatAbility
	// FeatRun: whether the previous response was on the same standard, and
	// the length, right and wrong answers of that run.
	FeatRun
	// FeatRelated: the student's right and wrong answers on related
	// standards, with a slope for each pair: progress on one standard
	// predicts success on another.
	FeatRelated
)

var featureNames = []struct {
	f    Features
	name string
}{
	{FeatItem, "item"}, {FeatStandard, "standard"}, {FeatCounts, "counts"}, {FeatTotals, "totals"},
	{FeatItemCounts, "item-counts"}, {FeatRecent, "recent"}, {FeatAverage, "average"},
	{FeatAbility, "ability"}, {FeatRun, "run"}, {FeatRelated, "related"},
}

// String lists the groups, such as "item+standard+counts".
func (f Features) String() string {
	var parts []string
	for _, n := range featureNames {
		if f&n.f != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, "+")
}

// The feature sets of the models cairn ships.
const (
	// FeaturesPFA is performance factors analysis (Pavlik, Cen &
	// Koedinger, 2009), with log-scaled counts as in Gervet et al.
	FeaturesPFA = FeatStandard | FeatCounts
	// FeaturesBestLR is the Best-LR of Gervet et al. (2020) without its
	// time windows, which need timestamps.
	FeaturesBestLR = FeatItem | FeatStandard | FeatCounts | FeatTotals | FeatItemCounts
	// FeaturesFull is cairn's logistic model: everything that helped on
	// held-out students, leaving out FeatItemCounts, which did not and
	// would need a row per student and item.
	FeaturesFull = FeatItem | FeatStandard | FeatCounts | FeatTotals | FeatRecent | FeatAverage |
		FeatAbility | FeatRun | FeatRelated
)

// The shared (dense) features, one weight each in DenseWeights. Features
// of a standard are averaged over the item's standards.
const (
	dTotalSuccesses = iota
	dTotalFailures
	dLast1Right
	dLast1Wrong
	dLast2Right
	dLast2Wrong
	dLast3Right
	dLast3Wrong
	dAverage
	dAbility
	dAbilityLogit
	dStdLast1Right
	dStdLast1Wrong
	dStdLast2Right
	dStdLast2Wrong
	dStdLast3Right
	dStdLast3Wrong
	dStdAverage
	dStdAbility
	dRun
	dRunLength
	dRunSuccesses
	dRunFailures
	dItemAttempts
	dItemSuccesses
	numDense
)

var denseNames = [numDense]string{
	"totalSuccesses", "totalFailures", "last1Right", "last1Wrong", "last2Right", "last2Wrong",
	"last3Right", "last3Wrong", "average", "ability", "abilityLogit",
	"standardLast1Right", "standardLast1Wrong", "standardLast2Right", "standardLast2Wrong",
	"standardLast3Right", "standardLast3Wrong", "standardAverage", "standardAbility",
	"run", "runLength", "runSuccesses", "runFailures", "itemAttempts", "itemSuccesses",
}

// DenseWeights are the weights of the features every response shares. In
// JSON they are an object keyed by feature name, so that a stored model
// survives a change in their order.
type DenseWeights [numDense]float64

// MarshalJSON writes the non-zero weights by name.
func (w DenseWeights) MarshalJSON() ([]byte, error) {
	m := map[string]float64{}
	for i, v := range w {
		if v != 0 {
			m[denseNames[i]] = v
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads weights by name; an unknown name is an error.
func (w *DenseWeights) UnmarshalJSON(b []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*w = DenseWeights{}
	for name, v := range m {
		found := false
		for i, n := range denseNames {
			if n == name {
				w[i], found = v, true
				break
			}
		}
		if !found {
			return fmt.Errorf("unknown feature %q", name)
		}
	}
	return nil
}

// ItemWeights are what the logistic model knows about one item.
type ItemWeights struct {
	// Easiness is the item's own term in the log-odds.
	Easiness float64 `json:"easiness"`
	// Rating is the item's difficulty in the ability model.
	Rating float64 `json:"rating"`
	// Responses is how many training responses it was fitted on; an item
	// with none is treated as unseen.
	Responses int `json:"responses"`
}

// RelatedWeight is how a student's record on another standard bears on
// this one.
type RelatedWeight struct {
	// Standard identifies the related standard, in the numbering of the
	// data the model was fitted on (the store maps it to its own IDs).
	Standard int64   `json:"standard"`
	Success  float64 `json:"success"`
	Failure  float64 `json:"failure"`
}

// StandardWeights are what the logistic model knows about one standard.
type StandardWeights struct {
	Easiness float64 `json:"easiness"`
	// Success and Failure are the slopes of log(1+right answers) and
	// log(1+wrong answers) on the standard.
	Success float64 `json:"success"`
	Failure float64 `json:"failure"`
	// Rating is the mean rating of the standard's items, weighted by their
	// responses: the difficulty assumed for an item never seen in fitting.
	Rating float64 `json:"rating"`
	// Related are the standards whose records predict this one's.
	Related []RelatedWeight `json:"related,omitempty"`
	// Responses is how many training responses assessed the standard.
	Responses int `json:"responses"`
}

// LogisticModel is a logistic regression over features of the student's
// record so far. The log-odds of a right answer are
//
//	z = b + Σ_g W_g·x_g + e_item
//	      + Σ_k w_k·(E_k + S_k·φ(s_k) + F_k·φ(f_k) + Σ_j∈R(k) (S_kj·φ(s_j) + F_kj·φ(f_j)))
//
// with x_g the shared features (DenseWeights), e_item the item's easiness,
// and for each of the item's m standards k (w_k = 1/m) its easiness E_k,
// slopes S_k and F_k on φ(s_k) = log(1+right answers) and φ(f_k) =
// log(1+wrong answers), and the slopes of its related standards R(k).
// Groups left out of Features contribute nothing. An unseen item has no
// easiness term, leaving the standard's own level; an unseen standard
// contributes nothing of its own.
type LogisticModel struct {
	Features  Features      `json:"features"`
	Intercept float64       `json:"intercept"`
	Weights   DenseWeights  `json:"weights"`
	Ability   AbilityParams `json:"ability"`
	// Decay is the weight the averages keep on the past at each response.
	Decay float64 `json:"decay"`
}

// TracedStandard is one standard of an item: the model's weights for it
// (nil when the model was not fitted on it) and the student's trace on it.
type TracedStandard struct {
	Weights *StandardWeights
	Trace   *StandardTrace
}

// LogisticQuery is what the logistic model needs to predict one response
// and then learn from it.
type LogisticQuery struct {
	// Item is the item's weights, nil when unseen.
	Item *ItemWeights
	// ItemAttempts and ItemSuccesses count the student's earlier attempts
	// at this item (used by FeatItemCounts only).
	ItemAttempts, ItemSuccesses int
	Student                     *StudentTrace
	// Standards are the standards the item assesses.
	Standards []TracedStandard
	// Related returns the student's trace on another standard, or nil when
	// the student has none (used by FeatRelated only).
	Related func(standard int64) *StandardTrace
}

// rating returns the item's rating, or for an unseen item the mean rating
// of its standards.
func (q *LogisticQuery) rating() float64 {
	if q.Item != nil && q.Item.Responses > 0 {
		return q.Item.Rating
	}
	var sum float64
	n := 0
	for _, s := range q.Standards {
		if s.Weights != nil {
			sum += s.Weights.Rating
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// maxStackStandards is how many standards an item may assess before
// prediction allocates.
const maxStackStandards = 8

// abilities returns the student's abilities on the query's standards.
func (q *LogisticQuery) abilities(buf []*Ability) []*Ability {
	for _, s := range q.Standards {
		buf = append(buf, &s.Trace.Ability)
	}
	return buf
}

func phi(n int) float64 { return math.Log1p(float64(n)) }

// recentBits sets the right/wrong indicators of the last three outcomes of
// t, scaled by w, from x[base].
func recentBits(x *DenseWeights, base int, t *Tally, w float64) {
	n := min(t.N(), 3)
	for j := range n {
		if t.Recent>>j&1 == 1 {
			x[base+2*j] += w
		} else {
			x[base+2*j+1] += w
		}
	}
}

// dense computes the shared features of q into x.
func (m *LogisticModel) dense(q *LogisticQuery, x *DenseWeights) {
	f := m.Features
	st := q.Student
	if f&FeatTotals != 0 {
		x[dTotalSuccesses] = phi(st.Successes)
		x[dTotalFailures] = phi(st.Failures)
	}
	if f&FeatRecent != 0 {
		recentBits(x, dLast1Right, &st.Tally, 1)
	}
	if f&FeatAverage != 0 && st.N() > 0 {
		x[dAverage] = st.Average - 0.5
	}
	if f&FeatAbility != 0 {
		var buf [maxStackStandards]*Ability
		z, _ := m.Ability.Logit(&st.Ability, q.abilities(buf[:0]), q.rating())
		x[dAbility] = meanOf(&st.Ability)
		x[dAbilityLogit] = z
	}
	if f&FeatItemCounts != 0 {
		x[dItemAttempts] = phi(q.ItemAttempts)
		x[dItemSuccesses] = phi(q.ItemSuccesses)
	}
	if len(q.Standards) == 0 {
		return
	}
	w := 1 / float64(len(q.Standards))
	for _, s := range q.Standards {
		t := s.Trace
		if f&FeatRecent != 0 {
			recentBits(x, dStdLast1Right, &t.Tally, w)
		}
		if f&FeatAverage != 0 && t.N() > 0 {
			x[dStdAverage] += w * (t.Average - 0.5)
		}
		if f&FeatAbility != 0 {
			x[dStdAbility] += w * meanOf(&t.Ability)
		}
		if f&FeatRun != 0 && t.inRun(st) {
			x[dRun] += w
			x[dRunLength] += w * phi(t.RunSuccesses+t.RunFailures)
			x[dRunSuccesses] += w * phi(t.RunSuccesses)
			x[dRunFailures] += w * phi(t.RunFailures)
		}
	}
}

// Logit returns the model's log-odds of a right answer.
func (m *LogisticModel) Logit(q *LogisticQuery) float64 {
	var x DenseWeights
	m.dense(q, &x)
	z := m.Intercept
	for g, v := range x {
		z += m.Weights[g] * v
	}
	f := m.Features
	if f&FeatItem != 0 && q.Item != nil {
		z += q.Item.Easiness
	}
	if len(q.Standards) == 0 {
		return z
	}
	w := 1 / float64(len(q.Standards))
	for _, s := range q.Standards {
		sw := s.Weights
		if sw == nil {
			continue
		}
		var zs float64
		if f&FeatStandard != 0 {
			zs += sw.Easiness
		}
		if f&FeatCounts != 0 {
			zs += sw.Success*phi(s.Trace.Successes) + sw.Failure*phi(s.Trace.Failures)
		}
		if f&FeatRelated != 0 && q.Related != nil {
			for _, r := range sw.Related {
				if t := q.Related(r.Standard); t != nil {
					zs += r.Success*phi(t.Successes) + r.Failure*phi(t.Failures)
				}
			}
		}
		z += w * zs
	}
	return z
}

// PredictCorrect returns the probability that the student answers the item
// right. It reads only the query, is O(number of standards × related
// standards per standard) and does not allocate for items on up to eight
// standards.
func (m *LogisticModel) PredictCorrect(q *LogisticQuery) float64 {
	return Sigmoid(m.Logit(q))
}

// Update records the response in the student's trace and the traces of the
// item's standards: counts, latest outcomes, averages, runs and abilities.
// It is O(number of standards) and does not allocate for items on up to
// eight standards.
func (m *LogisticModel) Update(q *LogisticQuery, correct bool) {
	var buf [maxStackStandards]*Ability
	m.Ability.Update(&q.Student.Ability, q.abilities(buf[:0]), q.rating(), correct)
	st := q.Student
	for _, s := range q.Standards {
		t := s.Trace
		if !t.inRun(st) {
			t.RunSuccesses, t.RunFailures = 0, 0
		}
		if correct {
			t.RunSuccesses++
		} else {
			t.RunFailures++
		}
		t.LastSeen = st.N() + 1
		t.add(correct, m.Decay)
		t.StudentAbility = st.Ability
	}
	st.add(correct, m.Decay)
}
