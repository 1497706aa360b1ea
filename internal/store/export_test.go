package store

import "context"

// OpenCheckpointingByHand opens a store as Open does, except that on
// SQLite the write-ahead log is checkpointed only when the test calls
// Checkpoint (and when the store closes): the test, not a ticker racing
// its writes, decides when checkpoints happen.
func OpenCheckpointingByHand(ctx context.Context, cfg Config) (*Store, error) {
	cfg.checkpointEvery = -1
	return Open(ctx, cfg)
}

// Checkpoint runs the SQLite checkpointer once, as each of its ticks does.
func (s *Store) Checkpoint() error { return s.ck.checkpoint() }

// Checkpoints counts the checkpoints the SQLite checkpointer has run.
func (s *Store) Checkpoints() int64 { return s.ck.runs.Load() }
