package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// EvidenceFilter narrows StudentEvidence to the evidence that scores one
// standard (0: any) and says whether voided evidence is included.
type EvidenceFilter struct {
	StandardID    int64
	IncludeVoided bool
	Page          Page
}

// RecordEvidence stores one piece of evidence and, in the same
// transaction, recomputes the student's mastery of every standard it
// scores and of all their ancestors. DistrictID and StudentID are set by
// the caller; it sets ID, RecordedAt, each score's Value and, when 0,
// Attempt. OnChange is called after the commit. The audit entries of the
// change are written in its transaction: with it, or not at all.
//
// A summative attempt the district's reassessment policy does not allow
// (no practice since the last attempt, the cap reached) is refused with
// problem.ErrConflict naming the rule; RecordEvidenceOverriding records
// it anyway, with the teacher's reason.
func (s *Store) RecordEvidence(ctx context.Context, ev *evidence.Evidence, audit ...AuditEntry) error {
	return s.recordEvidence(ctx, ev, nil, audit)
}

// RecordEvidenceOverriding is RecordEvidence for a summative attempt a
// teacher records against the district's reassessment policy: the
// override, with the rule broken and its reason, is stored in the same
// transaction. An attempt the policy allows needs no override and records
// none.
func (s *Store) RecordEvidenceOverriding(ctx context.Context, ev *evidence.Evidence, o RetakeOverride, audit ...AuditEntry) error {
	if err := checkOverride(&o); err != nil {
		return err
	}
	return s.recordEvidence(ctx, ev, &o, audit)
}

func (s *Store) recordEvidence(ctx context.Context, ev *evidence.Evidence, override *RetakeOverride, audit []AuditEntry) (err error) {
	defer wrap(&err, "RecordEvidence")
	if err := checkChangeAudit(ev.DistrictID, audit); err != nil {
		return err
	}
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		var roles sql.NullString
		var classes, recorders int
		var version sql.NullInt64
		var classID int64
		if ev.ClassID != nil {
			classID = *ev.ClassID
		}
		assessed := utcMicro(ev.AssessedAt)
		refs := `
SELECT (SELECT roles FROM people WHERE district_id = $1 AND id = $2),
       (SELECT count(*) FROM enrollments e WHERE e.district_id = $1 AND e.class_id = $3 AND e.person_id = $2` + enrolledOn("e") + `),
       (SELECT count(*) FROM people WHERE district_id = $1 AND id = $4),
       (SELECT config_version FROM districts WHERE id = $1)`
		args := []any{ev.DistrictID, ev.StudentID, classID, ev.RecordedBy,
			s.ts(assessed), s.ts(assessed.Add(-access.EnrollmentGrace))}
		dst := []any{&roles, &classes, &recorders, &version}
		var id int64
		if s.engine == Postgres {
			// The locks of lockForEvidence and the evidence's id, taken
			// in the same round trip.
			refs = `WITH locked AS (SELECT pg_advisory_xact_lock_shared($7::bigint), pg_advisory_xact_lock($8::bigint))` +
				refs + `, nextval(pg_get_serial_sequence('evidence', 'id')) FROM locked`
			args = append(args, districtLockTag^ev.DistrictID, studentLockTag^ev.StudentID)
			dst = append(dst, &id)
		}
		if err := r.queryRow(ctx, refs, args...).Scan(dst...); err != nil {
			return err
		}
		if !version.Valid {
			return problem.NotFound("district", ev.DistrictID)
		}
		e, err := r.newEngine(ctx, ev.DistrictID, version.Int64)
		if err != nil {
			return err
		}
		found := evidenceRefs{people: map[int64][]roster.Role{}, enrolled: map[[2]int64][]span{}}
		if classes > 0 {
			// The query checked the dates already.
			found.enrolled[[2]int64{ev.StudentID, classID}] = []span{{}}
		}
		if roles.Valid {
			var rs []roster.Role
			if err := (jsonCol{&rs}).Scan(roles.String); err != nil {
				return err
			}
			found.people[ev.StudentID] = rs
		}
		if recorders > 0 {
			if _, ok := found.people[ev.RecordedBy]; !ok {
				found.people[ev.RecordedBy] = nil
			}
		}
		if err := checkEvidence(ev, e, found); err != nil {
			return err
		}
		// The reassessment policy is applied under the student's lock,
		// so two attempts at once cannot both pass it.
		ovs, err := r.checkRetakes(ctx, ev.DistrictID, []evidence.Evidence{*ev}, override, false)
		if err != nil {
			return err
		}
		if err := r.resolveItems(ctx, ev.DistrictID, []*evidence.Evidence{ev}, e.now); err != nil {
			return err
		}
		prepareEvidence(ev, e.now)
		if err := r.insertChangeAudit(ctx, audit); err != nil {
			return err
		}
		if s.engine == Postgres {
			// The evidence and its scores are written by the statement
			// that reads the states (engine.withPending), one round trip
			// for three.
			ev.ID = id
			e.pending = []pendingInsert{
				{insertEvidenceHead, [][]any{evidenceRow(s, ev)}},
				{insertScoreHead, scoreRows(s, ev, nil)},
			}
			if len(ev.Scores) > smallInsert {
				// A statement text of its own for each larger count
				// would fill the cache of prepared statements.
				if err := e.flush(ctx); err != nil {
					return err
				}
			}
		} else {
			err = r.queryRow(ctx, `
INSERT INTO evidence (district_id, student_id, class_id, kind, title, assessed_at, recorded_at, recorded_by, attempt, comment, artifact_url)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, evidenceRow(s, ev)[1:]...).Scan(&ev.ID)
			if err != nil {
				return err
			}
			if err := r.insertRows(ctx, insertScoreHead, "", scoreRows(s, ev, nil)); err != nil {
				return err
			}
		}
		// Rules and alerts: what the rules compare with, read before
		// the recompute.
		prep, err := r.prepareAlerts(ctx, e, []*evidence.Evidence{ev})
		if err != nil {
			return err
		}
		more, err := e.ktRecord(ctx, []*evidence.Evidence{ev})
		if err != nil {
			return err
		}
		w := &work{student: ev.StudentID, targets: e.targetsOf(append(scored(ev, nil), more[ev.StudentID]...)), evidence: 1, fresh: freshOf(ev, nil)}
		changes, _, err = e.recompute(ctx, []*work{w})
		if err != nil {
			return err
		}
		// Rules and alerts: raised in the evidence's transaction.
		alerted, err := r.raiseEvidenceAlerts(ctx, e, prep)
		if err != nil {
			return err
		}
		changes = append(changes, alerted...)
		if len(ovs) == 0 {
			return nil
		}
		if err := e.flush(ctx); err != nil {
			return err
		}
		return r.insertOverrides(ctx, []evidence.Evidence{*ev}, override, ovs)
	})
	if err != nil {
		ev.ID = 0 // rolled back: the id names nothing
		return err
	}
	s.notify(changes)
	return nil
}

// RecordEvidenceBatch stores many pieces of evidence of one district, all
// or nothing: the first bad record is reported as problem.InRecord(i, err)
// and nothing is written. It sets the IDs in evs and computes each
// affected mastery state once for the whole batch. The audit entries of
// the change are written in its transaction: with it, or not at all.
func (s *Store) RecordEvidenceBatch(ctx context.Context, evs []evidence.Evidence, audit ...AuditEntry) (err error) {
	defer wrap(&err, "RecordEvidenceBatch(%d records)", len(evs))
	if len(evs) == 0 {
		return nil
	}
	districtID := evs[0].DistrictID
	for i := range evs {
		if evs[i].DistrictID != districtID {
			return problem.InRecord(i, problem.Invalid("districtId", "a batch holds evidence of one district (%d), not %d", districtID, evs[i].DistrictID))
		}
	}
	if err := checkChangeAudit(districtID, audit); err != nil {
		return err
	}
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		e, err := r.newEngine(ctx, districtID, anyVersion)
		if err != nil {
			return err
		}
		refs, err := r.batchRefs(ctx, districtID, evs)
		if err != nil {
			return err
		}
		ptrs := make([]*evidence.Evidence, len(evs))
		for i := range evs {
			if err := checkEvidence(&evs[i], e, refs); err != nil {
				return problem.InRecord(i, err)
			}
			ptrs[i] = &evs[i]
		}
		if err := r.resolveItems(ctx, districtID, ptrs, e.now); err != nil {
			return err
		}
		students := make([]int64, len(evs))
		for i := range evs {
			students[i] = evs[i].StudentID
		}
		if err := r.lockForEvidence(ctx, districtID, students); err != nil {
			return err
		}
		// A batch has no override: a summative attempt the reassessment
		// policy refuses is refused with its record.
		if _, err := r.checkRetakes(ctx, districtID, evs, nil, true); err != nil {
			return err
		}
		ids, err := r.reserveEvidenceIDs(ctx, len(evs))
		if err != nil {
			return err
		}
		evRows := make([][]any, len(evs))
		var scRows [][]any
		perStudent := map[int64]*work{}
		var stdsOf = map[int64][]int64{}
		for i := range evs {
			ev := &evs[i]
			prepareEvidence(ev, e.now)
			ev.ID = ids[i]
			evRows[i] = evidenceRow(s, ev)
			scRows = scoreRows(s, ev, scRows)
			w, ok := perStudent[ev.StudentID]
			if !ok {
				w = &work{student: ev.StudentID}
				perStudent[ev.StudentID] = w
			}
			w.evidence++
			w.fresh = freshOf(ev, w.fresh)
			stdsOf[ev.StudentID] = scored(ev, stdsOf[ev.StudentID])
		}
		if err := r.insertRows(ctx, insertEvidenceHead, "", evRows); err != nil {
			return err
		}
		if err := r.insertRows(ctx, insertScoreHead, "", scRows); err != nil {
			return err
		}
		if err := r.insertChangeAudit(ctx, audit); err != nil {
			return err
		}
		// Rules and alerts: what the rules compare with, read before
		// the recompute.
		prep, err := r.prepareAlerts(ctx, e, ptrs)
		if err != nil {
			return err
		}
		more, err := e.ktRecord(ctx, ptrs)
		if err != nil {
			return err
		}
		items := make([]*work, 0, len(perStudent))
		for student, w := range perStudent {
			w.targets = e.targetsOf(append(stdsOf[student], more[student]...))
			items = append(items, w)
		}
		slices.SortFunc(items, func(a, b *work) int { return cmp.Compare(a.student, b.student) })
		changes, _, err = e.recompute(ctx, items)
		if err != nil {
			return err
		}
		// Rules and alerts: raised in the evidence's transaction.
		alerted, err := r.raiseEvidenceAlerts(ctx, e, prep)
		changes = append(changes, alerted...)
		return err
	})
	if err != nil {
		for i := range evs {
			evs[i].ID = 0
		}
		return err
	}
	s.notify(changes)
	return nil
}

// evidenceRefs are the people of the district that evidence refers to,
// and the enrollments of its students in its classes; a person missing
// from people is not in the district.
type evidenceRefs struct {
	people map[int64][]roster.Role
	// enrolled are the dates of the enrollments, not retired, of each
	// (student, class) pair as a student.
	enrolled map[[2]int64][]span
}

// span is when an enrollment runs; nil is open.
type span struct{ begin, end *time.Time }

// enrolledIn reports whether student was enrolled in class on the day
// at: on or after the enrollment's first day and before the end of its
// last (the end date names the last day, as for access.EnrollmentActive).
func (refs evidenceRefs) enrolledIn(student, class int64, at time.Time) bool {
	for _, sp := range refs.enrolled[[2]int64{student, class}] {
		if (sp.begin == nil || !sp.begin.After(at)) && (sp.end == nil || sp.end.After(at.Add(-access.EnrollmentGrace))) {
			return true
		}
	}
	return false
}

// enrolledOn is the condition, on enrollments aliased e, that e is a
// student's enrollment, not retired, running on the assessed day: $5 is
// the moment assessed and $6 that moment less access.EnrollmentGrace. It
// is the SQL of evidenceRefs.enrolledIn.
func enrolledOn(e string) string {
	return ` AND ` + e + `.role = 'student' AND ` + e + `.retired_at IS NULL` +
		` AND (` + e + `.begin_date IS NULL OR ` + e + `.begin_date <= $5)` +
		` AND (` + e + `.end_date IS NULL OR ` + e + `.end_date > $6)`
}

// batchRefs looks up, in two queries, every person the batch refers to
// and the enrollments of its students in its classes.
func (r *runner) batchRefs(ctx context.Context, districtID int64, evs []evidence.Evidence) (evidenceRefs, error) {
	var people, students, classes []int64
	for i := range evs {
		people = append(people, evs[i].StudentID, evs[i].RecordedBy)
		if evs[i].ClassID != nil {
			students = append(students, evs[i].StudentID)
			classes = append(classes, *evs[i].ClassID)
		}
	}
	people = uniq(people)
	refs := evidenceRefs{enrolled: map[[2]int64][]span{}}
	var err error
	if refs.people, err = r.personRoles(ctx, districtID, people); err != nil {
		return refs, err
	}
	if len(classes) > 0 {
		err = r.each(ctx, `SELECT person_id, class_id, begin_date, end_date FROM enrollments
WHERE district_id = $1 AND role = 'student' AND retired_at IS NULL AND class_id IN ids($2) AND person_id IN ids($3)`,
			[]any{districtID, r.s.ids(uniq(classes)), r.s.ids(uniq(students))}, func(row scanner) error {
				var k [2]int64
				var sp span
				if err := row.Scan(&k[0], &k[1], tsPtrCol{&sp.begin}, tsPtrCol{&sp.end}); err != nil {
					return err
				}
				refs.enrolled[k] = append(refs.enrolled[k], sp)
				return nil
			})
	}
	return refs, err
}

func uniq(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// checkEvidence validates ev (setting its scores' values) and checks the
// people and class it names, reporting every problem at once.
func checkEvidence(ev *evidence.Evidence, e *engine, refs evidenceRefs) error {
	var errs problem.Fields
	if err := ev.Validate(e.now, e.m.scaleOf); err != nil {
		var ie *problem.InvalidError
		if !errors.As(err, &ie) {
			return err
		}
		errs = append(errs, ie.Fields...)
	}
	for i, sc := range ev.Scores {
		if e.m.retired(sc.StandardID) {
			errs.AddItemf("scores", i, "standardId", "standard %d is retired and takes no new evidence (what was recorded on it before stays)", sc.StandardID)
		}
	}
	student := false
	if ev.StudentID != 0 {
		rs, ok := refs.people[ev.StudentID]
		switch {
		case !ok:
			errs.Addf("studentId", "no student %d in this district", ev.StudentID)
		case !(roster.Person{Roles: rs}).Has(roster.RoleStudent):
			errs.Addf("studentId", "person %d is not a student", ev.StudentID)
		default:
			student = true
		}
	}
	if ev.ClassID != nil && student && !ev.AssessedAt.IsZero() && !refs.enrolledIn(ev.StudentID, *ev.ClassID, utcMicro(ev.AssessedAt)) {
		// The same words whether the class does not exist, is another
		// school's or is one the student was never in: a class id is
		// not a way to learn what classes there are.
		errs.Addf("classId", "student %d was not enrolled in class %d on %s", ev.StudentID, *ev.ClassID, ev.AssessedAt.UTC().Format("2006-01-02"))
	}
	if ev.RecordedBy == 0 {
		errs.Add("recordedBy", "required")
	} else if _, ok := refs.people[ev.RecordedBy]; !ok {
		errs.Addf("recordedBy", "no person %d in this district", ev.RecordedBy)
	}
	if ev.Void != nil {
		errs.Add("void", "new evidence cannot be void: record it, then void it")
	}
	return errs.Err()
}

// prepareEvidence sets what the store decides about a valid record.
func prepareEvidence(ev *evidence.Evidence, now time.Time) {
	ev.AssessedAt = utcMicro(ev.AssessedAt)
	ev.RecordedAt = now
}

const insertEvidenceHead = `INSERT INTO evidence (id, district_id, student_id, class_id, kind, title, assessed_at, recorded_at,
    recorded_by, attempt, comment, artifact_url) VALUES `

// evidenceRow is the row of insertEvidenceHead for ev.
func evidenceRow(s *Store, ev *evidence.Evidence) []any {
	return []any{ev.ID, ev.DistrictID, ev.StudentID, nullInt64(ev.ClassID), string(ev.Kind), ev.Title,
		s.ts(ev.AssessedAt), s.ts(ev.RecordedAt), ev.RecordedBy, ev.Attempt, ev.Comment, ev.ArtifactURL}
}

const insertScoreHead = `INSERT INTO evidence_scores (district_id, evidence_id, position, standard_id, student_id,
    assessed_at, recorded_at, points, min_points, max_points, level, value, item_id) VALUES `

// scoreRows appends the rows of insertScoreHead for ev's scores to rows.
func scoreRows(s *Store, ev *evidence.Evidence, rows [][]any) [][]any {
	assessed, recorded := s.ts(ev.AssessedAt), s.ts(ev.RecordedAt)
	for i, sc := range ev.Scores {
		rows = append(rows, []any{ev.DistrictID, ev.ID, i, sc.StandardID, ev.StudentID, assessed, recorded,
			nullFloat64(sc.Points), sc.MinPoints, sc.MaxPoints, nullFloat64(sc.Level), sc.Value, nullItem(sc.ItemID)})
	}
	return rows
}

// nullItem is the item_id of a score: NULL for none.
func nullItem(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// scored appends the standards ev scores to stds.
func scored(ev *evidence.Evidence, stds []int64) []int64 {
	for _, sc := range ev.Scores {
		stds = append(stds, sc.StandardID)
	}
	return stds
}

// reserveEvidenceIDs takes n new evidence ids, so that a batch is inserted
// in multi-row statements knowing which id each record got.
func (r *runner) reserveEvidenceIDs(ctx context.Context, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if r.s.engine == Postgres {
		err := r.each(ctx, `SELECT nextval(pg_get_serial_sequence('evidence', 'id')) FROM generate_series(1, $1)`, []any{n}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			ids = append(ids, id)
			return err
		})
		return ids, err
	}
	// SQLite: the write transaction holds the database's only write lock,
	// so nobody else can take the ids after the largest.
	var last int64
	if err := r.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM evidence`).Scan(&last); err != nil {
		return nil, err
	}
	for i := range n {
		ids = append(ids, last+1+int64(i))
	}
	return ids, nil
}

// VoidEvidence marks evidence as no longer counting, with the reason and
// who voided it, and recomputes the student's mastery of the standards it
// scored and their ancestors. Evidence already voided is a conflict. The
// audit entries of the change are written in its transaction.
func (s *Store) VoidEvidence(ctx context.Context, districtID, evidenceID, by int64, reason string, audit ...AuditEntry) (err error) {
	defer wrap(&err, "VoidEvidence(%d)", evidenceID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := evidence.CheckVoidReason(reason); err != nil {
		return err
	}
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		var student int64
		if err := r.queryRow(ctx, `SELECT student_id FROM evidence WHERE district_id = $1 AND id = $2`, districtID, evidenceID).Scan(&student); err != nil {
			return noRows(err, "evidence", evidenceID)
		}
		if err := r.lockForEvidence(ctx, districtID, []int64{student}); err != nil {
			return err
		}
		// Read again under the student's lock: someone may have voided it
		// meanwhile.
		var voidAt *time.Time
		err := r.queryRow(ctx, `SELECT void_at FROM evidence WHERE district_id = $1 AND id = $2`, districtID, evidenceID).
			Scan(tsPtrCol{&voidAt})
		if err != nil {
			return err
		}
		if voidAt != nil {
			return conflictf("void", "evidence %d was already voided at %s", evidenceID, voidAt.Format(time.RFC3339))
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "by", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		if by == 0 {
			errs.Add("by", "required")
		}
		if err := errs.Err(); err != nil {
			return err
		}
		e, err := r.newEngine(ctx, districtID, anyVersion)
		if err != nil {
			return err
		}
		voided, err := e.studentResponses(ctx, []int64{student})
		if err != nil {
			return err
		}
		voided[student] = slices.DeleteFunc(voided[student], func(r ktResponse) bool { return r.key.evidence != evidenceID })
		if _, err := r.exec(ctx, `UPDATE evidence SET void_at = $3, void_by = $4, void_reason = $5 WHERE district_id = $1 AND id = $2 AND void_at IS NULL`,
			districtID, evidenceID, s.ts(e.now), by, reason); err != nil {
			return err
		}
		if err := r.insertChangeAudit(ctx, audit); err != nil {
			return err
		}
		var stds []int64
		err = r.each(ctx, `SELECT standard_id FROM evidence_scores WHERE district_id = $1 AND evidence_id = $2`, []any{districtID, evidenceID}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			stds = append(stds, id)
			return err
		})
		if err != nil {
			return err
		}
		more, err := e.ktVoid(ctx, student, voided[student])
		if err != nil {
			return err
		}
		stds = append(stds, more...)
		if changes, _, err = e.recompute(ctx, []*work{{student: student, targets: e.targetsOf(stds)}}); err != nil {
			return err
		}
		withdrawn, err := r.withdrawAlertsOn(ctx, districtID, student, evidenceID, by, reason, e.now)
		changes = append(changes, withdrawn...)
		return err
	})
	if err != nil {
		return err
	}
	s.notify(changes)
	return nil
}

const evidenceCols = `e.id, e.district_id, e.student_id, e.class_id, e.kind, e.title, e.assessed_at, e.recorded_at,
    e.recorded_by, e.attempt, e.comment, e.artifact_url, e.void_at, e.void_by, e.void_reason`

func scanEvidence(row scanner) (ev evidence.Evidence, err error) {
	var kind string
	var voidAt *time.Time
	var voidBy sql.NullInt64
	var voidReason sql.NullString
	err = row.Scan(&ev.ID, &ev.DistrictID, &ev.StudentID, nullCol[int64]{&ev.ClassID}, &kind, &ev.Title,
		tsCol{&ev.AssessedAt}, tsCol{&ev.RecordedAt}, &ev.RecordedBy, &ev.Attempt, &ev.Comment, &ev.ArtifactURL,
		tsPtrCol{&voidAt}, &voidBy, &voidReason)
	ev.Kind = evidence.Kind(kind)
	if voidAt != nil {
		ev.Void = &evidence.Void{At: *voidAt, By: voidBy.Int64, Reason: voidReason.String}
	}
	return ev, err
}

// Evidence returns one piece of evidence with its scores.
func (s *Store) Evidence(ctx context.Context, districtID, id int64) (_ evidence.Evidence, err error) {
	defer wrap(&err, "Evidence(%d)", id)
	r := s.reader()
	ev, err := scanEvidence(r.queryRow(ctx, `SELECT `+evidenceCols+` FROM evidence e WHERE e.district_id = $1 AND e.id = $2`, districtID, id))
	if err != nil {
		return ev, noRows(err, "evidence", id)
	}
	evs := []evidence.Evidence{ev}
	if err := r.loadScores(ctx, districtID, evs); err != nil {
		return ev, err
	}
	return evs[0], nil
}

// EvidenceHeads returns the district's evidence among ids without their
// scores, in one read: for pages that name the assessments they link to.
// An id of no evidence in the district is left out.
func (s *Store) EvidenceHeads(ctx context.Context, districtID int64, ids []int64) (out map[int64]evidence.Evidence, err error) {
	defer wrap(&err, "EvidenceHeads(%d records)", len(ids))
	out = make(map[int64]evidence.Evidence, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err = s.reader().each(ctx, `SELECT `+evidenceCols+` FROM evidence e WHERE e.district_id = $2 AND e.id IN ids($1)`,
		[]any{s.ids(ids), districtID}, func(row scanner) error {
			ev, err := scanEvidence(row)
			out[ev.ID] = ev
			return err
		})
	return out, err
}

// StudentEvidence lists a student's evidence with its scores, newest
// assessed first (then newest id). The page cursor is the id of the last
// item of the page before.
func (s *Store) StudentEvidence(ctx context.Context, districtID, studentID int64, f EvidenceFilter) (out []evidence.Evidence, next int64, err error) {
	defer wrap(&err, "StudentEvidence(%d)", studentID)
	r := s.reader()
	if err := r.mustExist(ctx, tPeople, "student", districtID, studentID); err != nil {
		return nil, 0, err
	}
	limit := f.Page.limit()
	q := `SELECT ` + evidenceCols + ` FROM evidence e WHERE e.district_id = $1 AND e.student_id = $2`
	args := []any{districtID, studentID, limit + 1}
	if !f.IncludeVoided {
		q += ` AND e.void_at IS NULL`
	}
	if f.StandardID != 0 {
		args = append(args, f.StandardID)
		q += ` AND EXISTS (SELECT 1 FROM evidence_scores sc WHERE sc.evidence_id = e.id AND sc.standard_id = $4)`
	}
	if f.Page.After != 0 {
		var at time.Time
		err := r.queryRow(ctx, `SELECT assessed_at FROM evidence WHERE district_id = $1 AND id = $2`, districtID, f.Page.After).Scan(tsCol{&at})
		if err != nil {
			return nil, 0, noRows(err, "evidence", f.Page.After)
		}
		n := len(args)
		args = append(args, s.ts(at), f.Page.After)
		q += ` AND (e.assessed_at < $` + strconv.Itoa(n+1) + ` OR (e.assessed_at = $` + strconv.Itoa(n+1) + ` AND e.id < $` + strconv.Itoa(n+2) + `))`
	}
	q += ` ORDER BY e.assessed_at DESC, e.id DESC LIMIT $3`
	err = r.each(ctx, q, args, func(row scanner) error {
		ev, err := scanEvidence(row)
		out = append(out, ev)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	out, next = pageOf(out, limit, func(ev evidence.Evidence) int64 { return ev.ID })
	if err := r.loadScores(ctx, districtID, out); err != nil {
		return nil, 0, err
	}
	return out, next, nil
}

// loadScores fills in the scores of evs in one query.
func (r *runner) loadScores(ctx context.Context, districtID int64, evs []evidence.Evidence) error {
	if len(evs) == 0 {
		return nil
	}
	at := make(map[int64]int, len(evs))
	ids := make([]int64, len(evs))
	for i := range evs {
		at[evs[i].ID] = i
		ids[i] = evs[i].ID
		evs[i].Scores = nil
	}
	return r.each(ctx, `
SELECT evidence_id, standard_id, points, min_points, max_points, level, value, item_id FROM evidence_scores
WHERE district_id = $1 AND evidence_id IN ids($2) ORDER BY evidence_id, position`,
		[]any{districtID, r.s.ids(ids)}, func(row scanner) error {
			var id int64
			var sc evidence.Score
			var item *int64
			if err := row.Scan(&id, &sc.StandardID, nullCol[float64]{&sc.Points}, &sc.MinPoints, &sc.MaxPoints, nullCol[float64]{&sc.Level}, &sc.Value, nullCol[int64]{&item}); err != nil {
				return err
			}
			if item != nil {
				sc.ItemID = *item
			}
			i := at[id]
			evs[i].Scores = append(evs[i].Scores, sc)
			return nil
		})
}
