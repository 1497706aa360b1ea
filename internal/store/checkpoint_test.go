package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
)

// TestSQLiteCheckpoints checks that the write-ahead log, which the writer
// never copies into the database itself, is copied beside it: with a
// checkpoint after every hundred records, as the checkpointer's ticks come
// between teachers' clicks, the log stays small however much is written,
// and closing twice is harmless. The test runs the checkpoints itself, so
// that what it sees does not depend on how a ticker and the writes
// interleave on a busy machine.
func TestSQLiteCheckpoints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.db")
	e := &env{url: path, ctx: context.Background(), clk: newClock()}
	s, err := store.OpenCheckpointingByHand(e.ctx, store.Config{URL: path, Now: e.clk.now, WallClock: e.clk.now})
	ok(t, err)
	t.Cleanup(func() { s.Close() })
	e.s = s
	x := newDistrict(t, e, "wal")
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	var largest int64
	for i := range 800 {
		ev := x.ev(x.alice, 1, level(x.s1, float64(1+i%4)))
		ok(t, e.s.RecordEvidence(e.ctx, &ev))
		if i%100 == 99 {
			ok(t, e.s.Checkpoint())
		}
		largest = max(largest, walSize())
	}
	// 800 records rewrite Alice's three states each time: 63 MB of log
	// without checkpoints, 11 MB (the last hundred records) with them.
	if largest > 24<<20 {
		t.Errorf("the write-ahead log grew to %d MB", largest>>20)
	}
	if n := e.s.Checkpoints(); n != 8 {
		t.Errorf("%d checkpoints ran, want the test's 8 and no others", n)
	}
	ok(t, e.s.Close())
	ok(t, e.s.Close())
	s, err = store.Open(context.Background(), store.Config{URL: path})
	ok(t, err)
	defer s.Close()
	n, err := s.StudentMastery(context.Background(), x.d.ID, x.alice.ID)
	ok(t, err)
	if len(n) == 0 || n[0].EvidenceCount == 0 {
		t.Fatal("the records are not there after closing and opening again")
	}
	t.Logf("largest write-ahead log: %d KB", largest>>10)
}

// TestSQLiteCheckpointerRuns checks that a store checkpoints its SQLite
// write-ahead log on its own, without anyone asking. It waits for the
// checkpointer's ticks as long as a busy machine needs.
func TestSQLiteCheckpointerRuns(t *testing.T) {
	e := open(t, filepath.Join(t.TempDir(), "cairn.db"))
	x := newDistrict(t, e, "wal")
	ev := x.ev(x.alice, 1, level(x.s1, 3))
	ok(t, e.s.RecordEvidence(e.ctx, &ev))
	deadline := time.Now().Add(2 * time.Minute)
	for e.s.Checkpoints() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the checkpointer ran %d times in two minutes", e.s.Checkpoints())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
