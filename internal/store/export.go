package store

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// CASEFramework returns a framework of the district in CASE terms, as
// casepkg.FromStandards gathers it: the standards that are not retired in
// hierarchy order (a retired standard's children moved up to its nearest
// ancestor that is not), the prerequisites between them and the
// framework's crosswalks, with the URIs they were imported with, the
// records as published and when cairn last changed the framework.
func (s *Store) CASEFramework(ctx context.Context, districtID, frameworkID int64) (_ *casepkg.Framework, err error) {
	defer wrap(&err, "CASEFramework(%d)", frameworkID)
	var out *casepkg.Framework
	err = s.inReadTx(ctx, func(r *runner) error {
		var err error
		out, _, err = s.caseFramework(ctx, r, districtID, frameworkID)
		return err
	})
	return out, err
}

// caseFramework also returns the ids of the standards of the framework it
// returns, in the same order.
func (s *Store) caseFramework(ctx context.Context, r *runner, districtID, frameworkID int64) (*casepkg.Framework, []int64, error) {
	var fw standards.Framework
	var fwURI string
	var doc, defs []byte
	var changed time.Time
	err := r.queryRow(ctx, `SELECT `+frameworkCols+`, uri, case_document, case_definitions, changed_at FROM frameworks WHERE district_id = $1 AND id = $2`,
		districtID, frameworkID).Scan(frameworkDest(&fw, &fwURI, &doc, &defs, tsCol{&changed})...)
	if err != nil {
		return nil, nil, noRows(err, "framework", frameworkID)
	}
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
		return nil, nil, err
	}
	all = hierarchyOrder(all)
	prereqs, err := s.prerequisites(ctx, r, districtID)
	if err != nil {
		return nil, nil, err
	}
	crosswalks, err := s.crosswalks(ctx, r, districtID, frameworkID)
	if err != nil {
		return nil, nil, err
	}
	out, err := casepkg.FromStandards(fw, all, prereqs, crosswalks)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errNotCASE, err)
	}
	out.URI, out.Document, out.Definitions, out.Changed = fwURI, doc, defs, changed
	if out.Associations, err = s.caseAssociations(ctx, r, districtID, frameworkID); err != nil {
		return nil, nil, err
	}
	// FromStandards keeps the order of all, leaving retired ones out.
	var ids []int64
	for _, st := range all {
		if !st.Retired {
			out.Standards[len(ids)].URI = uris[st.ID]
			out.Standards[len(ids)].Item = items[st.ID]
			ids = append(ids, st.ID)
		}
	}
	return out, ids, nil
}

// ExportCASE writes a framework of the district as a CASE 1.1 CFPackage
// (see casepkg.Export) that casepkg.Parse reads back as the same
// framework: what was imported and has not changed is written as
// published, and what changed in cairn carries the time of the framework's
// last change, so an unchanged framework exports the same on every day.
// opt.Now (the store's clock when zero) serves only a framework whose last
// change is unknown, and opt.Creator defaults to the district's name.
func (s *Store) ExportCASE(ctx context.Context, districtID, frameworkID int64, opt casepkg.ExportOptions) (_ *casepkg.CFPackage, err error) {
	defer wrap(&err, "ExportCASE(%d)", frameworkID)
	fw, err := s.CASEFramework(ctx, districtID, frameworkID)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = s.nowUTC()
	}
	if opt.Creator == "" {
		d, err := s.District(ctx, districtID)
		if err != nil {
			return nil, err
		}
		opt.Creator = d.Name
	}
	return casepkg.Export(fw, opt)
}

// OneRosterDistrict gathers the district's roster for oneroster.FromDistrict:
// the people, classes and enrollments that are not retired, and the
// schools, terms and courses that are not retired or that a class or
// person still refers to.
func (s *Store) OneRosterDistrict(ctx context.Context, districtID int64) (_ oneroster.District, err error) {
	defer wrap(&err, "OneRosterDistrict")
	var d oneroster.District
	err = s.inReadTx(ctx, func(r *runner) error {
		var err error
		d, err = s.oneRosterDistrict(ctx, r, districtID)
		return err
	})
	return d, err
}

func (s *Store) oneRosterDistrict(ctx context.Context, r *runner, districtID int64) (d oneroster.District, err error) {
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
	d.Kept = &oneroster.Kept{}
	err = r.each(ctx, `SELECT entity, record FROM oneroster_records WHERE district_id = $1 AND record <> ''`, args, func(row scanner) error {
		var e, rec string
		if err := row.Scan(&e, &rec); err != nil {
			return err
		}
		return d.Kept.Add(oneroster.Entity(e), []byte(rec))
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

// ExportOneRoster writes the district's roster as a OneRoster 1.2 bulk CSV
// package (a zip) that ImportOneRoster reads back as the same records:
// importing it into the same district changes nothing, and a new district
// made from it exports the same files. Records the district's imports
// brought go out as they came, with what cairn holds of them put in
// (oneroster.FromDistrict). opt.Now defaults to the store's clock, and
// opt.SourceSystemCode to the district's sourcedId. It returns the roster
// written.
func (s *Store) ExportOneRoster(ctx context.Context, districtID int64, w io.Writer, opt oneroster.WriteOptions) (_ *oneroster.Roster, err error) {
	defer wrap(&err, "ExportOneRoster")
	d, err := s.OneRosterDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	ro, err := oneroster.FromDistrict(d)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = s.nowUTC()
	}
	if opt.SourceSystemCode == "" {
		// The district is the system the records come from.
		opt.SourceSystemCode = ro.Orgs[0].SourcedID
	}
	return ro, oneroster.Write(w, ro, opt)
}

// MasteryResults returns, for every class that is not retired, the mastery
// of each of its enrolled students on each standard of its course that is
// not retired, by class, standard (in hierarchy order) and student; only
// students with a state on the standard are listed. Identifiers are those
// of the OneRoster and CASE exports: the records' sourcedIds (or
// "cairn-<kind>-<id>"), and for a standard its CASE identifier. It also
// returns the scale of each standard's framework, by CASE identifier.
func (s *Store) MasteryResults(ctx context.Context, districtID int64) (_ []oneroster.MasteryResult, _ map[string]standards.Scale, err error) {
	defer wrap(&err, "MasteryResults")
	var out []oneroster.MasteryResult
	scaleOf := map[string]standards.Scale{}
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
		// Standards by CASE identifier, as the CASE export names them.
		stds := map[int64]standards.Standard{}
		caseIDs := map[int64]string{}
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
			if err := s.caseIdentifiers(ctx, r, districtID, fwID, caseIDs); err != nil {
				return err
			}
		}
		for _, c := range cells {
			cl := classes[c.class]
			st := stds[c.standard]
			st.SourcedID = caseIDs[st.ID]
			sc, _ := m.scaleOf(st.ID)
			scaleOf[st.SourcedID] = sc
			out = append(out, oneroster.MasteryResult{
				ClassSourcedID:   ids.classes[cl.ID],
				SchoolSourcedID:  ids.schools[cl.SchoolID],
				TermSourcedID:    ids.terms[cl.TermID],
				TermStart:        terms[cl.TermID].StartDate,
				TermEnd:          terms[cl.TermID].EndDate,
				StudentSourcedID: ids.people[c.student],
				Standard:         st,
				Value:            c.st.Value,
				Level:            c.st.LevelLabel,
				Mastered:         c.st.Mastered,
				AssessedAt:       c.st.LastAssessed,
			})
		}
		return nil
	})
	return out, scaleOf, err
}

// caseIdentifiers adds to ids the CASE identifier of each standard of a
// framework that is not retired, as ExportCASE writes it.
func (s *Store) caseIdentifiers(ctx context.Context, r *runner, districtID, frameworkID int64, ids map[int64]string) error {
	fw, stdIDs, err := s.caseFramework(ctx, r, districtID, frameworkID)
	if err != nil {
		return err
	}
	pkg, err := casepkg.Export(fw, casepkg.ExportOptions{Now: time.Unix(0, 0).UTC(), Creator: "cairn"})
	if err != nil {
		return fmt.Errorf("framework %d: %w", frameworkID, err)
	}
	// Export writes one item per standard, in order.
	for i, id := range stdIDs {
		ids[id] = pkg.CFItems[i].Identifier
	}
	return nil
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

// ExportGradebook writes per-standard mastery (MasteryResults) as a
// OneRoster 1.2 gradebook package (a zip): one line item per class and
// standard, one result per student, each tied to the standard's CASE
// identifier as its learning objective, scored on the standard's scale.
// Rows are dated by the data (terms, evidence: see
// oneroster.MasteryGradebook); now dates the zip's files, and zero means
// the store's clock.
// It returns the number of results written.
func (s *Store) ExportGradebook(ctx context.Context, districtID int64, w io.Writer, now time.Time) (_ int, err error) {
	defer wrap(&err, "ExportGradebook")
	results, scales, err := s.MasteryResults(ctx, districtID)
	if err != nil {
		return 0, err
	}
	if now.IsZero() {
		now = s.nowUTC()
	}
	// MasteryGradebook scores on one scale: one gradebook per scale, in
	// the order the scales first appear, put together.
	var order []int64
	groups := map[int64][]oneroster.MasteryResult{}
	scaleByID := map[int64]standards.Scale{}
	for _, res := range results {
		sc := scales[res.Standard.SourcedID]
		if _, ok := groups[sc.ID]; !ok {
			order = append(order, sc.ID)
			scaleByID[sc.ID] = sc
		}
		groups[sc.ID] = append(groups[sc.ID], res)
	}
	var gb oneroster.Gradebook
	for i, id := range order {
		part := oneroster.MasteryGradebook(groups[id], scaleByID[id])
		if i == 0 {
			gb.Categories = part.Categories
		}
		gb.LineItems = append(gb.LineItems, part.LineItems...)
		gb.Results = append(gb.Results, part.Results...)
	}
	if len(order) == 0 {
		gb = oneroster.MasteryGradebook(nil, standards.DefaultScale())
	}
	return len(results), oneroster.WriteGradebook(w, gb, now)
}
