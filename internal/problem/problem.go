// Package problem is cairn's one error vocabulary. Every package reports
// failures as one of a few kinds (not found, invalid, forbidden, conflict),
// wrapped with context on the way up; the web package maps each kind to an
// HTTP status in one place and shows the field-level reasons to the client
// as RFC 9457 problem details.
package problem

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of failure. Test with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
)

// Field is one reason a piece of input was refused: which field, and why.
// Field names use the JSON names clients send ("scores[2].level"). Index is
// the position of the record in a batch, or -1 when the input was one record.
type Field struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Fields collects the reasons a record was refused. Its zero value is ready
// to use; Err returns nil when nothing was added.
type Fields []Field

// Add records that field is wrong for reason.
func (f *Fields) Add(field, reason string) { *f = append(*f, Field{field, reason}) }

// Addf records that field is wrong, with a formatted reason.
func (f *Fields) Addf(field, format string, args ...any) {
	f.Add(field, fmt.Sprintf(format, args...))
}

// Err returns the collected reasons as an error of kind ErrInvalid, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &InvalidError{Record: -1, Fields: f}
}

// InvalidError is an ErrInvalid that names each offending field.
type InvalidError struct {
	// Record is the zero-based position of the refused record in a batch,
	// or -1 for a single record.
	Record int
	Fields Fields
}

// Invalid returns an InvalidError for one field.
func Invalid(field, format string, args ...any) error {
	return &InvalidError{Record: -1, Fields: Fields{{field, fmt.Sprintf(format, args...)}}}
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	if e.Record >= 0 {
		fmt.Fprintf(&b, "record %d: ", e.Record)
	}
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", f.Field, f.Reason)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true for an InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// InRecord returns err marked as concerning record i of a batch. Errors that
// are not InvalidErrors are wrapped with the record number.
func InRecord(i int, err error) error {
	if err == nil {
		return nil
	}
	var ie *InvalidError
	if errors.As(err, &ie) {
		c := *ie
		c.Record = i
		return &c
	}
	return fmt.Errorf("record %d: %w", i, err)
}

// NotFound returns an ErrNotFound naming what was missing, such as
// NotFound("student", 42).
func NotFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, ErrNotFound)
}

// Wrap adds context to *errp when it is not nil, keeping its kind:
//
//	defer problem.Wrap(&err, "RecordEvidence(%d)", id)
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
