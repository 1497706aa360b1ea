package store

// Grown counts the work items whose states were grown from their stored
// states rather than recomputed from all of their evidence.
func Grown() int64 { return grownItems.Load() }
