package store

import "context"

// OpenWritingViewsByHand opens a store as Open does, except that the
// audit entries of reads are written only when the test calls WriteViews
// (and when the store closes): the test decides which reads share a
// batch.
func OpenWritingViewsByHand(ctx context.Context, cfg Config) (*Store, error) {
	cfg.viewsEvery = -1
	return Open(ctx, cfg)
}

// WriteViews writes the pending audit entries of reads, as each batch of
// the writer does.
func (s *Store) WriteViews() { s.views.write() }

// PendingViews counts the reads whose entries wait for a batch.
func (s *Store) PendingViews() int {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	return len(s.views.pending)
}
