package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/roster"
)

// OneRosterKnown returns what a OneRoster package may refer to without
// carrying it, for oneroster.ReadOptions.Known: every record an earlier
// import brought and is still there, and every school, term, course,
// class, person and enrollment of the district that is not retired, under
// the identifier an export gives it (its sourcedId, or "cairn-<kind>-<id>"
// for a record made in cairn).
func (s *Store) OneRosterKnown(ctx context.Context, districtID int64) (_ oneroster.Snapshot, err error) {
	defer wrap(&err, "OneRosterKnown")
	known := oneroster.Snapshot{}
	add := func(e oneroster.Entity, id string) {
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
		snap, err := loadSnapshot(ctx, r, districtID)
		if err != nil {
			return err
		}
		known = snap
		add(oneroster.Orgs, exportID("district", d.ID, d.SourcedID))
		for _, q := range []struct {
			entity oneroster.Entity
			kind   string
			table  string
		}{
			{oneroster.Orgs, "school", tSchools},
			{oneroster.AcademicSessions, "term", tTerms},
			{oneroster.Courses, "course", tCourses},
			{oneroster.Classes, "class", tClasses},
			{oneroster.Users, "person", tPeople},
			{oneroster.Enrollments, "enrollment", tEnrollments},
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

// loadSnapshot reads what the district's earlier OneRoster imports
// brought.
func loadSnapshot(ctx context.Context, r *runner, districtID int64) (oneroster.Snapshot, error) {
	snap := oneroster.Snapshot{}
	err := r.each(ctx, `SELECT entity, sourced_id, hash FROM oneroster_records WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var e, sid string
		var h int64
		if err := row.Scan(&e, &sid, &h); err != nil {
			return err
		}
		m := snap[oneroster.Entity(e)]
		if m == nil {
			m = map[string]uint64{}
			snap[oneroster.Entity(e)] = m
		}
		m[sid] = uint64(h)
		return nil
	})
	return snap, err
}

// problemLines writes problems one a line, then how many more there are.
func problemLines(ps []badinput.Problem, more int, one, many string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("and %d more %s", more, plural(more, one, many)))
	}
	return out
}

// ImportOneRoster imports a OneRoster package (from oneroster.Read or
// Open) into the district, all or nothing, in one transaction. A roster
// read with oneroster.ReadOptions.Partial lacks the rows with errors: the
// records they name (Roster.Held) are neither changed nor retired.
//
// Records are matched by sourcedId (a record that cairn exported under
// "cairn-<kind>-<id>" matches the record it came from), created when new,
// updated when they differ, and left alone when they do not: importing the
// same package twice changes nothing the second time. A file supplied in
// bulk retires what an earlier import brought and the file no longer has;
// a delta file retires what it marks tobedeleted. Retired schools, terms,
// courses, classes, people and enrollments stay, marked, so that evidence
// keeps pointing at them; a retired person's or class's enrollments are
// retired with them, and a retired person's guardian links removed. A
// record that comes back is brought back to life.
//
// What the files cannot say is checked here: a record referring to one
// this import retires, two enrollments of one person in one class as the
// same role, a username used twice. An enrollment of a person who does
// not hold the role (a student enrolled as a teacher) is left out with a
// warning: it gives no access. Each is reported (file, record and reason) in a
// *badinput.Error, and nothing is written.
func (s *Store) ImportOneRoster(ctx context.Context, districtID int64, ro *oneroster.Roster, opt ImportOptions) (rep ImportReport, err error) {
	defer wrap(&err, "ImportOneRoster")
	start := s.now()
	rep = newReport(opt.DryRun)
	rep.Warnings = append(rep.Warnings, problemLines(ro.Warnings, ro.MoreWarnings, "warning", "warnings")...)
	rep.Refused = problemLines(ro.Refused, ro.MoreRefused, "row", "rows")
	err = s.inTx(ctx, func(r *runner) error {
		if s.engine == SQLite {
			restore, err := r.smallPageCache(ctx)
			if err != nil {
				return err
			}
			defer restore()
		}
		im := &rosterImport{r: r, districtID: districtID, ro: ro, opt: opt, progress: progressFunc(opt.Progress), rep: &rep,
			now: s.ts(s.nowUTC())}
		im.probs.Limit = opt.Limit
		if err := im.run(ctx); err != nil {
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

// noTime marks a date that is not there in the rows compared below.
const noTime = math.MinInt64

// The content of each kind of record as compared and written: comparable
// values, ids resolved, lists as the JSON text the columns hold.
type (
	schoolRow struct{ name string }
	termRow   struct {
		title, typ string
		start, end int64
		parent     int64
		hasParent  bool
	}
	courseRow struct {
		school              int64
		hasSchool           bool
		title, code, grades string
	}
	classRow struct {
		school, course, term int64
		title, code, period  string
	}
	personRow struct {
		given, family, email, username, roles, schools, grade, language string
	}
	enrollmentRow struct {
		class, person    int64
		teacher, primary bool // enrolled as teacher (else student)
		begin, end       int64
	}
	demographicRow struct {
		birth                   int64
		sex, races              string
		hispanic, el, dis, econ int8 // -1 unknown, 0 no, 1 yes
	}
)

// record is a stored record of one kind: its id, sourcedId and content.
type record[T comparable] struct {
	id      int64
	sourced string
	row     T
	retired bool
}

// kindTable holds one kind of record while an import plans its writes.
// Records are kept by value in slices and found through maps of indexes,
// because a large district has hundreds of thousands of them.
type kindTable[T comparable] struct {
	kind   string // as reported: "people"
	export string // as in export ids: "person"
	table  string
	entity oneroster.Entity
	recs   []record[T]      // the stored records
	stored map[string]int32 // index in recs by export id
	byID   map[int64]int32  // index in recs by id, made on first use
	// planned are the records the import has, by export id, with their
	// final ids; writes those to create or change.
	planned map[string]int64
	writes  []record[T]
	pool    *idPool
}

func newKindTable[T comparable](r *runner, kind, export, table string, entity oneroster.Entity) *kindTable[T] {
	return &kindTable[T]{kind: kind, export: export, table: table, entity: entity,
		stored: map[string]int32{}, planned: map[string]int64{}, pool: r.newIDPool(table)}
}

func (t *kindTable[T]) load(rec record[T]) {
	key := exportID(t.export, rec.id, rec.sourced)
	t.recs = append(t.recs, rec)
	if i, ok := t.stored[key]; ok && t.recs[i].sourced == key {
		// A record whose sourcedId looks like another's export id keeps it.
		return
	}
	t.stored[key] = int32(len(t.recs) - 1)
}

// get returns the stored record key.
func (t *kindTable[T]) get(key string) (*record[T], bool) {
	i, ok := t.stored[key]
	if !ok {
		return nil, false
	}
	return &t.recs[i], true
}

// getID returns the stored record with the given id.
func (t *kindTable[T]) getID(id int64) (*record[T], bool) {
	if t.byID == nil {
		t.byID = make(map[int64]int32, len(t.recs))
		for i := range t.recs {
			t.byID[t.recs[i].id] = int32(i)
		}
	}
	i, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	return &t.recs[i], true
}

// put plans the record key with content row and returns its id.
func (t *kindTable[T]) put(ctx context.Context, im *rosterImport, key string, row T) (int64, error) {
	if id, ok := t.planned[key]; ok {
		return id, nil
	}
	if old, ok := t.get(key); ok {
		t.planned[key] = old.id
		if old.retired || old.row != row {
			t.writes = append(t.writes, record[T]{id: old.id, sourced: old.sourced, row: row})
			im.rep.Updated[t.kind]++
		} else {
			im.rep.Unchanged[t.kind]++
		}
		return old.id, nil
	}
	id, err := t.pool.take(ctx)
	if err != nil {
		return 0, err
	}
	t.planned[key] = id
	t.writes = append(t.writes, record[T]{id: id, sourced: key, row: row})
	im.rep.Created[t.kind]++
	return id, nil
}

// ref resolves a reference to a record of this kind: one the import has,
// or a stored one it neither has nor retires. ok is false when there is no
// such record; retired says it is retired, or being retired now.
func (t *kindTable[T]) ref(im *rosterImport, key string) (id int64, ok, retired bool) {
	if id, ok := t.planned[key]; ok {
		return id, true, false
	}
	if old, ok := t.get(key); ok {
		return old.id, true, old.retired || im.retiring[t.entity][key]
	}
	return 0, false, false
}

// rosterImport is one OneRoster import in progress.
type rosterImport struct {
	r          *runner
	districtID int64
	ro         *oneroster.Roster
	d          *oneroster.Domain
	opt        ImportOptions
	progress   progressFunc
	rep        *ImportReport
	probs      badinput.List
	now        any // retired_at of what this import retires

	district roster.District
	// pending holds the package's records that the snapshot of earlier
	// imports lacks or has with other content.
	pending oneroster.Snapshot
	// retiring holds, by entity, the sourcedIds of records this import
	// retires: those a bulk file no longer has, those a delta marks
	// tobedeleted.
	retiring map[oneroster.Entity]map[string]bool
	// inFile holds every sourcedId of users.csv, when supplied.
	inFile map[oneroster.Entity]map[string]bool

	schools     *kindTable[schoolRow]
	terms       *kindTable[termRow]
	courses     *kindTable[courseRow]
	classes     *kindTable[classRow]
	people      *kindTable[personRow]
	enrollments *kindTable[enrollmentRow]

	// Final roles of people, for the checks of enrollments and links.
	roles map[int64][]roster.Role

	links       map[[2]int64]string // stored guardian links -> relationship
	linkWrites  [][]any
	linkRemoves [][2]int64
	demos       map[int64]demographicRow
	demoWrites  [][]any
	demoRemoves []int64
	// enrollments whose class, person or role change: deleted before the
	// upsert puts them back, so that no two rows hold the same place for a
	// moment.
	enrollMoves []int64
	// usernames that change: cleared before the upsert, for the same
	// reason.
	usernameMoves []int64
	// mismatched counts the enrollments left out because the person does
	// not hold the role.
	mismatched int
	// claimed marks, by index, the stored enrollments the import has:
	// by sourcedId, or taken over by a new sourcedId.
	claimed []bool
}

func (im *rosterImport) addProblem(file, field, format string, args ...any) {
	im.probs.Add(badinput.Problem{File: file, Field: field, Reason: fmt.Sprintf(format, args...)})
}

func (im *rosterImport) run(ctx context.Context) error {
	r := im.r
	var err error
	if im.district, err = r.s.district(ctx, r, im.districtID); err != nil {
		return err
	}
	im.progress.report("loading", 0, 1)
	im.retiring = map[oneroster.Entity]map[string]bool{}
	if err := im.compareSnapshot(ctx); err != nil {
		return fmt.Errorf("comparing with the last import: %w", err)
	}
	im.inFile = map[oneroster.Entity]map[string]bool{}
	im.inFile[oneroster.Users] = map[string]bool{}
	im.eachRecord(func(e oneroster.Entity, rec *oneroster.Record) {
		if e == oneroster.Users {
			im.inFile[e][rec.SourcedID] = true
		}
		// A delta may delete a record that came from elsewhere (made in
		// cairn, or imported before cairn kept snapshots).
		if rec.Status == oneroster.ToBeDeleted {
			im.retire(e, rec.SourcedID)
		}
	})
	// Enrollments, the bulk of a large roster, are mapped a chunk at a
	// time as they are planned.
	lite := *im.ro
	lite.Enrollments = nil
	im.d = lite.ToDomain()
	if err := im.load(ctx); err != nil {
		return err
	}
	im.progress.report("loading", 1, 1)

	for _, step := range []func(context.Context) error{
		im.planDistrict, im.planSchools, im.planTerms, im.planCourses, im.planClasses,
		im.planPeople, im.planLinks, im.planDemographics,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	// What ToDomain left out, but for the users of a delta that only
	// lack their role rows (mergeDeltaRoles took those in).
	for _, msg := range im.d.Skipped {
		if key, ok := skippedUser(msg); ok {
			if _, planned := im.people.planned[key]; planned {
				continue
			}
		}
		im.rep.Warnings = append(im.rep.Warnings, msg)
	}
	// Enrollments last, with what ToDomain made let go.
	im.d = nil
	if err := im.planEnrollments(ctx); err != nil {
		return err
	}
	if err := im.probs.Err(); err != nil {
		return err
	}
	if err := im.write(ctx); err != nil {
		return err
	}
	if err := im.retireRecords(ctx); err != nil {
		return err
	}
	// What the snapshot needs is the package and the changes; let the
	// rest go first.
	im.schools, im.terms, im.courses, im.classes, im.people, im.enrollments = nil, nil, nil, nil, nil, nil
	im.links, im.demos, im.linkWrites, im.demoWrites, im.claimed, im.roles = nil, nil, nil, nil, nil, nil
	return im.writeSnapshot(ctx)
}

// skippedUser returns the sourcedId of the user a oneroster.Domain.Skipped
// message is about ("user \"u1\": ...").
func skippedUser(msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, "user ")
	if !ok {
		return "", false
	}
	quoted, _, ok := strings.Cut(rest, ": ")
	if !ok {
		return "", false
	}
	key, err := strconv.Unquote(quoted)
	return key, err == nil
}

func (im *rosterImport) retire(e oneroster.Entity, id string) {
	if im.retiring[e] == nil {
		im.retiring[e] = map[string]bool{}
	}
	im.retiring[e][id] = true
}

// eachRecord calls f for every record of the files the manifest supplies.
func (im *rosterImport) eachRecord(f func(oneroster.Entity, *oneroster.Record)) {
	ro := im.ro
	supplied := func(e oneroster.Entity) bool { return ro.Mode(e.File()) != oneroster.Absent }
	visit := func(e oneroster.Entity, n int, rec func(i int) *oneroster.Record) {
		if !supplied(e) {
			return
		}
		for i := range n {
			f(e, rec(i))
		}
	}
	visit(oneroster.Orgs, len(ro.Orgs), func(i int) *oneroster.Record { return &ro.Orgs[i].Record })
	visit(oneroster.AcademicSessions, len(ro.AcademicSessions), func(i int) *oneroster.Record { return &ro.AcademicSessions[i].Record })
	visit(oneroster.Courses, len(ro.Courses), func(i int) *oneroster.Record { return &ro.Courses[i].Record })
	visit(oneroster.Classes, len(ro.Classes), func(i int) *oneroster.Record { return &ro.Classes[i].Record })
	visit(oneroster.Users, len(ro.Users), func(i int) *oneroster.Record { return &ro.Users[i].Record })
	visit(oneroster.Roles, len(ro.Roles), func(i int) *oneroster.Record { return &ro.Roles[i].Record })
	visit(oneroster.Demographics, len(ro.Demographics), func(i int) *oneroster.Record { return &ro.Demographics[i].Record })
	visit(oneroster.Enrollments, len(ro.Enrollments), func(i int) *oneroster.Record { return &ro.Enrollments[i].Record })
}

// microOf is a timestamp column as compared here.
func microOf(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UTC().UnixMicro()
}

func microPtr(t *time.Time) int64 {
	if t == nil {
		return noTime
	}
	return microOf(*t)
}

// tsArg is the parameter for a timestamp compared as microseconds.
func (im *rosterImport) tsArg(v int64) any {
	if v == noTime {
		return nil
	}
	return im.r.s.ts(time.UnixMicro(v))
}

// load reads the district's records once, into maps by export id.
func (im *rosterImport) load(ctx context.Context) error {
	r, d := im.r, []any{im.districtID}
	im.schools = newKindTable[schoolRow](r, "schools", "school", tSchools, oneroster.Orgs)
	im.terms = newKindTable[termRow](r, "terms", "term", tTerms, oneroster.AcademicSessions)
	im.courses = newKindTable[courseRow](r, "courses", "course", tCourses, oneroster.Courses)
	im.classes = newKindTable[classRow](r, "classes", "class", tClasses, oneroster.Classes)
	im.people = newKindTable[personRow](r, "people", "person", tPeople, oneroster.Users)
	im.enrollments = newKindTable[enrollmentRow](r, "enrollments", "enrollment", tEnrollments, oneroster.Enrollments)
	im.roles = map[int64][]roster.Role{}
	// The large tables are counted first, to hold their records in
	// slices of the right size.
	for _, c := range []struct {
		table string
		size  func(n int)
	}{
		{tPeople, func(n int) {
			im.people.recs = make([]record[personRow], 0, n)
			im.people.stored = make(map[string]int32, n)
		}},
		{tEnrollments, func(n int) {
			im.enrollments.recs = make([]record[enrollmentRow], 0, n)
			im.enrollments.stored = make(map[string]int32, n)
		}},
	} {
		var n int
		if err := r.queryRow(ctx, `SELECT count(*) FROM `+c.table+` WHERE district_id = $1`, im.districtID).Scan(&n); err != nil {
			return fmt.Errorf("counting %s: %w", c.table, err)
		}
		c.size(n)
	}

	err := r.each(ctx, `SELECT id, sourced_id, name, retired_at IS NOT NULL FROM schools WHERE district_id = $1`, d, func(row scanner) error {
		var rec record[schoolRow]
		err := row.Scan(&rec.id, &rec.sourced, &rec.row.name, &rec.retired)
		im.schools.load(rec)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading schools: %w", err)
	}
	err = r.each(ctx, `SELECT id, sourced_id, title, type, start_date, end_date, parent_id, retired_at IS NOT NULL FROM terms WHERE district_id = $1`, d, func(row scanner) error {
		var rec record[termRow]
		var start, end time.Time
		var parent *int64
		err := row.Scan(&rec.id, &rec.sourced, &rec.row.title, &rec.row.typ, tsCol{&start}, tsCol{&end}, nullCol[int64]{&parent}, &rec.retired)
		rec.row.start, rec.row.end = microOf(start), microOf(end)
		if parent != nil {
			rec.row.parent, rec.row.hasParent = *parent, true
		}
		im.terms.load(rec)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading terms: %w", err)
	}
	err = r.each(ctx, `SELECT id, sourced_id, school_id, title, code, grades, retired_at IS NOT NULL FROM courses WHERE district_id = $1`, d, func(row scanner) error {
		var rec record[courseRow]
		var school *int64
		err := row.Scan(&rec.id, &rec.sourced, nullCol[int64]{&school}, &rec.row.title, &rec.row.code, &rec.row.grades, &rec.retired)
		if school != nil {
			rec.row.school, rec.row.hasSchool = *school, true
		}
		im.courses.load(rec)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading courses: %w", err)
	}
	err = r.each(ctx, `SELECT id, sourced_id, school_id, course_id, term_id, title, code, period, retired_at IS NOT NULL FROM classes WHERE district_id = $1`, d, func(row scanner) error {
		var rec record[classRow]
		err := row.Scan(&rec.id, &rec.sourced, &rec.row.school, &rec.row.course, &rec.row.term, &rec.row.title, &rec.row.code, &rec.row.period, &rec.retired)
		im.classes.load(rec)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading classes: %w", err)
	}
	im.progress.report("loading", 0, 1)
	err = r.each(ctx, `
SELECT id, sourced_id, given_name, family_name, email, username, roles, school_ids, grade, language, retired_at IS NOT NULL
FROM people WHERE district_id = $1`, d, func(row scanner) error {
		var rec record[personRow]
		p := &rec.row
		err := row.Scan(&rec.id, &rec.sourced, &p.given, &p.family, &p.email, &p.username, &p.roles, &p.schools, &p.grade, &p.language, &rec.retired)
		im.people.load(rec)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading people: %w", err)
	}
	err = r.each(ctx, `
SELECT id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date, retired_at IS NOT NULL
FROM enrollments WHERE district_id = $1`, d, func(row scanner) error {
		var rec record[enrollmentRow]
		e := &rec.row
		var begin, end *time.Time
		var role string
		err := row.Scan(&rec.id, &rec.sourced, &e.class, &e.person, &role, &e.primary, tsPtrCol{&begin}, tsPtrCol{&end}, &rec.retired)
		e.begin, e.end, e.teacher = microPtr(begin), microPtr(end), role == string(roster.EnrolledTeacher)
		im.enrollments.load(rec)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading enrollments: %w", err)
	}
	im.links = map[[2]int64]string{}
	err = r.each(ctx, `SELECT guardian_id, student_id, relationship FROM guardian_links WHERE district_id = $1`, d, func(row scanner) error {
		var k [2]int64
		var rel string
		err := row.Scan(&k[0], &k[1], &rel)
		im.links[k] = rel
		return err
	})
	if err != nil {
		return fmt.Errorf("loading guardian links: %w", err)
	}
	im.demos = map[int64]demographicRow{}
	err = r.each(ctx, `
SELECT student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged
FROM demographics WHERE district_id = $1`, d, func(row scanner) error {
		var id int64
		var dm roster.Demographics
		err := row.Scan(&id, tsPtrCol{&dm.BirthDate}, &dm.Sex, jsonCol{&dm.Races},
			nullCol[bool]{&dm.HispanicOrLatino}, nullCol[bool]{&dm.EnglishLearner}, nullCol[bool]{&dm.Disability}, nullCol[bool]{&dm.EconomicallyDisadvantaged})
		im.demos[id] = demographicRowOf(dm)
		return err
	})
	if err != nil {
		return fmt.Errorf("loading demographics: %w", err)
	}
	return nil
}

// planDistrict gives the district the sourcedId of the package's district
// org when it has none, so that exports name it as the student
// information system does.
func (im *rosterImport) planDistrict(ctx context.Context) error {
	org := im.d.District
	mine := exportID("district", im.district.ID, im.district.SourcedID)
	if org == nil || org.SourcedID == mine {
		if org != nil {
			im.rep.Unchanged["districts"]++
		}
		return nil
	}
	if im.district.SourcedID != "" {
		im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("orgs.csv: the district org %q is not this district (%q): its schools and people are imported into %s all the same",
			org.SourcedID, im.district.SourcedID, im.district.Name))
		return nil
	}
	taken, err := im.r.exists(ctx, `SELECT 1 FROM districts WHERE sourced_id = $1 AND id <> $2`, org.SourcedID, im.districtID)
	if err != nil {
		return err
	}
	if taken {
		im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("orgs.csv: the district org %q is another district of this database: this district keeps no sourcedId", org.SourcedID))
		return nil
	}
	if _, err := im.r.exec(ctx, `UPDATE districts SET sourced_id = $2 WHERE id = $1`, im.districtID, org.SourcedID); err != nil {
		return err
	}
	im.rep.Updated["districts"]++
	return nil
}

func (im *rosterImport) planSchools(ctx context.Context) error {
	for _, sc := range im.d.Schools {
		sc.DistrictID = im.districtID
		if err := sc.Validate(); err != nil {
			im.invalid(oneroster.Orgs, "org", sc.SourcedID, err)
			continue
		}
		if _, err := im.schools.put(ctx, im, sc.SourcedID, schoolRow{name: sc.Name}); err != nil {
			return err
		}
	}
	return nil
}

// invalid reports a record a domain rule refuses.
func (im *rosterImport) invalid(e oneroster.Entity, what, sourcedID string, err error) {
	im.addProblem(e.File(), "", "%s %q: %s", what, sourcedID, err.Error())
}

// missing reports a reference that resolves to nothing, or to a record
// that is retired.
func (im *rosterImport) missing(e oneroster.Entity, what, sourcedID, field, target, targetID string, retired bool) {
	if retired {
		im.addProblem(e.File(), field, "%s %q: %s %q is retired, or retired by this import", what, sourcedID, target, targetID)
		return
	}
	im.addProblem(e.File(), field, "%s %q: no %s %q in this package or in cairn", what, sourcedID, target, targetID)
}

func (im *rosterImport) planTerms(ctx context.Context) error {
	t := im.terms
	// Ids first: a term's parent may come after it in the file.
	var valid []oneroster.TermRef
	for _, tr := range im.d.Terms {
		tr.DistrictID = im.districtID
		if err := tr.Validate(); err != nil {
			im.invalid(oneroster.AcademicSessions, "academic session", tr.SourcedID, err)
			continue
		}
		if old, ok := t.get(tr.SourcedID); ok {
			t.planned[tr.SourcedID] = old.id
		} else {
			id, err := t.pool.take(ctx)
			if err != nil {
				return err
			}
			t.planned[tr.SourcedID] = id
		}
		valid = append(valid, tr)
	}
	for _, tr := range valid {
		row := termRow{title: tr.Title, typ: string(tr.Type), start: microOf(tr.StartDate), end: microOf(tr.EndDate)}
		if tr.ParentSourcedID != "" {
			pid, ok, retired := t.ref(im, tr.ParentSourcedID)
			if !ok || retired {
				im.missing(oneroster.AcademicSessions, "academic session", tr.SourcedID, "parentSourcedId", "academic session", tr.ParentSourcedID, retired)
				continue
			}
			row.parent, row.hasParent = pid, true
		}
		id := t.planned[tr.SourcedID]
		old, existed := t.get(tr.SourcedID)
		switch {
		case !existed:
			t.writes = append(t.writes, record[termRow]{id: id, sourced: tr.SourcedID, row: row})
			im.rep.Created[t.kind]++
		case old.retired || old.row != row:
			t.writes = append(t.writes, record[termRow]{id: id, sourced: old.sourced, row: row})
			im.rep.Updated[t.kind]++
		default:
			im.rep.Unchanged[t.kind]++
		}
	}
	im.orderTerms()
	return nil
}

// orderTerms puts the terms to write parents first, and refuses terms
// that would contain each other.
func (im *rosterImport) orderTerms() {
	t := im.terms
	parent := map[int64]int64{}
	for _, rec := range t.recs {
		if rec.row.hasParent {
			parent[rec.id] = rec.row.parent
		}
	}
	pending := map[int64]int{} // index in writes by id
	for i, w := range t.writes {
		pending[w.id] = i
		delete(parent, w.id)
		if w.row.hasParent {
			parent[w.id] = w.row.parent
		}
	}
	// Loops anywhere in the final hierarchy.
	for _, w := range t.writes {
		seen := map[int64]bool{w.id: true}
		for p, ok := parent[w.id]; ok; p, ok = parent[p] {
			if seen[p] {
				im.addProblem(oneroster.AcademicSessions.File(), "parentSourcedId", "academic session %q: the academic sessions would contain each other", w.sourced)
				return
			}
			seen[p] = true
		}
	}
	ordered := make([]record[termRow], 0, len(t.writes))
	done := map[int64]bool{}
	var visit func(w record[termRow])
	visit = func(w record[termRow]) {
		if done[w.id] {
			return
		}
		done[w.id] = true
		if i, ok := pending[w.row.parent]; ok && w.row.hasParent {
			visit(t.writes[i])
		}
		ordered = append(ordered, w)
	}
	for _, w := range t.writes {
		visit(w)
	}
	t.writes = ordered
}

func (im *rosterImport) planCourses(ctx context.Context) error {
	for _, c := range im.d.Courses {
		c.DistrictID = im.districtID
		if err := c.Validate(); err != nil {
			im.invalid(oneroster.Courses, "course", c.SourcedID, err)
			continue
		}
		row := courseRow{title: c.Title, code: c.Code, grades: jsonText(c.Grades)}
		if c.SchoolSourcedID != "" {
			id, ok, retired := im.schools.ref(im, c.SchoolSourcedID)
			if !ok || retired {
				im.missing(oneroster.Courses, "course", c.SourcedID, "orgSourcedId", "school", c.SchoolSourcedID, retired)
				continue
			}
			row.school, row.hasSchool = id, true
		}
		if _, err := im.courses.put(ctx, im, c.SourcedID, row); err != nil {
			return err
		}
	}
	return nil
}

func (im *rosterImport) planClasses(ctx context.Context) error {
	orgType := map[string]string{}
	for _, o := range im.ro.Orgs {
		orgType[o.SourcedID] = o.Type
	}
	for _, c := range im.d.Classes {
		row := classRow{title: c.Title, code: c.Code, period: c.Period}
		bad := false
		school, ok, retired := im.schools.ref(im, c.SchoolSourcedID)
		if !ok || retired {
			if t := orgType[c.SchoolSourcedID]; t != "" && t != "school" && !retired {
				im.addProblem(oneroster.Classes.File(), "schoolSourcedId", "class %q: org %q is a %s, not a school: a class is taught in a school", c.SourcedID, c.SchoolSourcedID, t)
			} else {
				im.missing(oneroster.Classes, "class", c.SourcedID, "schoolSourcedId", "school", c.SchoolSourcedID, retired)
			}
			bad = true
		}
		course, ok, retired := im.courses.ref(im, c.CourseSourcedID)
		if !ok || retired {
			im.missing(oneroster.Classes, "class", c.SourcedID, "courseSourcedId", "course", c.CourseSourcedID, retired)
			bad = true
		}
		term, ok, retired := im.terms.ref(im, c.TermSourcedID)
		if !ok || retired {
			im.missing(oneroster.Classes, "class", c.SourcedID, "termSourcedIds", "academic session", c.TermSourcedID, retired)
			bad = true
		}
		if bad {
			continue
		}
		row.school, row.course, row.term = school, course, term
		cl := c.Class
		cl.SchoolID, cl.CourseID, cl.TermID = school, course, term
		if err := cl.Validate(); err != nil {
			im.invalid(oneroster.Classes, "class", c.SourcedID, err)
			continue
		}
		if _, err := im.classes.put(ctx, im, c.SourcedID, row); err != nil {
			return err
		}
	}
	return nil
}

// plannedPerson is a person as the import will leave them.
type plannedPerson struct {
	roster.Person
	schools []int64
}

func (im *rosterImport) planPeople(ctx context.Context) error {
	ro := im.ro
	// In a OneRoster 1.2 delta, roles.csv holds the roles that changed,
	// not all of a person's roles: a stored person keeps theirs and gains
	// the new ones, and a person whose users.csv row comes without role
	// rows keeps their roles.
	delta12 := ro.Version == oneroster.Version12 && ro.Mode(oneroster.Roles.File()) != oneroster.Bulk
	var order []string
	plan := map[string]*plannedPerson{}
	for _, p := range im.d.People {
		pp := &plannedPerson{Person: p.Person}
		bad := false
		for _, sid := range p.SchoolSourcedIDs {
			id, ok, retired := im.schools.ref(im, sid)
			if !ok || retired {
				im.missing(oneroster.Users, "user", p.SourcedID, "orgSourcedIds", "school", sid, retired)
				bad = true
				continue
			}
			pp.schools = append(pp.schools, id)
		}
		if bad {
			continue
		}
		plan[p.SourcedID] = pp
		order = append(order, p.SourcedID)
	}
	if delta12 {
		if err := im.mergeDeltaRoles(plan, &order); err != nil {
			return err
		}
	}

	// Usernames must stay unique in the district once the import is done.
	owner := map[string]string{} // username -> export id of the person holding it afterwards
	for key, i := range im.people.stored {
		if rec := &im.people.recs[i]; rec.row.username != "" {
			if _, ok := plan[key]; !ok {
				owner[rec.row.username] = key
			}
		}
	}
	for _, key := range order {
		pp := plan[key]
		pp.DistrictID = im.districtID
		if err := pp.Validate(); err != nil {
			im.invalid(oneroster.Users, "user", key, err)
			continue
		}
		if u := pp.Username; u != "" {
			if other, ok := owner[u]; ok && other != key {
				im.addProblem(oneroster.Users.File(), "username", "user %q: username %q is already %s's", key, u, im.personName(other))
				continue
			}
			owner[u] = key
		}
		row := personRow{given: pp.GivenName, family: pp.FamilyName, email: pp.Email, username: pp.Username,
			roles: jsonText(pp.Roles), schools: jsonText(pp.schools), grade: pp.Grade, language: pp.Language}
		if old, ok := im.people.get(key); ok {
			if old.row.username != "" && old.row.username != row.username {
				im.usernameMoves = append(im.usernameMoves, old.id)
			}
			// The order of a person's roles and schools is not a change:
			// an export lists role rows in its own order.
			if sameJSONSet(old.row.roles, row.roles) {
				row.roles = old.row.roles
			}
			if sameJSONSet(old.row.schools, row.schools) {
				row.schools = old.row.schools
			}
		}
		id, err := im.people.put(ctx, im, key, row)
		if err != nil {
			return err
		}
		im.roles[id] = pp.Roles
	}
	return nil
}

// personName names a person of the district by export id for messages.
func (im *rosterImport) personName(key string) string {
	if rec, ok := im.people.get(key); ok {
		name := strings.TrimSpace(rec.row.given + " " + rec.row.family)
		state := ""
		if rec.retired {
			state = ", retired"
		}
		return fmt.Sprintf("%s (%q%s)", name, key, state)
	}
	return fmt.Sprintf("user %q", key)
}

// mergeDeltaRoles applies a OneRoster 1.2 delta's roles to stored people.
func (im *rosterImport) mergeDeltaRoles(plan map[string]*plannedPerson, order *[]string) error {
	ro := im.ro
	orgType := func(org string) string {
		for _, o := range ro.Orgs {
			if o.SourcedID == org {
				return o.Type
			}
		}
		if org == exportID("district", im.district.ID, im.district.SourcedID) {
			return "district"
		}
		if _, ok := im.schools.get(org); ok {
			return "school"
		}
		return ""
	}
	type extra struct {
		roles   []roster.Role
		schools []int64
	}
	extras := map[string]*extra{}
	for _, rl := range ro.Roles {
		if rl.Status != oneroster.Active {
			continue
		}
		typ := orgType(rl.OrgSourcedID)
		role, ok := oneroster.MapRole(rl.Role, []string{typ})
		if !ok {
			continue
		}
		x := extras[rl.UserSourcedID]
		if x == nil {
			x = &extra{}
			extras[rl.UserSourcedID] = x
		}
		if !slices.Contains(x.roles, role) {
			x.roles = append(x.roles, role)
		}
		if typ == "school" {
			if id, ok, _ := im.schools.ref(im, rl.OrgSourcedID); ok && !slices.Contains(x.schools, id) {
				x.schools = append(x.schools, id)
			}
		}
	}
	stored := func(key string) (*plannedPerson, bool, error) {
		rec, ok := im.people.get(key)
		if !ok {
			return nil, false, nil
		}
		pp := &plannedPerson{Person: roster.Person{GivenName: rec.row.given, FamilyName: rec.row.family, Email: rec.row.email,
			Username: rec.row.username, Grade: rec.row.grade, Language: rec.row.language}}
		if err := json.Unmarshal([]byte(rec.row.roles), &pp.Roles); err != nil {
			return nil, false, fmt.Errorf("person %d: roles: %w", rec.id, err)
		}
		if err := json.Unmarshal([]byte(rec.row.schools), &pp.schools); err != nil {
			return nil, false, fmt.Errorf("person %d: schools: %w", rec.id, err)
		}
		return pp, true, nil
	}
	merge := func(pp *plannedPerson, roles []roster.Role, schools []int64) {
		for _, r := range roles {
			if !slices.Contains(pp.Roles, r) {
				pp.Roles = append(pp.Roles, r)
			}
		}
		for _, s := range schools {
			if !slices.Contains(pp.schools, s) {
				pp.schools = append(pp.schools, s)
			}
		}
	}
	// People of the delta that are stored: their stored roles stay.
	for _, key := range *order {
		old, ok, err := stored(key)
		if err != nil {
			return err
		}
		if ok {
			pp := plan[key]
			roles, schools := pp.Roles, pp.schools
			pp.Roles, pp.schools = old.Roles, old.schools
			merge(pp, roles, schools)
		}
	}
	// Users of the delta that ToDomain left out for want of role rows.
	var bare []oneroster.User
	for _, u := range ro.Users {
		if _, ok := plan[u.SourcedID]; !ok && u.Status == oneroster.Active {
			if _, ok := im.people.get(u.SourcedID); ok {
				bare = append(bare, u)
			}
		}
	}
	if len(bare) > 0 {
		// Map their fields as ToDomain maps any user's, giving each a
		// stand-in role that is then replaced by the stored ones.
		mini := &oneroster.Roster{Version: ro.Version, Manifest: ro.Manifest, Users: bare}
		for _, u := range bare {
			mini.Roles = append(mini.Roles, oneroster.Role{Record: oneroster.Record{SourcedID: "stand-in:" + u.SourcedID, Status: oneroster.Active},
				UserSourcedID: u.SourcedID, RoleType: "primary", Role: "student"})
		}
		for _, p := range mini.ToDomain().People {
			old, _, err := stored(p.SourcedID)
			if err != nil {
				return err
			}
			pp := &plannedPerson{Person: p.Person, schools: old.schools}
			pp.Roles = old.Roles
			if x := extras[p.SourcedID]; x != nil {
				merge(pp, x.roles, x.schools)
			}
			plan[p.SourcedID] = pp
			*order = append(*order, p.SourcedID)
		}
	}
	// Roles of stored people whose users.csv row is not in the delta.
	users := map[string]bool{}
	for _, u := range ro.Users {
		users[u.SourcedID] = true
	}
	var keys []string
	for key := range extras {
		if _, ok := plan[key]; !ok && !users[key] {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		old, ok, err := stored(key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		merge(old, extras[key].roles, extras[key].schools)
		plan[key] = old
		*order = append(*order, key)
	}
	deleted := 0
	for _, rl := range ro.Roles {
		if rl.Status == oneroster.ToBeDeleted {
			deleted++
		}
	}
	if deleted > 0 {
		im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("roles.csv: %d %s marked tobedeleted: a delta row does not say whose role it was, so people keep their roles until a bulk roles.csv, or their own users.csv row with role rows, says otherwise",
			deleted, plural(deleted, "role", "roles")))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// rolesOf returns a person's roles as they will be after the import.
func (im *rosterImport) rolesOf(id int64) []roster.Role {
	if rs, ok := im.roles[id]; ok {
		return rs
	}
	rec, ok := im.people.getID(id)
	if !ok {
		return nil
	}
	var rs []roster.Role
	json.Unmarshal([]byte(rec.row.roles), &rs) // written by the store: always a list
	im.roles[id] = rs
	return rs
}

type placeKey struct {
	class, person int64
	teacher       bool
}

func roleName(teacher bool) string {
	if teacher {
		return string(roster.EnrolledTeacher)
	}
	return string(roster.EnrolledStudent)
}

// enrollmentChunk is how often the planning of enrollments reports
// progress (stage "checking").
const enrollmentChunk = 16384

// planEnrollments plans the enrollments. There is one enrollment per
// person, class and role: a new sourcedId for a place that a stored
// enrollment the package does not have holds (the information system
// dropped the enrollment and made it again) takes that row over; a place
// held by an enrollment of the package that moves elsewhere is freed
// before the writes; any other clash is refused.
func (im *rosterImport) planEnrollments(ctx context.Context) error {
	t, ro := im.enrollments, im.ro
	im.claimed = make([]bool, len(t.recs))
	for i := range ro.Enrollments {
		if e := &ro.Enrollments[i]; e.Status == oneroster.Active {
			if j, ok := t.stored[e.SourcedID]; ok {
				im.claimed[j] = true
			}
		}
	}
	var byPlace map[placeKey]int32
	holder := func(p placeKey) (int32, bool) {
		if byPlace == nil {
			byPlace = make(map[placeKey]int32, len(t.recs))
			for i, rec := range t.recs {
				byPlace[placeKey{rec.row.class, rec.row.person, rec.row.teacher}] = int32(i)
			}
		}
		i, ok := byPlace[p]
		return i, ok
	}
	type placed struct {
		place placeKey
		key   string
		own   int32 // the stored row the enrollment is written to, or -1
	}
	// The places the import puts enrollments in that their rows do not
	// hold already: only these can clash.
	var fresh []placed
	if len(t.recs) == 0 {
		t.writes = make([]record[enrollmentRow], 0, len(ro.Enrollments))
		fresh = make([]placed, 0, len(ro.Enrollments))
	}
	skipped := map[string]int{}
	im.mismatched = 0
	for i := range ro.Enrollments {
		e := &ro.Enrollments[i]
		if e.Status != oneroster.Active {
			continue
		}
		// As oneroster.ToDomain maps an enrollment, without making a
		// copy of the largest file of a roster.
		var role roster.EnrollmentRole
		switch e.Role {
		case "student":
			role = roster.EnrolledStudent
		case "teacher":
			role = roster.EnrolledTeacher
		default:
			skipped[e.Role]++
			continue
		}
		if err := im.planEnrollment(ctx, e, role, holder, func(p placeKey, own int32) { fresh = append(fresh, placed{p, e.SourcedID, own}) }); err != nil {
			return err
		}
		if i%enrollmentChunk == 0 {
			im.progress.report("checking", i, len(ro.Enrollments))
		}
	}
	im.progress.report("checking", len(ro.Enrollments), len(ro.Enrollments))
	for _, role := range sortedKeys(skipped) {
		n := skipped[role]
		im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("enrollments.csv: %d %s as %s not imported: cairn enrolls students and teachers", n, plural(n, "enrollment", "enrollments"), role))
	}
	if n := im.mismatched; n > 0 {
		im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("enrollments.csv: %d %s of people who do not hold the role (a student enrolled as a teacher, or a teacher as a student) not imported: they give no access", n, plural(n, "enrollment", "enrollments")))
	}
	slices.SortFunc(fresh, func(a, b placed) int {
		return cmp.Or(cmp.Compare(a.place.class, b.place.class), cmp.Compare(a.place.person, b.place.person),
			compareBool(a.place.teacher, b.place.teacher), strings.Compare(a.key, b.key))
	})
	moved := make(map[int64]bool, len(im.enrollMoves))
	for _, id := range im.enrollMoves {
		moved[id] = true
	}
	for i, p := range fresh {
		clash := ""
		if i > 0 && fresh[i-1].place == p.place {
			clash = fresh[i-1].key
		} else if h, held := holder(p.place); held && h != p.own && im.claimed[h] && !moved[t.recs[h].id] {
			// Held by an enrollment of the package that stays there.
			clash = exportID("enrollment", t.recs[h].id, t.recs[h].sourced)
		}
		if clash != "" {
			im.addProblem(oneroster.Enrollments.File(), "userSourcedId", "enrollment %q: enrollment %q already puts this user in class %q as %s",
				p.key, clash, im.classKey(p.place.class), roleName(p.place.teacher))
		}
	}
	return nil
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// planEnrollment plans one enrollment and passes its place to placed.
func (im *rosterImport) planEnrollment(ctx context.Context, e *oneroster.Enrollment, role roster.EnrollmentRole, holder func(placeKey) (int32, bool), placed func(placeKey, int32)) error {
	t := im.enrollments
	class, ok, retired := im.classes.ref(im, e.ClassSourcedID)
	if !ok || retired {
		im.missing(oneroster.Enrollments, "enrollment", e.SourcedID, "classSourcedId", "class", e.ClassSourcedID, retired)
		return nil
	}
	person, ok, retired := im.people.ref(im, e.UserSourcedID)
	if !ok || retired {
		im.missing(oneroster.Enrollments, "enrollment", e.SourcedID, "userSourcedId", "user", e.UserSourcedID, retired)
		return nil
	}
	teacher := role == roster.EnrolledTeacher
	need := roster.RoleStudent
	if teacher {
		need = roster.RoleTeacher
	}
	if roles := im.rolesOf(person); !slices.Contains(roles, need) {
		// Spec-valid, and common in exports: the enrollment is left out
		// rather than give the person a relation their role does not
		// (docs/privacy.md). A stored enrollment it had is retired as a
		// bulk file's missing rows are.
		im.mismatched++
		if j, ok := t.stored[e.SourcedID]; ok {
			im.claimed[j] = false
			im.retire(oneroster.Enrollments, e.SourcedID)
		}
		return nil
	}
	row := enrollmentRow{class: class, person: person, teacher: teacher, primary: e.Primary != nil && *e.Primary, begin: noTime, end: noTime}
	if !e.BeginDate.IsZero() {
		row.begin = e.BeginDate.Time().UnixMicro()
	}
	if !e.EndDate.IsZero() {
		row.end = e.EndDate.Time().UnixMicro()
	}
	place := placeKey{class, person, teacher}
	j, hasOld := t.stored[e.SourcedID]
	takeOver := false
	fresh := !hasOld || placeOf(t.recs[j].row) != place
	if fresh {
		if h, held := holder(place); held && (!hasOld || h != j) {
			switch {
			case im.claimed[h]:
				// Held by an enrollment of the package that moves away.
			case !hasOld:
				j, hasOld, takeOver = h, true, true
				im.claimed[h] = true
			default:
				im.addProblem(oneroster.Enrollments.File(), "userSourcedId", "enrollment %q: the user is already in class %q as %s by enrollment %q, which this package does not have",
					e.SourcedID, e.ClassSourcedID, role, exportID("enrollment", t.recs[h].id, t.recs[h].sourced))
				return nil
			}
		}
		own := int32(-1)
		if hasOld {
			own = j
		}
		placed(place, own)
	}
	switch {
	case !hasOld:
		id, err := t.pool.take(ctx)
		if err != nil {
			return err
		}
		t.writes = append(t.writes, record[enrollmentRow]{id: id, sourced: e.SourcedID, row: row})
		im.rep.Created[t.kind]++
	case takeOver || t.recs[j].retired || t.recs[j].row != row:
		old := &t.recs[j]
		sourced := old.sourced
		if takeOver {
			sourced = e.SourcedID
		}
		if placeOf(old.row) != place {
			im.enrollMoves = append(im.enrollMoves, old.id)
		}
		t.writes = append(t.writes, record[enrollmentRow]{id: old.id, sourced: sourced, row: row})
		im.rep.Updated[t.kind]++
	default:
		im.rep.Unchanged[t.kind]++
	}
	return nil
}

func placeOf(r enrollmentRow) placeKey { return placeKey{r.class, r.person, r.teacher} }

func (im *rosterImport) classKey(id int64) string {
	if rec, ok := im.classes.getID(id); ok {
		return exportID("class", rec.id, rec.sourced)
	}
	for key, pid := range im.classes.planned {
		if pid == id {
			return key
		}
	}
	return fmt.Sprint(id)
}

func joinRoles(rs []roster.Role) string {
	if len(rs) == 0 {
		return "none"
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ", ")
}

// planLinks works out the guardian links: those the package gives, and,
// when users.csv is in bulk, the removal of links between its users that
// it no longer gives.
func (im *rosterImport) planLinks(ctx context.Context) error {
	want := map[[2]int64]string{}
	var order [][2]int64
	add := func(g, s int64, rel string) {
		k := [2]int64{g, s}
		if _, ok := want[k]; !ok {
			order = append(order, k)
			want[k] = rel
		}
	}
	for _, l := range im.d.GuardianLinks {
		g, ok1, r1 := im.people.ref(im, l.GuardianSourcedID)
		s, ok2, r2 := im.people.ref(im, l.StudentSourcedID)
		if !ok1 || !ok2 || r1 || r2 {
			continue // the person was refused above
		}
		add(g, s, l.Relationship)
	}
	if im.ro.Mode(oneroster.Users.File()) == oneroster.Delta {
		// A delta user may name a guardian or student the delta does not
		// carry.
		relOf := map[int64]string{}
		for k, rel := range im.links {
			if rel != "" {
				relOf[k[0]] = rel
			}
		}
		for _, l := range im.d.GuardianLinks {
			if g, ok, _ := im.people.ref(im, l.GuardianSourcedID); ok && l.Relationship != "" {
				relOf[g] = l.Relationship
			}
		}
		for _, u := range im.ro.Users {
			if u.Status != oneroster.Active {
				continue
			}
			me, ok, retired := im.people.ref(im, u.SourcedID)
			if !ok || retired {
				continue
			}
			mine := im.rolesOf(me)
			for _, a := range u.AgentSourcedIDs {
				other, ok, retired := im.people.ref(im, a)
				if !ok || retired {
					continue
				}
				theirs := im.rolesOf(other)
				switch {
				case slices.Contains(mine, roster.RoleStudent) && slices.Contains(theirs, roster.RoleGuardian):
					add(other, me, relOf[other])
				case slices.Contains(mine, roster.RoleGuardian) && slices.Contains(theirs, roster.RoleStudent):
					add(me, other, relOf[me])
				}
			}
		}
	}
	for _, k := range order {
		rel := want[k]
		old, ok := im.links[k]
		switch {
		case !ok:
			im.rep.Created["guardian links"]++
		case old != rel:
			im.rep.Updated["guardian links"]++
		default:
			im.rep.Unchanged["guardian links"]++
			continue
		}
		im.linkWrites = append(im.linkWrites, []any{im.districtID, k[0], k[1], rel})
	}
	if im.ro.Mode(oneroster.Users.File()) == oneroster.Bulk {
		inFile := map[int64]bool{}
		for key := range im.inFile[oneroster.Users] {
			if id, ok := im.people.planned[key]; ok {
				inFile[id] = true
			} else if rec, ok := im.people.get(key); ok {
				inFile[rec.id] = true
			}
		}
		for k := range im.links {
			if _, keep := want[k]; !keep && inFile[k[0]] && inFile[k[1]] {
				im.linkRemoves = append(im.linkRemoves, k)
			}
		}
	}
	return nil
}

// sameJSONSet reports whether two JSON lists hold the same values, in any
// order.
func sameJSONSet(a, b string) bool {
	if a == b {
		return true
	}
	var x, y []json.RawMessage
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil || len(x) != len(y) {
		return false
	}
	xs, ys := make([]string, len(x)), make([]string, len(y))
	for i := range x {
		xs[i], ys[i] = string(x[i]), string(y[i])
	}
	slices.Sort(xs)
	slices.Sort(ys)
	return slices.Equal(xs, ys)
}

func demographicRowOf(d roster.Demographics) demographicRow {
	tri := func(b *bool) int8 {
		switch {
		case b == nil:
			return -1
		case *b:
			return 1
		}
		return 0
	}
	// Races in any order are the same races.
	races := slices.Clone(d.Races)
	slices.Sort(races)
	return demographicRow{birth: microPtr(d.BirthDate), sex: d.Sex, races: jsonText(races),
		hispanic: tri(d.HispanicOrLatino), el: tri(d.EnglishLearner), dis: tri(d.Disability), econ: tri(d.EconomicallyDisadvantaged)}
}

func (im *rosterImport) planDemographics(ctx context.Context) error {
	list := im.d.Demographics
	// ToDomain keeps demographics of the students of the package only; a
	// delta's demographics of a stored student are mapped here the same
	// way.
	have := map[string]bool{}
	for _, dm := range list {
		have[dm.StudentSourcedID] = true
	}
	var extra []oneroster.Demographic
	var users []oneroster.User
	var roles []oneroster.Role
	for _, dm := range im.ro.Demographics {
		if dm.Status != oneroster.Active || have[dm.SourcedID] {
			continue
		}
		id, ok, retired := im.people.ref(im, dm.SourcedID)
		if !ok || retired || !slices.Contains(im.rolesOf(id), roster.RoleStudent) {
			continue
		}
		extra = append(extra, dm)
		u := oneroster.User{Record: oneroster.Record{SourcedID: dm.SourcedID, Status: oneroster.Active}, GivenName: "stand-in"}
		if im.ro.Version == oneroster.Version11 {
			u.Role = "student"
		} else {
			roles = append(roles, oneroster.Role{Record: oneroster.Record{SourcedID: "stand-in:" + dm.SourcedID, Status: oneroster.Active},
				UserSourcedID: dm.SourcedID, RoleType: "primary", Role: "student"})
		}
		users = append(users, u)
	}
	if len(extra) > 0 {
		mini := &oneroster.Roster{Version: im.ro.Version, Manifest: im.ro.Manifest, Users: users, Roles: roles, Demographics: extra}
		list = append(slices.Clip(list), mini.ToDomain().Demographics...)
	}
	for _, dm := range list {
		id, ok, retired := im.people.ref(im, dm.StudentSourcedID)
		if !ok || retired {
			continue // the person was refused above
		}
		row := demographicRowOf(dm.Demographics)
		old, exists := im.demos[id]
		switch {
		case !exists:
			im.rep.Created["demographics"]++
		case old != row:
			im.rep.Updated["demographics"]++
		default:
			im.rep.Unchanged["demographics"]++
			continue
		}
		d := dm.Demographics
		im.demoWrites = append(im.demoWrites, []any{im.districtID, id, im.r.s.tsOrNull(d.BirthDate), d.Sex, jsonText(d.Races),
			nullBool(d.HispanicOrLatino), nullBool(d.EnglishLearner), nullBool(d.Disability), nullBool(d.EconomicallyDisadvantaged)})
	}
	for sid := range im.retiring[oneroster.Demographics] {
		if rec, ok := im.people.get(sid); ok {
			if _, has := im.demos[rec.id]; has {
				im.demoRemoves = append(im.demoRemoves, rec.id)
			}
		}
	}
	slices.Sort(im.demoRemoves)
	return nil
}

// write runs the planned writes, kind by kind.
func (im *rosterImport) write(ctx context.Context) error {
	r, s := im.r, im.r.s
	d := im.districtID
	err := r.writeChunks(ctx, "schools", im.progress, `INSERT INTO schools (id, district_id, sourced_id, name, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, name = excluded.name, retired_at = excluded.retired_at`,
		len(im.schools.writes), func(i int) []any {
			w := im.schools.writes[i]
			return []any{w.id, d, w.sourced, w.row.name, nil}
		})
	if err != nil {
		return err
	}
	err = r.writeChunks(ctx, "terms", im.progress, `INSERT INTO terms (id, district_id, sourced_id, title, type, start_date, end_date, parent_id, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, title = excluded.title, type = excluded.type,
    start_date = excluded.start_date, end_date = excluded.end_date, parent_id = excluded.parent_id, retired_at = excluded.retired_at`,
		len(im.terms.writes), func(i int) []any {
			w := im.terms.writes[i]
			var parent any
			if w.row.hasParent {
				parent = w.row.parent
			}
			return []any{w.id, d, w.sourced, w.row.title, w.row.typ, im.tsArg(w.row.start), im.tsArg(w.row.end), parent, nil}
		})
	if err != nil {
		return err
	}
	err = r.writeChunks(ctx, "courses", im.progress, `INSERT INTO courses (id, district_id, school_id, sourced_id, title, code, grades, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, sourced_id = excluded.sourced_id, title = excluded.title,
    code = excluded.code, grades = excluded.grades, retired_at = excluded.retired_at`,
		len(im.courses.writes), func(i int) []any {
			w := im.courses.writes[i]
			var school any
			if w.row.hasSchool {
				school = w.row.school
			}
			return []any{w.id, d, school, w.sourced, w.row.title, w.row.code, w.row.grades, nil}
		})
	if err != nil {
		return err
	}
	err = r.writeChunks(ctx, "classes", im.progress, `INSERT INTO classes (id, district_id, school_id, course_id, term_id, sourced_id, title, code, period, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, course_id = excluded.course_id, term_id = excluded.term_id,
    sourced_id = excluded.sourced_id, title = excluded.title, code = excluded.code, period = excluded.period, retired_at = excluded.retired_at`,
		len(im.classes.writes), func(i int) []any {
			w := im.classes.writes[i]
			return []any{w.id, d, w.row.school, w.row.course, w.row.term, w.sourced, w.row.title, w.row.code, w.row.period, nil}
		})
	if err != nil {
		return err
	}
	if len(im.usernameMoves) > 0 {
		if _, err := r.exec(ctx, `UPDATE people SET username = '' WHERE district_id = $1 AND id IN ids($2)`, d, s.ids(im.usernameMoves)); err != nil {
			return err
		}
	}
	err = r.writeChunks(ctx, "people", im.progress, `
INSERT INTO people (id, district_id, sourced_id, given_name, family_name, email, username, roles, school_ids, grade, language, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, given_name = excluded.given_name, family_name = excluded.family_name,
    email = excluded.email, username = excluded.username, roles = excluded.roles, school_ids = excluded.school_ids,
    grade = excluded.grade, language = excluded.language, retired_at = excluded.retired_at`,
		len(im.people.writes), func(i int) []any {
			w := im.people.writes[i]
			p := w.row
			return []any{w.id, d, w.sourced, p.given, p.family, p.email, p.username, p.roles, p.schools, p.grade, p.language, nil}
		})
	if err != nil {
		return conflictOr(err, "username", "a username of the package")
	}
	if len(im.enrollMoves) > 0 {
		if _, err := r.exec(ctx, `DELETE FROM enrollments WHERE district_id = $1 AND id IN ids($2)`, d, s.ids(im.enrollMoves)); err != nil {
			return err
		}
	}
	err = r.writeChunks(ctx, "enrollments", im.progress, `
INSERT INTO enrollments (id, district_id, sourced_id, class_id, person_id, role, is_primary, begin_date, end_date, retired_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET sourced_id = excluded.sourced_id, class_id = excluded.class_id, person_id = excluded.person_id,
    role = excluded.role, is_primary = excluded.is_primary, begin_date = excluded.begin_date, end_date = excluded.end_date,
    retired_at = excluded.retired_at`,
		len(im.enrollments.writes), func(i int) []any {
			w := im.enrollments.writes[i]
			e := w.row
			role := roster.EnrolledStudent
			if e.teacher {
				role = roster.EnrolledTeacher
			}
			return []any{w.id, d, w.sourced, e.class, e.person, string(role), e.primary, im.tsArg(e.begin), im.tsArg(e.end), nil}
		})
	if err != nil {
		return err
	}
	if len(im.linkWrites) > 0 {
		err := r.insertRows(ctx, `INSERT INTO guardian_links (district_id, guardian_id, student_id, relationship) VALUES `,
			` ON CONFLICT (guardian_id, student_id) DO UPDATE SET relationship = excluded.relationship`, im.linkWrites)
		if err != nil {
			return fmt.Errorf("writing guardian links: %w", err)
		}
	}
	im.progress.report("guardians", len(im.linkWrites), len(im.linkWrites))
	if err := im.removeLinks(ctx, im.linkRemoves); err != nil {
		return err
	}
	if len(im.demoWrites) > 0 {
		err := r.insertRows(ctx, `
INSERT INTO demographics (district_id, student_id, birth_date, sex, races, hispanic_or_latino, english_learner, disability, economically_disadvantaged) VALUES `, `
ON CONFLICT (student_id) DO UPDATE SET
    birth_date = excluded.birth_date, sex = excluded.sex, races = excluded.races,
    hispanic_or_latino = excluded.hispanic_or_latino, english_learner = excluded.english_learner,
    disability = excluded.disability, economically_disadvantaged = excluded.economically_disadvantaged`, im.demoWrites)
		if err != nil {
			return fmt.Errorf("writing demographics: %w", err)
		}
	}
	if len(im.demoRemoves) > 0 {
		if _, err := r.exec(ctx, `DELETE FROM demographics WHERE district_id = $1 AND student_id IN ids($2)`, d, s.ids(im.demoRemoves)); err != nil {
			return fmt.Errorf("removing demographics: %w", err)
		}
		im.rep.Removed["demographics"] += len(im.demoRemoves)
	}
	im.progress.report("demographics", len(im.demoWrites), len(im.demoWrites))
	return nil
}

// removeLinks deletes guardian links.
func (im *rosterImport) removeLinks(ctx context.Context, links [][2]int64) error {
	if len(links) == 0 {
		return nil
	}
	a, b := make([]int64, len(links)), make([]int64, len(links))
	for i, k := range links {
		a[i], b[i] = k[0], k[1]
	}
	pairs, args := im.r.s.pairsSQL(a, b)
	res, err := im.r.exec(ctx, `DELETE FROM guardian_links WHERE district_id = $1 AND (guardian_id, student_id) IN (SELECT p.a, p.b FROM `+pairs+`)`,
		append([]any{im.districtID}, args...)...)
	if err != nil {
		return fmt.Errorf("removing guardian links: %w", err)
	}
	n, _ := res.RowsAffected()
	im.rep.Removed["guardian links"] += int(n)
	return nil
}

// retireRecords marks what this import retires.
func (im *rosterImport) retireRecords(ctx context.Context) error {
	r, s := im.r, im.r.s
	retire := func(kind string, ids []int64, table string) error {
		if len(ids) == 0 {
			return nil
		}
		res, err := r.exec(ctx, `UPDATE `+table+` SET retired_at = $2 WHERE district_id = $1 AND retired_at IS NULL AND id IN ids($3)`,
			im.districtID, im.now, s.ids(ids))
		if err != nil {
			return fmt.Errorf("retiring %s: %w", kind, err)
		}
		n, _ := res.RowsAffected()
		im.rep.Retired[kind] += int(n)
		return nil
	}
	idsOf := func(e oneroster.Entity, stored func(key string) (int64, bool, bool)) []int64 {
		var out []int64
		for key := range im.retiring[e] {
			if id, ok, retired := stored(key); ok && !retired {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	schools := idsOf(oneroster.Orgs, im.schools.storedRec)
	if org := exportID("district", im.district.ID, im.district.SourcedID); im.retiring[oneroster.Orgs][org] {
		im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("orgs.csv: the district org %q is gone from the package: the district itself is never retired", org))
	}
	terms := idsOf(oneroster.AcademicSessions, im.terms.storedRec)
	courses := idsOf(oneroster.Courses, im.courses.storedRec)
	classes := idsOf(oneroster.Classes, im.classes.storedRec)
	people := idsOf(oneroster.Users, im.people.storedRec)
	var enrollments []int64
	for key := range im.retiring[oneroster.Enrollments] {
		if i, ok := im.enrollments.stored[key]; ok && !im.enrollments.recs[i].retired && !im.claimed[i] {
			enrollments = append(enrollments, im.enrollments.recs[i].id)
		}
	}
	// The enrollments of people and classes retired go with them.
	gone := map[int64]bool{}
	for _, id := range people {
		gone[id] = true
	}
	goneClass := map[int64]bool{}
	for _, id := range classes {
		goneClass[id] = true
	}
	if len(gone)+len(goneClass) > 0 {
		for i, rec := range im.enrollments.recs {
			if !rec.retired && !im.claimed[i] && (gone[rec.row.person] || goneClass[rec.row.class]) {
				enrollments = append(enrollments, rec.id)
			}
		}
	}
	slices.Sort(enrollments)
	enrollments = slices.Compact(enrollments)
	im.progress.report("retiring", 0, 1)
	for _, x := range []struct {
		kind, table string
		ids         []int64
	}{
		{"schools", tSchools, schools}, {"terms", tTerms, terms}, {"courses", tCourses, courses},
		{"classes", tClasses, classes}, {"people", tPeople, people}, {"enrollments", tEnrollments, enrollments},
	} {
		if err := retire(x.kind, x.ids, x.table); err != nil {
			return err
		}
	}
	// A retired guardian no longer sees the student, nor is seen as theirs.
	var links [][2]int64
	for k := range im.links {
		if gone[k[0]] || gone[k[1]] {
			if !slices.Contains(im.linkRemoves, k) {
				links = append(links, k)
			}
		}
	}
	if err := im.removeLinks(ctx, links); err != nil {
		return err
	}
	im.progress.report("retiring", 1, 1)
	return nil
}

// storedRec says whether the stored record key exists, its id, and
// whether it is already retired or kept by the import (so not to retire).
func (t *kindTable[T]) storedRec(key string) (int64, bool, bool) {
	rec, ok := t.get(key)
	if !ok {
		return 0, false, false
	}
	_, planned := t.planned[key]
	return rec.id, true, rec.retired || planned
}

// compareSnapshot goes through what earlier imports brought, a row at a
// time, against the package, as oneroster.Diff does without holding both:
// im.pending keeps the package's records that are new or changed, and the
// records a bulk file no longer has are marked for retiring.
func (im *rosterImport) compareSnapshot(ctx context.Context) error {
	im.pending = im.ro.Snapshot()
	return im.r.each(ctx, `SELECT entity, sourced_id, hash FROM oneroster_records WHERE district_id = $1`, []any{im.districtID}, func(row scanner) error {
		var entity, id string
		var h int64
		if err := row.Scan(&entity, &id, &h); err != nil {
			return err
		}
		e := oneroster.Entity(entity)
		mode := im.ro.Mode(e.File())
		if mode == oneroster.Absent {
			return nil
		}
		cur, ok := im.pending[e][id]
		switch {
		case ok && cur == uint64(h):
			delete(im.pending[e], id)
		case ok:
			// Changed: it stays pending.
		case mode == oneroster.Bulk && !im.ro.IsHeld(e, id):
			im.retire(e, id)
		}
		return nil
	})
}

// writeSnapshot records what this import brought, for the next one to
// compare with.
func (im *rosterImport) writeSnapshot(ctx context.Context) error {
	r, s := im.r, im.r.s
	for _, e := range oneroster.AllEntities {
		if len(im.retiring[e]) > 0 {
			_, err := r.exec(ctx, `DELETE FROM oneroster_records WHERE district_id = $1 AND entity = $2 AND `+s.inStrs("sourced_id", 3),
				im.districtID, string(e), s.strs(sortedKeys(im.retiring[e])))
			if err != nil {
				return fmt.Errorf("recording the import: %w", err)
			}
		}
	}
	total := 0
	for _, m := range im.pending {
		total += len(m)
	}
	done := 0
	for _, e := range oneroster.AllEntities {
		ids := sortedKeys(im.pending[e])
		// Each record is kept as read, for exports (oneroster.Kept).
		n, row := im.ro.Rows(e)
		at := make(map[string]int, len(ids))
		for i := range n {
			if id, active, _ := row(i); active {
				if _, ok := im.pending[e][id]; ok {
					at[id] = i
				}
			}
		}
		var jsonErr error
		err := r.writeChunks(ctx, "snapshot", func(_ string, n, _ int) { im.progress.report("snapshot", done+n, total) },
			`INSERT INTO oneroster_records (district_id, entity, sourced_id, hash, record) VALUES `,
			` ON CONFLICT (district_id, entity, sourced_id) DO UPDATE SET hash = excluded.hash, record = excluded.record`, len(ids), func(i int) []any {
				kept := ""
				if j, ok := at[ids[i]]; ok {
					_, _, rec := row(j)
					b, err := json.Marshal(rec)
					jsonErr = cmp.Or(jsonErr, err)
					kept = string(b)
				}
				return []any{im.districtID, string(e), ids[i], int64(im.pending[e][ids[i]]), kept}
			})
		if err := cmp.Or(err, jsonErr); err != nil {
			return err
		}
		done += len(ids)
	}
	im.progress.report("snapshot", total, total)
	return nil
}
