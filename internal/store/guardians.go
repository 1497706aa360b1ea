package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// LinkGuardian records that a guardian is responsible for a student, or
// updates the relationship of an existing link. The audit entries of the
// change are written in its transaction.
func (s *Store) LinkGuardian(ctx context.Context, l roster.GuardianLink, audit ...AuditEntry) (err error) {
	defer wrap(&err, "LinkGuardian(%d, %d)", l.GuardianID, l.StudentID)
	if err := l.Validate(); err != nil {
		return err
	}
	if err := checkChangeAudit(l.DistrictID, audit); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, l.DistrictID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRole(ctx, &errs, "guardianId", l.DistrictID, l.GuardianID, roster.RoleGuardian); err != nil {
			return err
		}
		if err := r.checkRole(ctx, &errs, "studentId", l.DistrictID, l.StudentID, roster.RoleStudent); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		_, err := r.exec(ctx, `
INSERT INTO guardian_links (district_id, guardian_id, student_id, relationship) VALUES ($1, $2, $3, $4)
ON CONFLICT (guardian_id, student_id) DO UPDATE SET relationship = excluded.relationship`,
			l.DistrictID, l.GuardianID, l.StudentID, l.Relationship)
		if err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// Guardians lists a student's guardians by name.
func (s *Store) Guardians(ctx context.Context, districtID, studentID int64) (out []roster.Person, err error) {
	defer wrap(&err, "Guardians(%d)", studentID)
	r := s.reader()
	if err := r.mustExist(ctx, tPeople, "student", districtID, studentID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT `+personCols+` FROM guardian_links g JOIN people p ON p.id = g.guardian_id
WHERE g.district_id = $1 AND g.student_id = $2
ORDER BY p.family_name, p.given_name, p.id`, []any{districtID, studentID}, func(row scanner) error {
		p, err := scanPerson(row)
		out = append(out, p)
		return err
	})
	return out, err
}

// Children lists the students a guardian is responsible for, by name.
func (s *Store) Children(ctx context.Context, districtID, guardianID int64) (out []roster.Person, err error) {
	defer wrap(&err, "Children(%d)", guardianID)
	r := s.reader()
	if err := r.mustExist(ctx, tPeople, "guardian", districtID, guardianID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT `+personCols+` FROM guardian_links g JOIN people p ON p.id = g.student_id
WHERE g.district_id = $1 AND g.guardian_id = $2
ORDER BY p.family_name, p.given_name, p.id`, []any{districtID, guardianID}, func(row scanner) error {
		p, err := scanPerson(row)
		out = append(out, p)
		return err
	})
	return out, err
}

// SetDemographics stores a student's demographics, replacing any before.
func (s *Store) SetDemographics(ctx context.Context, d roster.Demographics) (err error) {
	defer wrap(&err, "SetDemographics(%d)", d.StudentID)
	d.BirthDate = utcMicroPtr(d.BirthDate)
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tPeople, "student", d.DistrictID, d.StudentID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRole(ctx, &errs, "studentId", d.DistrictID, d.StudentID, roster.RoleStudent); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		_, err := r.exec(ctx, `
INSERT INTO demographics (district_id, student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (student_id) DO UPDATE SET
    birth_date = excluded.birth_date, sex = excluded.sex, races = excluded.races,
    hispanic_or_latino = excluded.hispanic_or_latino, english_learner = excluded.english_learner,
    disability = excluded.disability, economically_disadvantaged = excluded.economically_disadvantaged`,
			d.DistrictID, d.StudentID, s.tsOrNull(d.BirthDate), d.Sex, jsonText(d.Races),
			nullBool(d.HispanicOrLatino), nullBool(d.EnglishLearner), nullBool(d.Disability), nullBool(d.EconomicallyDisadvantaged))
		return err
	})
}

// Demographics returns a student's demographics; problem.ErrNotFound when
// none were recorded.
func (s *Store) Demographics(ctx context.Context, districtID, studentID int64) (d roster.Demographics, err error) {
	defer wrap(&err, "Demographics(%d)", studentID)
	err = s.reader().queryRow(ctx, `
SELECT district_id, student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged
FROM demographics WHERE district_id = $1 AND student_id = $2`, districtID, studentID).Scan(
		&d.DistrictID, &d.StudentID, tsPtrCol{&d.BirthDate}, &d.Sex, jsonCol{&d.Races},
		nullCol[bool]{&d.HispanicOrLatino}, nullCol[bool]{&d.EnglishLearner}, nullCol[bool]{&d.Disability}, nullCol[bool]{&d.EconomicallyDisadvantaged})
	return d, noRows(err, "demographics of student", studentID)
}
