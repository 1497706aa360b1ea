package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateEnrollment puts a person in a class and sets the enrollment's ID.
// The person must hold the role they are enrolled as (student or teacher).
func (s *Store) CreateEnrollment(ctx context.Context, e *roster.Enrollment) (err error) {
	defer wrap(&err, "CreateEnrollment")
	if err := e.Validate(); err != nil {
		return err
	}
	e.BeginDate, e.EndDate = utcMicroPtr(e.BeginDate), utcMicroPtr(e.EndDate)
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, e.DistrictID); err != nil {
			return err
		}
		if err := r.checkSourcedID(ctx, tEnrollments, "enrollment", e.DistrictID, 0, e.SourcedID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "classId", "class", tClasses, e.DistrictID, &e.ClassID); err != nil {
			return err
		}
		role := roster.RoleStudent
		if e.Role == roster.EnrolledTeacher {
			role = roster.RoleTeacher
		}
		if err := r.checkRole(ctx, &errs, "personId", e.DistrictID, e.PersonID, role); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		dup, err := r.exists(ctx, `SELECT 1 FROM enrollments WHERE district_id = $1 AND class_id = $2 AND person_id = $3 AND role = $4`,
			e.DistrictID, e.ClassID, e.PersonID, string(e.Role))
		if err != nil {
			return err
		}
		if dup {
			return conflictf("personId", "person %d is already enrolled in class %d as %s", e.PersonID, e.ClassID, e.Role)
		}
		e.RetiredAt = nil
		err = r.queryRow(ctx, `
INSERT INTO enrollments (district_id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			e.DistrictID, e.SourcedID, e.ClassID, e.PersonID, string(e.Role), e.Primary,
			s.tsOrNull(e.BeginDate), s.tsOrNull(e.EndDate)).Scan(&e.ID)
		return conflictOr(err, "sourcedId", e.SourcedID)
	})
}

// Enrollments lists a class's enrollments by id, retired ones included
// (with RetiredAt set): the class's history of who was in it.
func (s *Store) Enrollments(ctx context.Context, districtID, classID int64) (out []roster.Enrollment, err error) {
	defer wrap(&err, "Enrollments(class %d)", classID)
	r := s.reader()
	if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT id, district_id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date, retired_at
FROM enrollments WHERE district_id = $1 AND class_id = $2 ORDER BY id`, []any{districtID, classID}, func(row scanner) error {
		var e roster.Enrollment
		var role string
		if err := row.Scan(&e.ID, &e.DistrictID, &e.SourcedID, &e.ClassID, &e.PersonID, &role, &e.Primary,
			tsPtrCol{&e.BeginDate}, tsPtrCol{&e.EndDate}, tsPtrCol{&e.RetiredAt}); err != nil {
			return err
		}
		e.Role = roster.EnrollmentRole(role)
		out = append(out, e)
		return nil
	})
	return out, err
}

// ClassStudents lists a class's students by family name, then given name:
// those whose enrollment is active now, as access.EnrollmentActive says
// (ClassRoster adds how an actor is related to each).
func (s *Store) ClassStudents(ctx context.Context, districtID, classID int64) (_ []roster.Person, err error) {
	defer wrap(&err, "ClassStudents(%d)", classID)
	return s.classPeople(ctx, s.reader(), districtID, classID, roster.EnrolledStudent)
}

// ClassTeachers lists a class's teachers by family name, then given name:
// those whose enrollment is active now.
func (s *Store) ClassTeachers(ctx context.Context, districtID, classID int64) (_ []roster.Person, err error) {
	defer wrap(&err, "ClassTeachers(%d)", classID)
	return s.classPeople(ctx, s.reader(), districtID, classID, roster.EnrolledTeacher)
}

func (s *Store) classPeople(ctx context.Context, r *runner, districtID, classID int64, role roster.EnrollmentRole) (out []roster.Person, err error) {
	if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT `+personCols+`
FROM enrollments e JOIN people p ON p.id = e.person_id
WHERE e.district_id = $1 AND e.class_id = $2 AND e.role = $3 AND p.retired_at IS NULL`+activeEnrollment("e")+`
ORDER BY p.family_name, p.given_name, p.id`, s.activeArgs(districtID, classID, string(role)), func(row scanner) error {
		p, err := scanPerson(row)
		out = append(out, p)
		return err
	})
	return out, err
}

// PersonClasses lists the classes a person teaches or attends, by id;
// retired classes and enrollments are left out.
func (s *Store) PersonClasses(ctx context.Context, districtID, personID int64) (out []roster.Class, err error) {
	defer wrap(&err, "PersonClasses(%d)", personID)
	r := s.reader()
	if err := r.mustExist(ctx, tPeople, "person", districtID, personID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT `+classCols+` FROM classes c
WHERE c.district_id = $1 AND c.retired_at IS NULL AND c.id IN (SELECT class_id FROM enrollments WHERE district_id = $1 AND person_id = $2 AND retired_at IS NULL)
ORDER BY c.id`, []any{districtID, personID}, func(row scanner) error {
		c, err := scanClass(row)
		out = append(out, c)
		return err
	})
	return out, err
}
