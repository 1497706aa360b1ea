// Package oneroster reads and writes rosters as OneRoster CSV packages
// (1EdTech OneRoster 1.1 and 1.2), the form in which student information
// systems export schools, terms, courses, classes, people and enrollments,
// and writes mastery back as OneRoster 1.2 gradebook files.
//
// Read (or Open, for a .zip file or a folder) reads manifest.csv, refuses a
// version it does not know, and streams each file the manifest supplies a
// row at a time, in an order where every file refers only to files already
// read: orgs, academicSessions, courses, classes, users, userProfiles,
// roles, demographics, enrollments. Every row is checked: required fields,
// vocabularies (matched without regard to case and kept in the
// specification's spelling), dates, duplicate sourcedIds, references to
// other records, bulk and delta rules. Every problem is reported with its
// file, line and column and a severity: an error (the file cannot be read
// safely) or a warning (spec-valid but odd: a student enrolled as a
// teacher, an unknown column, a misspelled manifest key), which stops
// nothing. A package with any error gives no Roster, unless
// ReadOptions.Partial asks for the rows without errors.
//
// The Roster keeps the records as the files have them, keyed by sourcedId.
// ToDomain maps them to cairn's roster types, still keyed by sourcedId, for
// the store to resolve; Diff (against the Snapshot of the last import) says
// what an import creates, updates and retires. Write writes a roster back
// as a OneRoster 1.2 bulk package that Read reads as the same records;
// FromDistrict builds one from what the store holds and the records its
// imports kept (Kept). WriteGradebook writes
// per-standard mastery as 1.2 lineItems and results with their learning
// objectives.
//
// How OneRoster maps onto cairn (ToDomain):
//
//	orgs of type district           the District (one per server; a second is skipped)
//	orgs of type school             Schools; other org types are skipped
//	academicSessions                Terms (their four types)
//	courses, classes                Courses, Classes; a class keeps its first term
//	users and their roles           People; roles as MapRole says (aide -> teacher,
//	                                counselor -> coach, administrator -> district or
//	                                school admin by the org); preferred names when given
//	agentSourcedIds                 GuardianLinks, from whichever side lists the other
//	demographics                    Demographics of students (race flags that are true)
//	enrollments                     Enrollments as student or teacher of people who
//	                                hold that role; administrator and proctor
//	                                enrollments, and the rest, are skipped
//
// In OneRoster 1.2 a user's roles are rows of roles.csv (exactly one
// primary per user) and users.csv has no role or orgSourcedIds column; a
// 1.2 users.csv that has them is refused with a message that says so.
package oneroster
