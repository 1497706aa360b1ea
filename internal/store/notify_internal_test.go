package store

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/pgtest"
)

// TestChangePayloads: changes travel in payloads under PostgreSQL's
// 8000-byte limit, in order, whole; a list of standards too long for one
// payload is left off its change rather than breaking the limit.
func TestChangePayloads(t *testing.T) {
	var changes []Change
	for i := range 500 {
		changes = append(changes, Change{Kind: MasteryChanged, DistrictID: 1, StudentID: int64(1000 + i),
			StandardIDs: []int64{int64(i), int64(i + 1), 123456789}, Evidence: 1})
	}
	changes = append(changes, Change{Kind: GroupsChanged, DistrictID: 1, ClassID: 7})
	huge := make([]int64, 3000)
	for i := range huge {
		huge[i] = int64(100000 + i)
	}
	changes = append(changes, Change{DistrictID: 1, StudentID: 5, StandardIDs: huge})

	payloads := encodeChanges("abc", changes, true)
	if len(payloads) < 2 {
		t.Fatalf("%d payloads for %d changes, want several", len(payloads), len(changes))
	}
	var got []Change
	for _, p := range payloads {
		if len(p) > maxNotifyPayload {
			t.Errorf("payload of %d bytes, over %d", len(p), maxNotifyPayload)
		}
		cs, origin, err := decodeChanges(string(p))
		if err != nil {
			t.Fatal(err)
		}
		if origin != "abc" {
			t.Errorf("origin %q", origin)
		}
		got = append(got, cs...)
	}
	want := append([]Change{{Kind: ChangesMissed}}, changes...)
	want[len(want)-1].StandardIDs = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-sent +received):\n%s", diff)
	}
}

// TestListenerReconnects: when the listening connection is lost, the store
// listens again, tells its watchers that changes may have been missed, and
// hears the next change.
func TestListenerReconnects(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a, err := Open(ctx, Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	listening := make(chan struct{}, 4)
	b.feed.mu.Lock()
	b.feed.onListen = func() { listening <- struct{}{} }
	b.feed.mu.Unlock()
	var mu sync.Mutex
	var heard []Change
	got := make(chan struct{}, 100)
	defer b.WatchChanges(func(c Change) {
		mu.Lock()
		heard = append(heard, c)
		mu.Unlock()
		got <- struct{}{}
	})()
	wait := func(what string, ch chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s within 10 s", what)
		}
	}
	wait("listening connection", listening)
	a.shareChanges([]Change{{DistrictID: 1, StudentID: 10}})
	wait("first change", got)

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE application_name = $1 AND datname = current_database()`, listenApplication); err != nil {
		t.Fatal(err)
	}
	wait("listening connection again", listening)
	wait("word of missed changes", got)
	a.shareChanges([]Change{{DistrictID: 1, StudentID: 11}})
	wait("change after reconnecting", got)
	mu.Lock()
	defer mu.Unlock()
	want := []Change{{DistrictID: 1, StudentID: 10}, {Kind: ChangesMissed}, {DistrictID: 1, StudentID: 11}}
	if !slices.EqualFunc(heard, want, func(x, y Change) bool { return cmp.Equal(x, y) }) {
		t.Errorf("heard %+v, want %+v", heard, want)
	}
}
