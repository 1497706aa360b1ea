package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
)

// viewsEvery is how often at most the audit entries of reads that come
// together take the writer's turn. A read waits for its entries' commit,
// so this is also the most such a read waits for the turn beyond the
// commit itself: a few milliseconds beside a page's tens, and on SQLite
// one transaction of views for every several pieces of evidence at most.
// A read that comes alone is written at once.
const viewsEvery = 10 * time.Millisecond

// errClosed refuses what comes after Close.
var errClosed = errors.New("store: closed")

// RecordViews appends the audit entries of one read of student records
// (a page, an API response) to the audit log, and returns once they are
// committed: what the read shows is logged before it is shown, and a
// search or a "who viewed" page asked afterwards finds it.
//
// Unlike AppendAudits, the entries of many concurrent reads are committed
// together in one transaction, by one writer at most every viewsEvery:
// on SQLite, where every write takes one connection's turn, readers then
// take a few turns a second instead of one each, and whoever records
// evidence does not queue behind them. The entries of reads that ask at
// the same time share a transaction, but not a fate: when it fails, each
// read's entries are written on their own, so that one read's bad entry
// refuses only that read.
//
// The entries are written even when ctx ends first (RecordViews then
// returns ctx's error): a read that was logged is never lost, and Close
// writes whatever is still waiting. Each entry is stamped with the
// store's clock when RecordViews is called. Only reads (access.View) are
// recorded here; a change's entry belongs in the change's transaction.
func (s *Store) RecordViews(ctx context.Context, entries []AuditEntry) (err error) {
	defer wrap(&err, "RecordViews")
	if len(entries) == 0 {
		return nil
	}
	for i, e := range entries {
		err := checkAudit(e, entries[0].DistrictID)
		if err == nil && e.Action != access.View {
			err = problem.Invalid("action", "%q: only reads are recorded with RecordViews", e.Action)
		}
		if err != nil {
			if len(entries) == 1 {
				return err
			}
			return problem.InRecord(i, err)
		}
	}
	req, err := s.views.add(entries, s.nowUTC)
	if err != nil {
		return err
	}
	select {
	case <-req.done:
		return req.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// viewRequest is the entries of one read, waiting for their commit.
type viewRequest struct {
	rows [][]any
	err  error
	done chan struct{} // closed once the rows are written or refused
}

// viewWriter writes the audit entries of reads in batches, from its own
// goroutine.
type viewWriter struct {
	s     *Store
	every time.Duration

	mu      sync.Mutex
	pending []*viewRequest
	closed  bool

	wake chan struct{} // a request is pending; capacity 1
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// newViewWriter starts the writer of s's views. With a negative every, no
// goroutine runs: views are written when a test calls write, and on close.
func newViewWriter(s *Store, every time.Duration) *viewWriter {
	w := &viewWriter{s: s, every: every, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if every < 0 {
		close(w.done)
		return w
	}
	go w.run()
	return w
}

// add queues the rows of entries, stamped with now, for the next batch.
func (w *viewWriter) add(entries []AuditEntry, now func() time.Time) (*viewRequest, error) {
	req := &viewRequest{rows: make([][]any, len(entries)), done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil, errClosed
	}
	// Stamped under the lock, so that the log's order by id is its order
	// by time.
	at := w.s.ts(now())
	for i, e := range entries {
		req.rows[i] = auditRow(e, at)
	}
	w.pending = append(w.pending, req)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return req, nil
}

func (w *viewWriter) run() {
	defer close(w.done)
	var last time.Time
	lastSize := 0
	for {
		select {
		case <-w.wake:
		case <-w.stop:
			w.write()
			return
		}
		// When reads come together (the last batch held several), let
		// the reads of the next few milliseconds join this batch rather
		// than each take a turn of its own. A read that came alone is
		// written at once: one reader in sequence does not wait for
		// company that is not coming.
		if wait := w.every - time.Since(last); wait > 0 && lastSize > 1 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-w.stop:
				t.Stop()
			}
		}
		last = time.Now()
		lastSize = w.write()
	}
}

// take removes and returns the pending requests.
func (w *viewWriter) take() []*viewRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	batch := w.pending
	w.pending = nil
	return batch
}

// write commits the pending requests in one transaction, or each in its
// own when that fails, and tells each request how it went. It returns the
// number of requests written.
func (w *viewWriter) write() int {
	w.mu.Lock()
	empty := len(w.pending) == 0
	w.mu.Unlock()
	if empty {
		return 0
	}
	// Not a request's context: the batch holds other requests' entries,
	// and is written even when the read that asked first has gone.
	ctx := context.Background()
	var batch []*viewRequest
	err := w.s.inTx(ctx, func(r *runner) error {
		// Taken once the turn is ours, so that the reads that came while
		// waiting for it are in the batch too.
		batch = w.take()
		var rows [][]any
		for _, req := range batch {
			rows = append(rows, req.rows...)
		}
		return r.insertAuditRows(ctx, rows)
	})
	if batch == nil {
		batch = w.take()
	}
	if err != nil && len(batch) > 1 {
		for _, req := range batch {
			req.err = w.s.inTx(ctx, func(r *runner) error { return r.insertAuditRows(ctx, req.rows) })
			close(req.done)
		}
		return len(batch)
	}
	for _, req := range batch {
		req.err = err
		close(req.done)
	}
	return len(batch)
}

// close writes what is pending and stops the writer. Later calls do
// nothing.
func (w *viewWriter) close() {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.stop)
		<-w.done
		// With no goroutine (or had it stopped between two batches),
		// whatever is left is written here.
		w.write()
	})
}
