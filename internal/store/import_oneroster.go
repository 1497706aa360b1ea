package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/roster"
)

// Entities of OneRoster as the store keeps the records of earlier imports
// (oneroster.Entity names them the same).
const (
	entityOrgs             = "orgs"
	entityAcademicSessions = "academicSessions"
	entityCourses          = "courses"
	entityClasses          = "classes"
	entityUsers            = "users"
	entityEnrollments      = "enrollments"
)

// OneRosterKnown returns what a OneRoster package may refer to without
// carrying it, by entity ("users") and sourcedId, for
// oneroster.ReadOptions.Known: every record an earlier import brought and
// is still there, with its hash, and every school, term, course, class,
// person and enrollment of the district that is not retired, under the
// identifier an export gives it (its sourcedId, or "cairn-<kind>-<id>" for
// a record made in cairn).
func (s *Store) OneRosterKnown(ctx context.Context, districtID int64) (_ map[string]map[string]uint64, err error) {
	defer wrap(&err, "OneRosterKnown")
	known := map[string]map[string]uint64{}
	add := func(e string, id string) {
		if known[e] == nil {
			known[e] = map[string]uint64{}
		}
		if _, ok := known[e][id]; !ok {
			known[e][id] = 0
		}
	}
	err = s.inReadTx(ctx, func(r *runner) error {
		d, err := s.district(ctx, r, districtID)
		if err != nil {
			return err
		}
		err = eachKept(ctx, r, districtID, func(k importplan.KeptHash) {
			if known[k.Entity] == nil {
				known[k.Entity] = map[string]uint64{}
			}
			known[k.Entity][k.SourcedID] = k.Hash
		})
		if err != nil {
			return err
		}
		add(entityOrgs, exportID("district", d.ID, d.SourcedID))
		for _, q := range []struct {
			entity string
			kind   string
			table  string
		}{
			{entityOrgs, "school", tSchools},
			{entityAcademicSessions, "term", tTerms},
			{entityCourses, "course", tCourses},
			{entityClasses, "class", tClasses},
			{entityUsers, "person", tPeople},
			{entityEnrollments, "enrollment", tEnrollments},
		} {
			err := r.each(ctx, `SELECT id, sourced_id FROM `+q.table+` WHERE district_id = $1 AND retired_at IS NULL`, []any{districtID}, func(row scanner) error {
				var id int64
				var sid string
				if err := row.Scan(&id, &sid); err != nil {
					return err
				}
				add(q.entity, exportID(q.kind, id, sid))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return known, err
}

// district reads a district through r.
func (s *Store) district(ctx context.Context, r *runner, id int64) (roster.District, error) {
	d, err := scanDistrict(r.queryRow(ctx, `SELECT `+districtCols+` FROM districts WHERE id = $1`, id))
	return d, noRows(err, "district", id)
}

// eachKept calls f for each record the district's earlier OneRoster
// imports brought, as it reads them.
func eachKept(ctx context.Context, r *runner, districtID int64, f func(importplan.KeptHash)) error {
	return r.each(ctx, `SELECT entity, sourced_id, hash FROM oneroster_records WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var k importplan.KeptHash
		var h int64
		if err := row.Scan(&k.Entity, &k.SourcedID, &h); err != nil {
			return err
		}
		k.Hash = uint64(h)
		f(k)
		return nil
	})
}

// RosterPlanner plans a roster import against what the district holds
// (oneroster.Plan); a *oneroster.Roster is one.
type RosterPlanner interface {
	// PlanImport plans the import against snap, or refuses it.
	PlanImport(snap *importplan.RosterSnapshot, opt importplan.Options) (*importplan.RosterPlan, error)
}

// ImportOneRoster imports a OneRoster package into the district, all or
// nothing, in one transaction: it reads what the district holds, has ro
// plan the import against it (see oneroster.Plan for what a plan does and
// refuses), and writes the plan. A refused plan's error is returned as
// the planner gave it, and nothing is written.
//
// Retired schools, terms, courses, classes, people and enrollments stay,
// marked, so that evidence keeps pointing at them.
func (s *Store) ImportOneRoster(ctx context.Context, districtID int64, ro RosterPlanner, opt ImportOptions) (rep ImportReport, err error) {
	defer wrap(&err, "ImportOneRoster")
	start := s.now()
	rep = newReport(opt.DryRun)
	err = s.inTx(ctx, func(r *runner) error {
		if s.engine == SQLite {
			restore, err := r.smallPageCache(ctx)
			if err != nil {
				return err
			}
			defer restore()
		}
		ap := &rosterApply{r: r, districtID: districtID, progress: progressFunc(opt.Progress), rep: &rep, now: s.ts(s.nowUTC())}
		snap, err := ap.snapshot(ctx)
		if err != nil {
			return err
		}
		plan, err := ro.PlanImport(snap, importplan.Options{Limit: opt.Limit, Progress: opt.Progress})
		if err != nil {
			return err
		}
		snap = nil
		if err := ap.apply(ctx, plan); err != nil {
			return err
		}
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return ImportReport{}, err
	}
	rep.Elapsed = s.now().Sub(start)
	return rep, nil
}

// importCacheKiB is the SQLite page cache of the writer while a roster is
// imported. A bulk import touches far more pages than any cache holds and
// gains little from a large one, while the writer's usual cache (64 MiB,
// for the mastery recomputations of everyday writes) would count against
// the memory a large import may use.
const importCacheKiB = 16 << 10

// smallPageCache shrinks the SQLite writer's page cache for the rest of
// the transaction, and returns the function that puts it back.
func (r *runner) smallPageCache(ctx context.Context) (restore func(), err error) {
	var was int64
	if err := r.tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
		return nil, err
	}
	if _, err := r.tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, importCacheKiB)); err != nil {
		return nil, err
	}
	return func() {
		// A connection whose pragma cannot be set back is still correct,
		// only slower or smaller; the import's own error matters more.
		if _, err := r.tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, was)); err != nil {
			r.s.log.Warn("restoring the SQLite page cache after an import", "err", err)
		}
	}, nil
}

// rosterApply is one OneRoster import in the store: the snapshot it
// reads, and the plan it writes.
type rosterApply struct {
	r          *runner
	districtID int64
	progress   progressFunc
	rep        *ImportReport
	now        any // retired_at of what this import retires
}

// microOf is a timestamp column as a plan compares it.
func microOf(t time.Time) int64 { return importplan.Micro(t) }

func microPtr(t *time.Time) int64 { return importplan.MicroPtr(t) }

// tsArg is the parameter for a timestamp compared as microseconds.
func (ap *rosterApply) tsArg(v int64) any {
	if v == importplan.NoTime {
		return nil
	}
	return ap.r.s.ts(time.UnixMicro(v))
}

// snapshot reads what the district holds of its roster.
func (ap *rosterApply) snapshot(ctx context.Context) (*importplan.RosterSnapshot, error) {
	r, d := ap.r, []any{ap.districtID}
	district, err := r.s.district(ctx, r, ap.districtID)
	if err != nil {
		return nil, err
	}
	ap.progress.report("loading", 0, 1)
	snap := &importplan.RosterSnapshot{District: district, OtherDistricts: map[string]bool{}}
	snap.IDs = r.idsOf(ctx)
	snap.EachKept = func(f func(importplan.KeptHash)) error { return eachKept(ctx, r, ap.districtID, f) }
	err = r.each(ctx, `SELECT sourced_id FROM districts WHERE sourced_id <> '' AND id <> $1`, d, func(row scanner) error {
		var sid string
		err := row.Scan(&sid)
		snap.OtherDistricts[sid] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading districts: %w", err)
	}
	// The large tables are counted first, to hold their records in
	// slices of the right size.
	for _, c := range []struct {
		table string
		size  func(n int)
	}{
		{tPeople, func(n int) { snap.People = make([]importplan.Record[importplan.Person], 0, n) }},
		{tEnrollments, func(n int) { snap.Enrollments = make([]importplan.Record[importplan.Enrollment], 0, n) }},
	} {
		var n int
		if err := r.queryRow(ctx, `SELECT count(*) FROM `+c.table+` WHERE district_id = $1`, ap.districtID).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", c.table, err)
		}
		c.size(n)
	}
	err = r.each(ctx, `SELECT id, sourced_id, name, retired_at IS NOT NULL FROM schools WHERE district_id = $1`, d, func(row scanner) error {
		var rec importplan.Record[importplan.School]
		err := row.Scan(&rec.ID, &rec.SourcedID, &rec.Row.Name, &rec.Retired)
		snap.Schools = append(snap.Schools, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading schools: %w", err)
	}
	err = r.each(ctx, `SELECT id, sourced_id, title, type, start_date, end_date, parent_id, retired_at IS NOT NULL FROM terms WHERE district_id = $1`, d, func(row scanner) error {
		var rec importplan.Record[importplan.Term]
		var start, end time.Time
		var parent *int64
		err := row.Scan(&rec.ID, &rec.SourcedID, &rec.Row.Title, &rec.Row.Type, tsCol{&start}, tsCol{&end}, nullCol[int64]{&parent}, &rec.Retired)
		rec.Row.Start, rec.Row.End = microOf(start), microOf(end)
		if parent != nil {
			rec.Row.Parent, rec.Row.HasParent = *parent, true
		}
		snap.Terms = append(snap.Terms, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading terms: %w", err)
	}
	err = r.each(ctx, `SELECT id, sourced_id, school_id, title, code, grades, retired_at IS NOT NULL FROM courses WHERE district_id = $1`, d, func(row scanner) error {
		var rec importplan.Record[importplan.Course]
		var school *int64
		err := row.Scan(&rec.ID, &rec.SourcedID, nullCol[int64]{&school}, &rec.Row.Title, &rec.Row.Code, &rec.Row.Grades, &rec.Retired)
		if school != nil {
			rec.Row.School, rec.Row.HasSchool = *school, true
		}
		snap.Courses = append(snap.Courses, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading courses: %w", err)
	}
	err = r.each(ctx, `SELECT id, sourced_id, school_id, course_id, term_id, title, code, period, retired_at IS NOT NULL FROM classes WHERE district_id = $1`, d, func(row scanner) error {
		var rec importplan.Record[importplan.Class]
		err := row.Scan(&rec.ID, &rec.SourcedID, &rec.Row.School, &rec.Row.Course, &rec.Row.Term, &rec.Row.Title, &rec.Row.Code, &rec.Row.Period, &rec.Retired)
		snap.Classes = append(snap.Classes, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading classes: %w", err)
	}
	err = r.each(ctx, `
SELECT id, sourced_id, given_name, family_name, email, username, roles, school_ids, grade, language, retired_at IS NOT NULL
FROM people WHERE district_id = $1`, d, func(row scanner) error {
		var rec importplan.Record[importplan.Person]
		p := &rec.Row
		err := row.Scan(&rec.ID, &rec.SourcedID, &p.Given, &p.Family, &p.Email, &p.Username, &p.Roles, &p.Schools, &p.Grade, &p.Language, &rec.Retired)
		snap.People = append(snap.People, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading people: %w", err)
	}
	err = r.each(ctx, `
SELECT id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date, retired_at IS NOT NULL
FROM enrollments WHERE district_id = $1`, d, func(row scanner) error {
		var rec importplan.Record[importplan.Enrollment]
		e := &rec.Row
		var begin, end *time.Time
		var role string
		err := row.Scan(&rec.ID, &rec.SourcedID, &e.Class, &e.Person, &role, &e.Primary, tsPtrCol{&begin}, tsPtrCol{&end}, &rec.Retired)
		e.Begin, e.End, e.Teacher = microPtr(begin), microPtr(end), role == string(roster.EnrolledTeacher)
		snap.Enrollments = append(snap.Enrollments, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading enrollments: %w", err)
	}
	snap.Links = map[importplan.GuardianLink]string{}
	err = r.each(ctx, `SELECT guardian_id, student_id, relationship FROM guardian_links WHERE district_id = $1`, d, func(row scanner) error {
		var k importplan.GuardianLink
		var rel string
		err := row.Scan(&k.Guardian, &k.Student, &rel)
		snap.Links[k] = rel
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading guardian links: %w", err)
	}
	snap.Demographics = map[int64]importplan.DemographicsRow{}
	err = r.each(ctx, `
SELECT student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged
FROM demographics WHERE district_id = $1`, d, func(row scanner) error {
		var id int64
		var dm roster.Demographics
		err := row.Scan(&id, tsPtrCol{&dm.BirthDate}, &dm.Sex, jsonCol{&dm.Races},
			nullCol[bool]{&dm.HispanicOrLatino}, nullCol[bool]{&dm.EnglishLearner}, nullCol[bool]{&dm.Disability}, nullCol[bool]{&dm.EconomicallyDisadvantaged})
		snap.Demographics[id] = importplan.DemographicsRowOf(dm)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading demographics: %w", err)
	}
	return snap, nil
}

// apply writes a plan: the district's sourcedId, the records kind by
// kind, links and demographics, retirements, and the records kept for the
// next import. It lets go of each part of the plan once written.
func (ap *rosterApply) apply(ctx context.Context, p *importplan.RosterPlan) error {
	r, s := ap.r, ap.r.s
	d := ap.districtID
	ap.count(p.Counts)
	if p.DistrictSourcedID != "" {
		if _, err := r.exec(ctx, `UPDATE districts SET sourced_id = $2 WHERE id = $1`, d, p.DistrictSourcedID); err != nil {
			return err
		}
	}
	err := r.writeChunks(ctx, "schools", ap.progress, `INSERT INTO schools (id, district_id, sourced_id, name, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, name = excluded.name, retired_at = excluded.retired_at`,
		len(p.Schools), func(i int) []any {
			w := p.Schools[i]
			return []any{w.ID, d, w.SourcedID, w.Row.Name, nil}
		})
	if err != nil {
		return err
	}
	err = r.writeChunks(ctx, "terms", ap.progress, `INSERT INTO terms (id, district_id, sourced_id, title, type, start_date, end_date, parent_id, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, title = excluded.title, type = excluded.type,
    start_date = excluded.start_date, end_date = excluded.end_date, parent_id = excluded.parent_id, retired_at = excluded.retired_at`,
		len(p.Terms), func(i int) []any {
			w := p.Terms[i]
			var parent any
			if w.Row.HasParent {
				parent = w.Row.Parent
			}
			return []any{w.ID, d, w.SourcedID, w.Row.Title, w.Row.Type, ap.tsArg(w.Row.Start), ap.tsArg(w.Row.End), parent, nil}
		})
	if err != nil {
		return err
	}
	err = r.writeChunks(ctx, "courses", ap.progress, `INSERT INTO courses (id, district_id, school_id, sourced_id, title, code, grades, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, sourced_id = excluded.sourced_id, title = excluded.title,
    code = excluded.code, grades = excluded.grades, retired_at = excluded.retired_at`,
		len(p.Courses), func(i int) []any {
			w := p.Courses[i]
			var school any
			if w.Row.HasSchool {
				school = w.Row.School
			}
			return []any{w.ID, d, school, w.SourcedID, w.Row.Title, w.Row.Code, w.Row.Grades, nil}
		})
	if err != nil {
		return err
	}
	err = r.writeChunks(ctx, "classes", ap.progress, `INSERT INTO classes (id, district_id, school_id, course_id, term_id, sourced_id, title, code, period, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, course_id = excluded.course_id, term_id = excluded.term_id,
    sourced_id = excluded.sourced_id, title = excluded.title, code = excluded.code, period = excluded.period, retired_at = excluded.retired_at`,
		len(p.Classes), func(i int) []any {
			w := p.Classes[i]
			return []any{w.ID, d, w.Row.School, w.Row.Course, w.Row.Term, w.SourcedID, w.Row.Title, w.Row.Code, w.Row.Period, nil}
		})
	if err != nil {
		return err
	}
	if len(p.UsernameMoves) > 0 {
		if _, err := r.exec(ctx, `UPDATE people SET username = '' WHERE district_id = $1 AND id IN ids($2)`, d, s.ids(p.UsernameMoves)); err != nil {
			return err
		}
	}
	err = r.writeChunks(ctx, "people", ap.progress, `
INSERT INTO people (id, district_id, sourced_id, given_name, family_name, email, username, roles, school_ids, grade, language, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, given_name = excluded.given_name, family_name = excluded.family_name,
    email = excluded.email, username = excluded.username, roles = excluded.roles, school_ids = excluded.school_ids,
    grade = excluded.grade, language = excluded.language, retired_at = excluded.retired_at`,
		len(p.People), func(i int) []any {
			w := p.People[i]
			pr := w.Row
			return []any{w.ID, d, w.SourcedID, pr.Given, pr.Family, pr.Email, pr.Username, pr.Roles, pr.Schools, pr.Grade, pr.Language, nil}
		})
	if err != nil {
		return conflictOr(err, "username", "a username of the package")
	}
	if len(p.EnrollmentMoves) > 0 {
		if _, err := r.exec(ctx, `DELETE FROM enrollments WHERE district_id = $1 AND id IN ids($2)`, d, s.ids(p.EnrollmentMoves)); err != nil {
			return err
		}
	}
	err = r.writeChunks(ctx, "enrollments", ap.progress, `
INSERT INTO enrollments (id, district_id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, class_id = excluded.class_id, person_id = excluded.person_id,
    role = excluded.role, is_primary = excluded.is_primary, begin_date = excluded.begin_date, end_date = excluded.end_date,
    retired_at = excluded.retired_at`,
		len(p.Enrollments), func(i int) []any {
			w := p.Enrollments[i]
			e := w.Row
			role := roster.EnrolledStudent
			if e.Teacher {
				role = roster.EnrolledTeacher
			}
			return []any{w.ID, d, w.SourcedID, e.Class, e.Person, string(role), e.Primary, ap.tsArg(e.Begin), ap.tsArg(e.End), nil}
		})
	if err != nil {
		return err
	}
	p.Schools, p.Terms, p.Courses, p.Classes, p.People, p.Enrollments = nil, nil, nil, nil, nil, nil
	if len(p.Links) > 0 {
		rows := make([][]any, len(p.Links))
		for i, l := range p.Links {
			rows[i] = []any{d, l.Guardian, l.Student, l.Relationship}
		}
		err := r.insertRows(ctx, `INSERT INTO guardian_links (district_id, guardian_id, student_id, relationship) VALUES `,
			` ON CONFLICT (guardian_id, student_id) DO UPDATE SET relationship = excluded.relationship`, rows)
		if err != nil {
			return fmt.Errorf("writing guardian links: %w", err)
		}
	}
	ap.progress.report("guardians", len(p.Links), len(p.Links))
	if err := ap.removeLinks(ctx, p.LinkRemoves); err != nil {
		return err
	}
	if len(p.Demographics) > 0 {
		rows := make([][]any, len(p.Demographics))
		for i, w := range p.Demographics {
			dm := w.Demographics
			rows[i] = []any{d, w.Student, s.tsOrNull(dm.BirthDate), dm.Sex, jsonText(dm.Races),
				nullBool(dm.HispanicOrLatino), nullBool(dm.EnglishLearner), nullBool(dm.Disability), nullBool(dm.EconomicallyDisadvantaged)}
		}
		err := r.insertRows(ctx, `
INSERT INTO demographics (district_id, student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged) VALUES `, `
ON CONFLICT (student_id) DO UPDATE SET
    birth_date = excluded.birth_date, sex = excluded.sex, races = excluded.races,
    hispanic_or_latino = excluded.hispanic_or_latino, english_learner = excluded.english_learner,
    disability = excluded.disability, economically_disadvantaged = excluded.economically_disadvantaged`, rows)
		if err != nil {
			return fmt.Errorf("writing demographics: %w", err)
		}
	}
	if len(p.DemographicsRemoves) > 0 {
		if _, err := r.exec(ctx, `DELETE FROM demographics WHERE district_id = $1 AND student_id IN ids($2)`, d, s.ids(p.DemographicsRemoves)); err != nil {
			return fmt.Errorf("removing demographics: %w", err)
		}
		ap.rep.Removed["demographics"] += len(p.DemographicsRemoves)
	}
	ap.progress.report("demographics", len(p.Demographics), len(p.Demographics))
	if err := ap.retire(ctx, p); err != nil {
		return err
	}
	return ap.keep(ctx, p.Kept)
}

// removeLinks deletes guardian links.
func (ap *rosterApply) removeLinks(ctx context.Context, links []importplan.GuardianLink) error {
	if len(links) == 0 {
		return nil
	}
	a, b := make([]int64, len(links)), make([]int64, len(links))
	for i, k := range links {
		a[i], b[i] = k.Guardian, k.Student
	}
	pairs, args := ap.r.s.pairsSQL(a, b)
	res, err := ap.r.exec(ctx, `DELETE FROM guardian_links WHERE district_id = $1 AND (guardian_id, student_id) IN (SELECT p.a, p.b FROM `+pairs+`)`,
		append([]any{ap.districtID}, args...)...)
	if err != nil {
		return fmt.Errorf("removing guardian links: %w", err)
	}
	n, _ := res.RowsAffected()
	ap.rep.Removed["guardian links"] += int(n)
	return nil
}

// count adds a plan's counts to the report.
func (ap *rosterApply) count(c importplan.Counts) {
	addCounts(ap.rep, c)
}

// addCounts adds a plan's counts, warnings and refused rows to rep.
func addCounts(rep *ImportReport, c importplan.Counts) {
	for _, x := range []struct{ to, from map[string]int }{
		{rep.Created, c.Created}, {rep.Updated, c.Updated}, {rep.Unchanged, c.Unchanged}, {rep.Removed, c.Removed},
	} {
		for k, n := range x.from {
			x.to[k] += n
		}
	}
	rep.Warnings = append(rep.Warnings, c.Warnings...)
	rep.Refused = append(rep.Refused, c.Refused...)
}

// retire marks what the plan retires, and removes the guardian links of
// the people it retires.
func (ap *rosterApply) retire(ctx context.Context, p *importplan.RosterPlan) error {
	r, s := ap.r, ap.r.s
	ap.progress.report("retiring", 0, 1)
	for _, x := range []struct {
		kind, table string
		ids         []int64
	}{
		{"schools", tSchools, p.RetireSchools}, {"terms", tTerms, p.RetireTerms}, {"courses", tCourses, p.RetireCourses},
		{"classes", tClasses, p.RetireClasses}, {"people", tPeople, p.RetirePeople}, {"enrollments", tEnrollments, p.RetireEnrollments},
	} {
		if len(x.ids) == 0 {
			continue
		}
		res, err := r.exec(ctx, `UPDATE `+x.table+` SET retired_at = $2 WHERE district_id = $1 AND retired_at IS NULL AND id IN ids($3)`,
			ap.districtID, ap.now, s.ids(x.ids))
		if err != nil {
			return fmt.Errorf("retiring %s: %w", x.kind, err)
		}
		n, _ := res.RowsAffected()
		ap.rep.Retired[x.kind] += int(n)
	}
	if err := ap.removeLinks(ctx, p.RetiredLinks); err != nil {
		return err
	}
	ap.progress.report("retiring", 1, 1)
	return nil
}

// keep records what this import brought, for the next one to compare
// with.
func (ap *rosterApply) keep(ctx context.Context, kept []importplan.KeptRecords) error {
	r, s := ap.r, ap.r.s
	total := 0
	for _, k := range kept {
		if len(k.Forget) > 0 {
			_, err := r.exec(ctx, `DELETE FROM oneroster_records WHERE district_id = $1 AND entity = $2 AND `+s.inStrs("sourced_id", 3),
				ap.districtID, k.Entity, s.strs(k.Forget))
			if err != nil {
				return fmt.Errorf("recording the import: %w", err)
			}
		}
		total += k.Count
	}
	done := 0
	for _, k := range kept {
		if k.Count == 0 {
			continue
		}
		ids, hashes, record := k.Keep()
		var jsonErr error
		err := r.writeChunks(ctx, "snapshot", func(_ string, n, _ int) { ap.progress.report("snapshot", done+n, total) },
			`INSERT INTO oneroster_records (district_id, entity, sourced_id, hash, record) VALUES `,
			` ON CONFLICT (district_id, entity, sourced_id) DO UPDATE SET hash = excluded.hash, record = excluded.record`, len(ids), func(i int) []any {
				rec, err := record(i)
				jsonErr = cmp.Or(jsonErr, err)
				return []any{ap.districtID, k.Entity, ids[i], int64(hashes[i]), rec}
			})
		if err := cmp.Or(err, jsonErr); err != nil {
			return err
		}
		done += len(ids)
	}
	ap.progress.report("snapshot", total, total)
	return nil
}
