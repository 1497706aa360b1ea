package store_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
)

// changeLog collects what a watcher is given.
type changeLog struct {
	mu      sync.Mutex
	changes []store.Change
	got     chan struct{}
}

func newChangeLog() *changeLog { return &changeLog{got: make(chan struct{}, 1000)} }

func (l *changeLog) add(c store.Change) {
	l.mu.Lock()
	l.changes = append(l.changes, c)
	l.mu.Unlock()
	l.got <- struct{}{}
}

// waitFor waits up to five seconds for a change that match accepts.
func (l *changeLog) waitFor(t *testing.T, what string, match func(store.Change) bool) store.Change {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		l.mu.Lock()
		for _, c := range l.changes {
			if match(c) {
				l.mu.Unlock()
				return c
			}
		}
		l.mu.Unlock()
		select {
		case <-l.got:
		case <-deadline:
			t.Fatalf("no %s within 5 s; got %+v", what, l.all())
		}
	}
}

func (l *changeLog) all() []store.Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.changes)
}

// TestLiveChanges: a watcher learns of every change committed to the
// database once, on both engines; on PostgreSQL, the changes another
// server (another Store on the same database) commits too.
func TestLiveChanges(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			x := newDistrict(t, e, "live")
			local := newChangeLog()
			stop := e.s.WatchChanges(local.add)
			defer stop()

			ev := x.ev(x.alice, 1, level(x.s1, 3))
			ok(t, e.s.RecordEvidence(e.ctx, &ev))
			c := local.waitFor(t, "change of Alice", func(c store.Change) bool { return c.StudentID == x.alice.ID })
			if c.Kind != store.MasteryChanged || c.DistrictID != x.d.ID || c.Evidence != 1 || len(c.StandardIDs) == 0 {
				t.Errorf("change %+v, want Alice's mastery in district %d with one piece of evidence", c, x.d.ID)
			}
			if eng.name != store.Postgres {
				return
			}

			// Server B on the same database: what A writes reaches B's
			// watcher, and what B writes reaches A's, each once.
			b, err := store.Open(e.ctx, store.Config{URL: e.url, Now: e.clk.now, WallClock: e.clk.now})
			ok(t, err)
			defer b.Close()
			remote := newChangeLog()
			defer b.WatchChanges(remote.add)()
			// B listens from the moment WatchChanges returns only once
			// its connection is up: write until B has heard one.
			deadline := time.Now().Add(10 * time.Second)
			for {
				ev := x.ev(x.bob, 1, level(x.s2, 2))
				ok(t, e.s.RecordEvidence(e.ctx, &ev))
				select {
				case <-remote.got:
				case <-time.After(200 * time.Millisecond):
				}
				if len(remote.all()) > 0 || time.Now().After(deadline) {
					break
				}
			}
			remote.waitFor(t, "A's change of Bob at B", func(c store.Change) bool {
				return c.StudentID == x.bob.ID && c.DistrictID == x.d.ID && c.Kind == store.MasteryChanged && c.Evidence == 1
			})

			before := len(local.all())
			ev = x.ev(x.cleo, 1, level(x.s3, 4))
			ok(t, b.RecordEvidence(e.ctx, &ev))
			local.waitFor(t, "B's change of Cleo at A", func(c store.Change) bool { return c.StudentID == x.cleo.ID })
			remote.waitFor(t, "B's own change of Cleo at B", func(c store.Change) bool { return c.StudentID == x.cleo.ID })
			// Once: give a duplicate time to arrive, then count.
			time.Sleep(300 * time.Millisecond)
			for name, l := range map[string]*changeLog{"A": local, "B": remote} {
				n := 0
				for _, c := range l.all() {
					if c.StudentID == x.cleo.ID {
						n++
					}
				}
				if n != 1 {
					t.Errorf("server %s heard of Cleo's change %d times, want once", name, n)
				}
			}
			if n := len(local.all()) - before; n != 1 {
				t.Errorf("A heard %d changes from B's one write, want 1", n)
			}
		})
	}
}
