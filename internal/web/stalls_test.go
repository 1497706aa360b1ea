package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestStalledOnStudentPages checks that the pages about one student, and
// the API's list of their mastery, say which standards they are stalled
// on and below which unmastered prerequisite, as the heatmap does, in
// words each reader understands and in each of cairn's languages.
func TestStalledOnStudentPages(t *testing.T) {
	f := newFixture(t)
	f.linkFamily()
	maya, omar := f.students[0], f.students[1]
	day := testNow.Add(-24 * time.Hour)
	// Maya has not mastered A, and B builds on it: she is stalled on B.
	f.record(maya, "Quiz", day, map[int64]float64{f.childA: 2, f.childB: 1})
	// Omar has mastered A: B is what he practises next.
	f.record(omar, "Quiz", day, map[int64]float64{f.childA: 3, f.childB: 2})

	teacher := f.signedIn(f.teacher)
	body := wantPage(t, teacher.get(fmt.Sprintf("/students/%d", maya)), http.StatusOK)
	for _, want := range []string{
		`id="stalled-list"`,
		fmt.Sprintf(`<li class="stall" data-standard="%d">⚑ 6.RP.A.2 is not mastered yet, and builds on 6.RP.A.1, which is not mastered either: work on 6.RP.A.1 first.`, f.childB),
		fmt.Sprintf(`<li data-prerequisite="%d"><a href="/students/%d/standards/%d">`, f.childA, maya, f.childA),
		"More practice on the standard alone is unlikely to help",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the teacher's page on Maya lacks %q", want)
		}
	}
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d", omar)), http.StatusOK)
	if strings.Contains(body, `id="stalled-list"`) {
		t.Error("Omar's page says he is stalled, though he has mastered the prerequisite")
	}

	teacher.lang = "es"
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d", maya)), http.StatusOK)
	if want := "6.RP.A.2 aún no está dominado, y se apoya en 6.RP.A.1, que tampoco lo está: trabaje primero 6.RP.A.1."; !strings.Contains(body, want) {
		t.Errorf("the Spanish page on Maya lacks %q", want)
	}

	g := f.signedIn(f.guardian)
	body = wantPage(t, g.get(fmt.Sprintf("/family/%d", maya)), http.StatusOK)
	if want := "First, Maya needs to master this: Understand the concept of a ratio and use ratio language. That is what Understand the concept of a unit rate. builds on."; !strings.Contains(body, want) {
		t.Errorf("the family's page lacks %q", want)
	}
	g.lang = "es"
	body = wantPage(t, g.get(fmt.Sprintf("/family/%d", maya)), http.StatusOK)
	if want := "En eso se apoya"; !strings.Contains(body, want) {
		t.Errorf("the family's Spanish page lacks %q", want)
	}

	body = wantPage(t, f.signedIn(maya).get("/me"), http.StatusOK)
	if want := "First 6.RP.A.1, then 6.RP.A.2:"; !strings.Contains(body, want) {
		t.Errorf("Maya's own page lacks %q", want)
	}

	stalled := func(student int64) map[int64][]int64 {
		t.Helper()
		res := f.do("GET", fmt.Sprintf("/api/v1/students/%d/mastery", student), nil)
		wantStatus(t, res, http.StatusOK)
		var l list[masteryJSON]
		res.json(t, &l)
		out := map[int64][]int64{}
		for _, m := range l.Items {
			if m.StalledBelow != nil {
				out[m.StandardID] = m.StalledBelow
			}
		}
		return out
	}
	if diff := cmp.Diff(map[int64][]int64{f.childB: {f.childA}}, stalled(maya)); diff != "" {
		t.Errorf("Maya's stalls in the API (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int64][]int64{}, stalled(omar)); diff != "" {
		t.Errorf("Omar's stalls in the API (-want +got):\n%s", diff)
	}
}
