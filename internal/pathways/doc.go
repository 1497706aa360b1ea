// Package pathways holds what personalizes a student's learning: the
// playlists of activities for each standard and the choices a student makes
// among them, the plan of targets a student works through in a term, which
// standards are ready and which to take on next, the pace against the plan
// and the term, readiness for a summative and the district's reassessment
// policy, and the goals a student sets after an assessment.
//
// Like the other domain packages it is pure: types and rules over values the
// store loads, no I/O, and it imports only the standard library and the
// domain packages below it (standards, evidence, mastery). Decisions made here
// are explained in a sentence a student or a family can read.
package pathways
