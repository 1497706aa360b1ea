package mastery

import (
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
)

// MethodName names a teacher-facing calculation method.
type MethodName string

// The calculation methods.
const (
	DecayingAverage MethodName = "decaying_average"
	WeightedAverage MethodName = "weighted_average"
	MostRecent      MethodName = "most_recent"
	Highest         MethodName = "highest"
	Mean            MethodName = "mean"
	Mode            MethodName = "mode"
	NTimes          MethodName = "n_times"
	PowerLaw        MethodName = "power_law"
)

// Methods lists every method in the order the administrator's page shows them.
var Methods = []MethodName{DecayingAverage, WeightedAverage, MostRecent, Highest, Mean, Mode, NTimes, PowerLaw}

// DefaultWeight is the weight of the latest evidence in the decaying and
// weighted averages when none is set.
const DefaultWeight = 0.65

// DefaultN is how many times a student must score at or above the mastery
// cut under the n_times method when none is set.
const DefaultN = 3

// Method is a calculation method with its parameters.
type Method struct {
	Name MethodName `json:"name"`
	// Weight is the weight of the latest evidence (decaying_average,
	// weighted_average), between 0 and 1 exclusive of 0.
	Weight float64 `json:"weight,omitempty"`
	// N is the number of scores at or above the cut needed (n_times).
	N int `json:"n,omitempty"`
}

// RollupRule says how a parent standard's mastery follows from its children's.
type RollupRule string

// The rollup rules.
const (
	RollupMean        RollupRule = "mean"         // mean of the assessed children's values
	RollupLowest      RollupRule = "lowest"       // the lowest assessed child's value
	RollupAllMastered RollupRule = "all_mastered" // mastered only when every child is
)

// Policy is how a district (or a course, overriding its district) turns
// evidence into mastery.
type Policy struct {
	Method Method     `json:"method"`
	Rollup RollupRule `json:"rollup"`
	// MasteredBy says whether Mastered follows the method, the knowledge
	// tracing model or both; empty means the method.
	MasteredBy MasteredBy `json:"masteredBy,omitempty"`
	// Confidence is how sure the model must be to call a standard
	// mastered or not yet; 0 means DefaultConfidence.
	Confidence float64 `json:"confidence,omitempty"`
}

// DefaultPolicy is the policy of a new district: decaying average at 0.65,
// parents rolled up as the mean of their children.
func DefaultPolicy() Policy {
	return Policy{Method: Method{Name: DecayingAverage, Weight: DefaultWeight}, Rollup: RollupMean}
}

// Validate checks a policy and fills in default parameters.
func (p *Policy) Validate() error {
	var errs problem.Fields
	switch p.Method.Name {
	case DecayingAverage, WeightedAverage:
		if p.Method.Weight == 0 {
			p.Method.Weight = DefaultWeight
		}
		if p.Method.Weight <= 0 || p.Method.Weight > 1 {
			errs.Addf("method.weight", "%g is not in (0, 1]", p.Method.Weight)
		}
	case NTimes:
		if p.Method.N == 0 {
			p.Method.N = DefaultN
		}
		if p.Method.N < 1 || p.Method.N > 20 {
			errs.Addf("method.n", "%d is not between 1 and 20", p.Method.N)
		}
	case MostRecent, Highest, Mean, Mode, PowerLaw:
	default:
		errs.Addf("method.name", "%q is not one of decaying_average, weighted_average, most_recent, highest, mean, mode, n_times, power_law", p.Method.Name)
	}
	switch p.MasteredBy {
	case "", MasteredByMethod, MasteredByModel, MasteredByBoth:
	default:
		errs.Addf("masteredBy", "%q is not one of method, model, both", p.MasteredBy)
	}
	if !validConfidence(p.Confidence) {
		errs.Addf("confidence", "%g is not between 0.5 and 1 (exclusive)", p.Confidence)
	}
	switch p.Rollup {
	case "":
		p.Rollup = RollupMean
	case RollupMean, RollupLowest, RollupAllMastered:
	default:
		errs.Addf("rollup", "%q is not one of mean, lowest, all_mastered", p.Rollup)
	}
	return errs.Err()
}

// Observation is one piece of evidence on one standard, as the engine sees
// it: a value on the standard's scale and when it was assessed.
type Observation struct {
	EvidenceID int64     `json:"evidenceId"`
	Value      float64   `json:"value"`
	AssessedAt time.Time `json:"assessedAt"`
	// RecordedAt breaks ties between evidence assessed at the same moment.
	RecordedAt time.Time `json:"recordedAt"`
}

// State is where a student stands on one standard.
type State struct {
	// Value is the result of the method on the scale (e.g. 3.4 on 1-4).
	Value float64 `json:"value"`
	// Level is the scale level the value falls in (3), LevelLabel its label.
	Level      float64 `json:"level"`
	LevelLabel string  `json:"levelLabel"`
	Mastered   bool    `json:"mastered"`
	// EvidenceCount counts the evidence that went into the value (for a
	// rolled-up parent, the evidence of its children).
	EvidenceCount int       `json:"evidenceCount"`
	LastAssessed  time.Time `json:"lastAssessed"`
	// Trend is the least-squares slope of the values against their order,
	// in scale points per piece of evidence: above 0 is improving.
	Trend float64 `json:"trend"`
	// Model is the knowledge tracing model's estimate from the same
	// evidence: set for a standard with evidence of its own, nil for one
	// rolled up from its children alone.
	Model       *MasteryEstimate `json:"model,omitempty"`
	Explanation Explanation      `json:"explanation"`
}

// Explanation says how a State was reached, so that a teacher or a family
// can be told why.
type Explanation struct {
	Method MethodName `json:"method,omitempty"`
	Weight float64    `json:"weight,omitempty"`
	N      int        `json:"n,omitempty"`
	// Rollup is set when the state was rolled up from child standards.
	Rollup RollupRule `json:"rollup,omitempty"`
	// Inputs are the evidence values in the order they counted, oldest
	// first, each with its share of the result.
	Inputs []Input `json:"inputs,omitempty"`
	// Children are the child standards a rolled-up value came from.
	Children []ChildInput `json:"children,omitempty"`
	// Cut is the scale's mastery cut the value was compared with.
	Cut float64 `json:"cut"`
	// Model names the knowledge tracing model and what it read, when the
	// state has a model estimate.
	Model *ModelInputs `json:"model,omitempty"`
}

// Input is one evidence value and the weight it carried in the result.
// Weights sum to 1 under every method but n_times, where a weight of 1 marks
// a value at or above the mastery cut (see Compute).
type Input struct {
	EvidenceID int64     `json:"evidenceId"`
	Value      float64   `json:"value"`
	AssessedAt time.Time `json:"assessedAt"`
	Weight     float64   `json:"weight"`
}

// ChildInput is one child standard's state as it went into a rollup.
type ChildInput struct {
	StandardID int64   `json:"standardId"`
	Value      float64 `json:"value"`
	Mastered   bool    `json:"mastered"`
	Assessed   bool    `json:"assessed"`
}

// Child is a child standard's state given to Rollup.
type Child struct {
	StandardID int64
	State      State // zero (EvidenceCount 0) when the child has no evidence
}
