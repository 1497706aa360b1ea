package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/pathways"
)

// summativeFixture is the fixture with Maya ready on childA (six strong
// pieces of evidence) and Omar after one summative attempt on it, under
// a policy of two pieces of practice before a retake and three attempts.
func summativeFixture(t *testing.T) *fixture {
	f := newFixture(t)
	for i := range 6 {
		f.record(f.students[0], "Exit ticket", testNow.Add(-time.Duration(10-i)*time.Hour), map[int64]float64{f.childA: 4})
	}
	f.record(f.students[1], "Exit ticket", testNow.Add(-9*time.Hour), map[int64]float64{f.childA: 2})
	ev := evidence.Evidence{DistrictID: f.district, StudentID: f.students[1], ClassID: &f.class, Kind: evidence.Summative,
		Title: "Unit test", AssessedAt: testNow.Add(-8 * time.Hour), RecordedBy: f.teacher,
		Scores: []evidence.Score{{StandardID: f.childA, Level: ptr(2.0)}}}
	if err := f.st.RecordEvidence(context.Background(), &ev); err != nil {
		t.Fatal(err)
	}
	p := pathways.DefaultSummativePolicy()
	p.Reassess = pathways.ReassessPolicy{PracticeBeforeRetake: 2, MaxAttempts: 3, Counts: pathways.CountHighest}
	if err := f.st.SetSummativePolicy(context.Background(), f.district, p, f.admin, "practice between attempts"); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSummativePages(t *testing.T) {
	f := summativeFixture(t)
	f.linkFamily()
	teacher := f.signedIn(f.teacher)
	page := fmt.Sprintf("/classes/%d/summative", f.class)
	if body := wantPage(t, teacher.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK); !strings.Contains(body, `href="`+page+`"`) {
		t.Error("the heatmap does not lead to who is ready for the summative")
	}
	body := wantPage(t, teacher.get(page), http.StatusOK)
	for _, want := range []string{
		fmt.Sprintf(`data-student="%d" class="proposed"`, f.students[0]),
		fmt.Sprintf(`id="s%d-%d"`, f.childA, f.students[0]),
		fmt.Sprintf(`id="confirm-%d"`, f.childA),
		fmt.Sprintf(`id="waiting-%d"`, f.childA),
		"Omar Haddad</a> (2 more pieces of practice)",
		"at most 3 attempts",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the class's page lacks %q:\n%s", want, body)
		}
	}
	// Declining needs a reason, and someone chosen; confirming is kept
	// and audited.
	form := url.Values{"student": {fmt.Sprint(f.students[0])}, "standard": {fmt.Sprint(f.childA)}, "decision": {"declined"}}
	body = wantPage(t, teacher.post(page, form), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="decision-problem"`) || !strings.Contains(body, "Say why not yet") {
		t.Error("a decline without a reason is not explained")
	}
	body = wantPage(t, teacher.post(page, url.Values{"standard": {fmt.Sprint(f.childA)}, "decision": {"confirmed"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Choose at least one student") {
		t.Error("a decision for nobody is not explained")
	}
	form.Set("standard", fmt.Sprint(f.parent+1000))
	if res := teacher.post(page, form); res.Status != http.StatusUnprocessableEntity && res.Status != http.StatusBadRequest {
		t.Errorf("a standard outside the course answered %d", res.Status)
	}
	form.Set("standard", fmt.Sprint(f.childA))
	form.Set("decision", "confirmed")
	if got := location(t, teacher.post(page, form)); got != fmt.Sprintf("%s?saved=confirmed#std-%d", page, f.childA) {
		t.Errorf("after confirming went to %q", got)
	}
	body = wantPage(t, teacher.get(page+"?saved=confirmed"), http.StatusOK)
	if !strings.Contains(body, fmt.Sprintf(`data-student="%d" class="confirmed"`, f.students[0])) || !strings.Contains(body, `id="saved-notice"`) {
		t.Errorf("the confirmation is not shown:\n%s", body)
	}

	// A retake recorded on the grid before the practice is refused with
	// the student named and the rule, and nothing is recorded.
	grid := url.Values{"title": {"Retake"}, "kind": {"summative"}, "assessed": {"2025-03-14"}, "standard": {fmt.Sprint(f.childA)},
		cellName(f.students[1], f.childA): {"3"}}
	body = wantPage(t, teacher.post(fmt.Sprintf("/classes/%d/record", f.class), grid), http.StatusConflict)
	if !strings.Contains(body, "Omar Haddad") || !strings.Contains(body, "practice_before_retake") {
		t.Errorf("the grid does not say why the retake is refused:\n%s", body)
	}

	// The student reads it on the standard's page, the family in plain
	// words, in Spanish too.
	std := fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA)
	body = wantPage(t, f.signedIn(f.students[0]).get(std), http.StatusOK)
	if !strings.Contains(body, `id="summative"`) || !strings.Contains(body, "Your teacher confirmed that you are ready") || !strings.Contains(body, "3 attempts are left.") {
		t.Errorf("the student's standard page does not say they are ready:\n%s", body)
	}
	body = wantPage(t, f.signedIn(f.guardian).get(std), http.StatusOK)
	if !strings.Contains(body, "Maya&#39;s teacher confirmed that Maya is ready") {
		t.Errorf("the family's standard page does not say Maya is ready:\n%s", body)
	}
	omar := fmt.Sprintf("/students/%d/standards/%d", f.students[1], f.childA)
	body = wantPage(t, teacher.get(omar), http.StatusOK)
	if !strings.Contains(body, "Omar needs 2 more pieces of practice") || !strings.Contains(body, "Omar&#39;s summative result is 2 (from one attempt).") {
		t.Errorf("Omar's page does not say what a retake needs:\n%s", body)
	}

	// The administrator's rules: errors beside the fields, then kept.
	admin := f.signedIn(f.admin)
	wantPage(t, admin.get("/admin/summative"), http.StatusOK)
	if body := wantPage(t, admin.get("/admin/policy"), http.StatusOK); !strings.Contains(body, `href="/admin/summative"`) {
		t.Error("the policy page does not lead to the summative's rules")
	}
	bad := url.Values{"min_probability": {"120"}, "min_low": {"70"}, "levels_below_cut": {"1"}, "practice": {"x"}, "max_attempts": {"3"}, "counts": {"best"}, "reason": {""}}
	body = wantPage(t, admin.post("/admin/summative", bad), http.StatusUnprocessableEntity)
	for _, id := range []string{"min_probability-error", "practice-error", "reason-error"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("the form does not mark %s", id)
		}
	}
	good := url.Values{"min_probability": {"90"}, "min_low": {"70"}, "levels_below_cut": {"0"}, "practice": {"1"}, "max_attempts": {"0"}, "counts": {"latest"}, "reason": {"agreed by the board"}}
	if got := location(t, admin.post("/admin/summative", good)); got != "/admin/summative?saved=1" {
		t.Errorf("after saving went to %q", got)
	}
	body = wantPage(t, admin.get("/admin/summative?saved=1"), http.StatusOK)
	if !strings.Contains(body, "agreed by the board") || !strings.Contains(body, "There is no limit on attempts.") {
		t.Errorf("the change is not in the history:\n%s", body)
	}
}

func TestSummativeAPI(t *testing.T) {
	f := summativeFixture(t)
	var cls classSummativeJSON
	res := f.do("GET", fmt.Sprintf("/api/v1/classes/%d/summative", f.class), nil)
	wantStatus(t, res, 200)
	res.json(t, &cls)
	proposed := map[int64]bool{}
	for _, s := range cls.Standings {
		if s.StandardID == f.childA && s.Proposed {
			proposed[s.StudentID] = true
		}
	}
	if !proposed[f.students[0]] || proposed[f.students[1]] || cls.Policy.Reassess.MaxAttempts != 3 {
		t.Errorf("class standings: %+v", cls)
	}

	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	decisions := fmt.Sprintf("/api/v1/students/%d/standards/%d/summative/decisions", f.students[0], f.childA)
	res = teacher.do("POST", decisions, map[string]any{"decision": "declined"})
	wantStatus(t, res, 422)
	res = teacher.do("POST", decisions, map[string]any{"decision": "declined", "reason": "one more practice set first"})
	wantStatus(t, res, 201)
	var one summativeJSON
	res = teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/standards/%d/summative", f.students[0], f.childA), nil)
	wantStatus(t, res, 200)
	res.json(t, &one)
	if one.Decision == nil || one.Decision.Reason != "one more practice set first" || !strings.Contains(one.Explanation, "not yet") {
		t.Errorf("standing after the decline: %+v", one)
	}
	res = teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/standards/%d/summative", f.students[2], f.childB), nil)
	wantStatus(t, res, 200)

	// The reassessment policy on the evidence API: refused with the rule,
	// recorded with an override.
	retake := map[string]any{"studentId": f.students[1], "classId": f.class, "kind": "summative", "title": "Retake",
		"assessedAt": testNow.Add(-time.Hour), "scores": []map[string]any{{"standardId": f.childA, "level": 3}}}
	res = teacher.do("POST", "/api/v1/evidence", retake)
	wantStatus(t, res, 409)
	if p := res.problem(t); !strings.Contains(p.Detail, "practice_before_retake") {
		t.Errorf("refusal %q does not name the rule", p.Detail)
	}
	batch := []map[string]any{retake}
	batch[0]["overrideReason"] = "absent"
	wantStatus(t, teacher.do("POST", "/api/v1/evidence/batch", batch), 422)
	retake["overrideReason"] = "was ill during the practice week"
	wantStatus(t, teacher.do("POST", "/api/v1/evidence", retake), 201)

	// The district's rules.
	res = f.do("GET", "/api/v1/summative/policy", nil)
	wantStatus(t, res, 200)
	wantStatus(t, teacher.do("PUT", "/api/v1/summative/policy", map[string]any{"ready": map[string]any{"minProbability": 0.9, "minLow": 0.7}, "reassess": map[string]any{"counts": "latest"}, "reason": "x"}), 403)
	wantStatus(t, f.do("PUT", "/api/v1/summative/policy", map[string]any{"ready": map[string]any{"minProbability": 0.9, "minLow": 0.7}, "reassess": map[string]any{"counts": "best"}, "reason": "x"}), 422)
	res = f.do("PUT", "/api/v1/summative/policy", map[string]any{"ready": map[string]any{"minProbability": 0.9, "minLow": 0.7, "levelsBelowCut": 1},
		"reassess": map[string]any{"practiceBeforeRetake": 1, "maxAttempts": 2, "counts": "latest"}, "reason": "fewer attempts"})
	wantStatus(t, res, 200)
	var changes struct {
		Items []summativePolicyChangeJSON `json:"items"`
	}
	res = f.do("GET", "/api/v1/summative/policy/changes", nil)
	wantStatus(t, res, 200)
	res.json(t, &changes)
	if len(changes.Items) != 2 || changes.Items[1].Reason != "fewer attempts" || changes.Items[1].Old == nil {
		t.Errorf("changes = %+v", changes.Items)
	}
}

// TestSummativeWords holds every sentence of the summative in both
// catalogs, for the student and about them.
func TestSummativeWords(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	codes := []pathways.SummativeReasonCode{pathways.ReasonReady, pathways.ReasonNoEvidence, pathways.ReasonNoModel, pathways.ReasonModelBelow,
		pathways.ReasonModelUnsure, pathways.ReasonMethodBelow, pathways.ReasonFirstAttempt, pathways.ReasonRetakeOpen,
		pathways.ReasonPracticeFirst, pathways.ReasonNoAttemptsLeft, "confirmed", "declined", "result"}
	for _, lang := range []string{"en", "es"} {
		for _, who := range []string{"you", "they"} {
			for _, code := range codes {
				if key := "summative." + who + "." + string(code); !c.Has(lang, key) {
					t.Errorf("%s lacks %s", lang, key)
				}
			}
		}
		for _, key := range []string{"summative.admin.min_probability", "summative.admin.min_low", "summative.admin.practice", "summative.admin.max_attempts"} {
			if !c.Has(lang, key) || !c.Has(lang, key+"_hint") {
				t.Errorf("%s lacks %s or its hint", lang, key)
			}
		}
	}
}

// TestDemoSummative checks what the demo district shows of the
// summative: in the featured class, students proposed as ready, one
// confirmed by the teacher, and retakes waiting on practice.
func TestDemoSummative(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	rec := d.get(t, d.teacher, fmt.Sprintf("/classes/%d/summative", d.sum.Class.ID))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	proposed := strings.Count(body, `class="proposed"`)
	confirmed := strings.Count(body, `class="confirmed"`)
	waiting := strings.Count(body, "more piece")
	t.Logf("featured class: %d proposed, %d confirmed, %d retakes waiting on practice, %d bytes", proposed, confirmed, waiting, len(body))
	if proposed < 2 || confirmed != 1 || waiting < 1 {
		t.Errorf("the featured class shows %d proposed, %d confirmed, %d waiting; want a few, one, at least one", proposed, confirmed, waiting)
	}
}

// BenchmarkClassSummativePage measures who is ready for the summative in
// the demo's featured class, rendered for its teacher, and reports the
// 99th percentile as p99-ms.
func BenchmarkClassSummativePage(b *testing.B) {
	d := loadDemo(b)
	path := fmt.Sprintf("/classes/%d/summative", d.sum.Class.ID)
	if rec := d.get(b, d.teacher, path); rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	} else {
		b.SetBytes(int64(rec.Body.Len()))
	}
	durations := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rec := d.get(b, d.teacher, path)
		durations = append(durations, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	reportP99(b, durations)
}
