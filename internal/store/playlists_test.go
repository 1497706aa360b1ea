package store_test

import (
	"bytes"
	"errors"
	"github.com/google/go-cmp/cmp"
	"testing"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestPlaylists runs the playlist library and students' choices on every
// engine: create, edit, upload, copy, share, search, choose, import.
func TestPlaylists(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			testPlaylists(t, e)
		})
	}
}

func testPlaylists(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "Playlists")
	id := x.d.ID
	other := roster.Person{DistrictID: id, GivenName: "Omar", FamilyName: "Diaz", Roles: []roster.Role{roster.RoleTeacher}, SchoolIDs: []int64{x.school.ID}}
	ok(t, s.CreatePerson(ctx, &other))

	pdf := []byte("%PDF-1.4 unit rates")
	p := pathways.Playlist{DistrictID: id, StandardID: x.s2.ID, OwnerID: x.teacher.ID, SchoolID: &x.school.ID,
		Title: "Unit rates, your way", Description: "Pick two, then show me.",
		WaysToShow: []evidence.Kind{evidence.PerformanceTask, evidence.Summative},
		Activities: []pathways.Activity{
			{Title: "Watch: what is a unit rate", Link: "https://example.org/v", Modality: pathways.Video, Minutes: 8, Language: "en"},
			{Title: "Handout: grocery prices", Modality: pathways.Reading, File: &pathways.File{Name: "prices.pdf", ContentType: "application/pdf", Data: pdf}},
			{Title: "Best buy project", Modality: pathways.Project, Interests: []string{"cooking"}, Assessment: true},
		}}
	ok(t, s.CreatePlaylist(ctx, &p))
	if p.ID == 0 || p.Activities[2].ID == 0 || p.Activities[2].Position != 3 {
		t.Fatalf("created %+v", p)
	}
	// The interest tags a recommendation matches: those of the playlists
	// the class's teachers made, by standard; none for a class without.
	tags, err := s.ActivityTags(ctx, id, []int64{x.class.ID})
	ok(t, err)
	if d := cmp.Diff(map[int64][]string{x.s2.ID: {"cooking"}}, tags); d != "" {
		t.Errorf("activity tags of the class (-want +got):\n%s", d)
	}
	if tags, err := s.ActivityTags(ctx, id, nil); err != nil || len(tags) != 0 {
		t.Errorf("activity tags of no class: %v, %v", tags, err)
	}

	// A bad activity is refused with its field, and nothing is written.
	bad := p
	bad.ID, bad.Activities = 0, []pathways.Activity{{Title: "x", Modality: pathways.Video, Link: "javascript:alert(1)"}}
	wantInvalid(t, s.CreatePlaylist(ctx, &bad), -1, "activities[0].link", "http or https")
	bad.Activities, bad.StandardID = nil, 999999
	wantInvalid(t, s.CreatePlaylist(ctx, &bad), -1, "standardId", "no standard")

	got, err := s.Playlist(ctx, id, p.ID)
	ok(t, err)
	if len(got.Activities) != 3 || got.Activities[1].File == nil || got.Activities[1].File.Size != int64(len(pdf)) || got.Activities[2].Interests[0] != "cooking" || !got.Activities[2].Assessment {
		t.Fatalf("read back %+v", got)
	}
	f, err := s.ActivityFile(ctx, id, p.Activities[1].ID)
	ok(t, err)
	if !bytes.Equal(f.Data, pdf) || f.ContentType != "application/pdf" {
		t.Errorf("file %q %s", f.Data, f.ContentType)
	}
	if _, err := s.ActivityFile(ctx, id, p.Activities[0].ID); !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("file of an activity without one: %v", err)
	}

	// Only the owner changes a playlist.
	a := pathways.Activity{DistrictID: id, PlaylistID: p.ID, Title: "Small group with me", Modality: pathways.SmallGroup, Minutes: 15}
	wantKind(t, s.AddActivity(ctx, other.ID, &a), problem.ErrForbidden, "copy it")
	ok(t, s.AddActivity(ctx, x.teacher.ID, &a))
	if a.Position != 4 {
		t.Errorf("added at %d", a.Position)
	}
	a.Title, a.Minutes = "Small group with Ms. Ng", 20
	ok(t, s.UpdateActivity(ctx, x.teacher.ID, &a))
	ok(t, s.SetActivityFile(ctx, id, x.teacher.ID, p.Activities[0].ID, pathways.File{Name: "notes.txt", ContentType: "text/plain", Data: []byte("notes")}))
	big := pathways.File{Name: "big.bin", Data: make([]byte, 10<<20+1)}
	wantInvalid(t, s.SetActivityFile(ctx, id, x.teacher.ID, p.Activities[0].ID, big), -1, "file", "10 MiB")

	// Sharing puts it in the library of the school; another teacher finds
	// it by standard and by words, and copies it.
	found, err := s.SearchPlaylists(ctx, id, store.PlaylistQuery{OwnerID: other.ID, SchoolIDs: other.SchoolIDs, StandardID: x.s2.ID})
	ok(t, err)
	if len(found) != 0 {
		t.Fatalf("unshared playlist found by another teacher: %v", found)
	}
	wantKind(t, s.SharePlaylist(ctx, id, other.ID, p.ID, true), problem.ErrForbidden, "only the teacher")
	ok(t, s.SharePlaylist(ctx, id, x.teacher.ID, p.ID, true))
	for _, q := range []store.PlaylistQuery{
		{StandardID: x.s2.ID}, {Words: "GROCERY"}, {Words: "unit your"}, {Words: "ms. ng"},
	} {
		q.OwnerID, q.SchoolIDs = other.ID, other.SchoolIDs
		found, err := s.SearchPlaylists(ctx, id, q)
		ok(t, err)
		if len(found) != 1 || found[0].ID != p.ID || len(found[0].Activities) != 4 {
			t.Errorf("search %+v found %v", q, found)
		}
	}
	for _, q := range []store.PlaylistQuery{{StandardID: x.s1.ID}, {Words: "fractions"}, {Words: "100%"}} {
		q.OwnerID, q.SchoolIDs = other.ID, other.SchoolIDs
		if found, err := s.SearchPlaylists(ctx, id, q); err != nil || len(found) != 0 {
			t.Errorf("search %+v found %v, %v", q, found, err)
		}
	}
	cp, err := s.CopyPlaylist(ctx, id, p.ID, other.ID, &x.school.ID, "")
	ok(t, err)
	if cp.OwnerID != other.ID || cp.Shared || *cp.CopiedFrom != p.ID || len(cp.Activities) != 4 {
		t.Fatalf("copy %+v", cp)
	}
	f, err = s.ActivityFile(ctx, id, cp.Activities[1].ID)
	ok(t, err)
	if !bytes.Equal(f.Data, pdf) {
		t.Errorf("copied file %q", f.Data)
	}
	cp.Title = "Unit rates (Diaz)"
	ok(t, s.UpdatePlaylist(ctx, other.ID, &cp))
	ok(t, s.RemoveActivity(ctx, id, other.ID, cp.Activities[0].ID))
	if got, _ := s.Playlist(ctx, id, p.ID); len(got.Activities) != 4 {
		t.Errorf("changing the copy changed the original: %d activities", len(got.Activities))
	}

	// Alice chooses among her teacher's playlists for the standard;
	// Omar teaches none of her classes, so his copy is not hers.
	mine, err := s.StudentPlaylists(ctx, id, x.alice.ID, x.s2.ID)
	ok(t, err)
	if len(mine) != 1 || mine[0].ID != p.ID {
		t.Fatalf("Alice's playlists %v", mine)
	}
	stds, err := s.PlaylistStandards(ctx, id, x.alice.ID)
	ok(t, err)
	if len(stds) != 1 || stds[0] != x.s2.ID {
		t.Errorf("standards with playlists %v", stds)
	}
	c := pathways.Choice{DistrictID: id, StudentID: x.alice.ID, StandardID: x.s2.ID, ActivityIDs: []int64{cp.Activities[1].ID}, WayToShow: evidence.Portfolio}
	err = s.SaveChoice(ctx, &c)
	wantInvalid(t, err, -1, "activityIds[0]", "not in a playlist")
	wantInvalid(t, err, -1, "wayToShow", "not a way")
	entry := store.AuditEntry{DistrictID: id, ActorID: x.alice.ID, StudentID: x.alice.ID, Action: access.Change, What: access.Goals, Relation: access.Self, Allowed: true}
	c = pathways.Choice{DistrictID: id, StudentID: x.alice.ID, StandardID: x.s2.ID, ActivityIDs: []int64{p.Activities[2].ID, p.Activities[0].ID}, WayToShow: evidence.PerformanceTask, Note: "I like cooking"}
	ok(t, s.SaveChoice(ctx, &c, entry))
	c2 := c
	c2.ActivityIDs = []int64{p.Activities[1].ID}
	ok(t, s.SaveChoice(ctx, &c2, entry))
	back, found2, err := s.Choice(ctx, id, x.alice.ID, x.s2.ID)
	ok(t, err)
	if !found2 || len(back.ActivityIDs) != 1 || back.ActivityIDs[0] != p.Activities[1].ID || back.WayToShow != evidence.PerformanceTask || back.Note != "I like cooking" {
		t.Errorf("choice %+v", back)
	}
	all, err := s.StudentChoices(ctx, id, x.alice.ID)
	ok(t, err)
	if len(all) != 1 {
		t.Errorf("choices %v", all)
	}
	// Removing a chosen activity removes it from the choice.
	ok(t, s.RemoveActivity(ctx, id, x.teacher.ID, p.Activities[1].ID))
	back, _, err = s.Choice(ctx, id, x.alice.ID, x.s2.ID)
	ok(t, err)
	if len(back.ActivityIDs) != 0 {
		t.Errorf("choice keeps a removed activity: %v", back.ActivityIDs)
	}

	// Scoring an assessment piece goes through evidence like any score.
	act, pl, err := s.Activity(ctx, id, p.Activities[2].ID)
	ok(t, err)
	ev, err := act.Evidence(pl, evidence.PerformanceTask, e.clk.now())
	ok(t, err)
	ev.StudentID, ev.ClassID, ev.RecordedBy = x.alice.ID, &x.class.ID, x.teacher.ID
	ev.Scores[0].Level = lvl(3)
	ok(t, s.RecordEvidence(ctx, &ev))
	if ev.Title != "Best buy project" || ev.Scores[0].StandardID != x.s2.ID {
		t.Errorf("evidence %+v", ev)
	}

	// An import adds every playlist or none.
	batch := []pathways.Playlist{
		{DistrictID: id, StandardID: x.s1.ID, OwnerID: x.teacher.ID, Title: "Imported", WaysToShow: []evidence.Kind{evidence.Formative},
			Activities: []pathways.Activity{{Title: "Read", Modality: pathways.Reading}}},
		{DistrictID: id, StandardID: 424242, OwnerID: x.teacher.ID, Title: "Broken", WaysToShow: []evidence.Kind{evidence.Formative}},
	}
	wantInvalid(t, s.CreatePlaylists(ctx, batch), 1, "standardId", "no standard")
	if found, _ := s.SearchPlaylists(ctx, id, store.PlaylistQuery{OwnerID: x.teacher.ID, StandardID: x.s1.ID}); len(found) != 0 {
		t.Errorf("a refused import left %v", found)
	}
	ok(t, s.CreatePlaylists(ctx, batch[:1]))
}
