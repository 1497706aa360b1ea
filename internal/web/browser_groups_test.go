package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// The groups and schedule pages in the browser, called from the teacher's
// function in browser_e2e_test.go with the teacher signed in there.

// teacherGroups opens the featured class's groups from the class links,
// moves one student out of a group an adult leads onto their playlist,
// saves, opens the schedule and its printable sheet.
func teacherGroups(t *testing.T, s *site, p *person) {
	class := s.sum.Class.ID
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	p.click(fmt.Sprintf(`#class-links a[href="/classes/%d/groups"]`, class), 200)
	if n := jsEval[int](p, `document.querySelectorAll('#groups-proposal .group-card').length`); n == 0 {
		t.Error("cairn proposes no groups for the featured class")
	}
	p.check("groups")

	// Move a student from a led group to the playlists: the form posts
	// and comes back with the groups saved.
	moved := jsEval[string](p, `(() => {
		const kind = i => document.getElementById('kind-' + i).value;
		const playlist = [...document.querySelectorAll('#groups-editor select[id^=kind-]')].find(s => s.value === 'playlist');
		if (!playlist) return '';
		const to = playlist.id.slice('kind-'.length);
		const sel = [...document.querySelectorAll('#groups-students select')].find(s => s.value !== '' && kind(s.value) !== 'playlist');
		if (!sel) return '';
		sel.value = to;
		return sel.dataset.student;
	})()`)
	if moved == "" {
		t.Fatal("no student to move between groups")
	}
	p.submit("groups-save", 200)
	if !p.has("#groups-saved") {
		t.Fatal("no notice that the groups were saved")
	}
	if got := jsEval[string](p, `document.getElementById('g-`+moved+`').selectedOptions[0].textContent`); !strings.Contains(got, "playlist") {
		t.Errorf("the moved student is in %q, want the playlists", got)
	}

	p.click("#to-schedule", 200)
	if !p.has("#schedule-grid") {
		t.Error("the schedule places no groups")
	}
	if p.has("#schedule-refusals") {
		t.Errorf("the schedule refuses: %s", p.text("#schedule-refusals"))
	}
	p.check("schedule")
	p.click("#print-link", 200)
	if !p.has("#schedule-sheet #schedule-grid") {
		t.Error("the printable sheet has no grid")
	}
	p.check("schedule-print")
}
