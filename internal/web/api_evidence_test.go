package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
)

// level returns a score body at a level of the scale.
func level(standardID int64, v float64) map[string]any {
	return map[string]any{"standardId": standardID, "level": v}
}

// evidenceBody is one evidence record as a client sends it.
func (f *fixture) evidenceBody(student int64, assessed time.Time, scores ...map[string]any) map[string]any {
	return map[string]any{"studentId": student, "classId": f.class, "kind": "formative", "title": "Exit ticket",
		"assessedAt": assessed.Format(time.RFC3339), "recordedBy": f.admin, "scores": scores}
}

func TestEvidence(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-48 * time.Hour)
	res := f.do("POST", "/api/v1/evidence", f.evidenceBody(f.students[0], day,
		level(f.childA, 3), map[string]any{"standardId": f.childB, "points": 8, "minPoints": 0, "maxPoints": 10}))
	wantStatus(t, res, http.StatusCreated)
	var ev evidence.Evidence
	res.json(t, &ev)
	if ev.ID == 0 || ev.StudentID != f.students[0] || ev.Attempt != 1 || !ev.RecordedAt.Equal(testNow) {
		t.Errorf("recorded evidence = %+v", ev)
	}
	if got, want := res.Header.Get("Location"), fmt.Sprintf("/api/v1/evidence/%d", ev.ID); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	// 8 of 0..10 on a 1-4 scale is 1 + 0.8*3.
	if len(ev.Scores) != 2 || ev.Scores[0].Value != 3 || math.Abs(ev.Scores[1].Value-3.4) > 1e-9 {
		t.Errorf("score values = %+v, want 3 and 3.4", ev.Scores)
	}

	res = f.do("GET", fmt.Sprintf("/api/v1/evidence/%d", ev.ID), nil)
	wantStatus(t, res, http.StatusOK)

	// A batch for the two other students.
	batch := []map[string]any{
		f.evidenceBody(f.students[1], day, level(f.childA, 2)),
		f.evidenceBody(f.students[2], day, level(f.childA, 4), level(f.childB, 4)),
		f.evidenceBody(f.students[0], day.Add(time.Hour), level(f.childA, 4)),
	}
	res = f.do("POST", "/api/v1/evidence/batch", batch)
	wantStatus(t, res, http.StatusCreated)
	var recorded list[evidence.Evidence]
	res.json(t, &recorded)
	if len(recorded.Items) != 3 {
		t.Fatalf("batch answered %d records, want 3", len(recorded.Items))
	}
	for i, e := range recorded.Items {
		if e.ID == 0 {
			t.Errorf("record %d has no id", i)
		}
	}

	spath := fmt.Sprintf("/api/v1/students/%d/evidence", f.students[0])
	res = f.do("GET", spath, nil)
	wantStatus(t, res, http.StatusOK)
	var mine list[evidence.Evidence]
	res.json(t, &mine)
	if len(mine.Items) != 2 || mine.Items[0].ID != recorded.Items[2].ID {
		t.Fatalf("student evidence = %d items, want 2 with the newest first: %s", len(mine.Items), res.Body)
	}
	res = f.do("GET", fmt.Sprintf("%s?standard=%d", spath, f.childB), nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].ID != ev.ID {
		t.Errorf("evidence on 6.RP.A.2 = %+v, want only %d", mine.Items, ev.ID)
	}

	// Void: a reason and a person; twice is a conflict; voided evidence
	// is listed only on request.
	vpath := fmt.Sprintf("/api/v1/evidence/%d/void", ev.ID)
	res = f.do("POST", vpath, map[string]any{"reason": "scored against the wrong standard", "by": f.admin})
	wantStatus(t, res, http.StatusOK)
	var voided evidence.Evidence
	res.json(t, &voided)
	if voided.Void == nil || voided.Void.By != f.admin || voided.Void.Reason != "scored against the wrong standard" {
		t.Errorf("voided = %+v", voided.Void)
	}
	res = f.do("POST", vpath, map[string]any{"reason": "again", "by": f.admin})
	wantStatus(t, res, http.StatusConflict)
	res.problem(t)
	res = f.do("GET", spath, nil)
	res.json(t, &mine)
	if len(mine.Items) != 1 {
		t.Errorf("%d evidence after voiding one of two, want 1", len(mine.Items))
	}
	res = f.do("GET", spath+"?includeVoided=true", nil)
	res.json(t, &mine)
	if len(mine.Items) != 2 {
		t.Errorf("%d evidence with voided included, want 2", len(mine.Items))
	}
}

func TestBatchAllOrNothing(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-24 * time.Hour)
	batch := []map[string]any{
		f.evidenceBody(f.students[0], day, level(f.childA, 3)),
		f.evidenceBody(f.students[1], day, level(f.childA, 3)),
		f.evidenceBody(f.students[2], day, level(f.childA, 7)), // not a level
	}
	res := f.do("POST", "/api/v1/evidence/batch", batch)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	p := res.problem(t)
	if p.Record == nil || *p.Record != 2 {
		t.Errorf("record = %v, want 2", p.Record)
	}
	if len(p.Errors) != 1 || p.Errors[0].Field != "scores[0].level" {
		t.Errorf("errors = %+v, want scores[0].level", p.Errors)
	}
	for _, s := range f.students {
		res := f.do("GET", fmt.Sprintf("/api/v1/students/%d/evidence", s), nil)
		var l list[evidence.Evidence]
		res.json(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("student %d has %d evidence after a refused batch", s, len(l.Items))
		}
	}
	if got := metricValue(t, f, "cairn_evidence_recorded_total"); got != 0 {
		t.Errorf("cairn_evidence_recorded_total = %g after a refused batch", got)
	}

	// A record that does not decode is named the same way.
	bad := `[{"studentId": 1, "kind": "formative", "scores": []}, {"studentId": "two"}]`
	res = f.do("POST", "/api/v1/evidence/batch", bad)
	wantStatus(t, res, http.StatusBadRequest)
	p = res.problem(t)
	if p.Record == nil || *p.Record != 1 || len(p.Errors) != 1 || p.Errors[0].Field != "studentId" {
		t.Errorf("problem = %+v, want record 1, field studentId", p)
	}
	if !strings.Contains(p.Detail, "record 1") {
		t.Errorf("detail %q does not name the record", p.Detail)
	}
}
