package supports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// RuleKind is what a district's Rule watches for.
type RuleKind string

// The kinds of rule. Those marked "on evidence" are evaluated in the
// transaction that records evidence; those marked "daily" depend on time
// passing and are evaluated by the sweep; behaviour notes when a note is
// recorded.
const (
	// RuleBelowCut: the last Count formative scores on a standard are all
	// below Cut, in a row (on evidence).
	RuleBelowCut RuleKind = "below_cut"
	// RuleNoEvidence: no evidence for Days days on a target of the
	// student's plan not yet mastered (daily).
	RuleNoEvidence RuleKind = "no_evidence"
	// RulePaceBehind: the student has mastered more than Targets fewer of
	// the plan's targets than the plan expects by now (daily).
	RulePaceBehind RuleKind = "pace_behind"
	// RuleProbabilityFalling: the model's probability that a standard is
	// mastered fell by at least Drop with the new evidence (on evidence).
	RuleProbabilityFalling RuleKind = "probability_falling"
	// RuleStalled: after at least Evidence pieces of evidence on a
	// standard, the student is stalled below a prerequisite
	// (mastery.StalledBelow) (on evidence).
	RuleStalled RuleKind = "stalled"
	// RuleBehaviourNote: a behaviour note was recorded about the student
	// (when the note is recorded).
	RuleBehaviourNote RuleKind = "behaviour_note"
)

// RuleKinds are the kinds of rule, in the order pages list them.
var RuleKinds = []RuleKind{RuleBelowCut, RuleNoEvidence, RulePaceBehind, RuleProbabilityFalling, RuleStalled, RuleBehaviourNote}

// Valid reports whether k is one of RuleKinds.
func (k RuleKind) Valid() bool { return slices.Contains(RuleKinds, k) }

// OnEvidence reports whether rules of kind k are evaluated when evidence
// is recorded.
func (k RuleKind) OnEvidence() bool {
	return k == RuleBelowCut || k == RuleProbabilityFalling || k == RuleStalled
}

// Daily reports whether rules of kind k depend on time passing and are
// evaluated by the daily sweep.
func (k RuleKind) Daily() bool { return k == RuleNoEvidence || k == RulePaceBehind }

// RuleParams are a rule's thresholds. Each kind reads only its own
// fields (RuleFields); the others are zero.
type RuleParams struct {
	// Cut is the score, on the standard's scale, below which a formative
	// score counts (below_cut).
	Cut float64
	// Count is how many formative scores in a row must be below the cut,
	// 2 to 10 (below_cut).
	Count int
	// Days is how many days without evidence raise an alert, 1 to 365
	// (no_evidence).
	Days int
	// Targets is by how many targets a student must be behind what the
	// plan expects, more than, 0 to 100 (pace_behind).
	Targets int
	// Drop is the fall in the probability of mastery, above 0 and at most
	// 1 (probability_falling).
	Drop float64
	// Evidence is how many pieces of evidence on the standard come before
	// a stall counts, 1 to 50 (stalled).
	Evidence int
}

// RuleFields names the parameters a kind of rule reads, in the order
// forms show them.
func RuleFields(k RuleKind) []string {
	switch k {
	case RuleBelowCut:
		return []string{"cut", "count"}
	case RuleNoEvidence:
		return []string{"days"}
	case RulePaceBehind:
		return []string{"targets"}
	case RuleProbabilityFalling:
		return []string{"drop"}
	case RuleStalled:
		return []string{"evidence"}
	}
	return nil
}

// ScaleRange is the lowest and highest value of the district's scales: a
// cut outside it can never, or always, be reached.
type ScaleRange struct{ Min, Max float64 }

// The bounds of the parameters.
const (
	MinBelowCutCount = 2
	MaxBelowCutCount = 10
	MaxRuleDays      = 365
	MaxBehindTargets = 100
	MaxStallEvidence = 50
)

// Rule is one of a district's rules: its kind, whether it is on, and its
// thresholds.
type Rule struct {
	ID         int64      `json:"id"`
	DistrictID int64      `json:"districtId"`
	Kind       RuleKind   `json:"kind"`
	Enabled    bool       `json:"enabled"`
	Params     RuleParams `json:"-"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	UpdatedBy  int64      `json:"updatedBy,omitempty"`
}

// DefaultRules are the rules of a new district, all enabled: the cut is
// that of the default scale of 1 to 4, mastery at 3.
func DefaultRules() []Rule {
	p := map[RuleKind]RuleParams{
		RuleBelowCut:           {Cut: 3, Count: 2},
		RuleNoEvidence:         {Days: 14},
		RulePaceBehind:         {Targets: 2},
		RuleProbabilityFalling: {Drop: 0.2},
		RuleStalled:            {Evidence: 3},
		RuleBehaviourNote:      {},
	}
	out := make([]Rule, len(RuleKinds))
	for i, k := range RuleKinds {
		out[i] = Rule{Kind: k, Enabled: true, Params: p[k]}
	}
	return out
}

// ParamsMap returns the kind's parameters by name, the way they are
// stored and shown.
func (p RuleParams) ParamsMap(k RuleKind) map[string]any {
	out := map[string]any{}
	for _, f := range RuleFields(k) {
		switch f {
		case "cut":
			out[f] = p.Cut
		case "count":
			out[f] = p.Count
		case "days":
			out[f] = p.Days
		case "targets":
			out[f] = p.Targets
		case "drop":
			out[f] = p.Drop
		case "evidence":
			out[f] = p.Evidence
		}
	}
	return out
}

// ParamsJSON returns the kind's parameters as a JSON object.
func (p RuleParams) ParamsJSON(k RuleKind) []byte {
	b, _ := json.Marshal(p.ParamsMap(k))
	return b
}

// ParseRuleParams reads a rule's parameters, a JSON object, strictly: an
// unknown field, a missing one, a value of the wrong type or an
// impossible threshold is refused naming the field ("params.cut") and the
// reason, all of them at once. sc is the district's scale range.
func ParseRuleParams(k RuleKind, raw []byte, sc ScaleRange) (RuleParams, error) {
	var p RuleParams
	if !k.Valid() {
		return p, problem.Invalid("kind", "%q is not a kind of rule: one of %s", limits.Clip(string(k), 40), ruleKindList())
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return p, problem.Invalid("params", "not a JSON object of thresholds")
	}
	want := RuleFields(k)
	var errs problem.Fields
	var unknown []string
	for name := range fields {
		if !slices.Contains(want, name) {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		errs.Addf("params."+limits.Clip(name, 40), "unknown field for a %s rule (%s)", k, fieldList(want))
	}
	num := func(name string) (float64, bool) {
		v, ok := fields[name]
		if !ok {
			errs.Add("params."+name, "required")
			return 0, false
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			errs.Addf("params."+name, "%s is not a number", limits.Clip(string(v), 40))
			return 0, false
		}
		return f, true
	}
	whole := func(name string) (int, bool) {
		f, ok := num(name)
		if !ok {
			return 0, false
		}
		if f != math.Trunc(f) || math.Abs(f) > 1e6 {
			errs.Addf("params."+name, "%s is not a whole number", strconv.FormatFloat(f, 'g', -1, 64))
			return 0, false
		}
		return int(f), true
	}
	for _, name := range want {
		switch name {
		case "cut":
			if f, ok := num(name); ok {
				p.Cut = f
			}
		case "count":
			if n, ok := whole(name); ok {
				p.Count = n
			}
		case "days":
			if n, ok := whole(name); ok {
				p.Days = n
			}
		case "targets":
			if n, ok := whole(name); ok {
				p.Targets = n
			}
		case "drop":
			if f, ok := num(name); ok {
				p.Drop = f
			}
		case "evidence":
			if n, ok := whole(name); ok {
				p.Evidence = n
			}
		}
	}
	if err := errs.Err(); err != nil {
		return p, err
	}
	return p, p.Validate(k, sc)
}

// Validate checks the kind's thresholds, naming each impossible one.
func (p RuleParams) Validate(k RuleKind, sc ScaleRange) error {
	var errs problem.Fields
	switch k {
	case RuleBelowCut:
		if !(p.Cut > sc.Min && p.Cut <= sc.Max) {
			errs.Addf("params.cut", "%s is outside the district's scale: a cut above %s and at most %s", num(p.Cut), num(sc.Min), num(sc.Max))
		}
		if p.Count < MinBelowCutCount || p.Count > MaxBelowCutCount {
			errs.Addf("params.count", "%d scores: between %d and %d in a row", p.Count, MinBelowCutCount, MaxBelowCutCount)
		}
	case RuleNoEvidence:
		if p.Days < 1 || p.Days > MaxRuleDays {
			errs.Addf("params.days", "%d days: between 1 and %d", p.Days, MaxRuleDays)
		}
	case RulePaceBehind:
		if p.Targets < 0 || p.Targets > MaxBehindTargets {
			errs.Addf("params.targets", "%d targets: between 0 and %d", p.Targets, MaxBehindTargets)
		}
	case RuleProbabilityFalling:
		if !(p.Drop > 0 && p.Drop <= 1) {
			errs.Addf("params.drop", "%s is not a fall in probability: above 0 and at most 1", num(p.Drop))
		}
	case RuleStalled:
		if p.Evidence < 1 || p.Evidence > MaxStallEvidence {
			errs.Addf("params.evidence", "%d pieces of evidence: between 1 and %d", p.Evidence, MaxStallEvidence)
		}
	case RuleBehaviourNote:
	default:
		errs.Addf("kind", "%q is not a kind of rule: one of %s", limits.Clip(string(k), 40), ruleKindList())
	}
	return errs.Err()
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func ruleKindList() string {
	s := make([]string, len(RuleKinds))
	for i, k := range RuleKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func fieldList(fs []string) string {
	if len(fs) == 0 {
		return "it has no thresholds"
	}
	return "its thresholds are " + strings.Join(fs, ", ")
}

// Firing is one rule firing for a student: what fired, on which standard
// (0 when the rule is about the student as a whole), the reason in plain
// words and the data behind it.
type Firing struct {
	Kind       RuleKind
	StudentID  int64
	StandardID int64
	Reason     string
	Data       FiringData
}

// FiringData is the data behind a firing, kept with its alert. Each kind
// sets its own fields.
type FiringData struct {
	// Scores are the formative scores below the cut, newest first, with
	// the cut and the evidence they came from (below_cut).
	Scores     []float64 `json:"scores,omitempty"`
	EvidenceID []int64   `json:"evidenceIds,omitempty"`
	Cut        *float64  `json:"cut,omitempty"`
	// LastEvidence is the day of the last evidence on the target, Since
	// the day the target became the student's when there was none
	// (no_evidence).
	LastEvidence *time.Time `json:"lastEvidence,omitempty"`
	Since        *time.Time `json:"since,omitempty"`
	Days         int        `json:"days,omitempty"`
	// Expected and Mastered are the plan's targets expected by now and
	// mastered; Behind their difference (pace_behind).
	Expected int `json:"expected,omitempty"`
	Mastered int `json:"mastered,omitempty"`
	Behind   int `json:"behind,omitempty"`
	// Before and After are the probabilities of mastery (probability_falling).
	Before *float64 `json:"before,omitempty"`
	After  *float64 `json:"after,omitempty"`
	// Below are the prerequisites not mastered, Evidence the evidence on
	// the stalled standard (stalled).
	Below    []int64 `json:"below,omitempty"`
	Evidence int     `json:"evidence,omitempty"`
	// NoteAuthor wrote the behaviour note (behaviour_note).
	NoteAuthor int64 `json:"noteAuthor,omitempty"`
}

// ScoreFact is one score of a student on a standard, as the below-cut
// rule reads it.
type ScoreFact struct {
	EvidenceID int64
	Value      float64
	AssessedAt time.Time
}

// BelowCut evaluates a below_cut rule on a student's formative scores on
// one standard, newest first: it fires when the newest Count are all
// below the cut. Fewer scores than Count never fire.
func BelowCut(p RuleParams, studentID, standardID int64, recent []ScoreFact) (Firing, bool) {
	if p.Count < MinBelowCutCount || len(recent) < p.Count {
		return Firing{}, false
	}
	d := FiringData{Cut: &p.Cut}
	for _, sc := range recent[:p.Count] {
		if !(sc.Value < p.Cut) {
			return Firing{}, false
		}
		d.Scores = append(d.Scores, sc.Value)
		d.EvidenceID = append(d.EvidenceID, sc.EvidenceID)
	}
	return Firing{Kind: RuleBelowCut, StudentID: studentID, StandardID: standardID, Data: d,
		Reason: fmt.Sprintf("%d formative scores in a row below %s (%s)", p.Count, num(p.Cut), joinScores(d.Scores))}, true
}

func joinScores(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = num(f)
	}
	return strings.Join(s, ", ")
}

// NoEvidence evaluates a no_evidence rule on one target of a student's
// plan not yet mastered: last is the day of the latest evidence on it
// (zero: none), since the day the target became the student's. It fires
// when Days days or more have passed since the later of the two.
func NoEvidence(p RuleParams, studentID, standardID int64, last, since, today time.Time) (Firing, bool) {
	if p.Days < 1 {
		return Firing{}, false
	}
	from := Day(since)
	d := FiringData{Days: p.Days}
	if !last.IsZero() {
		l := Day(last)
		d.LastEvidence = &l
		if l.After(from) {
			from = l
		}
	} else {
		d.Since = &from
	}
	days := int(Day(today).Sub(from).Hours() / 24)
	if days < p.Days {
		return Firing{}, false
	}
	d.Days = days
	why := fmt.Sprintf("no evidence for %d days on a target of the plan (the rule: %d)", days, p.Days)
	return Firing{Kind: RuleNoEvidence, StudentID: studentID, StandardID: standardID, Data: d, Reason: why}, true
}

// PaceBehind evaluates a pace_behind rule: expected and mastered are the
// plan's targets expected mastered by now and mastered (pathways.Pace).
// It fires when the student is more than Targets behind.
func PaceBehind(p RuleParams, studentID int64, expected, mastered int) (Firing, bool) {
	behind := expected - mastered
	if behind <= p.Targets || behind <= 0 {
		return Firing{}, false
	}
	return Firing{Kind: RulePaceBehind, StudentID: studentID,
		Data:   FiringData{Expected: expected, Mastered: mastered, Behind: behind},
		Reason: fmt.Sprintf("%d targets behind the plan: %d mastered of %d expected by now", behind, mastered, expected)}, true
}

// ProbabilityFalling evaluates a probability_falling rule on one
// standard: before and after are the model's probabilities of mastery
// before and after the new evidence, nil where the model has none. It
// fires when the probability fell by at least Drop.
func ProbabilityFalling(p RuleParams, studentID, standardID int64, before, after *float64) (Firing, bool) {
	if before == nil || after == nil || !(p.Drop > 0) {
		return Firing{}, false
	}
	const eps = 1e-9
	if *before-*after+eps < p.Drop {
		return Firing{}, false
	}
	b, a := *before, *after
	return Firing{Kind: RuleProbabilityFalling, StudentID: studentID, StandardID: standardID,
		Data:   FiringData{Before: &b, After: &a},
		Reason: fmt.Sprintf("probability of mastery fell from %.0f%% to %.0f%%", 100*b, 100*a)}, true
}

// Stalled evaluates a stalled rule on one standard: below are the
// prerequisites the student is stalled below (mastery.StalledBelow) and
// evidence the evidence counted on the standard. It fires when there is
// at least one and the student has worked on the standard enough.
func Stalled(p RuleParams, studentID, standardID int64, below []int64, evidence int) (Firing, bool) {
	if len(below) == 0 || evidence < max(p.Evidence, 1) {
		return Firing{}, false
	}
	return Firing{Kind: RuleStalled, StudentID: studentID, StandardID: standardID,
		Data:   FiringData{Below: slices.Clone(below), Evidence: evidence},
		Reason: fmt.Sprintf("stalled after %d pieces of evidence: %d prerequisites not mastered", evidence, len(below))}, true
}

// BehaviourNote is the firing of a behaviour_note rule for a note
// recorded by author.
func BehaviourNote(studentID, authorID int64) Firing {
	return Firing{Kind: RuleBehaviourNote, StudentID: studentID, Data: FiringData{NoteAuthor: authorID},
		Reason: "a behaviour note was recorded"}
}

// MaxDismissNote bounds the note a teacher writes when dismissing an
// alert.
const MaxDismissNote = limits.Comment

// CheckDismissNote checks the note of a dismissal: optional, bounded.
func CheckDismissNote(note string) error {
	if why := limits.TooLong(strings.TrimSpace(note), MaxDismissNote, "a note"); why != "" {
		return problem.Invalid("note", "%s", why)
	}
	return nil
}
