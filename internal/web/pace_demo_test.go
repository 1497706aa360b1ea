package web

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"
)

// TestDemoPace: the demo district's pace overviews show students ahead,
// on track and behind.
func TestDemoPace(t *testing.T) {
	d := loadDemo(t)
	count := regexp.MustCompile(`<li data-status="(\w+)"><span class="badge pace-\w+">[^<]*</span> (\d+)</li>`)
	for _, page := range []struct {
		who  string
		path string
	}{
		{"teacher", fmt.Sprintf("/classes/%d/pace", d.sum.Class.ID)},
		{"admin", fmt.Sprintf("/schools/%d/pace", d.sum.Class.SchoolID)},
	} {
		c := d.teacher
		if page.who == "admin" {
			c = d.admin
		}
		res := d.get(t, c, page.path)
		if res.Code != http.StatusOK {
			t.Fatalf("%s: status %d", page.path, res.Code)
		}
		if res.Body.Len() >= maxPageWeight {
			t.Errorf("%s weighs %d bytes, want under %d", page.path, res.Body.Len(), maxPageWeight)
		}
		n := map[string]string{}
		for _, m := range count.FindAllStringSubmatch(res.Body.String(), -1) {
			n[m[1]] = m[2]
		}
		t.Logf("%s: %v", page.path, n)
		for _, st := range []string{"ahead", "on_track", "behind"} {
			if n[st] == "" || n[st] == "0" {
				t.Errorf("%s shows no student %s: %v", page.path, st, n)
			}
		}
	}
}
