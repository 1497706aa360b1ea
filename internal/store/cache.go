package store

import "sync"

// cache keeps one value per district. A value is loaded from the database
// on first use and dropped whenever something it depends on is written.
//
// Each district has a generation that invalidate advances, when a write
// begins and again once it has committed (runner.dropModel). A loader
// notes the generation before it reads and keeps its result only if the
// generation has not moved, so a value read from before a commit can never
// be kept after that commit's invalidation.
type cache[T any] struct {
	mu  sync.Mutex
	gen map[int64]uint64
	val map[int64]T
}

// get returns the district's value if there is one, else the generation a
// loader must hand back to put.
func (c *cache[T]) get(districtID int64) (v T, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok = c.val[districtID]
	return v, c.gen[districtID], ok
}

// put keeps v if nothing was invalidated since get returned gen.
func (c *cache[T]) put(districtID int64, gen uint64, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen[districtID] != gen {
		return
	}
	if c.val == nil {
		c.val = map[int64]T{}
	}
	c.val[districtID] = v
}

// invalidate drops the district's value.
func (c *cache[T]) invalidate(districtID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == nil {
		c.gen = map[int64]uint64{}
	}
	c.gen[districtID]++
	delete(c.val, districtID)
}
