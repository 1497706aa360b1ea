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
	// The district's config_version comes along, at no extra round trip,
	// so that a catalog another server changed is read again from this
	// request on (Store.Catalog).
	var p roster.Person
	var version int64
	err = s.reader().queryRow(ctx, `SELECT `+personCols+`, d.config_version
FROM people p JOIN districts d ON d.id = p.district_id
WHERE p.district_id = $1 AND p.id = $2`, districtID, personID).Scan(append(personDest(&p), &version)...)
	if err != nil {
		return access.Actor{}, noRows(err, "person", personID)
	}
	s.versions.note(districtID, version)
	// A person an import has retired has left the district: their sessions
	// and tokens stop working at once.
	if p.RetiredAt != nil {
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

// relationFacts are the columns, for a person aliased p, of the facts
// behind access.Relations: the person's roles and schools, whether the
// actor is their guardian, whether the actor teaches them in a class both
// are actively enrolled in, and whether they are actively enrolled in a
// class at one of the actor's schools. Its parameters are $1 (the
// district), $2 (the actor), $4 and $5 (as for activeEnrollment) and $6
// (the actor's schools). RelationsTo and ClassRoster both read it, so that
// a student reached through a class is related to the actor exactly as
// one opened directly.
var relationFacts = `p.roles, p.school_ids,
    EXISTS (SELECT 1 FROM guardian_links g WHERE g.district_id = $1 AND g.guardian_id = $2 AND g.student_id = p.id),
    EXISTS (SELECT 1 FROM enrollments es
            JOIN enrollments et ON et.district_id = es.district_id AND et.class_id = es.class_id
            WHERE es.district_id = $1 AND es.person_id = p.id AND es.role = 'student'
              AND et.person_id = $2 AND et.role = 'teacher'` + activeEnrollment("es") + activeEnrollment("et") + `),
    EXISTS (SELECT 1 FROM enrollments es JOIN classes c ON c.district_id = es.district_id AND c.id = es.class_id
            WHERE es.district_id = $1 AND es.person_id = p.id AND es.role = 'student'` + activeEnrollment("es") + `
              AND c.school_id IN ids($6))`

// relationArgs are the parameters of relationFacts, with id as $3.
func (s *Store) relationArgs(actor access.Actor, id int64) []any {
	return append(s.activeArgs(actor.DistrictID, actor.PersonID, id), s.ids(actor.SchoolIDs))
}

// facts are the scanned columns of relationFacts.
type facts struct {
	roles                            []roster.Role
	schools                          []int64
	guardian, teacher, classAtSchool bool
}

func (f *facts) dest() []any {
	return []any{jsonCol{&f.roles}, jsonCol{&f.schools}, &f.guardian, &f.teacher, &f.classAtSchool}
}

// relations turns the facts about person id into the actor's relations
// to them; ok is false when the person is not a student. Each relation
// needs the matching role too.
func (f *facts) relations(actor access.Actor, id int64) (rel access.Relations, ok bool) {
	if !slices.Contains(f.roles, roster.RoleStudent) {
		return rel, false
	}
	atSchool := f.classAtSchool || slices.ContainsFunc(f.schools, actor.AtSchool)
	return access.Relations{
		Self:          actor.PersonID == id && actor.Has(roster.RoleStudent),
		Guardian:      f.guardian && actor.Has(roster.RoleGuardian),
		Teacher:       f.teacher && actor.Has(roster.RoleTeacher),
		SchoolAdmin:   atSchool && actor.Has(roster.RoleSchoolAdmin),
		Coach:         atSchool && actor.Has(roster.RoleCoach),
		DistrictAdmin: actor.Has(roster.RoleDistrictAdmin),
	}, true
}

// activeArgs are args followed by the two parameters of activeEnrollment,
// for a query whose own parameters are $1 to $3.
func (s *Store) activeArgs(args ...any) []any {
	now := s.nowUTC()
	return append(args, s.ts(now.Add(access.EnrollmentLead)), s.ts(now.Add(-access.EnrollmentGrace)))
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
	var f facts
	err = s.reader().queryRow(ctx, `SELECT `+relationFacts+` FROM people p WHERE p.district_id = $1 AND p.id = $3`,
		s.relationArgs(actor, studentID)...).Scan(f.dest()...)
	if err != nil {
		return rel, noRows(err, "student", studentID)
	}
	rel, ok := f.relations(actor, studentID)
	if !ok {
		return rel, problem.NotFound("student", studentID)
	}
	return rel, nil
}

// ClassStudent is a student enrolled in a class now, and how the actor
// asking is related to them.
type ClassStudent struct {
	roster.Person
	Relations access.Relations
}

// ClassRoster returns the students of a class of the actor's district
// whose enrollment in it is active now (as access.EnrollmentActive says;
// a retired enrollment or person is not), by family name, then given
// name, each with the relations RelationsTo would return for them. What
// the actor may see of each is then access.Decide's to say, as for a
// student opened directly. A class of another district is
// problem.ErrNotFound.
func (s *Store) ClassRoster(ctx context.Context, actor access.Actor, classID int64) (out []ClassStudent, err error) {
	defer wrap(&err, "ClassRoster(%d)", classID)
	r := s.reader()
	err = r.each(ctx, `
SELECT `+personCols+`, `+relationFacts+`
FROM enrollments e JOIN people p ON p.district_id = e.district_id AND p.id = e.person_id
WHERE e.district_id = $1 AND e.class_id = $3 AND e.role = 'student' AND p.retired_at IS NULL`+activeEnrollment("e")+`
ORDER BY p.family_name, p.given_name, p.id`, s.relationArgs(actor, classID), func(row scanner) error {
		var cs ClassStudent
		var f facts
		if err := row.Scan(append(personDest(&cs.Person), f.dest()...)...); err != nil {
			return err
		}
		rel, ok := f.relations(actor, cs.ID)
		if !ok {
			// Enrolled as a student without the student role (an import
			// may leave one so): not a student record to show.
			return nil
		}
		cs.Relations = rel
		out = append(out, cs)
		return nil
	})
	if err == nil && len(out) == 0 {
		// Only a class without students needs asking whether it exists:
		// one with students does, in the actor's district.
		err = r.mustExist(ctx, tClasses, "class", actor.DistrictID, classID)
	}
	return out, err
}

// RelationsToEach is RelationsTo for many people at once, in one query:
// the relations to each student among ids, by id. Ids of no student of
// the actor's district are left out.
func (s *Store) RelationsToEach(ctx context.Context, actor access.Actor, ids []int64) (_ map[int64]access.Relations, err error) {
	defer wrap(&err, "RelationsToEach(%d people)", len(ids))
	out := make(map[int64]access.Relations, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := s.relationArgs(actor, 0)
	args[2] = s.ids(ids)
	err = s.reader().each(ctx, `SELECT p.id, `+relationFacts+` FROM people p WHERE p.district_id = $1 AND p.id IN ids($3)`,
		args, func(row scanner) error {
			var id int64
			var f facts
			if err := row.Scan(append([]any{&id}, f.dest()...)...); err != nil {
				return err
			}
			if rel, ok := f.relations(actor, id); ok {
				out[id] = rel
			}
			return nil
		})
	return out, err
}

// teachesClass is the condition that the actor $2 teaches the class
// aliased c, with an active enrollment ($4 and $5 as for
// activeEnrollment). ClassRelation and ClassListings both read it.
var teachesClass = `EXISTS (SELECT 1 FROM enrollments e WHERE e.district_id = $1 AND e.class_id = c.id AND e.person_id = $2 AND e.role = 'teacher'` +
	activeEnrollment("e") + `)`

// ClassWithRelation returns a class of the actor's district, retired or
// not, and whether the actor teaches it, as ClassRelation does, in one
// query: what an access check needs, and hands on to the page it guards.
// A class of another district is problem.ErrNotFound.
func (s *Store) ClassWithRelation(ctx context.Context, actor access.Actor, classID int64) (c roster.Class, teaches bool, err error) {
	defer wrap(&err, "ClassWithRelation(%d)", classID)
	err = s.reader().queryRow(ctx, `
SELECT `+classCols+`, `+teachesClass+`
FROM classes c WHERE c.district_id = $1 AND c.id = $3`,
		s.activeArgs(actor.DistrictID, actor.PersonID, classID)...).Scan(&c.ID, &c.DistrictID, &c.SchoolID, &c.CourseID, &c.TermID,
		&c.SourcedID, &c.Title, &c.Code, &c.Period, tsPtrCol{&c.RetiredAt}, &teaches)
	if err != nil {
		return c, false, noRows(err, "class", classID)
	}
	return c, teaches && actor.Has(roster.RoleTeacher), nil
}

// ClassRelation returns whether actor teaches a class of their district
// (with an active enrollment, as for RelationsTo) and the class's school,
// the facts access.Allow needs about a class. A class of another district
// is problem.ErrNotFound.
func (s *Store) ClassRelation(ctx context.Context, actor access.Actor, classID int64) (teaches bool, schoolID int64, err error) {
	defer wrap(&err, "ClassRelation(%d)", classID)
	err = s.reader().queryRow(ctx, `
SELECT c.school_id, `+teachesClass+`
FROM classes c WHERE c.district_id = $1 AND c.id = $3`,
		s.activeArgs(actor.DistrictID, actor.PersonID, classID)...).Scan(&schoolID, &teaches)
	if err != nil {
		return false, 0, noRows(err, "class", classID)
	}
	return teaches && actor.Has(roster.RoleTeacher), schoolID, nil
}
