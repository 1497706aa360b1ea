package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// uploadTo posts a multipart form as the page does, with the form token.
func (b *browser) uploadTo(path string, fields url.Values, name string, content []byte) response {
	b.f.t.Helper()
	if !fields.Has("csrf") {
		fields.Set("csrf", b.token())
	}
	body, ct := multipartBody(b.f.t.(*testing.T), fields, name, content)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// otherTeacher is a teacher of the fixture's school who teaches none of
// its classes.
func (f *fixture) otherTeacher() int64 {
	f.t.Helper()
	p := roster.Person{DistrictID: f.district, GivenName: "Sam", FamilyName: "Ito", Roles: []roster.Role{roster.RoleTeacher},
		SchoolIDs: []int64{f.school}, Username: "sam.ito"}
	if err := f.st.CreatePerson(context.Background(), &p); err != nil {
		f.t.Fatal(err)
	}
	return p.ID
}

var playlistPath = regexp.MustCompile(`^/playlists/(\d+)`)

func playlistIDOf(t *testing.T, res response) int64 {
	t.Helper()
	m := playlistPath.FindStringSubmatch(location(t, res))
	if m == nil {
		t.Fatalf("redirected to %q, not a playlist", location(t, res))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestPlaylistPages walks a teacher making a playlist and its activities,
// a colleague finding and copying it, and a student choosing.
func TestPlaylistPages(t *testing.T) {
	f := newFixture(t)
	teacher := f.signedIn(f.teacher)

	body := wantPage(t, teacher.get("/playlists"), http.StatusOK)
	for _, want := range []string{`id="new-playlist-form"`, `href="/playlists"`, "6.RP.A.2"} {
		if !strings.Contains(body, want) {
			t.Errorf("the library lacks %q", want)
		}
	}
	// A playlist without a title or a way to show mastery is refused, each
	// field saying why.
	res := teacher.post("/playlists", url.Values{"standard": {fmt.Sprint(f.childB)}})
	body = wantPage(t, res, http.StatusUnprocessableEntity)
	for _, want := range []string{`id="new-title-error"`, `id="new-ways-error"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	res = teacher.post("/playlists", url.Values{"standard": {fmt.Sprint(f.childB)}, "title": {"Unit rates, your way"},
		"ways": {"performance_task", "portfolio"}})
	id := playlistIDOf(t, res)
	path := fmt.Sprintf("/playlists/%d", id)

	// Activities: a link, a file, a bad link refused naming the field.
	res = teacher.post(path+"/activities", url.Values{"title": {"Watch: unit rates"}, "modality": {"video"}, "link": {"https://example.org/v"}, "minutes": {"8"}})
	location(t, res)
	res = teacher.uploadTo(path+"/activities", url.Values{"title": {"Grocery prices"}, "modality": {"reading"}, "interests": {"cooking, shopping"}},
		"prices.html", []byte("<script>alert(1)</script>"))
	location(t, res)
	res = teacher.post(path+"/activities", url.Values{"title": {"Bad"}, "modality": {"video"}, "link": {"javascript:alert(1)"}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="new-link-error"`) {
		t.Error("a javascript: link was not refused beside its field")
	}
	res = teacher.post(path+"/activities", url.Values{"title": {"Best buy project"}, "modality": {"project"}, "assessment": {"1"}, "language": {"es"}})
	location(t, res)
	p, err := f.st.Playlist(context.Background(), f.district, id)
	if err != nil || len(p.Activities) != 3 {
		t.Fatalf("playlist %+v, %v", p, err)
	}
	// The uploaded page is served as a download that cannot run.
	fileRes := teacher.get(fmt.Sprintf("/activities/%d/file", p.Activities[1].ID))
	if fileRes.Status != http.StatusOK || fileRes.Header.Get("Content-Type") != "application/octet-stream" ||
		fileRes.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(fileRes.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("file served as %d %v", fileRes.Status, fileRes.Header)
	}
	// Editing an activity, with a new file; removing one.
	res = teacher.uploadTo(fmt.Sprintf("/activities/%d", p.Activities[1].ID), url.Values{"title": {"Grocery prices (PDF)"}, "modality": {"reading"}},
		"prices.pdf", []byte("%PDF-1.4 prices"))
	location(t, res)
	fileRes = teacher.get(fmt.Sprintf("/activities/%d/file", p.Activities[1].ID))
	if fileRes.Header.Get("Content-Type") != "application/pdf" || string(fileRes.Body) != "%PDF-1.4 prices" {
		t.Errorf("replaced file: %v %q", fileRes.Header, fileRes.Body)
	}
	res = teacher.post(fmt.Sprintf("/activities/%d", p.Activities[0].ID), url.Values{"title": {"Watch"}, "modality": {"video"}, "link": {"ftp://x"}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, fmt.Sprintf(`id="a%d-link-error"`, p.Activities[0].ID)) {
		t.Error("an ftp link was not refused beside its field")
	}
	extra := pathways.Activity{DistrictID: f.district, PlaylistID: id, Title: "Extra", Modality: pathways.Practice}
	if err := f.st.AddActivity(context.Background(), f.teacher, &extra); err != nil {
		t.Fatal(err)
	}
	location(t, teacher.post(fmt.Sprintf("/activities/%d/remove", extra.ID), nil))
	res = teacher.post(path, url.Values{"standard": {fmt.Sprint(f.childB)}, "title": {"Unit rates, your way!"}, "ways": {"performance_task", "portfolio"}})
	location(t, res)
	body = wantPage(t, teacher.get(path), http.StatusOK)
	for _, want := range []string{"Unit rates, your way!", "Grocery prices (PDF)", "Best buy project", `id="share-form"`, "Small group with the teacher"} {
		if !strings.Contains(body, want) {
			t.Errorf("the playlist page lacks %q", want)
		}
	}

	// A colleague does not see it until it is shared; then finds it by
	// words and copies it.
	other := f.signedIn(f.otherTeacher())
	wantPage(t, other.get(path), http.StatusNotFound)
	location(t, teacher.post(path+"/share", url.Values{"shared": {"1"}}))
	body = wantPage(t, other.get("/playlists?q=grocery"), http.StatusOK)
	if !strings.Contains(body, fmt.Sprintf(`id="playlist-%d"`, id)) {
		t.Error("the shared playlist is not found by a word of an activity")
	}
	wantPage(t, other.post(path+"/activities", url.Values{"title": {"Mine now"}, "modality": {"video"}}), http.StatusForbidden)
	body = wantPage(t, other.get(path), http.StatusOK)
	if !strings.Contains(body, `id="copy-form"`) || strings.Contains(body, `id="add-activity-form"`) {
		t.Error("a colleague is not offered a copy, or is offered to edit")
	}
	copyID := playlistIDOf(t, other.post(path+"/copy", nil))
	if copyID == id {
		t.Error("the copy is the original")
	}

	// The student picks activities and a way to show mastery.
	student := f.signedIn(f.students[0])
	body = wantPage(t, student.get("/me"), http.StatusOK)
	target := fmt.Sprintf("/me/targets/%d", f.childB)
	if !strings.Contains(body, `href="`+target+`"`) {
		t.Error("the student's page does not lead to their target")
	}
	body = wantPage(t, student.get(target), http.StatusOK)
	for _, want := range []string{`id="choice-form"`, `id="way-performance_task"`, `id="way-portfolio"`, "Best buy project"} {
		if !strings.Contains(body, want) {
			t.Errorf("the target page lacks %q", want)
		}
	}
	wantPage(t, student.get(path), http.StatusOK) // their teacher's playlist
	wantPage(t, student.get(fmt.Sprintf("/playlists/%d", copyID)), http.StatusNotFound)
	res = student.post(target, url.Values{"activity": {fmt.Sprint(p.Activities[2].ID)}, "way": {"summative"}})
	if body := wantPage(t, res, http.StatusUnprocessableEntity); !strings.Contains(body, `id="way-error"`) {
		t.Error("a way the playlist does not allow was not refused")
	}
	res = student.post(target, url.Values{"activity": {fmt.Sprint(p.Activities[2].ID), fmt.Sprint(p.Activities[0].ID)}, "way": {"portfolio"}, "note": {"I like cooking"}})
	if got := location(t, res); got != target+"?saved=1" {
		t.Errorf("saving went to %q", got)
	}
	body = wantPage(t, student.get(target+"?saved=1"), http.StatusOK)
	if !strings.Contains(body, `id="choice-saved"`) || !strings.Contains(body, "I like cooking") {
		t.Error("the saved choice is not shown")
	}
	// The teacher sees the choice on the student's profile.
	body = wantPage(t, teacher.get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)
	for _, want := range []string{`id="choices-table"`, "Best buy project", "I like cooking", "Portfolio"} {
		if !strings.Contains(body, want) {
			t.Errorf("the profile lacks %q", want)
		}
	}
	// The teacher scores the chosen assessment piece there: evidence on
	// the standard, titled with the activity.
	scoreForm := fmt.Sprintf("/students/%d/activities/%d/score", f.students[0], p.Activities[2].ID)
	if !strings.Contains(body, `action="`+scoreForm+`"`) {
		t.Fatal("the profile offers no score for the chosen assessment piece")
	}
	if got := location(t, teacher.post(scoreForm, url.Values{"level": {"3"}})); !strings.HasPrefix(got, fmt.Sprintf("/students/%d?recorded=1", f.students[0])) {
		t.Errorf("scoring went to %q", got)
	}
	evs, _, err := f.st.StudentEvidence(context.Background(), f.district, f.students[0], store.EvidenceFilter{StandardID: f.childB})
	if err != nil || len(evs) != 1 || evs[0].Title != "Best buy project" {
		t.Errorf("evidence after scoring: %+v, %v", evs, err)
	}
	wantPage(t, student.post(scoreForm, url.Values{"level": {"4"}}), http.StatusForbidden)
	entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{StudentID: f.students[0], ActorID: f.students[0]})
	if err != nil {
		t.Fatal(err)
	}
	changed := false
	for _, e := range entries {
		changed = changed || (e.Action == access.Change && e.What == access.Goals && e.Allowed)
	}
	if !changed {
		t.Error("the choice was not audited")
	}
	// Links lead there from the standard page and the heatmap.
	body = wantPage(t, student.get(fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childB)), http.StatusOK)
	if !strings.Contains(body, `href="`+target+`"`) {
		t.Error("the student's standard page does not lead to the target")
	}
	body = wantPage(t, teacher.get(fmt.Sprintf("/classes/%d", f.class)), http.StatusOK)
	if !strings.Contains(body, `id="heatmap-playlists"`) {
		t.Error("the heatmap does not lead to the playlists")
	}
}

// TestPlaylistAPI makes, finds, copies and shares playlists, scores an
// assessment piece, and keeps a student's choice, through the API.
func TestPlaylistAPI(t *testing.T) {
	f := newFixture(t)
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	res := teacher.do("POST", "/api/v1/playlists", playlistInput{StandardID: f.childA, Title: "Ratios",
		WaysToShow: []evidence.Kind{evidence.Summative},
		Activities: []activityInput{{Title: "Read about ratios", Modality: pathways.Reading, Link: "https://example.org/r"}}})
	wantStatus(t, res, http.StatusCreated)
	var p pathways.Playlist
	res.json(t, &p)
	res = teacher.do("POST", "/api/v1/playlists", playlistInput{StandardID: f.childA, Title: "Bad", WaysToShow: []evidence.Kind{evidence.Summative},
		Activities: []activityInput{{Title: "x", Modality: pathways.Video, Link: "data:text/html,hi"}}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if pd := res.problem(t); !strings.Contains(string(res.Body), "activities[0].link") {
		t.Errorf("the refusal does not name the link: %+v", pd)
	}
	res = teacher.do("POST", fmt.Sprintf("/api/v1/playlists/%d/activities", p.ID), activityInput{Title: "Ratio quiz", Modality: pathways.Practice, Assessment: true})
	wantStatus(t, res, http.StatusCreated)
	var quiz pathways.Activity
	res.json(t, &quiz)
	wantStatus(t, teacher.do("GET", fmt.Sprintf("/api/v1/playlists/%d", p.ID), nil), http.StatusOK)
	res = teacher.do("GET", fmt.Sprintf("/api/v1/playlists?standard=%d&q=quiz", f.childA), nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), `"Ratio quiz"`) {
		t.Errorf("search: %s", res.Body)
	}
	wantStatus(t, teacher.do("GET", "/api/v1/playlists?q="+strings.Repeat("a", 201), nil), http.StatusBadRequest)
	wantStatus(t, teacher.do("POST", fmt.Sprintf("/api/v1/playlists/%d/share", p.ID), shareInput{Shared: true}), http.StatusOK)
	other := f.as(f.newToken(f.otherTeacher(), access.TokenWrite))
	wantStatus(t, other.do("POST", fmt.Sprintf("/api/v1/playlists/%d/copy", p.ID), copyInput{Title: "Ratios (copy)"}), http.StatusCreated)

	// Scoring the assessment piece records evidence on the standard.
	level := 3.0
	res = teacher.do("POST", fmt.Sprintf("/api/v1/activities/%d/scores", quiz.ID), activityScoreInput{StudentID: f.students[1], ClassID: &f.class, Level: &level})
	wantStatus(t, res, http.StatusCreated)
	var ev evidence.Evidence
	res.json(t, &ev)
	if ev.Title != "Ratio quiz" || ev.Scores[0].StandardID != f.childA || ev.Kind != evidence.Formative {
		t.Errorf("evidence %+v", ev)
	}
	res = teacher.do("POST", fmt.Sprintf("/api/v1/activities/%d/scores", p.Activities[0].ID), activityScoreInput{StudentID: f.students[1], Level: &level})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	// The student keeps a choice; the teacher reads it. The library is
	// the teachers'.
	student := f.as(f.newToken(f.students[1], access.TokenWrite))
	wantStatus(t, student.do("GET", "/api/v1/playlists", nil), http.StatusForbidden)
	wantStatus(t, student.do("GET", fmt.Sprintf("/api/v1/playlists/%d", p.ID), nil), http.StatusOK)
	res = student.do("PUT", fmt.Sprintf("/api/v1/students/%d/choices/%d", f.students[1], f.childA), choiceInput{ActivityIDs: []int64{quiz.ID}, WayToShow: evidence.Summative})
	wantStatus(t, res, http.StatusOK)
	res = student.do("PUT", fmt.Sprintf("/api/v1/students/%d/choices/%d", f.students[0], f.childA), choiceInput{WayToShow: evidence.Summative})
	wantStatus(t, res, http.StatusNotFound)
	res = teacher.do("GET", fmt.Sprintf("/api/v1/students/%d/choices", f.students[1]), nil)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(string(res.Body), fmt.Sprintf(`"activityIds":[%d]`, quiz.ID)) {
		t.Errorf("choices: %s", res.Body)
	}
}

// TestCartridgeImportPage uploads a thin Common Cartridge on the library
// page, reads what it would add, applies it, and finds nothing to add a
// second time.
func TestCartridgeImportPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	std := standards.Standard{DistrictID: f.district, FrameworkID: f.framework, Code: "6.RP.A.1", SourcedID: "CCSS.Math.Content.6.RP.A.1",
		Statement: "Understand the concept of a ratio."}
	if err := f.st.CreateStandard(ctx, &std); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile("../demo/data/ratios-thin-cc13.xml")
	if err != nil {
		t.Fatal(err)
	}
	teacher := f.signedIn(f.teacher)
	upload := func(name string, content []byte) response {
		t.Helper()
		return teacher.uploadTo("/playlists/import", url.Values{}, name, content)
	}
	body := wantPage(t, upload("ratios.xml", manifest), http.StatusOK)
	for _, want := range []string{`id="import-plan"`, `id="apply-form"`, "Ratio and proportion simulation", "6.RP.A.1", `id="import-warnings"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the import's plan lacks %q:\n%s", want, body)
		}
	}
	token := regexp.MustCompile(`name="upload" value="([^"]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no upload token")
	}
	res := teacher.post("/playlists/import/apply", url.Values{"upload": {html.UnescapeString(token[1])}})
	if got := location(t, res); got != "/playlists?imported=1" {
		t.Errorf("applying went to %q", got)
	}
	found, err := f.st.SearchPlaylists(ctx, f.district, store.PlaylistQuery{OwnerID: f.teacher, StandardID: std.ID})
	if err != nil || len(found) != 1 || len(found[0].Activities) < 2 {
		t.Fatalf("imported playlists: %+v, %v", found, err)
	}
	body = wantPage(t, teacher.get("/playlists?imported=1"), http.StatusOK)
	if !strings.Contains(body, `id="imported-notice"`) {
		t.Error("the library does not say what was imported")
	}
	// The same token twice, the same cartridge twice, a broken one.
	wantPage(t, teacher.post("/playlists/import/apply", url.Values{"upload": {html.UnescapeString(token[1])}}), http.StatusConflict)
	body = wantPage(t, upload("ratios.xml", manifest), http.StatusOK)
	if !strings.Contains(body, `id="import-already"`) || strings.Contains(body, `id="apply-form"`) {
		t.Error("a second import of the same cartridge offers to add it again")
	}
	body = wantPage(t, upload("broken.imscc", []byte("not a zip")), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="import-problems"`) {
		t.Error("a broken cartridge is not refused with its problems")
	}
}

// zipDir zips the files under dir, as a learning management system
// exports a cartridge.
func zipDir(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCartridgeZipImportPage imports a zipped cartridge whose files become
// activities' files, served as downloads like any upload.
func TestCartridgeZipImportPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, guid := range []string{"a1000000-0000-4000-8000-000000000003", "a1000000-0000-4000-8000-000000000004"} {
		std := standards.Standard{DistrictID: f.district, FrameworkID: f.framework, Code: fmt.Sprintf("3.NF.A.%d", i+1), SourcedID: guid,
			Statement: "Understand fractions."}
		if err := f.st.CreateStandard(ctx, &std); err != nil {
			t.Fatal(err)
		}
	}
	teacher := f.signedIn(f.teacher)
	res := teacher.uploadTo("/playlists/import", url.Values{}, "fractions.imscc", zipDir(t, "../interop/cartridge/testdata/fractions-cc13"))
	body := wantPage(t, res, http.StatusOK)
	if !strings.Contains(body, "number line.pdf") {
		t.Errorf("the plan does not list the handout's file:\n%s", body)
	}
	token := regexp.MustCompile(`name="upload" value="([^"]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no upload token")
	}
	location(t, teacher.post("/playlists/import/apply", url.Values{"upload": {html.UnescapeString(token[1])}}))
	mine, err := f.st.SearchPlaylists(ctx, f.district, store.PlaylistQuery{OwnerID: f.teacher})
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, p := range mine {
		for _, a := range p.Activities {
			if a.File == nil {
				continue
			}
			files++
			got := teacher.get(fmt.Sprintf("/activities/%d/file", a.ID))
			if got.Status != http.StatusOK || got.Header.Get("Content-Type") == "text/html" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("%s served as %d %v", a.File.Name, got.Status, got.Header)
			}
		}
	}
	if files == 0 {
		t.Error("no activity holds a file of the cartridge")
	}
}
