package store

import (
	"context"
	"slices"
)

// On PostgreSQL, writes of mastery take advisory locks, so that two
// transactions never compute a student's mastery from evidence the other
// is writing: recording or voiding evidence holds the district's lock
// shared and the student's exclusively (students in ascending id order);
// recomputing many students at once (a policy or hierarchy change, a
// rebuild) holds the district's lock exclusively. On SQLite, where one
// write transaction runs at a time, there is nothing to lock.
//
// The keys live in PostgreSQL's one-number lock space, marked with a tag
// in their top half so that they meet no other user of advisory locks.
const (
	districtLockTag = 0x63646973 << 32 // "cdis"
	studentLockTag  = 0x63737475 << 32 // "cstu"
)

// lockForEvidence takes the locks for writing evidence of the students
// (of one district). RecordEvidence takes the same locks in its first query.
func (r *runner) lockForEvidence(ctx context.Context, districtID int64, students []int64) error {
	if r.s.engine != Postgres {
		return nil
	}
	keys := make([]int64, len(students))
	for i, id := range students {
		keys[i] = studentLockTag ^ id
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// unnest yields the keys in array order, so the locks are taken in
	// ascending order and two batches cannot deadlock.
	var n int
	return r.queryRow(ctx, `
SELECT count(*) FROM (
    SELECT pg_advisory_xact_lock_shared($1::bigint)
    UNION ALL
    SELECT pg_advisory_xact_lock(k) FROM unnest($2::bigint[]) AS k
) l`, districtLockTag^districtID, keys).Scan(&n)
}

// lockDistrict takes the district's lock exclusively, for recomputing
// many students' mastery.
func (r *runner) lockDistrict(ctx context.Context, districtID int64) error {
	if r.s.engine != Postgres {
		return nil
	}
	var n int
	return r.queryRow(ctx, `SELECT count(*) FROM (SELECT pg_advisory_xact_lock($1::bigint)) l`, districtLockTag^districtID).Scan(&n)
}
