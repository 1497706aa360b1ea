// Package access decides who may see and change what in cairn: password
// hashing, the secrets behind sessions, reset links and personal access
// tokens, the sign-in lockout and throttling rules, and the
// relationship-based policy every page and API route goes through.
//
// Everything here is pure: no I/O, no clock and no database. The store
// supplies the facts (who the actor is, how they are related to a student,
// whether they teach a class) and the web layer asks Decide or Allow before
// it reads or changes anything, and records the answer in the audit log.
//
// The policy follows one rule above the others: a student's record reaches
// only people with a reason to see it. A teacher sees the students enrolled
// in the classes they teach, a guardian their linked children, a student
// themself, a coach and a school administrator the students of their
// schools, a district administrator everyone in the district. When the
// answer is no because of who the student is, Decide reports the record as
// not found, exactly like an id that does not exist, so that probing ids
// reveals nothing. When the answer is no because of what the actor's roles
// may ever do (a guardian changing evidence, a teacher opening
// demographics), it says forbidden, which tells nothing about the student
// and helps the person understand.
//
// Sign-in is built so that single sign-on can be added without changing
// sessions: a session records the person and how they signed in
// ("password" today, "oidc" later), and the identities a person can sign in
// with are kept apart from the session itself.
package access
