package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/cairn-learning/cairn/internal/mastery"
)

func TestPolicy(t *testing.T) {
	f := newFixture(t)
	f.recordSome(t)

	res := f.do("GET", "/api/v1/policy", nil)
	wantStatus(t, res, http.StatusOK)
	var p mastery.Policy
	res.json(t, &p)
	if p != mastery.DefaultPolicy() {
		t.Errorf("district policy = %+v, want the default", p)
	}

	// Weight left out: the answer shows the default the store keeps.
	res = f.do("PUT", "/api/v1/policy", map[string]any{"method": map[string]any{"name": "weighted_average"},
		"rollup": "lowest", "changedBy": f.admin, "reason": "agreed at the math department meeting"})
	wantStatus(t, res, http.StatusOK)
	res.json(t, &p)
	want := mastery.Policy{Method: mastery.Method{Name: mastery.WeightedAverage, Weight: mastery.DefaultWeight}, Rollup: mastery.RollupLowest}
	if p != want {
		t.Errorf("after PUT = %+v, want %+v", p, want)
	}

	cpath := fmt.Sprintf("/api/v1/courses/%d/policy", f.course)
	res = f.do("GET", cpath, nil)
	wantStatus(t, res, http.StatusOK)
	var cp coursePolicyJSON
	res.json(t, &cp)
	if cp.Source != "district" || cp.Policy != want || cp.CourseID != f.course {
		t.Errorf("course policy without override = %+v", cp)
	}
	res = f.do("PUT", cpath, map[string]any{"method": map[string]any{"name": "most_recent"}, "changedBy": f.admin})
	wantStatus(t, res, http.StatusOK)
	res.json(t, &cp)
	if cp.Source != "course" || cp.Method.Name != mastery.MostRecent || cp.Rollup != mastery.RollupMean {
		t.Errorf("course policy after PUT = %+v", cp)
	}
	// Under most recent, Maya's last score on 6.RP.A.1 (2) is her value.
	res = f.do("GET", fmt.Sprintf("/api/v1/students/%d/standards/%d/mastery", f.students[0], f.childA), nil)
	var one standardMasteryJSON
	res.json(t, &one)
	if one.State == nil || one.State.Value != 2 || one.State.Explanation.Method != mastery.MostRecent {
		t.Errorf("after the course policy, state = %s", res.Body)
	}

	res = f.do("DELETE", cpath+"?changedBy="+fmt.Sprint(f.admin), nil)
	wantStatus(t, res, http.StatusNoContent)
	res = f.do("GET", cpath, nil)
	res.json(t, &cp)
	if cp.Source != "district" {
		t.Errorf("after DELETE the source is %q", cp.Source)
	}
	res = f.do("DELETE", cpath+"?changedBy="+fmt.Sprint(f.admin), nil)
	wantStatus(t, res, http.StatusNotFound)
	res.problem(t)

	res = f.do("GET", "/api/v1/policy/changes", nil)
	wantStatus(t, res, http.StatusOK)
	var changes list[policyChangeJSON]
	res.json(t, &changes)
	if len(changes.Items) != 3 {
		t.Fatalf("%d policy changes, want 3: %s", len(changes.Items), res.Body)
	}
	first := changes.Items[0]
	if first.CourseID != nil || first.ChangedBy != f.admin || first.Reason != "agreed at the math department meeting" ||
		first.New == nil || *first.New != want || !first.ChangedAt.Equal(testNow) {
		t.Errorf("first change = %+v", first)
	}
	if c := changes.Items[1]; c.CourseID == nil || *c.CourseID != f.course {
		t.Errorf("second change = %+v, want the course's", c)
	}
}

func TestRebuild(t *testing.T) {
	f := newFixture(t)
	f.recordSome(t)
	before := f.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil)
	res := f.do("POST", "/api/v1/mastery/rebuild", nil)
	wantStatus(t, res, http.StatusOK)
	var r rebuildJSON
	res.json(t, &r)
	if r.Evidence != 3 || r.States == 0 || r.ElapsedMS <= 0 {
		t.Errorf("rebuild = %+v, want 3 evidence, some states and the time it took", r)
	}
	after := f.do("GET", fmt.Sprintf("/api/v1/classes/%d/mastery", f.class), nil)
	if string(before.Body) != string(after.Body) {
		t.Errorf("the matrix changed in a rebuild without a policy change:\nbefore %s\nafter  %s", before.Body, after.Body)
	}
}
