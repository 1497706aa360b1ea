package mastery

import (
	"math"

	"github.com/cairn-learning/cairn/internal/standards"
)

// MasteredBy says what decides whether a student has mastered a standard
// with evidence of its own: the teacher-facing method, the knowledge
// tracing model, or both together.
type MasteredBy string

// The choices of MasteredBy.
const (
	// MasteredByMethod: mastered when the method's value reaches the
	// scale's mastery cut (n_times: when the count is reached). The
	// default; the model is still computed and shown beside it.
	MasteredByMethod MasteredBy = "method"
	// MasteredByModel: mastered when the model is at least Confidence
	// sure that the standard is mastered.
	MasteredByModel MasteredBy = "model"
	// MasteredByBoth: mastered only when the method and the model agree.
	MasteredByBoth MasteredBy = "both"
)

// DefaultConfidence is how sure the model must be before it calls a
// standard mastered, or not yet mastered, when a policy sets no
// Confidence: the criterion of Corbett and Anderson (1995).
const DefaultConfidence = 0.95

// ModelInputs name the model behind a state's probability of mastery and
// what it read: they are the model's part of an Explanation.
type ModelInputs struct {
	// Model names the model: "bkt", Bayesian Knowledge Tracing, or
	// "ability", the ability model inside the district's fitted logistic
	// model.
	Model string `json:"model"`
	// Params are the standard's BKT parameters (for "bkt"); Fitted says
	// whether the model was fitted to the district's evidence or uses
	// the defaults.
	Params BKTParams `json:"params"`
	Fitted bool      `json:"fitted"`
	// Ability is what the ability model believed (for "ability").
	Ability *AbilityTrace `json:"ability,omitempty"`
	// Responses is the number of pieces of evidence the model read, in
	// the order they count; Right the number at or above the mastery cut,
	// which the model reads as right answers.
	Responses int `json:"responses"`
	Right     int `json:"right"`
	// Confidence is how sure the model had to be for its verdict.
	Confidence float64 `json:"confidence"`
	// MasteredBy is what decided the state's Mastered.
	MasteredBy MasteredBy `json:"masteredBy"`
}

// Tracer is the knowledge tracing model of one standard.
type Tracer struct {
	Params BKTParams
	// Fitted is set when Params were fitted to the district's evidence.
	Fitted bool
	// Ability, when not nil, is the ability model's belief about the
	// student, kept online by the district's logistic model: it then gives
	// the estimate instead of BKT.
	Ability *AbilityTrace
}

// AbilityTrace is the ability model's belief about one student on one
// standard after the responses read so far: the student's overall
// ability, their ability on the standard above or below it, and the
// rating of a typical item of the standard.
type AbilityTrace struct {
	Params   AbilityParams `json:"params"`
	Student  Ability       `json:"student"`
	Standard Ability       `json:"standard"`
	Rating   float64       `json:"rating"`
}

// Name returns the name of the model the tracer runs.
func (t Tracer) Name() string {
	if t.Ability != nil {
		return "ability"
	}
	return "bkt"
}

// Trace runs BKT over in, the inputs of a Compute result in the order they
// counted, reading a value at or above the scale's mastery cut as a right
// answer and anything below it as a wrong one. It returns the model's
// estimate and what it read. A value counts as right when the method would
// count it as reaching the cut, so the model and the method read the same
// evidence the same way.
func (t Tracer) Trace(scale standards.Scale, in []Input, opt EstimateOptions) (MasteryEstimate, ModelInputs) {
	if a := t.Ability; a != nil {
		right := 0
		for i := range in {
			if reaches(in[i].Value, scale.MasteryCut) {
				right++
			}
		}
		o := opt.withDefaults()
		ab := *a
		return a.Params.Estimate(&ab.Student, &ab.Standard, a.Rating, o), ModelInputs{
			Model: "ability", Fitted: t.Fitted, Ability: &ab,
			Responses: len(in), Right: right, Confidence: o.Confidence,
		}
	}
	var s BKTState
	right := 0
	for i := range in {
		ok := reaches(in[i].Value, scale.MasteryCut)
		if ok {
			right++
		}
		s = t.Params.Update(s, ok)
	}
	o := opt.withDefaults()
	return t.Params.Estimate(s, o), ModelInputs{
		Model: "bkt", Params: t.Params, Fitted: t.Fitted,
		Responses: len(in), Right: right, Confidence: o.Confidence,
	}
}

// Decide computes a standard's state from its own evidence: the policy's
// method, then the model on the same evidence, then Mastered as
// p.MasteredBy says. The method's value, level and trend are unchanged by
// the model; only Mastered may be.
func (p Policy) Decide(scale standards.Scale, obs []Observation, t Tracer) State {
	st := Compute(p.Method, scale, obs)
	if st.EvidenceCount == 0 {
		return st
	}
	est, inputs := t.Trace(scale, st.Explanation.Inputs, EstimateOptions{Confidence: p.Confidence})
	inputs.MasteredBy = p.masteredBy()
	byModel := est.Verdict == VerdictMastered
	switch inputs.MasteredBy {
	case MasteredByModel:
		st.Mastered = byModel
	case MasteredByBoth:
		st.Mastered = st.Mastered && byModel
	}
	st.Model = &est
	st.Explanation.Model = &inputs
	return st
}

// masteredBy returns p.MasteredBy, MasteredByMethod when unset.
func (p Policy) masteredBy() MasteredBy {
	if p.MasteredBy == "" {
		return MasteredByMethod
	}
	return p.MasteredBy
}

// validConfidence reports whether c can serve as a model's confidence: 0
// (the default) or strictly between 0.5 and 1.
func validConfidence(c float64) bool {
	return c == 0 || (c > 0.5 && c < 1 && !math.IsNaN(c))
}

// AtMastery reports whether a value on scale reaches its mastery cut, as
// Compute and the model read it: within float error counts.
func AtMastery(scale standards.Scale, v float64) bool { return reaches(v, scale.MasteryCut) }
