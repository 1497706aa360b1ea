package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/supports"
)

// SupportRules returns the district's rules, one of each kind in the
// order of supports.RuleKinds: its own where it changed one, the default
// (supports.DefaultRules) where it did not.
func (s *Store) SupportRules(ctx context.Context, districtID int64) (out []supports.Rule, err error) {
	defer wrap(&err, "SupportRules(%d)", districtID)
	r := s.reader()
	if err := r.districtExists(ctx, districtID); err != nil {
		return nil, err
	}
	return r.supportRules(ctx, districtID)
}

// SupportRule returns the district's rule of kind k; problem.ErrNotFound
// for a kind that is none.
func (s *Store) SupportRule(ctx context.Context, districtID int64, k supports.RuleKind) (supports.Rule, error) {
	rules, err := s.SupportRules(ctx, districtID)
	if err != nil {
		return supports.Rule{}, err
	}
	for _, rule := range rules {
		if rule.Kind == k {
			return rule, nil
		}
	}
	return supports.Rule{}, problem.NotFound("rule", limits.Clip(string(k), 40))
}

func (r *runner) supportRules(ctx context.Context, districtID int64) ([]supports.Rule, error) {
	out := supports.DefaultRules()
	at := map[supports.RuleKind]int{}
	for i, rule := range out {
		out[i].DistrictID = districtID
		at[rule.Kind] = i
	}
	err := r.each(ctx, `SELECT kind, enabled, params, updated_by, updated_at FROM support_rules WHERE district_id = $1`,
		[]any{districtID}, func(row scanner) error {
			var rule supports.Rule
			var params string
			if err := row.Scan(&rule.Kind, &rule.Enabled, &params, &rule.UpdatedBy, tsCol{&rule.UpdatedAt}); err != nil {
				return err
			}
			i, ok := at[rule.Kind]
			if !ok {
				return nil
			}
			if err := json.Unmarshal([]byte(params), &paramsJSON{&rule.Params}); err != nil {
				return err
			}
			rule.ID, rule.DistrictID = int64(i+1), districtID
			out[i] = rule
			return nil
		})
	for i := range out {
		out[i].ID = int64(i + 1)
	}
	return out, err
}

// paramsJSON reads stored parameters, which were checked when written.
type paramsJSON struct{ p *supports.RuleParams }

func (j *paramsJSON) UnmarshalJSON(b []byte) error {
	var m struct {
		Cut      float64 `json:"cut"`
		Count    int     `json:"count"`
		Days     int     `json:"days"`
		Targets  int     `json:"targets"`
		Drop     float64 `json:"drop"`
		Evidence int     `json:"evidence"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*j.p = supports.RuleParams(m)
	return nil
}

// RuleScale returns the range of the district's scales, against which a
// rule's cut is checked: the lowest minimum and the highest maximum. A
// district without scales has the default scale's.
func (s *Store) RuleScale(ctx context.Context, districtID int64) (_ supports.ScaleRange, err error) {
	defer wrap(&err, "RuleScale(%d)", districtID)
	return s.ruleScale(ctx, s.reader(), districtID)
}

func (s *Store) ruleScale(ctx context.Context, r *runner, districtID int64) (supports.ScaleRange, error) {
	scs, err := s.scales(ctx, r, districtID)
	if err != nil {
		return supports.ScaleRange{}, err
	}
	if len(scs) == 0 {
		return supports.ScaleRange{Min: 1, Max: 4}, nil
	}
	out := supports.ScaleRange{Min: scs[0].Min(), Max: scs[0].Max()}
	for _, sc := range scs[1:] {
		out.Min, out.Max = min(out.Min, sc.Min()), max(out.Max, sc.Max())
	}
	return out, nil
}

// RuleUpdate is a change of one rule: whether it is on, and its
// thresholds as a JSON object read by supports.ParseRuleParams.
type RuleUpdate struct {
	Enabled bool
	Params  json.RawMessage
	// Reason says why, kept with the change.
	Reason string
}

// UpdateSupportRule changes the district's rule of kind k, with the audit
// entries of the change, and returns the rule as it now stands. The
// parameters are read strictly against the district's scales: an unknown
// field, a missing one or an impossible threshold is problem.ErrInvalid
// naming it, and nothing is written. Every change is kept with who made
// it and why (SupportRuleChanges).
func (s *Store) UpdateSupportRule(ctx context.Context, districtID int64, k supports.RuleKind, u RuleUpdate, by int64, audit ...AuditEntry) (rule supports.Rule, err error) {
	defer wrap(&err, "UpdateSupportRule(%s)", limits.Clip(string(k), 40))
	if err := checkChangeAudit(districtID, audit); err != nil {
		return rule, err
	}
	if !k.Valid() {
		return rule, problem.NotFound("rule", limits.Clip(string(k), 40))
	}
	u.Reason = strings.TrimSpace(u.Reason)
	if why := limits.TooLong(u.Reason, limits.Reason, "a reason"); why != "" {
		return rule, problem.Invalid("reason", "%s", why)
	}
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, districtID); err != nil {
			return err
		}
		sc, err := s.ruleScale(ctx, r, districtID)
		if err != nil {
			return err
		}
		p, err := supports.ParseRuleParams(k, u.Params, sc)
		if err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "updatedBy", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		rules, err := r.supportRules(ctx, districtID)
		if err != nil {
			return err
		}
		var old supports.Rule
		for _, x := range rules {
			if x.Kind == k {
				old = x
			}
		}
		now := s.nowUTC()
		_, err = r.exec(ctx, `
INSERT INTO support_rules (district_id, kind, enabled, params, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (district_id, kind) DO UPDATE SET enabled = excluded.enabled, params = excluded.params,
    updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			districtID, string(k), u.Enabled, string(p.ParamsJSON(k)), by, s.ts(now))
		if err != nil {
			return err
		}
		_, err = r.exec(ctx, `
INSERT INTO support_rule_changes (district_id, kind, changed_by, changed_at, old_enabled, old_params, new_enabled, new_params, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			districtID, string(k), by, s.ts(now), old.Enabled, string(old.Params.ParamsJSON(k)), u.Enabled, string(p.ParamsJSON(k)), u.Reason)
		if err != nil {
			return err
		}
		if err := r.insertChangeAudit(ctx, audit); err != nil {
			return err
		}
		// The evaluation on evidence reads the rules again, on every
		// server of the database.
		r.s.ruleSets.invalidate(districtID)
		r.committed = append(r.committed, func() { r.s.ruleSets.invalidate(districtID) })
		r.changeConfig(districtID)
		rule = old
		rule.Enabled, rule.Params, rule.UpdatedBy, rule.UpdatedAt = u.Enabled, p, by, now
		return nil
	})
	return rule, err
}

// RuleChange is one change of a district's rule.
type RuleChange struct {
	Kind       supports.RuleKind
	ChangedBy  int64
	ChangedAt  time.Time
	OldEnabled bool
	OldParams  supports.RuleParams
	NewEnabled bool
	NewParams  supports.RuleParams
	Reason     string
}

// SupportRuleChanges lists the changes of the district's rules, newest
// first, at most limit (1 to 500).
func (s *Store) SupportRuleChanges(ctx context.Context, districtID int64, limit int) (out []RuleChange, err error) {
	defer wrap(&err, "SupportRuleChanges(%d)", districtID)
	limit = Page{Limit: limit}.limit()
	err = s.reader().each(ctx, `
SELECT kind, changed_by, changed_at, old_enabled, old_params, new_enabled, new_params, reason
FROM support_rule_changes WHERE district_id = $1 ORDER BY changed_at DESC, id DESC LIMIT $2`, []any{districtID, limit}, func(row scanner) error {
		var c RuleChange
		var oldP, newP string
		if err := row.Scan(&c.Kind, &c.ChangedBy, tsCol{&c.ChangedAt}, &c.OldEnabled, &oldP, &c.NewEnabled, &newP, &c.Reason); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(oldP), &paramsJSON{&c.OldParams}); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(newP), &paramsJSON{&c.NewParams}); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// Alert is one firing of a district's rule for one responsible teacher:
// the student, the standard when there is one, the class, the reason and
// the data behind it; DismissedAt is set once the teacher (or another
// who may) dismissed it, with a note.
type Alert struct {
	ID          int64
	DistrictID  int64
	Kind        supports.RuleKind
	StudentID   int64
	StandardID  *int64
	ClassID     *int64
	TeacherID   int64
	Reason      string
	Data        supports.FiringData
	RaisedAt    time.Time
	DismissedAt *time.Time
	DismissedBy *int64
	DismissNote string

	// Read with the alert, for pages: the student's and the teacher's
	// names, the standard's code and statement, the class's title.
	StudentName, TeacherName    string
	StandardCode, StandardTitle string
	ClassTitle                  string
}

// Open reports whether the alert has not been dismissed.
func (a Alert) Open() bool { return a.DismissedAt == nil }

// AlertFilter narrows Alerts. Zero fields do not narrow.
type AlertFilter struct {
	// TeacherID keeps the alerts of this responsible teacher.
	TeacherID int64
	// ClassID keeps the alerts raised in this class.
	ClassID int64
	// StudentIDs keeps the alerts about these students.
	StudentIDs []int64
	// Dismissed keeps the dismissed alerts; otherwise the open ones.
	Dismissed bool
	// Page pages by id, newest first: After is the last id seen.
	Page Page
}

const alertCols = `a.id, a.district_id, a.kind, a.student_id, a.standard_id, a.class_id, a.teacher_id, a.reason, a.data,
a.raised_at, a.dismissed_at, a.dismissed_by, a.dismiss_note,
sp.given_name, sp.family_name, tp.given_name, tp.family_name, coalesce(st.code, ''), coalesce(st.statement, ''), coalesce(c.title, '')`

const alertJoins = `
JOIN people sp ON sp.district_id = a.district_id AND sp.id = a.student_id
JOIN people tp ON tp.district_id = a.district_id AND tp.id = a.teacher_id
LEFT JOIN standards st ON st.district_id = a.district_id AND st.id = a.standard_id
LEFT JOIN classes c ON c.district_id = a.district_id AND c.id = a.class_id`

func scanAlert(row scanner) (Alert, error) {
	var a Alert
	var data string
	var sg, sf, tg, tf string
	err := row.Scan(&a.ID, &a.DistrictID, &a.Kind, &a.StudentID, nullCol[int64]{&a.StandardID}, nullCol[int64]{&a.ClassID}, &a.TeacherID,
		&a.Reason, &data, tsCol{&a.RaisedAt}, tsPtrCol{&a.DismissedAt}, nullCol[int64]{&a.DismissedBy}, &a.DismissNote,
		&sg, &sf, &tg, &tf, &a.StandardCode, &a.StandardTitle, &a.ClassTitle)
	if err != nil {
		return a, err
	}
	a.StudentName, a.TeacherName = strings.TrimSpace(sg+" "+sf), strings.TrimSpace(tg+" "+tf)
	return a, json.Unmarshal([]byte(data), &a.Data)
}

// Alerts lists the district's alerts that f keeps, newest first, a page
// at a time; next is the After of the next page, 0 after the last. Whom
// a caller may show them to is the caller's to decide (access.Alerts).
func (s *Store) Alerts(ctx context.Context, districtID int64, f AlertFilter) (out []Alert, next int64, err error) {
	defer wrap(&err, "Alerts")
	where, args := `a.district_id = $1`, []any{districtID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.TeacherID != 0 {
		where += ` AND a.teacher_id = ` + arg(f.TeacherID)
	}
	if f.ClassID != 0 {
		where += ` AND a.class_id = ` + arg(f.ClassID)
	}
	if len(f.StudentIDs) > 0 {
		where += ` AND a.student_id IN ids(` + arg(s.ids(f.StudentIDs)) + `)`
	}
	if f.Dismissed {
		where += ` AND a.dismissed_at IS NOT NULL`
	} else {
		where += ` AND a.dismissed_at IS NULL`
	}
	if f.Page.After > 0 {
		where += ` AND a.id < ` + arg(f.Page.After)
	}
	limit := f.Page.limit()
	err = s.reader().each(ctx, `SELECT `+alertCols+` FROM alerts a`+alertJoins+` WHERE `+where+` ORDER BY a.id DESC LIMIT `+arg(limit+1), args, func(row scanner) error {
		a, err := scanAlert(row)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// Alert returns one alert; problem.ErrNotFound when the district has none
// of that id.
func (s *Store) Alert(ctx context.Context, districtID, id int64) (a Alert, err error) {
	defer wrap(&err, "Alert(%d)", id)
	return s.alert(ctx, s.reader(), districtID, id)
}

func (s *Store) alert(ctx context.Context, r *runner, districtID, id int64) (Alert, error) {
	a, err := scanAlert(r.queryRow(ctx, `SELECT `+alertCols+` FROM alerts a`+alertJoins+` WHERE a.district_id = $1 AND a.id = $2`, districtID, id))
	return a, noRows(err, "alert", id)
}

// OpenAlertCounts counts the open alerts of a teacher, by class (0: raised
// without a class).
func (s *Store) OpenAlertCounts(ctx context.Context, districtID, teacherID int64) (out map[int64]int, err error) {
	defer wrap(&err, "OpenAlertCounts(%d)", teacherID)
	out = map[int64]int{}
	err = s.reader().each(ctx, `SELECT coalesce(class_id, 0), count(*) FROM alerts WHERE district_id = $1 AND teacher_id = $2 AND dismissed_at IS NULL GROUP BY coalesce(class_id, 0)`,
		[]any{districtID, teacherID}, func(row scanner) error {
			var c int64
			var n int
			if err := row.Scan(&c, &n); err != nil {
				return err
			}
			out[c] = n
			return nil
		})
	return out, err
}

// DismissAlert dismisses an open alert with a note (optional, bounded),
// at the store's clock, with the audit entries of the change, and returns
// it as it now stands. An alert dismissed already is
// problem.ErrConflict. The student's pages hear of it (AlertsChanged).
func (s *Store) DismissAlert(ctx context.Context, districtID, id, by int64, note string, audit ...AuditEntry) (a Alert, err error) {
	defer wrap(&err, "DismissAlert(%d)", id)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return a, err
	}
	note = strings.TrimSpace(note)
	if err := supports.CheckDismissNote(note); err != nil {
		return a, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		res, err := r.exec(ctx, `UPDATE alerts SET dismissed_at = $3, dismissed_by = $4, dismiss_note = $5
WHERE district_id = $1 AND id = $2 AND dismissed_at IS NULL`, districtID, id, s.ts(s.nowUTC()), by, note)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if a, err = s.alert(ctx, r, districtID, id); err != nil {
			return err
		}
		if n != 1 {
			return problem.Conflict("dismissedAt", "the alert was dismissed already, on %s", a.DismissedAt.Format(time.DateOnly))
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err != nil {
		return a, err
	}
	var class int64
	if a.ClassID != nil {
		class = *a.ClassID
	}
	s.notify([]Change{{Kind: AlertsChanged, DistrictID: districtID, StudentID: a.StudentID, ClassID: class}})
	return a, nil
}

// withdrawAlertsOn dismisses, in a voiding's transaction, the student's
// open alerts that rest on the voided evidence (scores below the cut name
// the evidence behind them): the firing counted a record that no longer
// counts. The dismissal is the voider's, its note the voiding's reason.
// It returns a change for each class whose alerts changed.
func (r *runner) withdrawAlertsOn(ctx context.Context, districtID, studentID, evidenceID, by int64, reason string, at time.Time) ([]Change, error) {
	type open struct {
		id    int64
		class *int64
	}
	var hit []open
	err := r.each(ctx, `SELECT id, class_id, data FROM alerts
WHERE district_id = $1 AND student_id = $2 AND kind = $3 AND dismissed_at IS NULL`,
		[]any{districtID, studentID, string(supports.RuleBelowCut)}, func(row scanner) error {
			var a open
			var data supports.FiringData
			if err := row.Scan(&a.id, nullCol[int64]{&a.class}, jsonCol{&data}); err != nil {
				return err
			}
			if slices.Contains(data.EvidenceID, evidenceID) {
				hit = append(hit, a)
			}
			return nil
		})
	if err != nil || len(hit) == 0 {
		return nil, err
	}
	var changes []Change
	for _, a := range hit {
		if _, err := r.exec(ctx, `UPDATE alerts SET dismissed_at = $3, dismissed_by = $4, dismiss_note = $5
WHERE district_id = $1 AND id = $2 AND dismissed_at IS NULL`, districtID, a.id, r.s.ts(at), by, reason); err != nil {
			return nil, err
		}
		c := Change{Kind: AlertsChanged, DistrictID: districtID, StudentID: studentID}
		if a.class != nil {
			c.ClassID = *a.class
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// raisedAlert is a firing bound to its class and responsible teacher.
type raisedAlert struct {
	f       supports.Firing
	class   *int64
	teacher int64
}

// raiseAlerts inserts the alerts, each unless one of its rule, student,
// standard and teacher is open (alerts_open) or, when quiet is not zero,
// was dismissed since quiet; it returns a change for each student and
// class whose alerts changed, and how many alerts it raised. Without
// quiet, the alerts go in multi-row statements that return what they
// inserted: an import's firings do not cost a round trip each.
func (r *runner) raiseAlerts(ctx context.Context, districtID int64, now time.Time, alerts []raisedAlert, quiet time.Time) (changes []Change, raised int, err error) {
	s := r.s
	seen := map[[2]int64]bool{}
	note := func(student, class int64) {
		raised++
		if k := [2]int64{student, class}; !seen[k] {
			seen[k] = true
			changes = append(changes, Change{Kind: AlertsChanged, DistrictID: districtID, StudentID: student, ClassID: class})
		}
	}
	rows := make([][]any, 0, len(alerts))
	for _, a := range alerts {
		data, err := json.Marshal(a.f.Data)
		if err != nil {
			return nil, 0, err
		}
		var std, class any
		if a.f.StandardID != 0 {
			std = a.f.StandardID
		}
		if a.class != nil {
			class = *a.class
		}
		rows = append(rows, []any{districtID, string(a.f.Kind), a.f.StudentID, std, class, a.teacher, a.f.Reason, string(data), s.ts(now)})
	}
	if quiet.IsZero() {
		const head = `INSERT INTO alerts (district_id, kind, student_id, standard_id, class_id, teacher_id, reason, data, raised_at) VALUES `
		const tail = ` ON CONFLICT DO NOTHING RETURNING student_id, coalesce(class_id, 0)`
		for len(rows) > 0 {
			n := len(rows)
			if n > smallInsert {
				n = 1
				for _, c := range chunkSizes {
					if c <= len(rows) {
						n = c
						break
					}
				}
			}
			var args []any
			for _, row := range rows[:n] {
				args = append(args, row...)
			}
			err := r.each(ctx, multiRow(head, tail, n, len(rows[0]), s.engine == SQLite), args, func(row scanner) error {
				var student, class int64
				if err := row.Scan(&student, &class); err != nil {
					return err
				}
				note(student, class)
				return nil
			})
			if err != nil {
				return nil, 0, err
			}
			rows = rows[n:]
		}
		return changes, raised, nil
	}
	for i, row := range rows {
		res, err := r.exec(ctx, `
INSERT INTO alerts (district_id, kind, student_id, standard_id, class_id, teacher_id, reason, data, raised_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
WHERE NOT EXISTS (SELECT 1 FROM alerts x WHERE x.district_id = $1 AND x.kind = $2 AND x.student_id = $3
    AND coalesce(x.standard_id, 0) = $11 AND x.teacher_id = $6 AND x.dismissed_at >= $10)
ON CONFLICT DO NOTHING`, append(row, s.ts(quiet), alerts[i].f.StandardID)...)
		if err != nil {
			return nil, 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, 0, err
		}
		if n > 0 {
			var class int64
			if alerts[i].class != nil {
				class = *alerts[i].class
			}
			note(alerts[i].f.StudentID, class)
		}
	}
	return changes, raised, nil
}

// ClassTeacherIDs are the teachers actively enrolled in each class.
func (r *runner) classTeacherIDs(ctx context.Context, districtID int64, classes []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(classes) == 0 {
		return out, nil
	}
	err := r.each(ctx, `
SELECT e.class_id, e.person_id FROM enrollments e
WHERE e.district_id = $1 AND e.class_id IN ids($2) AND e.role = $3`+activeEnrollment("e")+`
ORDER BY e.class_id, e.person_id`, r.s.activeArgs(districtID, r.s.ids(uniq(classes)), "teacher"), func(row scanner) error {
		var c, t int64
		if err := row.Scan(&c, &t); err != nil {
			return err
		}
		out[c] = append(out[c], t)
		return nil
	})
	return out, err
}

// studentClass is a class a student is actively enrolled in, with its
// course and its teachers.
type studentClass struct {
	class, course int64
	teachers      []int64
}

// studentClasses returns the classes each student is actively enrolled
// in, with their active teachers.
func (r *runner) studentClasses(ctx context.Context, districtID int64, students []int64) (map[int64][]studentClass, error) {
	out := map[int64][]studentClass{}
	if len(students) == 0 {
		return out, nil
	}
	err := r.each(ctx, `
SELECT e.person_id, c.id, c.course_id, t.person_id
FROM enrollments e
JOIN classes c ON c.district_id = e.district_id AND c.id = e.class_id AND c.retired_at IS NULL
JOIN enrollments t ON t.district_id = c.district_id AND t.class_id = c.id AND t.role = 'teacher'`+activeEnrollment("t")+`
WHERE e.district_id = $1 AND e.person_id IN ids($2) AND e.role = $3`+activeEnrollment("e")+`
ORDER BY e.person_id, c.id, t.person_id`, r.s.activeArgs(districtID, r.s.ids(uniq(students)), "student"), func(row scanner) error {
		var st, c, course, t int64
		if err := row.Scan(&st, &c, &course, &t); err != nil {
			return err
		}
		cs := out[st]
		if n := len(cs); n > 0 && cs[n-1].class == c {
			cs[n-1].teachers = append(cs[n-1].teachers, t)
		} else {
			cs = append(cs, studentClass{class: c, course: course, teachers: []int64{t}})
		}
		out[st] = cs
		return nil
	})
	return out, err
}

// courseHolds returns, for each of the courses, which of stds it holds
// (course_standards).
func (r *runner) courseHolds(ctx context.Context, districtID int64, courses, stds []int64) (map[[2]int64]bool, error) {
	out := map[[2]int64]bool{}
	if len(courses) == 0 || len(stds) == 0 {
		return out, nil
	}
	err := r.each(ctx, `SELECT course_id, standard_id FROM course_standards WHERE district_id = $1 AND course_id IN ids($2) AND standard_id IN ids($3)`,
		[]any{districtID, r.s.ids(uniq(courses)), r.s.ids(uniq(stds))}, func(row scanner) error {
			var c, s int64
			if err := row.Scan(&c, &s); err != nil {
				return err
			}
			out[[2]int64{c, s}] = true
			return nil
		})
	return out, err
}
