package web

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
)

// TestProblemIgnoresFunctionNames checks that what a client reads comes
// from the typed error alone: the same refusal wrapped by differently
// named functions (as a rename would leave it), by lower-case context, or
// by nothing at all answers with the same problem document.
func TestProblemIgnoresFunctionNames(t *testing.T) {
	refusals := map[string]func() error{
		"not found": func() error { return problem.NotFound("student", 42) },
		"conflict": func() error {
			return problem.Conflict("sourcedId", "%q is already used by school 2 in this district", "cvms")
		},
		"forbidden": func() error { return problem.Forbidden("a read-only access token cannot change anything") },
		"invalid":   func() error { return problem.Invalid("scores[0].level", "5 is not a level") },
		"in a batch": func() error {
			return problem.InRecord(3, problem.Conflict("void", "evidence 9 was already voided"))
		},
		"bare kind": func() error { return problem.Errorf(problem.KindInvalid, "the batch is empty") },
	}
	wrappers := map[string]func(error) error{
		"problem.Wrap": func(err error) error {
			problem.Wrap(&err, "CreateSchool")
			return err
		},
		"renamed": func(err error) error {
			problem.Wrap(&err, "AddSchool(%d, %q)", 3, "x")
			return err
		},
		"two functions": func(err error) error {
			problem.Wrap(&err, "store.Open: School(3)")
			return fmt.Errorf("Handler: %w", err)
		},
		"lower-case context": func(err error) error { return fmt.Errorf("loading standards of framework 2: %w", err) },
		"record wrapped":     func(err error) error { return fmt.Errorf("ImportCASE(x.json): item 7: %w", err) },
	}
	for name, refuse := range refusals {
		t.Run(name, func(t *testing.T) {
			want, internal := problemFor(refuse())
			if internal {
				t.Fatalf("%v answered as an internal error", refuse())
			}
			if want.Detail == "" {
				t.Fatalf("no detail for %v", refuse())
			}
			for how, wrap := range wrappers {
				err := wrap(refuse())
				got, internal := problemFor(err)
				if internal {
					t.Errorf("%s: answered as an internal error", how)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (%v) changed the problem document (-unwrapped +wrapped):\n%s", how, err, diff)
				}
			}
		})
	}
}

// TestProblemOfBareKind checks that a sentinel wrapped in text, with no
// typed error beneath, answers with its kind's status and none of the
// text: nothing is parsed back out of Error().
func TestProblemOfBareKind(t *testing.T) {
	for kind, status := range kindStatus {
		err := fmt.Errorf("Secret(7): the password of person 9: %w", kind.Err())
		p, internal := problemFor(err)
		if internal || p.Status != status || p.Detail != "" || p.Errors != nil || p.Record != nil {
			t.Errorf("%v: %+v (internal %v), want status %d and no text", kind, p, internal, status)
		}
	}
	if p, internal := problemFor(errors.New("not found")); !internal || p.Status != 500 {
		t.Errorf("an untyped error that reads like a kind answered %+v", p)
	}
}

// TestProblemFieldsAsData checks that an error's field, record and
// message reach the document as they were set, whatever Error() says.
func TestProblemFieldsAsData(t *testing.T) {
	err := fmt.Errorf("VoidEvidence(1, 9): %w", &problem.Error{Kind: problem.KindConflict, Field: "void", Record: 2, Message: "evidence 9: was already voided"})
	p, _ := problemFor(err)
	rec := 2
	want := newProblem(409, "record 2: void: evidence 9: was already voided")
	want.Errors = []problem.Field{{Field: "void", Reason: "evidence 9: was already voided"}}
	want.Record = &rec
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("problem (-want +got):\n%s", diff)
	}
}
