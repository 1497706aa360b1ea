// Package mastery turns evidence into mastery. It is pure: evidence in,
// state out, no I/O, so that the store can run it inside the transaction
// that records evidence and a rebuild gives exactly the same result.
//
// Teacher-facing methods (decaying average, most recent, power law...) give
// a value on the district's proficiency scale; every value carries an
// Explanation of the inputs and weights that produced it, because teachers
// and families will ask why.
//
// Statistical models give probabilities: Bayesian Knowledge Tracing per
// standard (BKTParams, fitted by FitBKT), an ability model that rates
// students and items as Elo does while keeping its uncertainty
// (AbilityParams), and a logistic model over the student's record so far
// (LogisticModel, fitted by FitLogisticModel). Each keeps a small state per
// student and standard (BKTState, StandardTrace, StudentTrace) that one
// piece of evidence updates in O(1), and each can say how sure it is
// (Estimate). Score measures predictions as the research literature does.
// docs/kt.md has the equations and the measurements.
package mastery
