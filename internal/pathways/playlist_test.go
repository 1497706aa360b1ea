package pathways

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

func goodPlaylist() Playlist {
	return Playlist{
		StandardID: 7,
		Title:      "Unit rates, your way",
		OwnerID:    3,
		WaysToShow: []evidence.Kind{evidence.PerformanceTask, evidence.Summative},
		Activities: []Activity{
			{ID: 11, Title: "Watch: unit rates", Link: "https://example.org/v", Modality: Video, Minutes: 12, Language: "en"},
			{ID: 12, Title: "Small group with Ms. Ortiz", Modality: SmallGroup, Minutes: 20},
			{ID: 13, Title: "Grocery prices project", Modality: Project, Interests: []string{"cooking"}, Language: "es-MX", Assessment: true},
		},
	}
}

// fieldsOf returns the fields an error names, or fails the test when the
// error is not an InvalidError.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ie *problem.InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an InvalidError", err)
	}
	out := map[string]string{}
	for _, f := range ie.Fields {
		out[f.Field] = f.Reason
	}
	return out
}

func TestPlaylistValidateAcceptsAGoodPlaylist(t *testing.T) {
	p := goodPlaylist()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPlaylistValidateNamesEachBadField(t *testing.T) {
	p := goodPlaylist()
	p.StandardID = 0
	p.Title = " "
	p.WaysToShow = []evidence.Kind{"essay", evidence.Summative, evidence.Summative}
	p.Activities[0].Link = "javascript:alert(1)"
	p.Activities[1].Modality = "lecture"
	p.Activities[1].Minutes = -5
	p.Activities[2].Language = "not a tag"
	p.Activities[2].Interests = []string{""}
	got := fieldsOf(t, p.Validate())
	for _, field := range []string{"standardId", "title", "waysToShow[0]", "waysToShow[2]",
		"activities[0].link", "activities[1].modality", "activities[1].minutes",
		"activities[2].language", "activities[2].interests[0]"} {
		if got[field] == "" {
			t.Errorf("no reason for %s in %v", field, got)
		}
	}
	if !strings.Contains(got["activities[0].link"], "http or https") {
		t.Errorf("link reason %q does not say what is allowed", got["activities[0].link"])
	}
}

func TestActivityLinkMustBeHTTP(t *testing.T) {
	for _, link := range []string{"https://example.org/a", "http://example.org"} {
		if reason := CheckLink(link); reason != "" {
			t.Errorf("%s refused: %s", link, reason)
		}
	}
	for _, link := range []string{"javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "ftp://x.org/a", "//example.org/a", "https://", "example.org"} {
		if reason := CheckLink(link); reason == "" {
			t.Errorf("%s accepted", link)
		}
	}
	if reason := CheckLink("https://example.org/" + strings.Repeat("a", limits.URL)); !strings.Contains(reason, "2048") {
		t.Errorf("long link: %q does not name the limit", reason)
	}
}

func TestActivityFileIsBounded(t *testing.T) {
	a := Activity{Title: "Handout", Modality: Reading, File: &File{Name: "h.pdf", ContentType: "application/pdf", Size: limits.ActivityFileBytes + 1}}
	got := fieldsOf(t, a.Validate())
	if !strings.Contains(got["file"], "10 MiB") {
		t.Errorf("file reason %q does not name the limit", got["file"])
	}
	a.File.Size = 1000
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
	a.Link = "https://example.org"
	if got := fieldsOf(t, a.Validate()); got["link"] == "" {
		t.Error("a link and a file together were accepted")
	}
}

func TestParseModalityListsTheChoices(t *testing.T) {
	for _, m := range Modalities {
		if got, err := ParseModality(string(m)); err != nil || got != m {
			t.Errorf("ParseModality(%s) = %v, %v", m, got, err)
		}
	}
	_, err := ParseModality("lecture")
	if err == nil || !strings.Contains(err.Error(), "small_group") {
		t.Errorf("err = %v, want the list of modalities", err)
	}
}

func TestChoiceValidate(t *testing.T) {
	a := goodPlaylist()
	b := Playlist{StandardID: 7, Title: "Another", WaysToShow: []evidence.Kind{evidence.Portfolio},
		Activities: []Activity{{ID: 21, Title: "Read", Modality: Reading}}}
	lists := []Playlist{a, b}

	ok := Choice{StudentID: 1, StandardID: 7, ActivityIDs: []int64{11, 13}, WayToShow: evidence.PerformanceTask}
	if err := ok.Validate(lists); err != nil {
		t.Fatal(err)
	}
	// No activity yet: any playlist's way will do.
	none := Choice{StudentID: 1, StandardID: 7, WayToShow: evidence.Portfolio}
	if err := none.Validate(lists); err != nil {
		t.Fatal(err)
	}
	// A way allowed only by a playlist none of whose activities was chosen.
	bad := Choice{StudentID: 1, StandardID: 7, ActivityIDs: []int64{11, 99, 11}, WayToShow: evidence.Portfolio}
	got := fieldsOf(t, bad.Validate(lists))
	for _, field := range []string{"activityIds[1]", "activityIds[2]", "wayToShow"} {
		if got[field] == "" {
			t.Errorf("no reason for %s in %v", field, got)
		}
	}
	if w := WaysToShow(lists); len(w) != 3 || w[0] != evidence.Summative || w[1] != evidence.Portfolio || w[2] != evidence.PerformanceTask {
		t.Errorf("WaysToShow = %v", w)
	}
}

func TestCheckQueryNamesTheLimit(t *testing.T) {
	if CheckQuery("fractions") != "" {
		t.Error("a short search was refused")
	}
	if r := CheckQuery(strings.Repeat("é", QueryChars+1)); !strings.Contains(r, "200") {
		t.Errorf("reason %q does not name the limit", r)
	}
}

func TestActivityEvidence(t *testing.T) {
	p := goodPlaylist()
	p.DistrictID = 2
	at := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
	if _, err := p.Activities[0].Evidence(p, "", at); err == nil {
		t.Error("a video that is no assessment piece gave evidence")
	}
	ev, err := p.Activities[2].Evidence(p, "", at)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != evidence.Formative || ev.Title != "Grocery prices project" || ev.DistrictID != 2 ||
		len(ev.Scores) != 1 || ev.Scores[0].StandardID != 7 || !ev.AssessedAt.Equal(at) {
		t.Errorf("evidence %+v", ev)
	}
}
