// Package badinput reports what is wrong with an imported file the way the
// person who has to fix it needs it: which file, which line and column,
// which field, and why, in plain words.
//
// Importers (CASE, OneRoster) collect every problem of a file into a List
// instead of stopping at the first, because a district fixing an export
// from its student information system wants the whole list at once. A List
// keeps the details of the first Limit problems and only counts the rest, so
// a file that is wrong on every line still gives a short report.
package badinput

import (
	"fmt"
	"strings"

	"github.com/cairn-learning/cairn/internal/problem"
)

// DefaultLimit is how many problems a List keeps in detail when its Limit
// is zero.
const DefaultLimit = 100

// Severity says whether a problem stops an import.
type Severity string

// The severities of a problem. The zero Severity is an error.
const (
	// SeverityError is a problem that keeps the input from being read
	// safely: a missing required column, a date that is not a date, a
	// reference to a record that does not exist. The import is refused, or
	// (where the importer allows it) the row is left out.
	SeverityError Severity = "error"
	// SeverityWarning is something the standard allows but that is odd, or
	// that the importer reads differently from how the input has it: an
	// unknown extra column, a misspelled manifest key, a student enrolled
	// as a teacher. It is reported and does not stop the import.
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with an input file.
type Problem struct {
	// Severity is SeverityError (or empty) or SeverityWarning.
	Severity Severity `json:"severity,omitempty"`
	// File is the name of the file as the person knows it ("users.csv",
	// "math.json").
	File string `json:"file"`
	// Line is the 1-based line number, or 0 when the problem concerns the
	// whole file (a missing file, a wrong version).
	Line int `json:"line,omitempty"`
	// Column is the 1-based column: for a CSV field the column number as a
	// spreadsheet counts it, for JSON or a broken CSV line the character
	// position in the line. 0 when the problem concerns the whole line.
	Column int `json:"column,omitempty"`
	// Field names the offending field ("givenName",
	// "CFItems[3].fullStatement"), or is empty.
	Field string `json:"field,omitempty"`
	// Reason says what is wrong and, where it can, what would be right.
	Reason string `json:"reason"`
}

// Location is "file:line:column", leaving out what is unknown.
func (p Problem) Location() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// IsWarning reports whether p does not stop an import.
func (p Problem) IsWarning() bool { return p.Severity == SeverityWarning }

// String is the problem as one line: "users.csv:12:7: givenName: required".
func (p Problem) String() string {
	if p.Field == "" {
		return p.Location() + ": " + p.Reason
	}
	return p.Location() + ": " + p.Field + ": " + p.Reason
}

// List collects the problems of one import: errors, and apart from them
// warnings. Its zero value is ready to use and keeps DefaultLimit of each.
type List struct {
	// Limit is how many errors, and how many warnings, are kept in
	// detail; 0 means DefaultLimit.
	Limit        int
	problems     []Problem
	more         int
	warnings     []Problem
	moreWarnings int
}

func (l *List) limit() int {
	if l.Limit <= 0 {
		return DefaultLimit
	}
	return l.Limit
}

// Add records p, among the warnings when it is one; past the limit it is
// only counted.
func (l *List) Add(p Problem) {
	if p.IsWarning() {
		if len(l.warnings) >= l.limit() {
			l.moreWarnings++
			return
		}
		l.warnings = append(l.warnings, p)
		return
	}
	if len(l.problems) >= l.limit() {
		l.more++
		return
	}
	l.problems = append(l.problems, p)
}

// Addf records a problem with a formatted reason.
func (l *List) Addf(file string, line, column int, field, format string, args ...any) {
	l.Add(Problem{File: file, Line: line, Column: column, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Warnf records a warning with a formatted reason.
func (l *List) Warnf(file string, line, column int, field, format string, args ...any) {
	l.Add(Problem{Severity: SeverityWarning, File: file, Line: line, Column: column, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Warnings returns the warnings kept in detail, in the order found, and
// how many more were only counted.
func (l *List) Warnings() ([]Problem, int) { return l.warnings, l.moreWarnings }

// Len is the number of errors recorded, including those only counted.
func (l *List) Len() int { return len(l.problems) + l.more }

// Full reports whether the limit is reached, so that an importer may skip
// expensive checks whose details would only be counted.
func (l *List) Full() bool { return len(l.problems) >= l.limit() }

// Problems returns the errors kept in detail, in the order found.
func (l *List) Problems() []Problem { return l.problems }

// Err returns nil when no error was recorded (warnings do not count), or
// an *Error holding the errors.
func (l *List) Err() error {
	if l.Len() == 0 {
		return nil
	}
	return &Error{Problems: append([]Problem(nil), l.problems...), More: l.more,
		Warnings: append([]Problem(nil), l.warnings...), MoreWarnings: l.moreWarnings}
}

// Error is an import refused for bad input. errors.Is(err,
// problem.ErrInvalid) holds, so the web layer answers it as invalid input.
type Error struct {
	// Problems are the problems kept in detail, in the order found.
	Problems []Problem
	// More counts the problems found beyond those.
	More int
	// Warnings are the warnings found too, which alone would not have
	// refused the import, and MoreWarnings counts those beyond them.
	Warnings     []Problem
	MoreWarnings int
}

// Error lists the problems one per line, then "and N more problems".
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\nand %d more %s", e.More, plural(e.More, "problem", "problems"))
	}
	return b.String()
}

// Is makes errors.Is(err, problem.ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == problem.ErrInvalid }

// Invalid returns the problems as a problem.InvalidError whose fields are
// "file:line:column field" locations, for answers that speak the common
// error vocabulary (RFC 9457 problem details).
func (e *Error) Invalid() *problem.InvalidError {
	ie := &problem.InvalidError{Record: -1}
	for _, p := range e.Problems {
		field := p.Location()
		if p.Field != "" {
			field += " " + p.Field
		}
		ie.Fields.Add(field, p.Reason)
	}
	if e.More > 0 {
		ie.Fields.Addf("", "and %d more %s", e.More, plural(e.More, "problem", "problems"))
	}
	return ie
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
