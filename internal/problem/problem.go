// Package problem is cairn's one error vocabulary. Every package reports
// failures as one of a few kinds (not found, invalid, forbidden, conflict),
// wrapped with context on the way up; the web package maps each kind to an
// HTTP status in one place and shows the field-level reasons to the client
// as RFC 9457 problem details.
//
// What a client reads travels as data in an *Error or an *InvalidError: a
// kind, the fields concerned, the record of a batch, and a message for
// people. The context that Wrap and fmt.Errorf add on the way up (function
// names, arguments) is for the server's log only, so that renaming a
// function never changes an answer.
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

// Kind is the kind of failure an Error reports. Each kind is also one of
// the sentinel errors above, so errors.Is(err, ErrNotFound) holds for an
// Error of KindNotFound.
type Kind uint8

// The kinds of an Error. The zero Kind is no kind: an Error must have one.
const (
	KindNotFound Kind = iota + 1
	KindInvalid
	KindForbidden
	KindConflict
)

// Err returns the sentinel error of the kind, or nil for the zero Kind.
func (k Kind) Err() error {
	switch k {
	case KindNotFound:
		return ErrNotFound
	case KindInvalid:
		return ErrInvalid
	case KindForbidden:
		return ErrForbidden
	case KindConflict:
		return ErrConflict
	}
	return nil
}

// String is the kind's word, as its sentinel error says it.
func (k Kind) String() string {
	if err := k.Err(); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Error is a failure of one kind, told as data: the message a person reads,
// the input field it concerns, and the record of a batch it belongs to.
// For invalid input that names several fields, see InvalidError.
type Error struct {
	Kind Kind
	// Field is the JSON name of the field the failure concerns
	// ("sourcedId"), or "" when it concerns no one field.
	Field string
	// Record is the zero-based position of the record concerned in a
	// batch, or -1 for a single record.
	Record int
	// Message says what went wrong, for people: "student 42",
	// `"cvms" is already used by school 2 in this district`. It names no
	// function and does not repeat the field or the kind.
	Message string
}

// Errorf returns an Error of kind concerning no one field, with a
// formatted message.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Record: -1, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an Error of kind concerning field, with a formatted
// message.
func FieldErrorf(kind Kind, field, format string, args ...any) error {
	return &Error{Kind: kind, Field: field, Record: -1, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ErrNotFound naming what was missing, such as
// NotFound("student", 42).
func NotFound(what string, id any) error {
	return &Error{Kind: KindNotFound, Record: -1, Message: fmt.Sprintf("%s %v", what, id)}
}

// Forbidden returns an ErrForbidden saying why, with a formatted message.
func Forbidden(format string, args ...any) error {
	return Errorf(KindForbidden, format, args...)
}

// Conflict returns an ErrConflict concerning field (may be ""), saying
// why with a formatted message.
func Conflict(field, format string, args ...any) error {
	return FieldErrorf(KindConflict, field, format, args...)
}

// Detail is what a client reads: the record, the field and the message,
// as "record 3: sourcedId: ...", without the kind's word.
func (e *Error) Detail() string {
	var b strings.Builder
	if e.Record >= 0 {
		fmt.Fprintf(&b, "record %d: ", e.Record)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		if e.Message != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Message)
	return b.String()
}

// Error is the detail followed by the kind's word: "student 42: not found".
func (e *Error) Error() string {
	if d := e.Detail(); d != "" {
		return d + ": " + e.Kind.String()
	}
	return e.Kind.String()
}

// Is makes errors.Is(err, ErrNotFound) (and the other kinds) true for an
// Error of that kind.
func (e *Error) Is(target error) bool { return target != nil && target == e.Kind.Err() }

// Field is one reason a piece of input was refused: which field, and why.
// Field names use the JSON names clients send ("scores[2].level"). A field
// of an item of a list also says so as data: List is the list's JSON name
// ("scores") and Index the item's position in it, so that no one needs to
// read them back out of the name.
type Field struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	// List is the JSON name of the list whose item the field belongs to,
	// or "" when it belongs to none; Index is then meaningless.
	List  string `json:"-"`
	Index int    `json:"-"`
}

// Fields collects the reasons a record was refused. Its zero value is ready
// to use; Err returns nil when nothing was added.
type Fields []Field

// Add records that field is wrong for reason.
func (f *Fields) Add(field, reason string) { *f = append(*f, Field{Field: field, Reason: reason}) }

// Addf records that field is wrong, with a formatted reason.
func (f *Fields) Addf(field, format string, args ...any) {
	f.Add(field, fmt.Sprintf(format, args...))
}

// AddItem records that a field of item index of list is wrong for reason:
// AddItem("scores", 2, "level", why) names "scores[2].level"; an empty
// field names the item as a whole ("scores[2]").
func (f *Fields) AddItem(list string, index int, field, reason string) {
	name := fmt.Sprintf("%s[%d]", list, index)
	if field != "" {
		name += "." + field
	}
	*f = append(*f, Field{Field: name, Reason: reason, List: list, Index: index})
}

// AddItemf is AddItem with a formatted reason.
func (f *Fields) AddItemf(list string, index int, field, format string, args ...any) {
	f.AddItem(list, index, field, fmt.Sprintf(format, args...))
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
	return &InvalidError{Record: -1, Fields: Fields{{Field: field, Reason: fmt.Sprintf(format, args...)}}}
}

// Detail is what a client reads: the record, then each field and why.
func (e *InvalidError) Detail() string {
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

func (e *InvalidError) Error() string { return e.Detail() }

// Is makes errors.Is(err, ErrInvalid) true for an InvalidError.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// InRecord returns err marked as concerning record i of a batch. A typed
// error (an InvalidError or an Error) is copied with its Record set, so
// that the record travels as data; any other error is wrapped with the
// record number for the log.
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
	var pe *Error
	if errors.As(err, &pe) {
		c := *pe
		c.Record = i
		return &c
	}
	return fmt.Errorf("record %d: %w", i, err)
}

// Wrap adds context to *errp when it is not nil, keeping its kind:
//
//	defer problem.Wrap(&err, "RecordEvidence(%d)", id)
//
// The context is for the server's log; a client reads only what the
// typed error underneath carries.
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}
