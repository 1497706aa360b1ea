package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestOutcomesWithoutSupports: a district with no support plan answers
// its outcomes on every route, as the OpenAPI document describes them,
// with every cell hidden as too few (no one to count) and no figure given.
func TestOutcomesWithoutSupports(t *testing.T) {
	f := newFixture(t)
	f.checkDoc = true
	for _, path := range []string{"/api/v1/outcomes", fmt.Sprintf("/api/v1/schools/%d/outcomes", f.school)} {
		res := f.do("GET", path, nil)
		wantStatus(t, res, http.StatusOK)
		var got outcomesJSON
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Kinds) != 4 || got.MinStudents != 10 || !strings.Contains(got.Caveat, "not given supports at random") {
			t.Fatalf("%s: %s", path, res.Body)
		}
		for _, k := range got.Kinds {
			for _, c := range append(k.Supported, k.Compared...) {
				if c.Suppressed != "too_few" || c.Students != nil || c.Reached != nil {
					t.Errorf("%s: %s: cell %+v, want hidden as too few", path, k.Kind, c)
				}
			}
		}
	}
	admin := f.signedIn(f.admin)
	for _, path := range []string{"/admin/outcomes", fmt.Sprintf("/schools/%d/outcomes", f.school)} {
		body := wantPage(t, admin.get(path), http.StatusOK)
		if !strings.Contains(body, `data-suppressed="too_few"`) || strings.Contains(body, `id="chart-`) {
			t.Errorf("%s: want every cell hidden and no chart", path)
		}
	}
	for _, path := range []string{"/admin/outcomes.csv", fmt.Sprintf("/schools/%d/outcomes.csv", f.school)} {
		res := admin.get(path)
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(string(res.Body), "kind,group,school_id,dimension,category,suppressed,students,") {
			t.Errorf("%s: %d %s\n%s", path, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
	}
	teacher := f.signedIn(f.teacher)
	wantPage(t, teacher.get(fmt.Sprintf("/schools/%d/outcomes", f.school)), http.StatusForbidden)
}
