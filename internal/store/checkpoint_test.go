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
// never copies into the database itself, is copied beside it: the log
// stays small however much is written, and closing twice is harmless.
func TestSQLiteCheckpoints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cairn.db")
	e := open(t, path)
	x := newDistrict(t, e, "wal")
	var largest int64
	for i := range 1500 {
		ev := x.ev(x.alice, 1, level(x.s1, float64(1+i%4)))
		ok(t, e.s.RecordEvidence(e.ctx, &ev))
		if i%100 == 0 {
			time.Sleep(5 * time.Millisecond) // let the checkpointer in, as the gaps between teachers' clicks do
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			largest = max(largest, fi.Size())
		}
	}
	// 1,500 records rewrite Alice's three states each time: about 170 MB
	// of log without checkpoints, a quarter of a second's writing with.
	if largest > 64<<20 {
		t.Errorf("the write-ahead log grew to %d MB", largest>>20)
	}
	ok(t, e.s.Close())
	ok(t, e.s.Close())
	s, err := store.Open(context.Background(), store.Config{URL: path})
	ok(t, err)
	defer s.Close()
	n, err := s.StudentMastery(context.Background(), x.d.ID, x.alice.ID)
	ok(t, err)
	if len(n) == 0 || n[0].EvidenceCount == 0 {
		t.Fatal("the records are not there after closing and opening again")
	}
	t.Logf("largest write-ahead log: %d KB", largest>>10)
}
