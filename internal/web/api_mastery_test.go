package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordSome records evidence: Maya on both children, Omar on the first,
// Lena on nothing.
func (f *fixture) recordSome(t *testing.T) {
	t.Helper()
	day := testNow.Add(-72 * time.Hour)
	batch := []map[string]any{
		f.evidenceBody(f.students[0], day, level(f.childA, 3), level(f.childB, 4)),
		f.evidenceBody(f.students[0], day.Add(24*time.Hour), level(f.childA, 2)),
		f.evidenceBody(f.students[1], day, level(f.childA, 2)),
	}
	wantStatus(t, f.do("POST", "/api/v1/evidence/batch", batch), http.StatusCreated)
}

func TestClassMastery(t *testing.T) {
	f := newFixture(t)
	f.recordSome(t)
	res := f.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil)
	wantStatus(t, res, http.StatusOK)
	var m classMatrixJSON
	res.json(t, &m)
	if m.Class.ID != f.class {
		t.Errorf("class = %d, want %d", m.Class.ID, f.class)
	}
	var students, stds []int64
	for _, s := range m.Students {
		students = append(students, s.ID)
	}
	for _, s := range m.Standards {
		stds = append(stds, s.ID)
	}
	if diff := cmp.Diff(f.students[:], students); diff != "" { // Chen, Haddad, Okafor
		t.Errorf("students (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{f.parent, f.childA, f.childB}, stds); diff != "" {
		t.Errorf("standards (-want +got):\n%s", diff)
	}
	if len(m.Cells) != 3 {
		t.Fatalf("%d rows, want 3", len(m.Cells))
	}
	ctx := context.Background()
	for i, row := range m.Cells {
		if len(row) != 3 {
			t.Fatalf("row %d has %d cells, want 3", i, len(row))
		}
		for j, c := range row {
			stored, err := f.st.MasteryOf(ctx, f.district, students[i], stds[j])
			if c == nil {
				if err == nil {
					t.Errorf("cell [%d][%d] is null, but the store has %+v", i, j, stored.State)
				}
				continue
			}
			if err != nil {
				t.Errorf("cell [%d][%d] = %+v, but the store has no state: %v", i, j, c, err)
				continue
			}
			want := matrixCell{Value: stored.Value, Level: stored.Level, Label: stored.LevelLabel, Mastered: stored.Mastered, Count: stored.EvidenceCount}
			if est := stored.Model; est != nil {
				want.PMastered, want.Verdict = &est.PMastered, est.Verdict
			} else if stds[j] != f.parent {
				t.Errorf("cell [%d][%d]: the store has no model estimate for a standard with evidence of its own", i, j)
			}
			if diff := cmp.Diff(want, *c); diff != "" {
				t.Errorf("cell [%d][%d] (-store +api):\n%s", i, j, diff)
			}
		}
	}
	// Maya has evidence on everything, Omar on the first child (and so
	// its parent), Lena on nothing.
	nulls := func(row []*matrixCell) (n int) {
		for _, c := range row {
			if c == nil {
				n++
			}
		}
		return n
	}
	if got := []int{nulls(m.Cells[0]), nulls(m.Cells[1]), nulls(m.Cells[2])}; !cmp.Equal(got, []int{0, 1, 3}) {
		t.Errorf("empty cells per student = %v, want [0 1 3]", got)
	}

	res = f.do("GET", "/api/v1/classes/9999/mastery", nil)
	wantStatus(t, res, http.StatusNotFound)
	res.problem(t)
}

func TestStudentMastery(t *testing.T) {
	f := newFixture(t)
	f.recordSome(t)
	ctx := context.Background()
	maya := f.students[0]

	res := f.do("GET", fmt.Sprintf("/api/v1/students/%d/mastery", maya), nil)
	wantStatus(t, res, http.StatusOK)
	var l list[masteryJSON]
	res.json(t, &l)
	stored, err := f.st.StudentMastery(ctx, f.district, maya)
	if err != nil {
		t.Fatal(err)
	}
	want := masteryList(stored)
	if diff := cmp.Diff(want, l.Items, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("student mastery (-store +api):\n%s", diff)
	}
	if len(l.Items) != 3 {
		t.Errorf("%d states, want 3 (two children and their parent)", len(l.Items))
	}

	scale, err := f.st.Scale(ctx, f.district, f.scale)
	if err != nil {
		t.Fatal(err)
	}
	res = f.do("GET", fmt.Sprintf("/api/v1/students/%d/standards/%d/mastery", maya, f.childA), nil)
	wantStatus(t, res, http.StatusOK)
	var one standardMasteryJSON
	res.json(t, &one)
	m, err := f.st.MasteryOf(ctx, f.district, maya, f.childA)
	if err != nil {
		t.Fatal(err)
	}
	if !one.Assessed || one.State == nil || one.State.Explanation == nil {
		t.Fatalf("state of an assessed standard = %s", res.Body)
	}
	if one.State.Value != m.Value || one.State.EvidenceCount != 2 || one.Standard.ID != f.childA || one.Scale.ID != f.scale {
		t.Errorf("state = %+v, store has %+v", one.State, m.State)
	}
	if diff := cmp.Diff(m.Explanation, *one.State.Explanation, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("explanation (-store +api):\n%s", diff)
	}
	if want := m.Explanation.Summary(scale, m.State); one.Summary != want || one.Summary == "" {
		t.Errorf("summary = %q, want %q", one.Summary, want)
	}

	// Lena has no evidence: the answer says so instead of failing.
	res = f.do("GET", fmt.Sprintf("/api/v1/students/%d/standards/%d/mastery", f.students[2], f.childA), nil)
	wantStatus(t, res, http.StatusOK)
	var none standardMasteryJSON
	res.json(t, &none)
	if none.Assessed || none.State != nil || none.Summary != "No evidence yet." {
		t.Errorf("unassessed = %s", res.Body)
	}

	res = f.do("GET", fmt.Sprintf("/api/v1/students/%d/standards/9999/mastery", maya), nil)
	wantStatus(t, res, http.StatusNotFound)
	if p := res.problem(t); p.Detail != "no standard 9999 in this district" {
		t.Errorf("detail = %q", p.Detail)
	}
}

func TestClassStandardMastery(t *testing.T) {
	f := newFixture(t)
	f.recordSome(t)
	res := f.do("GET", fmt.Sprintf("/api/v1/classes/%d/standards/%d/mastery", f.class, f.childA), nil)
	wantStatus(t, res, http.StatusOK)
	var got classStandardMasteryJSON
	res.json(t, &got)
	var students []int64
	for _, m := range got.Items {
		students = append(students, m.StudentID)
		if m.StandardID != f.childA {
			t.Errorf("state of standard %d in a list for %d", m.StandardID, f.childA)
		}
	}
	if diff := cmp.Diff([]int64{f.students[0], f.students[1]}, students); diff != "" {
		t.Errorf("students with a state (-want +got):\n%s", diff)
	}
	if got.ClassID != f.class || got.Standard.ID != f.childA {
		t.Errorf("class %d standard %d", got.ClassID, got.Standard.ID)
	}
}
