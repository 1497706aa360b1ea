package pathways

import (
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Counting says which of a student's summative attempts on a standard is
// the summative result the student and family are shown.
type Counting string

// The ways of counting attempts.
const (
	CountLatest  Counting = "latest"
	CountHighest Counting = "highest"
	CountMean    Counting = "mean"
)

// Countings lists the ways of counting, in the order forms show them.
var Countings = []Counting{CountLatest, CountHighest, CountMean}

// ReassessPolicy is a district's rule for summative attempts on a
// standard. Every attempt is kept as evidence and goes into mastery
// through the district's method like any other evidence; the policy says
// when another attempt may be made and which attempt is the summative
// result.
type ReassessPolicy struct {
	// PracticeBeforeRetake is how many pieces of practice evidence (any
	// kind but summative and capstone) on the standard a student needs
	// after the last attempt before the next; 0 means none.
	PracticeBeforeRetake int `json:"practiceBeforeRetake"`
	// MaxAttempts caps the attempts on a standard; 0 means no cap.
	MaxAttempts int `json:"maxAttempts"`
	// Counts says which attempt is the summative result.
	Counts Counting `json:"counts"`
}

// DefaultReassessPolicy is the policy of a district that has not set
// one: retakes are open (no practice required, no cap) and the latest
// attempt counts, as before districts had a policy, so that no recording
// is refused until a district chooses its rules.
func DefaultReassessPolicy() ReassessPolicy {
	return ReassessPolicy{Counts: CountLatest}
}

// Validate checks the policy.
func (p ReassessPolicy) Validate() error {
	var errs problem.Fields
	if p.PracticeBeforeRetake < 0 || p.PracticeBeforeRetake > 20 {
		errs.Addf("practiceBeforeRetake", "%d is not between 0 and 20", p.PracticeBeforeRetake)
	}
	if p.MaxAttempts < 0 || p.MaxAttempts > 20 {
		errs.Addf("maxAttempts", "%d is not between 0 (no cap) and 20", p.MaxAttempts)
	}
	switch p.Counts {
	case CountLatest, CountHighest, CountMean:
	default:
		errs.Addf("counts", "%q is not one of latest, highest, mean", p.Counts)
	}
	return errs.Err()
}

// IsPractice reports whether evidence of kind k counts as practice before
// a retake: everything but another summative or a capstone.
func IsPractice(k evidence.Kind) bool {
	return k != evidence.Summative && k != evidence.Capstone
}

// Attempt is one summative attempt on a standard: its evidence, when it
// was assessed and its value on the scale.
type Attempt struct {
	EvidenceID int64     `json:"evidenceId"`
	AssessedAt time.Time `json:"assessedAt"`
	Value      float64   `json:"value"`
}

// History is a student's summative attempts on one standard (voided
// evidence left out), oldest first, and how much practice evidence came
// after the last of them.
type History struct {
	Attempts      []Attempt `json:"attempts"`
	PracticeSince int       `json:"practiceSince"`
}

// Rule names the part of the policy a refused attempt breaks.
type Rule string

// The rules of a reassessment policy.
const (
	RulePractice Rule = "practice_before_retake"
	RuleCap      Rule = "max_attempts"
)

// Retake is whether a student may make another summative attempt, and
// why (Reason).
type Retake struct {
	Allowed bool `json:"allowed"`
	// Rule is the rule that refuses it, when it is refused.
	Rule Rule `json:"rule,omitempty"`
	// Attempts made; Left the attempts left after this one is allowed
	// (-1: no cap); PracticeNeeded the practice still missing.
	Attempts       int             `json:"attempts"`
	Left           int             `json:"left"`
	PracticeNeeded int             `json:"practiceNeeded"`
	Reason         SummativeReason `json:"reason"`
}

// Next decides whether the student whose history is h may make another
// summative attempt. The cap is checked first: once it is reached,
// practice does not open another attempt.
func (p ReassessPolicy) Next(h History) Retake {
	n := len(h.Attempts)
	r := Retake{Attempts: n, Left: -1}
	if p.MaxAttempts > 0 {
		r.Left = max(0, p.MaxAttempts-n)
	}
	switch {
	case p.MaxAttempts > 0 && n >= p.MaxAttempts:
		r.Rule = RuleCap
		r.Reason = SummativeReason{Code: ReasonNoAttemptsLeft, Attempts: n}
	case n == 0:
		r.Allowed = true
		r.Reason = SummativeReason{Code: ReasonFirstAttempt, Left: r.Left}
	case h.PracticeSince < p.PracticeBeforeRetake:
		r.Rule = RulePractice
		r.PracticeNeeded = p.PracticeBeforeRetake - h.PracticeSince
		r.Reason = SummativeReason{Code: ReasonPracticeFirst, Needed: r.PracticeNeeded, Attempts: n, Left: r.Left}
	default:
		r.Allowed = true
		r.Reason = SummativeReason{Code: ReasonRetakeOpen, Attempts: n, Left: r.Left}
	}
	return r
}

// Refusal returns the problem a summative attempt on the standard named
// by label is refused with, when r does not allow it: a conflict naming
// the rule, which a teacher may override with a reason.
func (r Retake) Refusal(label string) error {
	if r.Allowed {
		return nil
	}
	switch r.Rule {
	case RuleCap:
		return problem.Conflict("kind", "%s: the district's reassessment policy allows %d summative attempts and %d were made (rule %s); a teacher may override it with a reason", label, r.Attempts, r.Attempts, r.Rule)
	default:
		return problem.Conflict("kind", "%s: the district's reassessment policy needs %d more piece(s) of practice evidence since the last summative attempt (rule %s); a teacher may override it with a reason", label, r.PracticeNeeded, r.Rule)
	}
}

// Result is the summative result on a standard under a policy: the value
// that counts and how many attempts it was drawn from.
type Result struct {
	Value    float64  `json:"value"`
	Attempts int      `json:"attempts"`
	Counts   Counting `json:"counts"`
	// EvidenceID is the attempt that counts; 0 under CountMean.
	EvidenceID int64 `json:"evidenceId,omitempty"`
}

// Result returns the summative result of the attempts (oldest first);
// false when there are none. Mastery itself is the method's, over every
// piece of evidence: the result is what the policy reports beside it.
func (p ReassessPolicy) Result(attempts []Attempt) (Result, bool) {
	if len(attempts) == 0 {
		return Result{}, false
	}
	res := Result{Attempts: len(attempts), Counts: p.Counts}
	switch p.Counts {
	case CountHighest:
		best := attempts[0]
		for _, a := range attempts[1:] {
			if a.Value > best.Value {
				best = a
			}
		}
		res.Value, res.EvidenceID = best.Value, best.EvidenceID
	case CountMean:
		sum := 0.0
		for _, a := range attempts {
			sum += a.Value
		}
		res.Value = sum / float64(len(attempts))
	default:
		last := attempts[len(attempts)-1]
		res.Value, res.EvidenceID = last.Value, last.EvidenceID
	}
	return res, true
}
