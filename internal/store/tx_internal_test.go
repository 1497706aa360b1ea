package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestCanceledWriteEndsBeforeTheNext cancels write transactions while
// they run and starts the next write at once, many times. SQLite has one
// writer connection: a transaction abandoned for its context must be
// rolled back before the writer's turn passes on. When database/sql rolled
// it back from its own goroutine, the next BEGIN could run first ("cannot
// start a transaction within a transaction"), or that rollback could undo
// the next write's opening and leave its statements committed one by one.
func TestCanceledWriteEndsBeforeTheNext(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{URL: filepath.Join(t.TempDir(), "tx.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.inTx(ctx, func(r *runner) error {
		_, err := r.tx.ExecContext(ctx, `CREATE TABLE written (n INTEGER NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const rounds = 300
	for i := range rounds {
		cctx, cancel := context.WithCancel(ctx)
		err := s.inTx(cctx, func(r *runner) error {
			if _, err := r.tx.ExecContext(cctx, `INSERT INTO written (n) VALUES (-1)`); err != nil {
				return err
			}
			cancel()
			return cctx.Err()
		})
		if err == nil {
			t.Fatalf("round %d: the canceled transaction committed", i)
		}
		if err := s.inTx(ctx, func(r *runner) error {
			for range 2 {
				if _, err := r.tx.ExecContext(ctx, `INSERT INTO written (n) VALUES (?)`, i); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("round %d: the write after a canceled one: %v", i, err)
		}
	}
	var canceled, written int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE n < 0), count(*) FILTER (WHERE n >= 0) FROM written`).Scan(&canceled, &written); err != nil {
		t.Fatal(err)
	}
	if canceled != 0 || written != 2*rounds {
		t.Errorf("%d rows of canceled transactions and %d of committed ones are stored, want 0 and %d", canceled, written, 2*rounds)
	}
}
