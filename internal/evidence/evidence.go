// Package evidence holds records of what students have shown: one record of
// a student's performance on one or more standards.
//
// Evidence is append-only. A record is never rewritten or deleted; a
// correction voids it with a reason (and usually adds a new record), and
// voided evidence no longer counts toward mastery.
package evidence

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

// Kind says what sort of assessment produced the evidence.
type Kind string

// The kinds of evidence.
const (
	Formative       Kind = "formative"
	Interim         Kind = "interim"
	Summative       Kind = "summative"
	Portfolio       Kind = "portfolio"
	Capstone        Kind = "capstone"
	PerformanceTask Kind = "performance_task"
	Observation     Kind = "observation"
	SelfAssessment  Kind = "self_assessment"
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{Formative, Interim, Summative, Portfolio, Capstone, PerformanceTask, Observation, SelfAssessment}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("%q is not one of formative, interim, summative, portfolio, capstone, performance_task, observation, self_assessment", s)
}

// Score is the result on one standard: either a raw score with its range
// (Points between MinPoints and MaxPoints) or a level on the standard's
// scale. Value is the score on the scale, set by Normalize.
type Score struct {
	StandardID int64    `json:"standardId"`
	Points     *float64 `json:"points,omitempty"`
	MinPoints  float64  `json:"minPoints,omitempty"`
	MaxPoints  float64  `json:"maxPoints,omitempty"`
	Level      *float64 `json:"level,omitempty"`
	Value      float64  `json:"value"`
	// ItemID and ItemKey name the item the score answers, when the
	// evidence came from a question that is reused: by the id cairn gave
	// it, or by a key of the client's own (cairn makes the item the first
	// time a key is used). Either or neither, not both.
	ItemID  int64  `json:"itemId,omitempty"`
	ItemKey string `json:"itemKey,omitempty"`
}

// Evidence is one record of a student's performance.
type Evidence struct {
	ID          int64     `json:"id"`
	DistrictID  int64     `json:"districtId"`
	StudentID   int64     `json:"studentId"`
	ClassID     *int64    `json:"classId,omitempty"`
	Kind        Kind      `json:"kind"`
	Title       string    `json:"title,omitempty"` // "Exit ticket: unit rates"
	Scores      []Score   `json:"scores"`
	AssessedAt  time.Time `json:"assessedAt"`
	RecordedAt  time.Time `json:"recordedAt"`
	RecordedBy  int64     `json:"recordedBy"`
	Attempt     int       `json:"attempt"`
	Comment     string    `json:"comment,omitempty"`
	ArtifactURL string    `json:"artifactUrl,omitempty"`
	Void        *Void     `json:"void,omitempty"`
}

// Void records that a piece of evidence no longer counts, and why.
type Void struct {
	At     time.Time `json:"at"`
	By     int64     `json:"by"`
	Reason string    `json:"reason"`
}

// CheckVoidReason checks why evidence is voided: something, and not more
// than limits.Reason characters.
func CheckVoidReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return problem.Invalid("reason", "say why the evidence no longer counts")
	}
	if why := limits.TooLong(reason, limits.Reason, "a reason"); why != "" {
		return problem.Invalid("reason", "%s", why)
	}
	return nil
}

// Voided reports whether the evidence has been voided.
func (e Evidence) Voided() bool { return e.Void != nil }

// Validate checks a record before it is stored and sets each score's Value
// on its standard's scale. scaleOf returns the scale of a standard, or false
// when the standard is unknown. now is the time the record is made: evidence
// dated in the future is refused.
func (e *Evidence) Validate(now time.Time, scaleOf func(standardID int64) (standards.Scale, bool)) error {
	var errs problem.Fields
	if e.StudentID == 0 {
		errs.Add("studentId", "required")
	}
	if _, err := ParseKind(string(e.Kind)); err != nil {
		errs.Add("kind", err.Error())
	}
	if e.AssessedAt.IsZero() {
		errs.Add("assessedAt", "required")
	} else if e.AssessedAt.After(now.Add(time.Minute)) {
		errs.Addf("assessedAt", "%s is in the future", e.AssessedAt.Format(time.RFC3339))
	}
	if e.Attempt < 0 {
		errs.Add("attempt", "must be 1 or more")
	}
	for _, f := range []struct {
		field, text string
		max         int
		what        string
	}{
		{"title", e.Title, limits.Title, "a title"},
		{"comment", e.Comment, limits.Comment, "a comment"},
		{"artifactUrl", e.ArtifactURL, limits.URL, "an address"},
	} {
		if reason := limits.TooLong(f.text, f.max, f.what); reason != "" {
			errs.Add(f.field, reason)
		}
	}
	if e.ArtifactURL != "" && !strings.HasPrefix(e.ArtifactURL, "https://") && !strings.HasPrefix(e.ArtifactURL, "http://") {
		errs.Add("artifactUrl", "must be an http or https address")
	}
	switch {
	case len(e.Scores) == 0:
		errs.Add("scores", "evidence needs a score on at least one standard")
	case len(e.Scores) > limits.Scores:
		errs.Addf("scores", "%d scores: more than the %d standards one piece of evidence may score", len(e.Scores), limits.Scores)
		return errs.Err()
	}
	seen := map[int64]bool{}
	for i := range e.Scores {
		sc := &e.Scores[i]
		if seen[sc.StandardID] {
			errs.AddItemf("scores", i, "standardId", "standard %d is scored twice", sc.StandardID)
			continue
		}
		seen[sc.StandardID] = true
		if field, reason := checkItemRef(sc); reason != "" {
			errs.AddItem("scores", i, field, reason)
		}
		scale, ok := scaleOf(sc.StandardID)
		if !ok {
			errs.AddItemf("scores", i, "standardId", "no standard %d in this district", sc.StandardID)
			continue
		}
		switch {
		case sc.Level != nil && sc.Points != nil:
			errs.AddItem("scores", i, "", "give either a level or points, not both")
		case sc.Level != nil:
			if !scale.HasLevel(*sc.Level) {
				errs.AddItemf("scores", i, "level", "%g is not a level of the scale %q (%s)", *sc.Level, scale.Name, levelList(scale))
				continue
			}
			sc.Value = *sc.Level
		case sc.Points != nil:
			p := *sc.Points
			switch {
			case math.IsNaN(p) || math.IsInf(p, 0):
				errs.AddItem("scores", i, "points", "not a number")
			case sc.MaxPoints <= sc.MinPoints:
				errs.AddItemf("scores", i, "maxPoints", "%g must be above minPoints %g", sc.MaxPoints, sc.MinPoints)
			case p < sc.MinPoints || p > sc.MaxPoints:
				errs.AddItemf("scores", i, "points", "%g is outside %g..%g", p, sc.MinPoints, sc.MaxPoints)
			default:
				sc.Value = scale.FromRaw(p, sc.MinPoints, sc.MaxPoints)
			}
		default:
			errs.AddItem("scores", i, "", "give a level or points")
		}
	}
	if e.Attempt == 0 && len(errs) == 0 {
		e.Attempt = 1
	}
	return errs.Err()
}

func levelList(s standards.Scale) string {
	parts := make([]string, len(s.Levels))
	for i, l := range s.Levels {
		parts[i] = fmt.Sprintf("%g %s", l.Value, l.Label)
	}
	return strings.Join(parts, ", ")
}

// checkItemRef checks a score's item reference: it returns the field and
// the reason when it is bad, "" when it is good.
func checkItemRef(sc *Score) (field, reason string) {
	switch {
	case sc.ItemID < 0:
		return "itemId", "must be a positive id"
	case sc.ItemID != 0 && sc.ItemKey != "":
		return "itemId", "give either itemId or itemKey, not both"
	case sc.ItemKey == "":
		return "", ""
	case strings.TrimSpace(sc.ItemKey) != sc.ItemKey:
		return "itemKey", "must not start or end with a space"
	}
	if reason := limits.TooLong(sc.ItemKey, limits.ItemKey, "an item key"); reason != "" {
		return "itemKey", reason
	}
	for _, r := range sc.ItemKey {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "itemKey", "must be printable text"
		}
	}
	return "", ""
}
