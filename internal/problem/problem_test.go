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

func TestError(t *testing.T) {
	err := fmt.Errorf("CreateSchool: %w", Conflict("sourcedId", "%q is used by school %d", "cvms", 2))
	for _, kind := range []error{ErrNotFound, ErrInvalid, ErrForbidden} {
		if errors.Is(err, kind) {
			t.Errorf("a conflict is also %v", kind)
		}
	}
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("%v is not ErrConflict", err)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Field != "sourcedId" || pe.Message != `"cvms" is used by school 2` || pe.Record != -1 {
		t.Fatalf("As: %+v", pe)
	}
	if got, want := err.Error(), `CreateSchool: sourcedId: "cvms" is used by school 2: conflict`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	in := InRecord(4, err)
	if !errors.As(in, &pe) || pe.Record != 4 || pe.Detail() != `record 4: sourcedId: "cvms" is used by school 2` {
		t.Errorf("InRecord: %+v, detail %q", pe, pe.Detail())
	}
	if got := Forbidden("no").Error(); got != "no: forbidden" {
		t.Errorf("Forbidden: %q", got)
	}
	if got := (&Error{Kind: KindNotFound, Record: -1}).Error(); got != "not found" {
		t.Errorf("an Error without a message: %q", got)
	}
	if Kind(0).Err() != nil || Kind(0).String() != "Kind(0)" {
		t.Errorf("the zero Kind: %v %q", Kind(0).Err(), Kind(0).String())
	}
}

func TestAddItem(t *testing.T) {
	var f Fields
	f.AddItem("scores", 2, "level", "5 is not a level")
	f.AddItemf("scores", 0, "", "give %s", "a level")
	f.Add("kind", "unknown")
	want := Fields{
		{Field: "scores[2].level", Reason: "5 is not a level", List: "scores", Index: 2},
		{Field: "scores[0]", Reason: "give a level", List: "scores", Index: 0},
		{Field: "kind", Reason: "unknown"},
	}
	if len(f) != len(want) {
		t.Fatalf("got %+v", f)
	}
	for i := range want {
		if f[i] != want[i] {
			t.Errorf("field %d = %+v, want %+v", i, f[i], want[i])
		}
	}
}
