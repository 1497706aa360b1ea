package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestRecordViews runs the audit entries of reads, which are written in
// batches beside the requests, on every engine.
func TestRecordViews(t *testing.T) {
	tests := []struct {
		name string
		f    func(t *testing.T, url string)
	}{
		{"every view is kept and found at once", testViewsKept},
		{"a batch shares a transaction, not a fate", testViewsShareNoFate},
		{"close writes what waits", testViewsWrittenOnClose},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.f(t, eng.url(t)) })
			}
		})
	}
}

// heatmapViews is the entries of one teacher's look at a class's mastery,
// as a heatmap page logs them.
func heatmapViews(x *district, request string, students ...roster.Person) []store.AuditEntry {
	out := make([]store.AuditEntry, len(students))
	for i, p := range students {
		out[i] = store.AuditEntry{DistrictID: x.d.ID, ActorID: x.teacher.ID, StudentID: p.ID, Action: access.View,
			What: access.Mastery, Relation: access.TeacherOf, Allowed: true, Route: "GET /classes/{id}", RequestID: request,
			Detail: "heatmap of class " + fmt.Sprint(x.class.ID)}
	}
	return out
}

func testViewsKept(t *testing.T, url string) {
	e := open(t, url)
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "views")

	// Entries are checked before they wait for a batch; a change's entry
	// is not a read's.
	bad := heatmapViews(x, "req-bad", x.alice, x.bob)
	bad[1].Action = access.Change
	wantInvalid(t, s.RecordViews(ctx, bad), 1, "action", "only reads")
	bad = heatmapViews(x, "req-bad", x.alice)
	bad[0].ActorID = 0
	wantInvalid(t, s.RecordViews(ctx, bad), -1, "actorId", "required")
	ok(t, s.RecordViews(ctx, nil))

	// A view is found as soon as RecordViews returns: the read that logged
	// it has not been shown before then.
	before := e.peek().UTC().Truncate(time.Microsecond)
	ok(t, s.RecordViews(ctx, heatmapViews(x, "req-first", x.alice)))
	got, _, err := s.StudentAudit(ctx, x.d.ID, x.alice.ID, store.Page{})
	ok(t, err)
	if len(got) != 1 || got[0].RequestID != "req-first" || got[0].Relation != access.TeacherOf || got[0].Route != "GET /classes/{id}" ||
		!got[0].At.After(before) || got[0].ActorName != "Tess Ng" {
		t.Fatalf("right after the view, Alice's log holds %+v", got)
	}

	// Many reads at once, as a busy class period makes them: every entry
	// of every one is kept, and each read counts once for each student.
	const reads = 40
	var wg sync.WaitGroup
	errs := make([]error, reads)
	for i := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RecordViews(ctx, heatmapViews(x, fmt.Sprintf("req-%d", i), x.alice, x.bob, x.cleo))
		}()
	}
	wg.Wait()
	ok(t, errors.Join(errs...))
	all, _, err := s.SearchAudit(ctx, x.d.ID, store.AuditFilter{Page: store.Page{Limit: 500}})
	ok(t, err)
	if len(all) != 1+3*reads {
		t.Fatalf("the log holds %d entries, want %d", len(all), 1+3*reads)
	}
	// Newest first by id is newest first by time.
	for i := 1; i < len(all); i++ {
		if all[i].At.After(all[i-1].At) {
			t.Fatalf("entry %d (%v) is older by id but newer by time than entry %d (%v)", all[i].ID, all[i].At, all[i-1].ID, all[i-1].At)
		}
	}
	for _, p := range []roster.Person{x.alice, x.bob, x.cleo} {
		viewers, err := s.StudentViewers(ctx, x.d.ID, p.ID, before)
		ok(t, err)
		want := reads
		if p.ID == x.alice.ID {
			want++
		}
		if len(viewers) != 1 || viewers[0].Times != want || viewers[0].PersonID != x.teacher.ID {
			t.Errorf("%s's viewers: %+v, want the teacher %d times", p.GivenName, viewers, want)
		}
	}
}

func testViewsShareNoFate(t *testing.T, url string) {
	e := &env{url: url, ctx: context.Background(), clk: newClock()}
	s, err := store.OpenWritingViewsByHand(e.ctx, store.Config{URL: url, Now: e.clk.now, WallClock: e.clk.now})
	ok(t, err)
	t.Cleanup(func() { s.Close() })
	e.s = s
	ctx := e.ctx
	x := newDistrict(t, e, "north")
	y := newDistrict(t, e, "south")

	// Three reads wait for the same batch; the second names as its actor
	// a person of another district, which only the database can tell.
	intruder := heatmapViews(x, "req-2", x.bob)
	intruder[0].ActorID = y.teacher.ID
	reads := [][]store.AuditEntry{heatmapViews(x, "req-1", x.alice, x.bob), intruder, heatmapViews(x, "req-3", x.cleo)}
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, entries := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.RecordViews(ctx, entries)
		}()
	}
	waitPending(t, s, len(reads))
	s.WriteViews()
	wg.Wait()
	ok(t, errs[0])
	ok(t, errs[2])
	wantInvalid(t, errs[1], -1, "actorId", "not a person of district")
	all, _, err := s.SearchAudit(ctx, x.d.ID, store.AuditFilter{})
	ok(t, err)
	var got []string
	for _, en := range all {
		got = append(got, fmt.Sprintf("%s %d", en.RequestID, en.StudentID))
	}
	// The reads joined the batch in whatever order they came.
	slices.Sort(got)
	want := []string{fmt.Sprintf("req-1 %d", x.alice.ID), fmt.Sprintf("req-1 %d", x.bob.ID), fmt.Sprintf("req-3 %d", x.cleo.ID)}
	slices.Sort(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the log holds %v, want %v", got, want)
	}
}

func testViewsWrittenOnClose(t *testing.T, url string) {
	e := &env{url: url, ctx: context.Background(), clk: newClock()}
	s, err := store.OpenWritingViewsByHand(e.ctx, store.Config{URL: url, Now: e.clk.now, WallClock: e.clk.now})
	ok(t, err)
	t.Cleanup(func() { s.Close() })
	e.s = s
	x := newDistrict(t, e, "views")

	// The read gives up waiting (its client went away); its entry waits
	// on, and the store's clean stop writes it.
	ctx, cancel := context.WithCancel(e.ctx)
	errc := make(chan error, 1)
	go func() { errc <- s.RecordViews(ctx, heatmapViews(x, "req-gone", x.alice)) }()
	waitPending(t, s, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("RecordViews after its context ended = %v, want context.Canceled", err)
	}
	ok(t, s.Close())
	if err := s.RecordViews(e.ctx, heatmapViews(x, "req-late", x.alice)); err == nil {
		t.Error("a closed store took a view")
	}

	s, err = store.Open(e.ctx, store.Config{URL: url})
	ok(t, err)
	defer s.Close()
	got, _, err := s.StudentAudit(e.ctx, x.d.ID, x.alice.ID, store.Page{})
	ok(t, err)
	if len(got) != 1 || got[0].RequestID != "req-gone" {
		t.Errorf("after a clean stop, Alice's log holds %+v, want the read that gave up", got)
	}
}

// waitPending waits until n reads wait for a batch.
func waitPending(t *testing.T, s *store.Store, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.PendingViews() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d reads wait for a batch, want %d", s.PendingViews(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
