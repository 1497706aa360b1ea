// Package reports holds what every report of cairn that counts students
// shares: tables of aggregates and their small-number suppression, so
// that no published figure lets a reader find out about one student. It
// is pure: no I/O, only the standard library.
//
// # Suppression
//
// A table is a set of cells, each counting students, and the sums that
// tie them (a total is the sum of its parts: the schools of a district,
// the categories of a subgroup). Suppress decides which cells are hidden:
//
//   - primary: a cell of fewer than the minimum students (10 by default)
//     is hidden whole, its counts, rates and medians alike;
//   - complementary: no hidden cell may be recovered by difference. For
//     every sum, the total and its parts shown or hidden must never leave
//     exactly one of them hidden; when they do, the smallest shown part
//     (or the total, when every part is hidden) is hidden too, and the
//     check runs again over every sum until none changes. A final exact
//     check solves the shown figures' equations and hides more while any
//     hidden cell is still determined by them.
//
// Every hidden cell keeps its reason, so that a page can say why.
package reports
