package pathways

import (
	"errors"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

// ReadinessBar is how sure a district must be before a student is proposed
// as ready for the summative on a standard. Two views must agree: the
// knowledge tracing model (its probability of mastery and the low end of
// its interval) and the teacher-facing method (the level of the student's
// mastery). A proposal is only a proposal: the teacher confirms it.
type ReadinessBar struct {
	// MinProbability is the least probability of mastery the model must
	// give, such as 0.85.
	MinProbability float64 `json:"minProbability"`
	// MinLow is the least the low end of the model's interval may be,
	// such as 0.7: a high probability resting on little evidence has a
	// wide interval and does not pass.
	MinLow float64 `json:"minLow"`
	// LevelsBelowCut is how far below the scale's mastery cut the
	// method's level may be and still agree: 0 means the method must
	// already say mastered, 1 (the default) that the level just below
	// the cut (approaching) is enough.
	LevelsBelowCut int `json:"levelsBelowCut"`
}

// DefaultReadinessBar is the bar of a district that has not set one.
func DefaultReadinessBar() ReadinessBar {
	return ReadinessBar{MinProbability: 0.85, MinLow: 0.7, LevelsBelowCut: 1}
}

// Validate checks the bar.
func (b ReadinessBar) Validate() error {
	var errs problem.Fields
	if !(b.MinProbability > 0 && b.MinProbability < 1) {
		errs.Addf("minProbability", "%g is not between 0 and 1 (exclusive)", b.MinProbability)
	}
	if !(b.MinLow >= 0 && b.MinLow < 1) {
		errs.Addf("minLow", "%g is not between 0 (inclusive) and 1 (exclusive)", b.MinLow)
	}
	if b.LevelsBelowCut < 0 || b.LevelsBelowCut > 3 {
		errs.Addf("levelsBelowCut", "%d is not between 0 and 3", b.LevelsBelowCut)
	}
	return errs.Err()
}

// AgreeingLevel is the lowest level of scale at which the method agrees
// that a student is ready: the mastery cut, or the level LevelsBelowCut
// levels below it (never below the scale's first level).
func (b ReadinessBar) AgreeingLevel(scale standards.Scale) float64 {
	cut := -1
	for i, l := range scale.Levels {
		if l.Value == scale.MasteryCut {
			cut = i
		}
	}
	if cut < 0 {
		return scale.MasteryCut
	}
	return scale.Levels[max(0, cut-b.LevelsBelowCut)].Value
}

// SummativeStanding is what the store knows of a student on one standard when
// readiness is decided: the method's state and the model's estimate.
type SummativeStanding struct {
	// Assessed says whether the student has evidence on the standard.
	Assessed bool
	// Level is the method's level, Mastered whether the state is mastered.
	Level    float64
	Mastered bool
	// Estimate is the model's estimate; nil when there is none.
	Estimate *mastery.MasteryEstimate
}

// SummativeReadiness is whether a student is ready for the summative on a
// standard, and why in one sentence (Reason).
type SummativeReadiness struct {
	Ready bool `json:"ready"`
	// Probability and Low are the model's; Level the method's, and
	// AgreeingLevel the level the method had to reach.
	Probability   float64         `json:"probability"`
	Low           float64         `json:"low"`
	Level         float64         `json:"level"`
	AgreeingLevel float64         `json:"agreeingLevel"`
	Reason        SummativeReason `json:"reason"`
}

// Ready decides whether a student with standing st on a standard of scale
// passes the bar. Both the model and the method must agree; the first
// that does not is named in the reason.
func (b ReadinessBar) Ready(st SummativeStanding, scale standards.Scale) SummativeReadiness {
	r := SummativeReadiness{Level: st.Level, AgreeingLevel: b.AgreeingLevel(scale)}
	if st.Estimate != nil {
		r.Probability, r.Low = st.Estimate.PMastered, st.Estimate.Low
	}
	switch {
	case !st.Assessed:
		r.Reason = SummativeReason{Code: ReasonNoEvidence}
	case st.Estimate == nil:
		r.Reason = SummativeReason{Code: ReasonNoModel}
	case r.Probability < b.MinProbability:
		r.Reason = SummativeReason{Code: ReasonModelBelow, Probability: r.Probability, Bar: b.MinProbability}
	case r.Low < b.MinLow:
		r.Reason = SummativeReason{Code: ReasonModelUnsure, Probability: r.Probability, Low: r.Low, Bar: b.MinLow}
	case st.Level < r.AgreeingLevel && !st.Mastered:
		r.Reason = SummativeReason{Code: ReasonMethodBelow, Level: st.Level, Bar: r.AgreeingLevel}
	default:
		r.Ready = true
		r.Reason = SummativeReason{Code: ReasonReady, Probability: r.Probability, Level: st.Level}
	}
	return r
}

// SummativeReasonCode names the sentence that explains a decision; the catalogs
// hold it as "summative.reason.<code>".
type SummativeReasonCode string

// The reasons of readiness and of the reassessment policy.
const (
	ReasonReady       SummativeReasonCode = "ready"
	ReasonNoEvidence  SummativeReasonCode = "no_evidence"
	ReasonNoModel     SummativeReasonCode = "no_model"
	ReasonModelBelow  SummativeReasonCode = "model_below"
	ReasonModelUnsure SummativeReasonCode = "model_unsure"
	ReasonMethodBelow SummativeReasonCode = "method_below"
	// ReasonFirstAttempt: no summative attempt yet, nothing stands in
	// the way of one.
	ReasonFirstAttempt SummativeReasonCode = "first_attempt"
	// ReasonRetakeOpen: practice done, attempts left.
	ReasonRetakeOpen SummativeReasonCode = "retake_open"
	// ReasonPracticeFirst: more practice is needed before a retake.
	ReasonPracticeFirst SummativeReasonCode = "practice_first"
	// ReasonNoAttemptsLeft: the district's cap is reached.
	ReasonNoAttemptsLeft SummativeReasonCode = "no_attempts_left"
)

// SummativeReason is a decision as data: the code of its sentence and the numbers
// the sentence needs. Pages render it through the catalogs, so the same
// reason reads in each family's language.
type SummativeReason struct {
	Code SummativeReasonCode `json:"code"`
	// Probability and Low are the model's; Level the method's; Bar the
	// number the district set that was or was not reached.
	Probability float64 `json:"probability,omitempty"`
	Low         float64 `json:"low,omitempty"`
	Level       float64 `json:"level,omitempty"`
	Bar         float64 `json:"bar,omitempty"`
	// Needed is the practice still needed; Left the attempts left (-1
	// when there is no cap); Attempts those made.
	Needed   int `json:"needed,omitempty"`
	Left     int `json:"left,omitempty"`
	Attempts int `json:"attempts,omitempty"`
}

// SummativePolicy is a district's rules for the summative: the bar a
// student must pass to be proposed as ready, and the reassessment policy.
type SummativePolicy struct {
	Ready    ReadinessBar   `json:"ready"`
	Reassess ReassessPolicy `json:"reassess"`
}

// DefaultSummativePolicy is the policy of a district that has not set one.
func DefaultSummativePolicy() SummativePolicy {
	return SummativePolicy{Ready: DefaultReadinessBar(), Reassess: DefaultReassessPolicy()}
}

// Validate checks both parts, naming fields as "ready.minLow" or
// "reassess.maxAttempts".
func (p SummativePolicy) Validate() error {
	var errs problem.Fields
	for _, part := range []struct {
		prefix string
		err    error
	}{{"ready.", p.Ready.Validate()}, {"reassess.", p.Reassess.Validate()}} {
		var ie *problem.InvalidError
		if errors.As(part.err, &ie) {
			for _, f := range ie.Fields {
				errs.Add(part.prefix+f.Field, f.Reason)
			}
		}
	}
	return errs.Err()
}

// SummativeProposal is a student's standing for the summative on one standard:
// whether the bar is passed, whether another attempt is open under the
// reassessment policy, and the summative result so far.
type SummativeProposal struct {
	Readiness SummativeReadiness `json:"readiness"`
	Retake    Retake             `json:"retake"`
	Result    *Result            `json:"result,omitempty"`
	// Proposed: ready, an attempt open, and the standard not already
	// shown at the cut by a summative result.
	Proposed bool `json:"proposed"`
}

// Propose decides a student's standing for the summative on a standard of
// scale, from the method's and the model's standing and the summative
// attempts so far.
func (p SummativePolicy) Propose(st SummativeStanding, h History, scale standards.Scale) SummativeProposal {
	out := SummativeProposal{Readiness: p.Ready.Ready(st, scale), Retake: p.Reassess.Next(h)}
	if res, ok := p.Reassess.Result(h.Attempts); ok {
		out.Result = &res
	}
	done := out.Result != nil && out.Result.Value >= scale.MasteryCut
	out.Proposed = out.Readiness.Ready && out.Retake.Allowed && !done
	return out
}
