package store

import (
	"context"
	"slices"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// Actor returns a person of the district as access.Actor: who they are,
// their roles and their schools. TokenScope is left "" for the caller to
// set when the request carries an access token.
func (s *Store) Actor(ctx context.Context, districtID, personID int64) (_ access.Actor, err error) {
	defer wrap(&err, "Actor(%d)", personID)
	p, err := s.person(ctx, s.reader(), districtID, personID)
	if err != nil {
		return access.Actor{}, err
	}
	// A person an import has retired has left the district: their sessions
	// and tokens stop working at once.
	var retired bool
	if err := s.reader().queryRow(ctx, `SELECT retired_at IS NOT NULL FROM people WHERE id = $1`, personID).Scan(&retired); err != nil {
		return access.Actor{}, err
	}
	if retired {
		return access.Actor{}, problem.NotFound("person", personID)
	}
	return access.Actor{PersonID: p.ID, DistrictID: p.DistrictID, Name: p.Name(), Roles: p.Roles,
		SchoolIDs: p.SchoolIDs, Language: p.Language}, nil
}

// activeEnrollment is the condition, on enrollments aliased e, of
// access.EnrollmentActive, with the parameters $4 (now plus the lead) and
// $5 (now minus the grace). An enrollment an import has retired (the
// student information system no longer has it) grants nothing.
func activeEnrollment(e string) string {
	return ` AND ` + e + `.retired_at IS NULL` +
		` AND (` + e + `.begin_date IS NULL OR ` + e + `.begin_date <= $4)` +
		` AND (` + e + `.end_date IS NULL OR ` + e + `.end_date > $5)`
}

// RelationsTo returns how actor is related to a student of the actor's
// district, in one query. Each relation needs the matching role too: a
// guardian link counts only for a guardian, a shared class only for a
// teacher (and only while both enrollments are active, as
// access.EnrollmentActive says), a shared school only for a school
// administrator or a coach. A student of another district, an id that is
// not a student's, and one that does not exist are all
// problem.ErrNotFound.
func (s *Store) RelationsTo(ctx context.Context, actor access.Actor, studentID int64) (rel access.Relations, err error) {
	defer wrap(&err, "RelationsTo(%d)", studentID)
	now := s.nowUTC()
	var roles []roster.Role
	var schools []int64
	var guardian, teacher, classAtSchool bool
	q := `
SELECT p.roles, p.school_ids,
    EXISTS (SELECT 1 FROM guardian_links g WHERE g.district_id = $1 AND g.guardian_id = $2 AND g.student_id = p.id),
    EXISTS (SELECT 1 FROM enrollments es
            JOIN enrollments et ON et.district_id = es.district_id AND et.class_id = es.class_id
            WHERE es.district_id = $1 AND es.person_id = p.id AND es.role = 'student'
              AND et.person_id = $2 AND et.role = 'teacher'` + activeEnrollment("es") + activeEnrollment("et") + `),
    EXISTS (SELECT 1 FROM enrollments es JOIN classes c ON c.district_id = es.district_id AND c.id = es.class_id
            WHERE es.district_id = $1 AND es.person_id = p.id AND es.role = 'student'` + activeEnrollment("es") + `
              AND c.school_id IN ids($6))
FROM people p WHERE p.district_id = $1 AND p.id = $3`
	err = s.reader().queryRow(ctx, q, actor.DistrictID, actor.PersonID, studentID,
		s.ts(now.Add(access.EnrollmentLead)), s.ts(now.Add(-access.EnrollmentGrace)), s.ids(actor.SchoolIDs)).Scan(
		jsonCol{&roles}, jsonCol{&schools}, &guardian, &teacher, &classAtSchool)
	if err != nil {
		return rel, noRows(err, "student", studentID)
	}
	if !slices.Contains(roles, roster.RoleStudent) {
		return rel, problem.NotFound("student", studentID)
	}
	atSchool := classAtSchool || slices.ContainsFunc(schools, actor.AtSchool)
	rel = access.Relations{
		Self:          actor.PersonID == studentID,
		Guardian:      guardian && actor.Has(roster.RoleGuardian),
		Teacher:       teacher && actor.Has(roster.RoleTeacher),
		SchoolAdmin:   atSchool && actor.Has(roster.RoleSchoolAdmin),
		Coach:         atSchool && actor.Has(roster.RoleCoach),
		DistrictAdmin: actor.Has(roster.RoleDistrictAdmin),
	}
	rel.Self = rel.Self && actor.Has(roster.RoleStudent)
	return rel, nil
}

// ClassRelation returns whether actor teaches a class of their district
// (with an active enrollment, as for RelationsTo) and the class's school,
// the facts access.Allow needs about a class. A class of another district
// is problem.ErrNotFound.
func (s *Store) ClassRelation(ctx context.Context, actor access.Actor, classID int64) (teaches bool, schoolID int64, err error) {
	defer wrap(&err, "ClassRelation(%d)", classID)
	now := s.nowUTC()
	err = s.reader().queryRow(ctx, `
SELECT c.school_id,
    EXISTS (SELECT 1 FROM enrollments e WHERE e.district_id = $1 AND e.class_id = c.id AND e.person_id = $2 AND e.role = 'teacher'`+
		activeEnrollment("e")+`)
FROM classes c WHERE c.district_id = $1 AND c.id = $3`,
		actor.DistrictID, actor.PersonID, classID, s.ts(now.Add(access.EnrollmentLead)), s.ts(now.Add(-access.EnrollmentGrace))).Scan(&schoolID, &teaches)
	if err != nil {
		return false, 0, noRows(err, "class", classID)
	}
	return teaches && actor.Has(roster.RoleTeacher), schoolID, nil
}
