package problem

import (
	"errors"
	"fmt"
	"testing"
)

func TestFields(t *testing.T) {
	var f Fields
	if f.Err() != nil {
		t.Fatal("empty Fields gave an error")
	}
	f.Add("kind", "unknown")
	f.Addf("scores[1].level", "%g is not a level", 2.5)
	err := f.Err()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Err() = %v, not ErrInvalid", err)
	}
	if got, want := err.Error(), "kind: unknown; scores[1].level: 2.5 is not a level"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	in := InRecord(3, fmt.Errorf("context: %w", err))
	var ie *InvalidError
	if !errors.As(in, &ie) || ie.Record != 3 {
		t.Fatalf("InRecord lost the record: %v", in)
	}
	if got, want := in.Error(), "record 3: kind: unknown; scores[1].level: 2.5 is not a level"; got != want {
		t.Errorf("InRecord Error() = %q, want %q", got, want)
	}
	if other := InRecord(2, NotFound("student", 9)); !errors.Is(other, ErrNotFound) || other.Error() != "record 2: student 9: not found" {
		t.Errorf("InRecord(not found) = %v", other)
	}
}

func TestWrap(t *testing.T) {
	f := func() (err error) {
		defer Wrap(&err, "Record(%d)", 7)
		return NotFound("class", 3)
	}
	err := f()
	if !errors.Is(err, ErrNotFound) || err.Error() != "Record(7): class 3: not found" {
		t.Errorf("got %v", err)
	}
	g := func() (err error) {
		defer Wrap(&err, "never")
		return nil
	}
	if g() != nil {
		t.Error("Wrap turned nil into an error")
	}
}
