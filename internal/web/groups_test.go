package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/supports"
)

// groupsFixture gives the fixture's class a pathway (childA, then childB)
// and evidence: the first two students worked on childA without mastering
// it, the third mastered it.
func groupsFixture(t *testing.T) *fixture {
	f := newFixture(t)
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	wantStatus(t, teacher.do("PUT", fmt.Sprintf("/api/v1/classes/%d/pathway", f.class), map[string]any{
		"targets": []map[string]any{{"standardId": f.childA}, {"standardId": f.childB}}, "apply": true}), http.StatusOK)
	day := testNow.AddDate(0, 0, -2)
	f.record(f.students[0], "Quiz", day, map[int64]float64{f.childA: 1})
	f.record(f.students[1], "Quiz", day, map[int64]float64{f.childA: 2})
	f.record(f.students[2], "Quiz", day, map[int64]float64{f.childA: 4})
	return f
}

// TestGroupsAPI proposes, saves, lists and dissolves a class's groups,
// sets its blocks and adults, and places and saves the schedule, with
// the refusals a teacher can act on.
func TestGroupsAPI(t *testing.T) {
	f := groupsFixture(t)
	teacher := f.as(f.newToken(f.teacher, access.TokenWrite))
	base := fmt.Sprintf("/api/v1/classes/%d", f.class)

	res := teacher.do("GET", base+"/groups/proposal", nil)
	wantStatus(t, res, http.StatusOK)
	var p groupProposalJSON
	res.json(t, &p)
	if len(p.Groups) != 2 || p.Groups[0].Kind != supports.GroupReteach || len(p.Groups[0].Members) != 2 ||
		p.Groups[0].StandardID == nil || *p.Groups[0].StandardID != f.childA || p.Groups[0].Reason == "" || p.Groups[1].Kind != supports.GroupPlaylist {
		t.Fatalf("proposal %+v", p)
	}
	wantStatus(t, teacher.do("GET", base+"/groups/proposal?day=tomorrow", nil), http.StatusBadRequest)

	// Save the proposal with one student moved, and a group overlapping
	// the reteach group.
	groups := []map[string]any{
		{"kind": "reteach", "standardId": f.childA, "name": "Reteach A", "members": []int64{f.students[0], f.students[1]}},
		{"kind": "extend", "name": "Extend", "members": []int64{f.students[2], f.students[1]}},
	}
	res = teacher.do("PUT", base+"/groups", map[string]any{"groups": groups})
	wantStatus(t, res, http.StatusOK)
	var saved list[supports.Group]
	res.json(t, &saved)
	if len(saved.Items) != 2 || saved.Items[0].ID == 0 {
		t.Fatalf("saved %+v", saved)
	}
	// The change is logged for the class and for each student grouped,
	// on the teacher's relation to them.
	grouped := 0
	for _, e := range f.changesLogged(t, f.teacher) {
		if e.What == access.Supports && e.StudentID == f.students[1] && e.Relation == access.TeacherOf {
			grouped++
		}
	}
	if grouped != 1 {
		t.Errorf("%d change entries for a grouped student, want 1", grouped)
	}
	// Bad input: a student of no class of the teacher's, a day passed.
	res = teacher.do("PUT", base+"/groups", map[string]any{"groups": []map[string]any{{"kind": "reteach", "name": "X", "members": []int64{f.teacher}}}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res = teacher.do("PUT", base+"/groups", map[string]any{"day": "2020-01-01", "groups": groups})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	res = teacher.do("GET", base+"/groups", nil)
	wantStatus(t, res, http.StatusOK)
	res.json(t, &saved)
	if len(saved.Items) != 2 {
		t.Fatalf("history %+v", saved)
	}

	// No blocks yet: the schedule says so.
	res = teacher.do("GET", base+"/schedule", nil)
	wantStatus(t, res, http.StatusOK)
	var sch scheduleJSON
	res.json(t, &sch)
	if len(sch.Refusals) != 1 || sch.Refusals[0].Constraint != supports.ConstraintNoBlocks {
		t.Fatalf("schedule without blocks %+v", sch)
	}
	wantStatus(t, teacher.do("POST", base+"/schedule", map[string]any{}), http.StatusUnprocessableEntity)

	// One block, one adult: the second group shares a student with the
	// first, and is refused naming her.
	res = teacher.do("GET", base+"/schedule/setup", nil)
	wantStatus(t, res, http.StatusOK)
	var setup supports.ScheduleSetup
	res.json(t, &setup)
	if len(setup.Adults) != 1 || setup.Adults[0].PersonID != f.teacher {
		t.Fatalf("default setup %+v", setup)
	}
	res = teacher.do("PUT", base+"/schedule/setup", map[string]any{"maxGroupSize": 4,
		"blocks": []map[string]any{{"label": "Block 1", "start": "09:00", "end": "09:40"}},
		"adults": []map[string]any{{"personId": f.teacher, "role": "teacher"}}})
	wantStatus(t, res, http.StatusOK)
	wantStatus(t, teacher.do("PUT", base+"/schedule/setup", map[string]any{"blocks": []map[string]any{{"label": "B", "start": "9", "end": "10:00"}}}), http.StatusUnprocessableEntity)
	res = teacher.do("POST", base+"/schedule", map[string]any{})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if body := res.text(); !strings.Contains(body, "one_group_per_student") || !strings.Contains(body, "Extend") {
		t.Errorf("refusal does not say which constraint failed and for whom: %s", body)
	}

	// A second block and it fits.
	wantStatus(t, teacher.do("PUT", base+"/schedule/setup", map[string]any{"maxGroupSize": 4,
		"blocks": []map[string]any{{"label": "Block 1", "start": "09:00", "end": "09:40"}, {"label": "Block 2", "start": "09:45", "end": "10:20"}},
		"adults": []map[string]any{{"personId": f.teacher, "role": "teacher"}}}), http.StatusOK)
	res = teacher.do("POST", base+"/schedule", map[string]any{})
	wantStatus(t, res, http.StatusOK)
	res.json(t, &sch)
	if len(sch.Placed) != 2 || len(sch.Refusals) != 0 || sch.SavedAt == nil || sch.Placed[1].Block.Label != "Block 2" {
		t.Fatalf("saved schedule %+v", sch)
	}

	res = teacher.do("POST", fmt.Sprintf("%s/groups/%d/dissolve", base, saved.Items[1].ID), map[string]any{})
	wantStatus(t, res, http.StatusOK)
	wantStatus(t, teacher.do("POST", fmt.Sprintf("%s/groups/%d/dissolve", base, saved.Items[1].ID), map[string]any{}), http.StatusConflict)
	wantStatus(t, teacher.do("POST", fmt.Sprintf("%s/groups/%d/dissolve", base, 987654), map[string]any{}), http.StatusNotFound)

	// Only the class's teachers change its groups; a guardian cannot see
	// them at all.
	admin := f.as(f.adminToken)
	wantStatus(t, admin.do("GET", base+"/groups/proposal", nil), http.StatusOK)
	wantStatus(t, admin.do("PUT", base+"/groups", map[string]any{"groups": groups}), http.StatusForbidden)
	f.linkFamily()
	guardian := f.as(f.newToken(f.guardian, access.TokenRead))
	wantStatus(t, guardian.do("GET", base+"/groups", nil), http.StatusForbidden)
}

// TestGroupsPages walks the teacher's pages: the proposal, moving a
// student and saving, the schedule's setup, saving and printing it.
func TestGroupsPages(t *testing.T) {
	f := groupsFixture(t)
	b := f.signedIn(f.teacher)
	page := fmt.Sprintf("/classes/%d/groups", f.class)
	res := b.get(page)
	wantStatus(t, res, http.StatusOK)
	body := res.text()
	for _, want := range []string{`id="groups-proposal"`, `id="groups-form"`, "Reteach 6.RP.A.1", `id="class-links"`} {
		if !strings.Contains(body, want) {
			t.Errorf("groups page lacks %s", want)
		}
	}
	// The editor holds the proposal: group 0 reteach, 1 playlists. Move
	// the third student into the reteach group, and add a group.
	form := url.Values{"count": {"4"},
		"name-0": {"Reteach A"}, "kind-0": {"reteach"}, "std-0": {strconv.FormatInt(f.childA, 10)},
		"name-1": {"Playlists"}, "kind-1": {"playlist"},
		"name-2": {"Extra"}, "kind-2": {"extend"},
		"name-3": {""}, "kind-3": {"reteach"},
		"g-" + strconv.FormatInt(f.students[0], 10): {"0"},
		"g-" + strconv.FormatInt(f.students[1], 10): {"2"},
		"g-" + strconv.FormatInt(f.students[2], 10): {"0"},
	}
	res = b.post(page, form)
	wantStatus(t, res, http.StatusSeeOther)
	res = b.get(page + "?saved=1")
	wantStatus(t, res, http.StatusOK)
	if body := res.text(); !strings.Contains(body, `id="groups-saved"`) || !strings.Contains(body, "Extra") || strings.Contains(body, `id="groups-none-saved"`) {
		t.Errorf("saved groups not shown")
	}
	// A refusal re-renders the form with the reason.
	bad := url.Values{"count": {"1"}, "name-0": {strings.Repeat("x", 81)}, "kind-0": {"reteach"}, "g-" + strconv.FormatInt(f.students[0], 10): {"0"}}
	res = b.post(page, bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.text(), `id="groups-error"`) {
		t.Error("refusal not shown")
	}

	sched := fmt.Sprintf("/classes/%d/schedule", f.class)
	res = b.get(sched)
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.text(), `id="schedule-refusals"`) {
		t.Error("a schedule without blocks shows no refusal")
	}
	res = b.post(sched+"/setup", url.Values{"max": {"6"}, "block-0": {"Block 1"}, "start-0": {"09:00"}, "end-0": {"09:40"},
		"block-1": {"Block 2"}, "start-1": {"09:45"}, "end-1": {"10:20"},
		"adult-0": {strconv.FormatInt(f.teacher, 10)}, "role-0": {"teacher"}})
	wantStatus(t, res, http.StatusSeeOther)
	res = b.post(sched+"/setup", url.Values{"max": {"6"}, "block-0": {"Block 1"}, "start-0": {"10:00"}, "end-0": {"09:40"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res = b.post(sched, url.Values{})
	wantStatus(t, res, http.StatusSeeOther)
	res = b.get(sched + "?saved=schedule")
	wantStatus(t, res, http.StatusOK)
	if body := res.text(); !strings.Contains(body, `id="schedule-grid"`) || !strings.Contains(body, `id="schedule-saved-at"`) {
		t.Errorf("schedule page lacks the saved grid")
	}
	res = b.get(sched + "/print")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.text(), `id="schedule-sheet"`) {
		t.Error("no printable sheet")
	}

	// Dissolve the extra group from the page.
	res = f.as(f.newToken(f.teacher, access.TokenRead)).do("GET", fmt.Sprintf("/api/v1/classes/%d/groups", f.class), nil)
	var gs list[supports.Group]
	res.json(t, &gs)
	var extra int64
	for _, g := range gs.Items {
		if g.Name == "Extra" {
			extra = g.ID
		}
	}
	res = b.post(fmt.Sprintf("%s/%d/dissolve", page, extra), nil)
	wantStatus(t, res, http.StatusSeeOther)
	if res := b.get(page + "?done=dissolved"); !strings.Contains(res.text(), `id="groups-notice"`) {
		t.Error("dissolving not confirmed")
	}

	// A school administrator reads but does not change.
	admin := f.signedIn(f.admin)
	wantStatus(t, admin.get(page), http.StatusOK)
	if strings.Contains(admin.get(page).text(), `id="groups-form"`) {
		t.Error("the editor is offered to someone who may not change the groups")
	}
}

// TestGroupsHiddenLikeMissing: a class the teacher may not see answers
// every groups and schedule route exactly like a class that does not
// exist, and a group of another class like a missing group.
func TestGroupsHiddenLikeMissing(t *testing.T) {
	f := groupsFixture(t)
	o := f.otherClass()
	const missing = 999999
	token := f.newToken(f.teacher, access.TokenWrite)
	for _, tc := range []struct {
		method, path string
		body         any
		page         bool
	}{
		{"GET", "/api/v1/classes/%d/groups/proposal", nil, false},
		{"GET", "/api/v1/classes/%d/groups", nil, false},
		{"PUT", "/api/v1/classes/%d/groups", map[string]any{"groups": []any{}}, false},
		{"POST", "/api/v1/classes/%d/groups/1/dissolve", map[string]any{}, false},
		{"GET", "/api/v1/classes/%d/schedule/setup", nil, false},
		{"PUT", "/api/v1/classes/%d/schedule/setup", map[string]any{"blocks": []any{}}, false},
		{"GET", "/api/v1/classes/%d/schedule", nil, false},
		{"POST", "/api/v1/classes/%d/schedule", map[string]any{}, false},
		{"GET", "/classes/%d/groups", nil, true},
		{"POST", "/classes/%d/groups", nil, true},
		{"GET", "/classes/%d/schedule", nil, true},
		{"GET", "/classes/%d/schedule/print", nil, true},
		{"POST", "/classes/%d/schedule", nil, true},
		{"POST", "/classes/%d/schedule/setup", nil, true},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			ask := func(id int64) response {
				path := fmt.Sprintf(tc.path, id)
				if tc.page {
					b := f.signedIn(f.teacher)
					if tc.method == "POST" {
						return b.post(path, url.Values{"count": {"0"}})
					}
					return b.get(path)
				}
				return f.as(token).do(tc.method, path, tc.body)
			}
			hidden, absent := ask(o.class), ask(missing)
			if hidden.Status != http.StatusNotFound {
				t.Fatalf("the hidden class answers %d:\n%s", hidden.Status, hidden.Body)
			}
			h := sameWords(string(hidden.Body), tc.path, "class", o.class)
			a := sameWords(string(absent.Body), tc.path, "class", missing)
			if hidden.Status != absent.Status || h != a {
				t.Errorf("hidden: %d\n%s\nmissing: %d\n%s", hidden.Status, h, absent.Status, a)
			}
		})
	}
}
