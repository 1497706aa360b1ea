package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file carries changes to the pages that show them, on every server
// that shares the database (decision 28). On SQLite, where one server owns
// the file, a change goes from the writer to the watchers in the process.
// On PostgreSQL each committed change is also sent on a NOTIFY channel,
// right after the commit, by one sender per store; each store that has
// watchers keeps one connection listening on the channel and hands the
// other servers' changes to its watchers. A change reaches each server's
// watchers once: its own server's from the writer, the others' from the
// channel (a store skips what it sent itself).

// ChangesMissed says that changes may have been missed: the listening
// connection was lost for a while, or more changes waited to be sent than
// the sender keeps. Everything a page shows may have changed; the change
// names no district, student or class.
const ChangesMissed ChangeKind = "missed"

// changeChannel is the PostgreSQL NOTIFY channel of committed changes.
const changeChannel = "cairn_changes"

// maxNotifyPayload keeps each notification under PostgreSQL's limit of
// 8000 bytes for a payload, with room to spare.
const maxNotifyPayload = 7900

// maxPendingChanges bounds the changes waiting to be sent: past it they
// are dropped and one ChangesMissed sent instead, so that a database that
// stops answering cannot make the server hold without bound.
const maxPendingChanges = 10000

// listenApplication names the listening connection in pg_stat_activity.
const listenApplication = "cairn changes"

// changeFeed is the Store's part of carrying changes to watchers.
type changeFeed struct {
	mu       sync.Mutex
	watchers map[int]func(Change)
	nextID   int
	// origin names this store on the channel, so that it skips its own.
	origin string
	// pg is the configuration of the listening connection: PostgreSQL
	// only.
	pg *pgx.ConnConfig

	// The sender (PostgreSQL): pending changes, and whether some were
	// dropped since the last send.
	pending  []Change
	dropped  bool
	sending  bool
	wake     chan struct{}
	stop     chan struct{}
	stopped  bool
	routines sync.WaitGroup
	// listening says the listener runs; cancelListen stops it.
	listening    bool
	cancelListen context.CancelFunc
	// onListen, when set by a test, is told each time the listening
	// connection is (again) ready.
	onListen func()
}

// WatchChanges calls f once for every change committed to the database
// after it returns: this store's changes right after their commit, and on
// PostgreSQL the changes of every other server (or command) on the same
// database, within moments of their commit. f is called from several
// goroutines, and must be quick and safe for concurrent use: hand the
// change on, do not query with it. stop ends the calls.
//
// On PostgreSQL the first watcher opens the store's listening connection,
// kept until Close and opened again when lost; after it was lost f gets a
// ChangesMissed, as the changes of the meantime are not known.
func (s *Store) WatchChanges(f func(Change)) (stop func()) {
	fd := &s.feed
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.watchers == nil {
		fd.watchers = map[int]func(Change){}
	}
	fd.nextID++
	id := fd.nextID
	fd.watchers[id] = f
	if fd.pg != nil && !fd.listening && !fd.stopped {
		fd.listening = true
		ctx, cancel := context.WithCancel(context.Background())
		fd.cancelListen = cancel
		fd.routines.Go(func() { s.listenChanges(ctx) })
	}
	return func() {
		fd.mu.Lock()
		defer fd.mu.Unlock()
		delete(fd.watchers, id)
	}
}

// preparePostgres keeps what the listening connection needs; Open
// calls it for PostgreSQL.
func (fd *changeFeed) preparePostgres(pc *pgx.ConnConfig) {
	fd.pg = pc.Copy()
	if fd.pg.RuntimeParams == nil {
		fd.pg.RuntimeParams = map[string]string{}
	}
	fd.pg.RuntimeParams["application_name"] = listenApplication
}

// shareChanges hands changes just committed by this store to its watchers
// and, on PostgreSQL, to the sender. notify calls it.
func (s *Store) shareChanges(changes []Change) {
	if len(changes) == 0 {
		return
	}
	s.deliverChanges(changes)
	fd := &s.feed
	if fd.pg == nil {
		return
	}
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.stopped {
		return
	}
	if len(fd.pending)+len(changes) > maxPendingChanges {
		fd.pending, fd.dropped = nil, true
	} else {
		fd.pending = append(fd.pending, changes...)
	}
	if !fd.sending {
		fd.sending = true
		fd.wake = make(chan struct{}, 1)
		fd.stop = make(chan struct{})
		fd.routines.Go(s.sendChanges)
	}
	select {
	case fd.wake <- struct{}{}:
	default:
	}
}

// deliverChanges calls every watcher with each change.
func (s *Store) deliverChanges(changes []Change) {
	fd := &s.feed
	fd.mu.Lock()
	if len(fd.watchers) == 0 {
		fd.mu.Unlock()
		return
	}
	ws := make([]func(Change), 0, len(fd.watchers))
	for _, w := range fd.watchers {
		ws = append(ws, w)
	}
	fd.mu.Unlock()
	for _, c := range changes {
		for _, w := range ws {
			w(c)
		}
	}
}

// sendChanges sends the pending changes on the channel whenever there are
// some, until the store closes; what is pending then is sent first. Each
// send is its own statement after the writer's commit, not part of the
// writing transaction (decision 28): the writer neither waits for it nor
// takes PostgreSQL's lock on committing notifications.
func (s *Store) sendChanges() {
	fd := &s.feed
	for {
		closing := false
		select {
		case <-fd.wake:
		case <-fd.stop:
			closing = true
		}
		fd.mu.Lock()
		batch, missed := fd.pending, fd.dropped
		fd.pending, fd.dropped = nil, false
		fd.mu.Unlock()
		for _, p := range encodeChanges(fd.origin, batch, missed) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := s.write.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changeChannel, string(p))
			cancel()
			if err != nil {
				s.log.Warn("cannot tell the other servers of a change; their pages will refresh fully", "err", err)
				fd.mu.Lock()
				fd.dropped = true
				fd.mu.Unlock()
			}
		}
		if closing {
			return
		}
	}
}

// listenChanges keeps one connection listening on the channel until ctx
// ends, opening it again (after a pause that grows to five seconds) when
// it is lost, and hands each other server's change to the watchers.
func (s *Store) listenChanges(ctx context.Context) {
	fd := &s.feed
	pause := 100 * time.Millisecond
	connected := false
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, fd.pg)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+changeChannel); err != nil {
				conn.Close(context.Background())
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("cannot listen for other servers' changes; trying again", "in", pause, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
			pause = min(pause*2, 5*time.Second)
			continue
		}
		pause = 100 * time.Millisecond
		if connected {
			// What was sent while no connection listened is lost.
			s.log.Info("listening for other servers' changes again")
			s.deliverChanges([]Change{{Kind: ChangesMissed}})
		}
		connected = true
		fd.mu.Lock()
		hook := fd.onListen
		fd.mu.Unlock()
		if hook != nil {
			hook()
		}
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("lost the connection listening for other servers' changes", "err", err)
				}
				break
			}
			changes, origin, err := decodeChanges(n.Payload)
			if err != nil {
				s.log.Warn("a change notification cannot be read", "err", err)
				continue
			}
			if origin == fd.origin {
				continue
			}
			s.deliverChanges(changes)
		}
		conn.Close(context.Background())
	}
}

// closeFeed stops the listener and sends what is pending; close calls it
// while the database is still open.
func (s *Store) closeFeed() {
	fd := &s.feed
	fd.mu.Lock()
	fd.stopped = true
	if fd.cancelListen != nil {
		fd.cancelListen()
	}
	if fd.sending {
		close(fd.stop)
	}
	fd.mu.Unlock()
	fd.routines.Wait()
}

// newOrigin names a store on the channel.
func newOrigin() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// notification is the payload of one NOTIFY: the sending store, its
// changes, and whether changes were dropped before them.
type notification struct {
	Origin  string       `json:"o"`
	Changes []wireChange `json:"c,omitempty"`
	Missed  bool         `json:"m,omitempty"`
}

// wireChange is a Change as it travels, in short names: payloads are
// bounded.
type wireChange struct {
	Kind      ChangeKind `json:"k,omitempty"`
	District  int64      `json:"d,omitempty"`
	Student   int64      `json:"s,omitempty"`
	Class     int64      `json:"c,omitempty"`
	Standards []int64    `json:"t,omitempty"`
	Evidence  int        `json:"e,omitempty"`
}

// encodeChanges packs changes into as few payloads as fit under
// maxNotifyPayload each, in order. A change whose list of standards alone
// would not fit travels without it (StandardIDs is then empty: the
// receiver knows the student, not which standards). missed sends a
// ChangesMissed first.
func encodeChanges(origin string, changes []Change, missed bool) [][]byte {
	var out [][]byte
	head := `{"o":"` + origin + `","c":[`
	cur := []byte(head)
	n := 0
	flush := func(force bool) {
		if n == 0 && !force {
			return
		}
		out = append(out, append(cur, ']', '}'))
		cur, n = []byte(head), 0
	}
	if missed {
		m, _ := json.Marshal(notification{Origin: origin, Missed: true})
		out = append(out, m)
	}
	for _, c := range changes {
		w := wireChange{Kind: c.Kind, District: c.DistrictID, Student: c.StudentID, Class: c.ClassID,
			Standards: c.StandardIDs, Evidence: c.Evidence}
		b, _ := json.Marshal(w)
		if len(head)+len(b)+2 > maxNotifyPayload {
			w.Standards = nil
			b, _ = json.Marshal(w)
		}
		if len(cur)+len(b)+3 > maxNotifyPayload {
			flush(false)
		}
		if n > 0 {
			cur = append(cur, ',')
		}
		cur = append(cur, b...)
		n++
	}
	flush(false)
	return out
}

// decodeChanges reads a payload of encodeChanges.
func decodeChanges(payload string) ([]Change, string, error) {
	var n notification
	if err := json.Unmarshal([]byte(payload), &n); err != nil {
		return nil, "", fmt.Errorf("payload %.40q: %w", payload, err)
	}
	var out []Change
	if n.Missed {
		out = append(out, Change{Kind: ChangesMissed})
	}
	for _, w := range n.Changes {
		out = append(out, Change{Kind: w.Kind, DistrictID: w.District, StudentID: w.Student, ClassID: w.Class,
			StandardIDs: w.Standards, Evidence: w.Evidence})
	}
	return out, n.Origin, nil
}
