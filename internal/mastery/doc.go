// Package mastery turns evidence into mastery. It is pure: evidence in,
// state out, no I/O, so that the store can run it inside the transaction
// that records evidence and a rebuild gives exactly the same result.
//
// Teacher-facing methods (decaying average, most recent, power law...) give
// a value on the district's proficiency scale; every value carries an
// Explanation of the inputs and weights that produced it, because teachers
// and families will ask why.
package mastery
