// Package demo builds a realistic, deterministic, synthetic school district
// for `cairn demo`, for tests and for benchmarks: Generate makes it from a
// seed and a date, without I/O, and Load writes it through the store.
//
// # The district
//
// Aspen Hollow School District (fictional; addresses at example.org) has
// two middle schools and 300 students by default, more schools for larger
// districts (one per 700 students). Each student is in one math and one ELA
// class of their grade, in classes of at most 30; each teacher teaches the
// two classes of one course at one school, and each school has a
// special-education co-teacher in two sixth-grade classes. Families have
// one or two guardians, some have two children in the district, some prefer
// Spanish (or Arabic, Somali, Vietnamese, Hmong) at home; one guardian is
// also a teacher at the other school. Every student has demographics in
// proportions like those of US public schools. Everyone has a username
// firstname.lastname (numbered when taken) and an email at the district's
// domain, so that accounts can be attached later.
//
// Featured names what to open first: a typical sixth-grade math class of
// 28 taught by a teacher with a co-teacher, a student in it whose mother
// prefers Spanish and has a daughter in eighth grade, and the district
// administrator: the people of a teacher's morning, a student after a
// quiz, and a parent reading on a phone.
//
// # The school year
//
// The year runs from the Monday on or after 12 August to the Friday of the
// first week of June, without weekends, Labor Day, Thanksgiving, a winter
// break to 1 January, Martin Luther King Jr. Day, Presidents' Day, a spring
// break and Memorial Day: about 185 school days, in four quarters of equal
// length. A demo dated during the school year shows that year up to its
// date; a demo dated in the summer shows the year that has just ended,
// complete, because the year that starts next would have no evidence to
// show.
//
// # Standards
//
// Four frameworks on one 1-4 scale (standards.DefaultScale): the Common
// Core ELA standards of grades 6-8, as published with their CASE
// identifiers by OpenSALT; an excerpt of the Common Core math standards of
// grades 6-8; the 4Cs (critical thinking, communication, collaboration,
// creativity) as a disposition framework; and personalized-learning
// competencies for teachers. data/README.md gives sources and licences.
// Prerequisites follow the progressions within and across grades. Each
// course is mapped to its grade's standards in the order it teaches them
// and, because dispositions are practised in every class rather than in one
// course of their own, to the 4Cs.
//
// # Evidence
//
// The evidence is simulated, not stored in the Dataset: Dataset.Evidence
// yields it student by student, so a district of tens of thousands of
// students needs memory for its roster only. Each student has an ability
// per subject and a growth rate (steady, accelerating or struggling); each
// standard a difficulty. Courses teach their standards in a pacing
// calendar by quarter, so later standards have no evidence yet; in a
// standard's window students get formatives (exit tickets, quizzes out of
// 10), a summative once ready (retaken when not passed), and afterwards
// reteach checks while it is not mastered. Each quarter ends with an
// interim in points and has a performance task scoring two standards and
// one of the 4Cs; teachers observe the 4Cs; students assess themselves now
// and then. Grades 7 and 8 start with a diagnostic of last year's
// standards that this year's build on. A student whose evidence shows a
// prerequisite below the cut stalls on the standards that depend on it:
// scores stay at 1 or 2 until the prerequisite is retaught and mastered.
// About one record in 700 is a mistake (the wrong student, the wrong score,
// the wrong standard, a duplicate) that the teacher voids with a reason and
// corrects. The default district has some 22,000 records in late November,
// 30,000 by the end of January and 65,000 for a whole year.
//
// Once the evidence is in and the model fitted, the administrator adopts
// rules for the summative (two pieces of practice before a retake, three
// attempts, the latest counts) and the featured class's teacher confirms
// one of the students they propose as ready, the featured student when he
// is among them; students with less practice since their last attempt than
// the rules ask show their retake waiting on practice.
package demo
