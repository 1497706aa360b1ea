// Package supports holds what cairn does when a student needs help the
// same day: the district's rules evaluated on every evidence and the
// alerts they raise, support plans with their tier (1-3 of a
// response-to-intervention model), teachers' notes, flexible groups
// rebuilt from the latest data, the day's schedule of groups, and the
// outcomes of each kind of support.
//
// The package is pure: values in, decisions out, no I/O. The store keeps
// what it decides; the web package shows it.
package supports
