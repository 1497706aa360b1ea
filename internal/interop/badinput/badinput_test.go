package badinput

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
)

func TestProblemString(t *testing.T) {
	for _, tt := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "users.csv", Line: 12, Column: 7, Field: "givenName", Reason: "required"}, "users.csv:12:7: givenName: required"},
		{Problem{File: "users.csv", Line: 1, Reason: "missing column role"}, "users.csv:1: missing column role"},
		{Problem{File: "manifest.csv", Reason: "missing"}, "manifest.csv: missing"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestListLimit(t *testing.T) {
	var l List
	l.Limit = 2
	if l.Err() != nil {
		t.Fatal("an empty list must give a nil error")
	}
	for i := 1; i <= 5; i++ {
		l.Addf("f.csv", i, 1, "x", "bad %d", i)
	}
	if got, want := l.Len(), 5; got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
	if !l.Full() {
		t.Error("Full = false at the limit")
	}
	err := l.Err()
	if !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
	want := "f.csv:1:1: x: bad 1\nf.csv:2:1: x: bad 2\nand 3 more problems"
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err is %T, want *Error", err)
	}
	wantFields := problem.Fields{{Field: "f.csv:1:1 x", Reason: "bad 1"}, {Field: "f.csv:2:1 x", Reason: "bad 2"}, {Field: "", Reason: "and 3 more problems"}}
	if diff := cmp.Diff(wantFields, e.Invalid().Fields); diff != "" {
		t.Errorf("Invalid().Fields (-want +got):\n%s", diff)
	}
}
