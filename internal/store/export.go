package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// StoredFramework returns a framework of the district as it is stored,
// with what CASE published of it, for an export (casepkg.ExportStored):
// every standard in hierarchy order with its URI and CFItem as published,
// the district's prerequisites, the framework's crosswalks and
// associations, and when cairn last changed it.
func (s *Store) StoredFramework(ctx context.Context, districtID, frameworkID int64) (_ importplan.StoredFramework, err error) {
	defer wrap(&err, "StoredFramework(%d)", frameworkID)
	var out importplan.StoredFramework
	err = s.inReadTx(ctx, func(r *runner) error {
		var err error
		out, err = s.storedFramework(ctx, r, districtID, frameworkID)
		return err
	})
	return out, err
}

func (s *Store) storedFramework(ctx context.Context, r *runner, districtID, frameworkID int64) (importplan.StoredFramework, error) {
	var out importplan.StoredFramework
	var changed time.Time
	err := r.queryRow(ctx, `SELECT `+frameworkCols+`, uri, case_document, case_definitions, changed_at FROM frameworks WHERE district_id = $1 AND id = $2`,
		districtID, frameworkID).Scan(frameworkDest(&out.Framework, &out.URI, &out.Document, &out.Definitions, tsCol{&changed})...)
	if err != nil {
		return out, noRows(err, "framework", frameworkID)
	}
	out.Changed = changed
	var all []standards.Standard
	uris := map[int64]string{}
	items := map[int64][]byte{}
	err = r.each(ctx, `SELECT `+standardCols+`, s.uri, s.case_item FROM standards s WHERE s.district_id = $1 AND s.framework_id = $2`,
		[]any{districtID, frameworkID}, func(row scanner) error {
			var st standards.Standard
			var uri string
			var item []byte
			err := row.Scan(&st.ID, &st.DistrictID, &st.FrameworkID, &st.SourcedID, &st.Code, &st.Statement, &st.Type,
				jsonCol{&st.EducationLevels}, nullCol[int64]{&st.ParentID}, &st.Position, &st.Retired, &uri, &item)
			all = append(all, st)
			if uri != "" {
				uris[st.ID] = uri
			}
			if len(item) > 0 {
				items[st.ID] = item
			}
			return err
		})
	if err != nil {
		return out, err
	}
	for _, st := range hierarchyOrder(all) {
		out.Standards = append(out.Standards, importplan.CASEStandard{Standard: st, URI: uris[st.ID], Item: items[st.ID]})
	}
	if out.Prerequisites, err = s.prerequisites(ctx, r, districtID); err != nil {
		return out, err
	}
	if out.Crosswalks, err = s.crosswalks(ctx, r, districtID, frameworkID); err != nil {
		return out, err
	}
	if out.Associations, err = s.caseAssociations(ctx, r, districtID, frameworkID); err != nil {
		return out, err
	}
	return out, nil
}

// StoredRoster returns the district's roster as an export writes it (see
// importplan.StoredRoster and oneroster.WriteStored): the people, classes
// and enrollments that are not retired, the schools, terms and courses
// that are not retired or that a class or person still refers to, and the
// records the district's OneRoster imports kept.
func (s *Store) StoredRoster(ctx context.Context, districtID int64) (_ importplan.StoredRoster, err error) {
	defer wrap(&err, "StoredRoster")
	var d importplan.StoredRoster
	err = s.inReadTx(ctx, func(r *runner) error {
		var err error
		d, err = s.storedRoster(ctx, r, districtID)
		return err
	})
	return d, err
}

func (s *Store) storedRoster(ctx context.Context, r *runner, districtID int64) (d importplan.StoredRoster, err error) {
	if d.District, err = s.district(ctx, r, districtID); err != nil {
		return d, err
	}
	args := []any{districtID}
	retiredSchool := map[int64]bool{}
	var schools []roster.School
	err = r.each(ctx, `SELECT `+schoolCols+` FROM schools WHERE district_id = $1 ORDER BY id`, args, func(row scanner) error {
		sc, err := scanSchool(row)
		retiredSchool[sc.ID] = sc.RetiredAt != nil
		schools = append(schools, sc)
		return err
	})
	if err != nil {
		return d, err
	}
	retiredTerm := map[int64]bool{}
	var terms []roster.Term
	err = r.each(ctx, `SELECT `+termCols+` FROM terms WHERE district_id = $1 ORDER BY id`, args, func(row scanner) error {
		t, err := scanTerm(row)
		retiredTerm[t.ID] = t.RetiredAt != nil
		terms = append(terms, t)
		return err
	})
	if err != nil {
		return d, err
	}
	retiredCourse := map[int64]bool{}
	var courses []roster.Course
	err = r.each(ctx, `SELECT `+courseCols+` FROM courses WHERE district_id = $1 ORDER BY id`, args, func(row scanner) error {
		c, err := scanCourse(row)
		retiredCourse[c.ID] = c.RetiredAt != nil
		courses = append(courses, c)
		return err
	})
	if err != nil {
		return d, err
	}
	err = r.each(ctx, `SELECT `+classCols+` FROM classes c WHERE c.district_id = $1 AND c.retired_at IS NULL ORDER BY c.id`, args, func(row scanner) error {
		c, err := scanClass(row)
		d.Classes = append(d.Classes, c)
		return err
	})
	if err != nil {
		return d, err
	}
	err = r.each(ctx, `SELECT `+personCols+` FROM people p WHERE p.district_id = $1 AND p.retired_at IS NULL ORDER BY p.id`, args, func(row scanner) error {
		p, err := scanPerson(row)
		d.People = append(d.People, p)
		return err
	})
	if err != nil {
		return d, err
	}

	// What the exported records refer to goes out even when retired, so
	// that the package is whole.
	keepSchool, keepTerm, keepCourse := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, c := range d.Classes {
		keepSchool[c.SchoolID], keepTerm[c.TermID], keepCourse[c.CourseID] = true, true, true
	}
	for _, p := range d.People {
		for _, id := range p.SchoolIDs {
			keepSchool[id] = true
		}
	}
	for _, c := range courses {
		if !retiredCourse[c.ID] || keepCourse[c.ID] {
			keepCourse[c.ID] = true
			if c.SchoolID != nil {
				keepSchool[*c.SchoolID] = true
			}
		}
	}
	parentOf := map[int64]*int64{}
	for _, t := range terms {
		parentOf[t.ID] = t.ParentID
		if !retiredTerm[t.ID] {
			keepTerm[t.ID] = true
		}
	}
	for _, t := range terms {
		if keepTerm[t.ID] {
			for p := parentOf[t.ID]; p != nil && !keepTerm[*p]; p = parentOf[*p] {
				keepTerm[*p] = true
			}
		}
	}
	for _, sc := range schools {
		if !retiredSchool[sc.ID] || keepSchool[sc.ID] {
			d.Schools = append(d.Schools, sc)
		}
	}
	for _, t := range terms {
		if keepTerm[t.ID] {
			d.Terms = append(d.Terms, t)
		}
	}
	for _, c := range courses {
		if keepCourse[c.ID] {
			d.Courses = append(d.Courses, c)
		}
	}

	active := map[int64]bool{}
	for _, p := range d.People {
		active[p.ID] = true
	}
	classOK := map[int64]bool{}
	for _, c := range d.Classes {
		classOK[c.ID] = true
	}
	err = r.each(ctx, `
SELECT id, district_id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date
FROM enrollments WHERE district_id = $1 AND retired_at IS NULL ORDER BY id`, args, func(row scanner) error {
		var e roster.Enrollment
		var role string
		if err := row.Scan(&e.ID, &e.DistrictID, &e.SourcedID, &e.ClassID, &e.PersonID, &role, &e.Primary,
			tsPtrCol{&e.BeginDate}, tsPtrCol{&e.EndDate}); err != nil {
			return err
		}
		e.Role = roster.EnrollmentRole(role)
		if active[e.PersonID] && classOK[e.ClassID] {
			d.Enrollments = append(d.Enrollments, e)
		}
		return nil
	})
	if err != nil {
		return d, err
	}
	err = r.each(ctx, `SELECT district_id, guardian_id, student_id, relationship FROM guardian_links WHERE district_id = $1 ORDER BY guardian_id, student_id`,
		args, func(row scanner) error {
			var l roster.GuardianLink
			if err := row.Scan(&l.DistrictID, &l.GuardianID, &l.StudentID, &l.Relationship); err != nil {
				return err
			}
			if active[l.GuardianID] && active[l.StudentID] {
				d.Guardians = append(d.Guardians, l)
			}
			return nil
		})
	if err != nil {
		return d, err
	}
	err = r.each(ctx, `SELECT entity, record FROM oneroster_records WHERE district_id = $1 AND record <> ''`, args, func(row scanner) error {
		var k importplan.KeptJSON
		var rec string
		err := row.Scan(&k.Entity, &rec)
		k.Record = []byte(rec)
		d.Kept = append(d.Kept, k)
		return err
	})
	if err != nil {
		return d, err
	}
	err = r.each(ctx, `
SELECT district_id, student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged
FROM demographics WHERE district_id = $1 ORDER BY student_id`, args, func(row scanner) error {
		var dm roster.Demographics
		if err := row.Scan(&dm.DistrictID, &dm.StudentID, tsPtrCol{&dm.BirthDate}, &dm.Sex, jsonCol{&dm.Races},
			nullCol[bool]{&dm.HispanicOrLatino}, nullCol[bool]{&dm.EnglishLearner}, nullCol[bool]{&dm.Disability}, nullCol[bool]{&dm.EconomicallyDisadvantaged}); err != nil {
			return err
		}
		if active[dm.StudentID] {
			d.Demographics = append(d.Demographics, dm)
		}
		return nil
	})
	return d, err
}

// MasteryResults returns, for every class that is not retired, the mastery
// of each of its enrolled students on each standard of its course that is
// not retired, by class, standard (in hierarchy order) and student; only
// students with a state on the standard are listed. Records are named as
// the OneRoster export names them: their sourcedIds, or
// "cairn-<kind>-<id>". Each standard comes with its framework's scale,
// and the frameworks of the standards come with the results, read in the
// same transaction, so that a gradebook can name each standard by the
// identifier its CASE export gives it (oneroster.WriteMasteryGradebook).
func (s *Store) MasteryResults(ctx context.Context, districtID int64) (_ importplan.StoredMastery, err error) {
	defer wrap(&err, "MasteryResults")
	var out importplan.StoredMastery
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, districtID); err != nil {
			return err
		}
		type cell struct {
			class, student, standard int64
			st                       MasteryState
		}
		var cells []cell
		err := r.each(ctx, `
SELECT c.id, `+stateCols+`
FROM classes c
JOIN enrollments e ON e.district_id = c.district_id AND e.class_id = c.id AND e.role = 'student' AND e.retired_at IS NULL
JOIN people p ON p.district_id = e.district_id AND p.id = e.person_id AND p.retired_at IS NULL
JOIN course_standards cs ON cs.district_id = c.district_id AND cs.course_id = c.course_id
JOIN standards st ON st.district_id = cs.district_id AND st.id = cs.standard_id AND NOT st.retired
JOIN mastery_states ms ON ms.district_id = c.district_id AND ms.student_id = e.person_id AND ms.standard_id = cs.standard_id
WHERE c.district_id = $1 AND c.retired_at IS NULL`, []any{districtID}, func(row scanner) error {
			var c cell
			var err error
			c.st, err = scanState(row, &c.class)
			c.student, c.standard = c.st.StudentID, c.st.StandardID
			cells = append(cells, c)
			return err
		})
		if err != nil || len(cells) == 0 {
			return err
		}
		m, err := loadModel(ctx, r, districtID)
		if err != nil {
			return err
		}
		slices.SortFunc(cells, func(a, b cell) int {
			return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(m.std[a.standard].order, m.std[b.standard].order), cmp.Compare(a.student, b.student))
		})

		ids := exportIDs{}
		if err := ids.load(ctx, r, districtID); err != nil {
			return err
		}
		terms := map[int64]roster.Term{}
		err = r.each(ctx, `SELECT `+termCols+` FROM terms WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
			t, err := scanTerm(row)
			terms[t.ID] = t
			return err
		})
		if err != nil {
			return err
		}
		classes := map[int64]roster.Class{}
		err = r.each(ctx, `SELECT `+classCols+` FROM classes c WHERE c.district_id = $1`, []any{districtID}, func(row scanner) error {
			c, err := scanClass(row)
			classes[c.ID] = c
			return err
		})
		if err != nil {
			return err
		}
		stds := map[int64]standards.Standard{}
		var frameworks []int64
		for _, c := range cells {
			if _, ok := stds[c.standard]; ok {
				continue
			}
			st, err := s.standard(ctx, r, districtID, c.standard)
			if err != nil {
				return err
			}
			stds[st.ID] = st
			if !slices.Contains(frameworks, st.FrameworkID) {
				frameworks = append(frameworks, st.FrameworkID)
			}
		}
		for _, fwID := range frameworks {
			fw, err := s.storedFramework(ctx, r, districtID, fwID)
			if err != nil {
				return err
			}
			out.Frameworks = append(out.Frameworks, fw)
		}
		for _, c := range cells {
			cl := classes[c.class]
			st := stds[c.standard]
			sc, _ := m.scaleOf(st.ID)
			out.Results = append(out.Results, importplan.MasteryResult{
				ClassSourcedID:   ids.classes[cl.ID],
				SchoolSourcedID:  ids.schools[cl.SchoolID],
				TermSourcedID:    ids.terms[cl.TermID],
				TermStart:        terms[cl.TermID].StartDate,
				TermEnd:          terms[cl.TermID].EndDate,
				StudentSourcedID: ids.people[c.student],
				Standard:         st,
				Scale:            sc,
				Value:            c.st.Value,
				Level:            c.st.LevelLabel,
				Mastered:         c.st.Mastered,
				AssessedAt:       c.st.LastAssessed,
			})
		}
		return nil
	})
	return out, err
}

// exportIDs are the export identifiers of a district's records by id.
type exportIDs struct {
	schools, terms, classes, people map[int64]string
}

func (x *exportIDs) load(ctx context.Context, r *runner, districtID int64) error {
	for _, q := range []struct {
		table, kind string
		into        *map[int64]string
	}{
		{tSchools, "school", &x.schools}, {tTerms, "term", &x.terms}, {tClasses, "class", &x.classes}, {tPeople, "person", &x.people},
	} {
		m := map[int64]string{}
		err := r.each(ctx, `SELECT id, sourced_id FROM `+q.table+` WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
			var id int64
			var sid string
			err := row.Scan(&id, &sid)
			m[id] = exportID(q.kind, id, sid)
			return err
		})
		if err != nil {
			return err
		}
		*q.into = m
	}
	return nil
}
