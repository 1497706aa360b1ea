// Package standards holds what students must learn: frameworks of
// standards with their hierarchy and prerequisites, and the proficiency
// scales that evidence and mastery are expressed on.
package standards

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// checkLength adds a reason to errs when s is longer than max characters;
// what says what the field holds ("a statement").
func checkLength(errs *problem.Fields, field, s string, max int, what string) {
	if reason := limits.TooLong(s, max, what); reason != "" {
		errs.Add(field, reason)
	}
}

// Kind says what a framework describes.
type Kind string

// The kinds of framework.
const (
	// Academic frameworks hold subject standards (Common Core, state math).
	Academic Kind = "academic"
	// Disposition frameworks hold social-emotional standards such as the 4Cs.
	Disposition Kind = "disposition"
	// Professional frameworks hold teachers' own competencies.
	Professional Kind = "professional"
)

// ParseKind returns the framework kind named s.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Academic, Disposition, Professional:
		return k, nil
	}
	return "", fmt.Errorf("%q is not one of academic, disposition, professional", s)
}

// Framework is a set of standards, such as a state's math standards. Its
// SourcedID keeps the CASE CFDocument identifier when it was imported.
type Framework struct {
	ID         int64  `json:"id"`
	DistrictID int64  `json:"districtId"`
	SourcedID  string `json:"sourcedId,omitempty"`
	Title      string `json:"title"`
	Kind       Kind   `json:"kind"`
	Creator    string `json:"creator,omitempty"`
	Version    string `json:"version,omitempty"`
	Subject    string `json:"subject,omitempty"`
	// Language is the BCP 47 tag of the language its titles and statements
	// are written in, "en" or "es-MX"; empty means DefaultLanguage. Pages
	// in another language mark the framework's text with it so that
	// screen readers pronounce it right.
	Language string `json:"language,omitempty"`
	// ScaleID is the proficiency scale evidence on this framework's
	// standards is expressed on.
	ScaleID int64 `json:"scaleId"`
}

// Validate checks a framework before it is stored.
func (f Framework) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(f.Title) == "" {
		errs.Add("title", "a framework needs a title")
	}
	if _, err := ParseKind(string(f.Kind)); err != nil {
		errs.Add("kind", err.Error())
	}
	if f.ScaleID == 0 {
		errs.Add("scaleId", "a framework needs a proficiency scale")
	}
	if _, err := ParseLanguage(f.Language); err != nil {
		errs.Add("language", err.Error())
	}
	checkLength(&errs, "title", f.Title, limits.Statement, "a framework's title")
	checkLength(&errs, "creator", f.Creator, limits.Name, "a name")
	checkLength(&errs, "version", f.Version, limits.Identifier, "a version")
	checkLength(&errs, "subject", f.Subject, limits.Text, "a subject")
	checkLength(&errs, "sourcedId", f.SourcedID, limits.Identifier, "an identifier")
	return errs.Err()
}

// Lang is the framework's language tag as ParseLanguage writes it:
// DefaultLanguage when it names none. A tag that does not parse is
// returned as it is, for Validate to report.
func (f Framework) Lang() string {
	tag, err := ParseLanguage(f.Language)
	if err != nil {
		return f.Language
	}
	return tag
}

// DefaultLanguage is the language of a framework that names none.
const DefaultLanguage = "en"

// ParseLanguage checks that s is a language tag of the form frameworks are
// written in (BCP 47, RFC 5646 section 2.1): a language of two or three
// letters, then optionally a script of four letters, then optionally a
// region of two letters or three digits, separated by hyphens ("en",
// "es-MX", "es-419", "zh-Hant-TW"). It returns the tag in the case RFC 5646
// recommends (language lower case, script title case, region upper case);
// "" gives DefaultLanguage. Variants, extensions and private use are not
// accepted: pages only need the language and region.
func ParseLanguage(s string) (string, error) {
	if s == "" {
		return DefaultLanguage, nil
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%q is not a language tag such as \"en\" or \"es-MX\": %s", s, why)
	}
	parts := strings.Split(s, "-")
	lang := parts[0]
	if (len(lang) != 2 && len(lang) != 3) || !allASCII(lang, isLetter) {
		return bad("it must start with a language of two or three letters")
	}
	out := strings.ToLower(lang)
	rest := parts[1:]
	if len(rest) > 0 && len(rest[0]) == 4 && allASCII(rest[0], isLetter) {
		out += "-" + strings.ToUpper(rest[0][:1]) + strings.ToLower(rest[0][1:])
		rest = rest[1:]
	}
	if len(rest) > 0 {
		switch r := rest[0]; {
		case len(r) == 2 && allASCII(r, isLetter), len(r) == 3 && allASCII(r, isDigit):
			out += "-" + strings.ToUpper(r)
			rest = rest[1:]
		}
	}
	if len(rest) > 0 {
		return bad(fmt.Sprintf("%q is neither a script of four letters nor a region of two letters or three digits", rest[0]))
	}
	return out, nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

func allASCII(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// SameLanguage reports whether tags a and b name the same language,
// whatever their script or region: "en-US" and "en" do, "en" and "es" do
// not. Text in a page's language needs no mark of its own.
func SameLanguage(a, b string) bool {
	pa, _, _ := strings.Cut(a, "-")
	pb, _, _ := strings.Cut(b, "-")
	return strings.EqualFold(pa, pb)
}

// Standard is one item of a framework, at any depth: a domain, a cluster,
// a standard or a component. Its SourcedID keeps the CASE CFItem identifier.
type Standard struct {
	ID              int64    `json:"id"`
	DistrictID      int64    `json:"districtId"`
	FrameworkID     int64    `json:"frameworkId"`
	SourcedID       string   `json:"sourcedId,omitempty"`
	Code            string   `json:"code,omitempty"` // CASE humanCodingScheme, e.g. "6.RP.A.3"
	Statement       string   `json:"statement"`
	Type            string   `json:"type,omitempty"` // CASE CFItemType, e.g. "Standard", "Cluster"
	EducationLevels []string `json:"educationLevels,omitempty"`
	ParentID        *int64   `json:"parentId,omitempty"`
	Position        int      `json:"position"` // order among siblings
	Retired         bool     `json:"retired,omitempty"`
}

// Label is the code and statement as shown in lists.
func (s Standard) Label() string {
	if s.Code == "" {
		return s.Statement
	}
	return s.Code + " " + s.Statement
}

// Validate checks a standard before it is stored.
func (s Standard) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(s.Statement) == "" {
		errs.Add("statement", "a standard needs a statement")
	}
	if s.FrameworkID == 0 {
		errs.Add("frameworkId", "required")
	}
	if s.ParentID != nil && *s.ParentID == s.ID && s.ID != 0 {
		errs.Add("parentId", "a standard cannot be its own parent")
	}
	checkLength(&errs, "statement", s.Statement, limits.Statement, "a statement")
	checkLength(&errs, "code", s.Code, limits.Identifier, "a code")
	checkLength(&errs, "type", s.Type, limits.Identifier, "a type")
	checkLength(&errs, "sourcedId", s.SourcedID, limits.Identifier, "an identifier")
	for i, l := range s.EducationLevels {
		checkLength(&errs, fmt.Sprintf("educationLevels[%d]", i), l, limits.Identifier, "an education level")
	}
	return errs.Err()
}

// Prerequisite says that Prerequisite must be mastered before Standard (CASE
// "precedes": Prerequisite precedes Standard).
type Prerequisite struct {
	DistrictID     int64 `json:"districtId"`
	StandardID     int64 `json:"standardId"`
	PrerequisiteID int64 `json:"prerequisiteId"`
}

// Level is one ordered step of a proficiency scale.
type Level struct {
	Value       float64 `json:"value"` // 1, 2, 3, 4
	Label       string  `json:"label"` // "Beginning", "Developing"...
	Description string  `json:"description,omitempty"`
}

// Scale is a proficiency scale: ordered levels and the level at or above
// which a standard counts as mastered.
type Scale struct {
	ID         int64   `json:"id"`
	DistrictID int64   `json:"districtId"`
	Name       string  `json:"name"`
	Levels     []Level `json:"levels"`
	MasteryCut float64 `json:"masteryCut"`
}

// Validate checks that a scale has at least two distinct levels in
// increasing order and that its mastery cut is one of them.
func (s Scale) Validate() error {
	var errs problem.Fields
	if strings.TrimSpace(s.Name) == "" {
		errs.Add("name", "a scale needs a name")
	}
	checkLength(&errs, "name", s.Name, limits.Title, "a scale's name")
	if len(s.Levels) < 2 {
		errs.Add("levels", "a scale needs at least two levels")
	}
	cutFound := false
	for i, l := range s.Levels {
		if strings.TrimSpace(l.Label) == "" {
			errs.Addf(fmt.Sprintf("levels[%d].label", i), "a level needs a label")
		}
		checkLength(&errs, fmt.Sprintf("levels[%d].label", i), l.Label, limits.Title, "a level's label")
		checkLength(&errs, fmt.Sprintf("levels[%d].description", i), l.Description, limits.Text, "a level's description")
		if i > 0 && l.Value <= s.Levels[i-1].Value {
			errs.Addf(fmt.Sprintf("levels[%d].value", i), "%g does not come after %g: levels must increase", l.Value, s.Levels[i-1].Value)
		}
		if l.Value == s.MasteryCut {
			cutFound = true
		}
	}
	if len(s.Levels) > 0 && !cutFound {
		errs.Addf("masteryCut", "%g is not one of the scale's levels", s.MasteryCut)
	}
	return errs.Err()
}

// Min is the lowest level's value.
func (s Scale) Min() float64 { return s.Levels[0].Value }

// Max is the highest level's value.
func (s Scale) Max() float64 { return s.Levels[len(s.Levels)-1].Value }

// HasLevel reports whether v is exactly one of the scale's levels.
func (s Scale) HasLevel(v float64) bool {
	for _, l := range s.Levels {
		if l.Value == v {
			return true
		}
	}
	return false
}

// LevelOf returns the highest level whose value is at or below v: a value of
// 2.9 on a 1-4 scale is level 2. Values below the lowest level give the
// lowest level.
func (s Scale) LevelOf(v float64) Level {
	i := sort.Search(len(s.Levels), func(i int) bool { return s.Levels[i].Value > v+1e-9 })
	if i == 0 {
		return s.Levels[0]
	}
	return s.Levels[i-1]
}

// FromRaw maps a raw score between min and max linearly onto the scale:
// min gives the lowest level, max the highest. 8 out of 0..10 on a 1-4
// scale is 1 + 0.8*3 = 3.4.
func (s Scale) FromRaw(raw, min, max float64) float64 {
	return s.Min() + (raw-min)/(max-min)*(s.Max()-s.Min())
}

// DefaultScale is the four-level scale most standards-based districts use.
func DefaultScale() Scale {
	return Scale{
		Name: "Four-level proficiency",
		Levels: []Level{
			{1, "Beginning", "Shows little of the standard yet, even with help."},
			{2, "Developing", "Shows parts of the standard, or all of it with help."},
			{3, "Proficient", "Shows the whole standard on their own: this is mastery."},
			{4, "Advanced", "Applies the standard in new and more complex situations."},
		},
		MasteryCut: 3,
	}
}
