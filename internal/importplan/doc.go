// Package importplan holds what an import is planned from and what it
// plans: a snapshot of what a district holds, read by the store, and the
// plan of writes that the interop packages (oneroster, casepkg) work out
// from a parsed package and that snapshot, for the store to apply in the
// transaction it read the snapshot in. It also holds what the store reads
// of a district for an export (StoredFramework, StoredRoster,
// StoredMastery), for the interop packages to write in their formats.
//
// The package stands between the two so that neither needs the other:
// the store knows SQL and nothing of file formats, the interop packages
// know the formats and nothing of SQL. It holds plain values only.
//
// A record a plan creates gets its id as the plan is made, from the
// snapshot's IDs: the store draws them from the table (on SQLite the ids
// above the largest, free while its write transaction holds the only
// write lock; on PostgreSQL from the table's sequence), a test from a
// counter. Rows refer to each other by id, and lists of ids are stored as
// JSON text, so ids cannot wait until the plan is applied.
package importplan

import "encoding/json"

// Options say how to plan an import.
type Options struct {
	// Limit is how many problems are reported in detail; 0 means the
	// default of the format's reader.
	Limit int
	// Progress, when not nil, is called with the stage the planning is in
	// and how much of it is done.
	Progress func(stage string, done, total int)
}

// Report calls o.Progress, which may be nil.
func (o Options) Report(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// Counts are what a plan creates, updates and leaves unchanged, by kind
// of record ("people", "standards"...), and what it says besides.
type Counts struct {
	Created   map[string]int `json:"created,omitempty"`
	Updated   map[string]int `json:"updated,omitempty"`
	Unchanged map[string]int `json:"unchanged,omitempty"`
	// Removed counts links and facts a plan deletes when it knows the
	// number before writing (demographics, prerequisites, crosswalks).
	Removed map[string]int `json:"removed,omitempty"`
	// Warnings are things imported differently from how the input has
	// them, or left out, without being errors.
	Warnings []string `json:"warnings,omitempty"`
	// Refused are the rows a partial read left out.
	Refused []string `json:"refused,omitempty"`
}

// NewCounts returns empty counts ready to add to.
func NewCounts() Counts {
	return Counts{Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}, Removed: map[string]int{}}
}

// IDs hands out the ids of new records of a table ("people") as a plan
// creates them.
type IDs func(table string) (int64, error)

// Counter is an IDs for snapshots made in memory: each table's ids go on
// from next[table], or from 1.
func Counter(next map[string]int64) IDs {
	taken := map[string]int64{}
	return func(table string) (int64, error) {
		id, ok := taken[table]
		if !ok {
			id = max(next[table], 1)
		}
		taken[table] = id + 1
		return id, nil
	}
}

// JSONText encodes v as the JSON text of a list column: nil slices become
// "[]". It is how a plan writes lists (roles, schools, grades, races), and
// how the store writes them, so that the two compare as text.
func JSONText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only lists of strings and numbers are encoded here, and they
		// always encode; a failure is a programming error.
		panic("importplan: encoding a list as JSON: " + err.Error())
	}
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}
