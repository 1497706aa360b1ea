// Package mastery turns evidence into mastery. It is pure: evidence in,
// state out, no I/O, so that the store can run it inside the transaction
// that records evidence and a rebuild gives exactly the same result.
//
// Teacher-facing methods (decaying average, most recent, power law...) give
// a value on the district's proficiency scale; every value carries an
// Explanation of the inputs and weights that produced it, because teachers
// and families will ask why.
//
// Recompute is every decision the store's writes make: given a district's
// hierarchy and policies (District), a student's evidence and the stored
// states of children that did not change, it returns the new states of the
// standards touched and of their ancestors (Targets), rolled up from the
// deepest. Replay gives the same states as they stood at earlier times.
// Grow reads a state's history back from its explanation, so that new
// evidence can be added without reading the old again, to the same bits.
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
