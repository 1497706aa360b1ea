package web_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// teacherPlaylists goes from the featured class's heatmap to the playlist
// library, searches it by standard and by words, makes a playlist for a
// standard and adds an activity to it.
func teacherPlaylists(t *testing.T, s *site, p *person) {
	p.open(fmt.Sprintf("/classes/%d", s.sum.Class.ID), 200)
	p.click("#heatmap-playlists", 200)
	if got := p.path(); got != "/playlists" {
		t.Fatalf("the heatmap's playlists link leads to %s", got)
	}
	p.check("playlists")

	// By standard: the first one offered.
	std := jsEval[string](p, `document.querySelector('#search-standard option[value]:not([value=""])').value`)
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS("#search-standard"), std)); err != nil {
		t.Fatal(err)
	}
	p.submit("search-submit", 200)
	if n := jsEval[int](p, `document.querySelectorAll('#playlist-results li').length`); n == 0 {
		t.Errorf("no playlist found for standard %s", std)
	}
	// By words of an activity.
	p.open("/playlists", 200)
	p.keys("#search-q", "small group")
	p.submit("search-submit", 200)
	if n := jsEval[int](p, `document.querySelectorAll('#playlist-results li').length`); n == 0 {
		t.Error("no playlist found by the words \"small group\"")
	}
	p.check("playlists-search")

	// A new playlist for the standard, then an activity.
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS("#new-standard"), std)); err != nil {
		t.Fatal(err)
	}
	p.keys("#new-title", "Ratios through recipes")
	p.submit("new-playlist-submit", 200)
	if !strings.HasPrefix(p.path(), "/playlists/") || !p.has("#playlist-notice") {
		t.Fatalf("making a playlist leads to %s", p.path())
	}
	p.keys("#new-title", "Double a recipe")
	p.keys("#new-link", "https://www.khanacademy.org/search?page_search_query=ratios")
	p.keys("#new-minutes", "20")
	p.submit("add-activity-submit", 200)
	if n := jsEval[int](p, `document.querySelectorAll('ol.activities > li').length`); n != 1 {
		t.Errorf("the new playlist has %d activities, want 1", n)
	}
	p.check("playlist")
	// A link that is not a web address is refused beside its field.
	p.keys("#new-title", "Bad link")
	p.keys("#new-link", "javascript:alert(1)")
	p.submit("add-activity-submit", 422)
	if !p.has("#new-link-error") {
		t.Error("a javascript: link is not refused beside its field")
	}
	p.check("playlist-refused")

	// A Common Cartridge: what it would add is shown before anything is.
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	p.open("/playlists", 200)
	manifest := filepath.Join(root, "internal", "demo", "data", "ratios-thin-cc13.xml")
	if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{manifest})); err != nil {
		t.Fatal(err)
	}
	p.submit("import-submit", 200)
	if !p.has("#import-plan, #import-already, #import-nothing") {
		t.Error("the cartridge's page says neither what it would add nor that there is nothing to add")
	}
	p.check("playlist-import")
}

// studentPlaylists goes from the student's page to a target and chooses
// how to learn it.
func studentPlaylists(t *testing.T, s *site, p *person) {
	p.open("/me", 200)
	if !p.has("#targets-list a") {
		t.Fatal("the student's page lists no target to choose for")
	}
	p.click("#targets-list a", 200)
	if !strings.HasPrefix(p.path(), "/me/targets/") {
		t.Fatalf("the target link leads to %s", p.path())
	}
	p.check("target")
	p.click(`#choice-form input[name="activity"]`, 0)
	p.click(`#way-fieldset input[name="way"]`, 0)
	p.submit("choice-submit", 200)
	if !p.has("#choice-saved") {
		t.Error("saving a choice does not say it was saved")
	}
	p.check("target-saved")
}
