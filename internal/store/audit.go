package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// AuditEntry is one read or change of a student's record, allowed or
// refused, as the audit log keeps it. The log is append-only: there is no
// way to change or remove an entry, in the store or in the schema.
type AuditEntry struct {
	ID, DistrictID, ActorID int64
	// StudentID is 0 for an entry about no one student.
	StudentID int64
	Action    access.Action
	What      access.What
	// Relation is the relation the request was allowed on, "" when it was
	// refused.
	Relation access.Relation
	Allowed  bool
	// At is set by the store, from its clock, when the entry is appended.
	At time.Time
	// Route is the page or API route ("GET /api/v1/students/{id}/mastery")
	// and RequestID the request's id, to find it in the server's log.
	Route, RequestID string
	Detail           string

	// ActorName and ActorRoles are filled in when entries are read back,
	// so that a family sees who looked, not an id.
	ActorName  string
	ActorRoles []roster.Role
}

// AppendAudit appends one entry to the audit log.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (err error) {
	defer wrap(&err, "AppendAudit")
	if err := checkAudit(e, e.DistrictID); err != nil {
		return err
	}
	return s.appendAudits(ctx, []AuditEntry{e})
}

// AppendAudits appends entries to the audit log in one transaction, for a
// page that reads many students' records at once (a class heatmap). All
// entries are of one district; the actor of each must be a person of it.
func (s *Store) AppendAudits(ctx context.Context, entries []AuditEntry) (err error) {
	defer wrap(&err, "AppendAudits")
	for i, e := range entries {
		if err := checkAudit(e, entries[0].DistrictID); err != nil {
			return problem.InRecord(i, err)
		}
	}
	return s.appendAudits(ctx, entries)
}

// appendAudits writes entries that have been checked.
func (s *Store) appendAudits(ctx context.Context, entries []AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	at := s.ts(s.nowUTC())
	rows := make([][]any, len(entries))
	for i, e := range entries {
		rows[i] = auditRow(e, at)
	}
	return s.inTx(ctx, func(r *runner) error { return r.insertAuditRows(ctx, rows) })
}

// auditRow is the values of an audit_log row for e, stamped at.
func auditRow(e AuditEntry, at any) []any {
	var student any
	if e.StudentID != 0 {
		student = e.StudentID
	}
	return []any{e.DistrictID, e.ActorID, student, string(e.Action), string(e.What), string(e.Relation), e.Allowed, at,
		truncate(e.Route, 200), truncate(e.RequestID, 100), truncate(e.Detail, 1000)}
}

// insertAuditRows inserts rows made by auditRow.
func (r *runner) insertAuditRows(ctx context.Context, rows [][]any) error {
	err := r.insertRows(ctx, `INSERT INTO audit_log (district_id, actor_id, student_id, action, what, relation, allowed, at, route, request_id, detail) VALUES `, ``, rows)
	if isForeignKeyViolation(err) {
		return problem.Invalid("actorId", "an actor is not a person of district %d", rows[0][0])
	}
	return err
}

func checkAudit(e AuditEntry, districtID int64) error {
	var errs problem.Fields
	if e.DistrictID != districtID {
		errs.Addf("districtId", "%d: every entry of a batch must be of district %d", e.DistrictID, districtID)
	}
	if e.ActorID == 0 {
		errs.Add("actorId", "is required: who read or changed the record")
	}
	if e.Action != access.View && e.Action != access.Change {
		errs.Addf("action", "%q: want view or change", e.Action)
	}
	if strings.TrimSpace(string(e.What)) == "" {
		errs.Add("what", "is required: which record was read or changed")
	}
	if e.Allowed != (e.Relation != "") {
		errs.Add("relation", "is required for an allowed entry, and only for one")
	}
	return errs.Err()
}

// AuditFilter narrows SearchAudit; zero values do not narrow. From and To
// bound At (From included, To excluded).
type AuditFilter struct {
	ActorID, StudentID int64
	From, To           time.Time
	// Allowed, when set, keeps only allowed (true) or refused (false)
	// entries.
	Allowed *bool
	Page    Page
}

const auditCols = `l.id, l.district_id, l.actor_id, l.student_id, l.action, l.what, l.relation, l.allowed, l.at,
    l.route, l.request_id, l.detail, p.given_name, p.family_name, p.roles`

func scanAudit(row scanner) (e AuditEntry, err error) {
	var student *int64
	var action, what, rel, given, family string
	err = row.Scan(&e.ID, &e.DistrictID, &e.ActorID, nullCol[int64]{&student}, &action, &what, &rel, &e.Allowed, tsCol{&e.At},
		&e.Route, &e.RequestID, &e.Detail, &given, &family, jsonCol{&e.ActorRoles})
	if student != nil {
		e.StudentID = *student
	}
	e.Action, e.What, e.Relation = access.Action(action), access.What(what), access.Relation(rel)
	e.ActorName = roster.Person{GivenName: given, FamilyName: family}.Name()
	return e, err
}

// StudentAudit lists who read or changed a student's record, newest first:
// what a student and their guardians see. Only allowed entries are listed,
// since a refused attempt saw nothing. Page.After is the ID of the last
// entry of the previous page (the next page holds older entries).
func (s *Store) StudentAudit(ctx context.Context, districtID, studentID int64, p Page) (_ []AuditEntry, next int64, err error) {
	defer wrap(&err, "StudentAudit(%d)", studentID)
	allowed := true
	return s.searchAudit(ctx, districtID, AuditFilter{StudentID: studentID, Allowed: &allowed, Page: p})
}

// SearchAudit lists the district's audit log narrowed by f, newest first,
// for district administrators. Page.After is the ID of the last entry of
// the previous page.
func (s *Store) SearchAudit(ctx context.Context, districtID int64, f AuditFilter) (_ []AuditEntry, next int64, err error) {
	defer wrap(&err, "SearchAudit")
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, 0, problem.Invalid("to", "must be after from")
	}
	return s.searchAudit(ctx, districtID, f)
}

func (s *Store) searchAudit(ctx context.Context, districtID int64, f AuditFilter) (out []AuditEntry, next int64, err error) {
	args := []any{districtID, f.Page.limit() + 1}
	var where strings.Builder
	add := func(cond string, v any) {
		args = append(args, v)
		fmt.Fprintf(&where, " AND "+cond, len(args))
	}
	if f.Page.After > 0 {
		add("l.id < $%d", f.Page.After)
	}
	if f.StudentID != 0 {
		add("l.student_id = $%d", f.StudentID)
	}
	if f.ActorID != 0 {
		add("l.actor_id = $%d", f.ActorID)
	}
	if !f.From.IsZero() {
		add("l.at >= $%d", s.ts(f.From))
	}
	if !f.To.IsZero() {
		add("l.at < $%d", s.ts(f.To))
	}
	if f.Allowed != nil {
		add("l.allowed = $%d", *f.Allowed)
	}
	q := `SELECT ` + auditCols + ` FROM audit_log l JOIN people p ON p.district_id = l.district_id AND p.id = l.actor_id
WHERE l.district_id = $1` + where.String() + ` ORDER BY l.id DESC LIMIT $2`
	err = s.reader().each(ctx, q, args, func(row scanner) error {
		e, err := scanAudit(row)
		out = append(out, e)
		return err
	})
	out, next = pageOf(out, f.Page.limit(), func(e AuditEntry) int64 { return e.ID })
	return out, next, err
}

// Viewer is one person who read or changed a student's record in a
// period, as the student and their guardians are shown it.
type Viewer struct {
	PersonID int64
	Name     string
	Roles    []roster.Role
	// Relations are the relations the person was allowed on ("teacher",
	// "guardian"), the most recently used first.
	Relations []access.Relation
	// Times counts the requests that read or changed the record: a page
	// that reads several parts of it, or a class heatmap that shows it
	// among others, counts once.
	Times int
	// Last is when the person last read or changed the record.
	Last time.Time
}

// studentViewersQuery groups the student's allowed entries of the period
// by person and relation, then names each person. The entries are found
// by range in audit_log_student_at (district, student, time), whatever
// the size of the rest of the log; a test holds the plan to it on both
// engines. CROSS JOIN keeps SQLite from walking the district's people
// first (it never reorders one); PostgreSQL plans it as any join. An
// entry without a request id (written outside a request) counts as a
// request of its own.
const studentViewersQuery = `SELECT v.actor_id, v.relation, v.times, v.last, p.given_name, p.family_name, p.roles
FROM (SELECT l.actor_id, l.relation,
        COUNT(DISTINCT CASE WHEN l.request_id = '' THEN NULL ELSE l.request_id END)
          + SUM(CASE WHEN l.request_id = '' THEN 1 ELSE 0 END) AS times,
        MAX(l.at) AS last
    FROM audit_log l
    WHERE l.district_id = $1 AND l.student_id = $2 AND l.at >= $3 AND l.allowed = $4
    GROUP BY l.actor_id, l.relation) v
CROSS JOIN people p
WHERE p.district_id = $1 AND p.id = v.actor_id
ORDER BY v.last DESC, v.actor_id, v.relation`

// StudentViewers lists everyone whose read or change of the student's
// record was allowed at or after since, one Viewer per person, the most
// recent first: what the student and their guardians see under "who
// viewed". Every person of the period is listed however many entries
// others have, since the entries are counted, not listed; a refused
// attempt saw nothing and is not counted.
func (s *Store) StudentViewers(ctx context.Context, districtID, studentID int64, since time.Time) (out []Viewer, err error) {
	defer wrap(&err, "StudentViewers(%d)", studentID)
	byPerson := map[int64]int{}
	err = s.reader().each(ctx, studentViewersQuery, []any{districtID, studentID, s.ts(since), true}, func(row scanner) error {
		var v Viewer
		var rel, given, family string
		if err := row.Scan(&v.PersonID, &rel, &v.Times, tsCol{&v.Last}, &given, &family, jsonCol{&v.Roles}); err != nil {
			return err
		}
		i, ok := byPerson[v.PersonID]
		if !ok {
			// Rows come newest first: the first of a person is their
			// latest.
			v.Name = roster.Person{GivenName: given, FamilyName: family}.Name()
			v.Relations = []access.Relation{access.Relation(rel)}
			byPerson[v.PersonID] = len(out)
			out = append(out, v)
			return nil
		}
		out[i].Times += v.Times
		out[i].Relations = append(out[i].Relations, access.Relation(rel))
		return nil
	})
	return out, err
}
