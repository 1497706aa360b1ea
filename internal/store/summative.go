package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
)

// StudentStandard is a student on one standard: the key of what the
// summative reads.
type StudentStandard struct{ Student, Standard int64 }

// SummativePolicyChange records one change of a district's summative
// policy. Old is nil when the district followed the defaults.
type SummativePolicyChange = SettingChange[pathways.SummativePolicy]

// summativeSetting is where a district's summative policy is kept.
var summativeSetting = districtSetting{column: "summative_policy", changes: "summative_policy_changes", oldCol: "old_policy", newCol: "new_policy"}

// SummativePolicy returns the district's readiness bar and reassessment
// policy: pathways.DefaultSummativePolicy() until one is set.
func (s *Store) SummativePolicy(ctx context.Context, districtID int64) (_ pathways.SummativePolicy, err error) {
	defer wrap(&err, "SummativePolicy(%d)", districtID)
	p, _, err := s.reader().summativePolicy(ctx, districtID)
	return p, err
}

// summativePolicy returns the district's policy and whether it was set.
func (r *runner) summativePolicy(ctx context.Context, districtID int64) (pathways.SummativePolicy, bool, error) {
	var text sql.NullString
	if err := r.queryRow(ctx, `SELECT summative_policy FROM districts WHERE id = $1`, districtID).Scan(&text); err != nil {
		return pathways.SummativePolicy{}, false, noRows(err, "district", districtID)
	}
	if !text.Valid {
		return pathways.DefaultSummativePolicy(), false, nil
	}
	var p pathways.SummativePolicy
	err := (jsonCol{&p}).Scan(text.String)
	return p, true, err
}

// SetSummativePolicy sets the district's summative policy and records the
// change, with who made it and why, in one transaction. Nothing is
// recomputed: the policy decides proposals and retakes when they are
// read or attempted, not the stored mastery.
func (s *Store) SetSummativePolicy(ctx context.Context, districtID int64, p pathways.SummativePolicy, changedBy int64, reason string) (err error) {
	defer wrap(&err, "SetSummativePolicy(%d)", districtID)
	if err := p.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return problem.Invalid("reason", "say why the policy changes")
	}
	if why := limits.TooLong(reason, limits.Reason, "a reason"); why != "" {
		return problem.Invalid("reason", "%s", why)
	}
	return s.inTx(ctx, func(r *runner) error {
		old, set, err := r.summativePolicy(ctx, districtID)
		if err != nil {
			return err
		}
		var was any
		if set {
			was = old
		}
		return r.setSetting(ctx, summativeSetting, districtID, changedBy, was, p, reason)
	})
}

// SummativePolicyChanges lists the district's summative policy changes,
// oldest first.
func (s *Store) SummativePolicyChanges(ctx context.Context, districtID int64) (out []SummativePolicyChange, err error) {
	defer wrap(&err, "SummativePolicyChanges(%d)", districtID)
	return settingChanges[pathways.SummativePolicy](ctx, s, summativeSetting, districtID)
}

// standings reads where each of the students stands on each of the
// standards, as readiness needs it: the method's level and mastered, and
// the knowledge tracing model's probability of mastery with the low end
// of its interval. It is the one place readiness reads the model, so that
// the model behind the probability can change without the pages, the API
// or pathways knowing. A pair without a state is left out (not assessed).
func (r *runner) standings(ctx context.Context, districtID int64, students, stds []int64) (map[StudentStandard]pathways.SummativeStanding, error) {
	out := map[StudentStandard]pathways.SummativeStanding{}
	if len(students) == 0 || len(stds) == 0 {
		return out, nil
	}
	err := r.each(ctx, `
SELECT ms.student_id, ms.standard_id, ms.level, ms.mastered, `+modelCols+`
FROM mastery_states ms
WHERE ms.student_id IN ids($2) AND ms.standard_id IN ids($3) AND ms.district_id = $1`,
		[]any{districtID, r.s.ids(students), r.s.ids(stds)}, func(row scanner) error {
			var k StudentStandard
			st := pathways.SummativeStanding{Assessed: true}
			mc := modelCol{dst: &st.Estimate}
			if err := row.Scan(&k.Student, &k.Standard, &st.Level, &st.Mastered,
				&mc.p, &mc.next, &mc.low, &mc.high, &mc.n, &mc.verdict); err != nil {
				return err
			}
			mc.set()
			out[k] = st
			return nil
		})
	return out, err
}

// histories reads the summative attempts of each of the students on each
// of the standards (voided evidence left out), oldest first, and counts
// the practice evidence after the last of them. Only pairs with evidence
// are in the map.
//
// recorded, when not nil, gets when the last attempt of each pair was
// recorded.
func (r *runner) histories(ctx context.Context, districtID int64, students, stds []int64, recorded map[StudentStandard]time.Time) (map[StudentStandard]pathways.History, error) {
	out := map[StudentStandard]pathways.History{}
	if len(students) == 0 || len(stds) == 0 {
		return out, nil
	}
	err := r.each(ctx, `
SELECT sc.student_id, sc.standard_id, ev.id, ev.kind, ev.assessed_at, ev.recorded_at, sc.value
FROM evidence_scores sc JOIN evidence ev ON ev.district_id = sc.district_id AND ev.id = sc.evidence_id
WHERE sc.district_id = $1 AND sc.student_id IN ids($2) AND sc.standard_id IN ids($3) AND ev.void_at IS NULL
ORDER BY sc.student_id, sc.standard_id, ev.assessed_at, ev.recorded_at, ev.id`,
		[]any{districtID, r.s.ids(students), r.s.ids(stds)}, func(row scanner) error {
			var k StudentStandard
			var kind string
			var a pathways.Attempt
			var at time.Time
			if err := row.Scan(&k.Student, &k.Standard, &a.EvidenceID, &kind, tsCol{&a.AssessedAt}, tsCol{&at}, &a.Value); err != nil {
				return err
			}
			if recorded != nil && kind == string(evidence.Summative) {
				recorded[k] = at
			}
			h := out[k]
			observe(&h, evidence.Kind(kind), a)
			out[k] = h
			return nil
		})
	return out, err
}

// observe adds one piece of evidence, in order, to a history.
func observe(h *pathways.History, kind evidence.Kind, a pathways.Attempt) {
	switch {
	case kind == evidence.Summative:
		h.Attempts = append(h.Attempts, a)
		h.PracticeSince = 0
	case pathways.IsPractice(kind):
		h.PracticeSince++
	}
}

// RetakeOverride is a teacher's decision to record a summative attempt
// the district's reassessment policy would refuse, and why.
type RetakeOverride struct {
	Reason string
}

// retakeOverride is an override to record once the evidence has its id.
type retakeOverride struct {
	record   int
	standard int64
	rule     pathways.Rule
}

// checkRetakes applies the district's reassessment policy to the
// summative records among evs, in their order, inside the write
// transaction that stores them: a record the policy refuses is refused
// (problem.ErrConflict naming the rule and the standard, with the record
// of a batch) unless override is given, and then the overrides to record
// are returned. Records of other kinds cost nothing.
func (r *runner) checkRetakes(ctx context.Context, districtID int64, evs []evidence.Evidence, override *RetakeOverride, batch bool) ([]retakeOverride, error) {
	var students, stds []int64
	for _, ev := range evs {
		if ev.Kind != evidence.Summative {
			continue
		}
		students = append(students, ev.StudentID)
		for _, sc := range ev.Scores {
			stds = append(stds, sc.StandardID)
		}
	}
	if len(students) == 0 {
		return nil, nil
	}
	students, stds = uniq(students), uniq(stds)
	pol, _, err := r.summativePolicy(ctx, districtID)
	if err != nil {
		return nil, err
	}
	hs, err := r.histories(ctx, districtID, students, stds, nil)
	if err != nil {
		return nil, err
	}
	var out []retakeOverride
	for i, ev := range evs {
		for _, sc := range ev.Scores {
			k := StudentStandard{ev.StudentID, sc.StandardID}
			h, ok := hs[k]
			if ev.Kind != evidence.Summative {
				if ok {
					observe(&h, ev.Kind, pathways.Attempt{})
					hs[k] = h
				}
				continue
			}
			next := pol.Reassess.Next(h)
			if !next.Allowed {
				if override == nil {
					err := next.Refusal(r.standardLabel(ctx, districtID, sc.StandardID))
					if batch {
						err = problem.InRecord(i, err)
					}
					return nil, err
				}
				out = append(out, retakeOverride{record: i, standard: sc.StandardID, rule: next.Rule})
			}
			observe(&h, ev.Kind, pathways.Attempt{EvidenceID: ev.ID, AssessedAt: ev.AssessedAt, Value: sc.Value})
			hs[k] = h
		}
	}
	return out, nil
}

// standardLabel names a standard in a refusal: its code, or its id.
func (r *runner) standardLabel(ctx context.Context, districtID, id int64) string {
	var code string
	if err := r.queryRow(ctx, `SELECT code FROM standards WHERE district_id = $1 AND id = $2`, districtID, id).Scan(&code); err != nil || code == "" {
		return fmt.Sprintf("standard %d", id)
	}
	return "standard " + code
}

// checkOverride checks an override's reason before anything is written.
func checkOverride(o *RetakeOverride) error {
	if o == nil {
		return nil
	}
	if strings.TrimSpace(o.Reason) == "" {
		return problem.Invalid("overrideReason", "say why the reassessment policy is overridden")
	}
	if why := limits.TooLong(o.Reason, limits.Reason, "a reason"); why != "" {
		return problem.Invalid("overrideReason", "%s", why)
	}
	return nil
}

// insertOverrides records the overrides of the stored evs.
func (r *runner) insertOverrides(ctx context.Context, evs []evidence.Evidence, o *RetakeOverride, ovs []retakeOverride) error {
	if len(ovs) == 0 {
		return nil
	}
	at := r.s.ts(r.s.nowUTC())
	rows := make([][]any, len(ovs))
	for i, ov := range ovs {
		ev := evs[ov.record]
		rows[i] = []any{ev.DistrictID, ev.ID, ov.standard, string(ov.rule), o.Reason, ev.RecordedBy, at}
	}
	return r.insertRows(ctx, `INSERT INTO summative_overrides (district_id, evidence_id, standard_id, rule, reason, overridden_by, overridden_at) VALUES `, ``, rows)
}

// SummativeOverride is an attempt recorded against the reassessment
// policy: the rule it broke and why the teacher recorded it anyway.
type SummativeOverride struct {
	EvidenceID, StandardID int64
	Rule                   pathways.Rule
	Reason                 string
	By                     int64
	At                     time.Time
}

// SummativeOverrides lists the overrides of a student's evidence, oldest
// first.
func (s *Store) SummativeOverrides(ctx context.Context, districtID, studentID int64) (out []SummativeOverride, err error) {
	defer wrap(&err, "SummativeOverrides(%d)", studentID)
	err = s.reader().each(ctx, `
SELECT o.evidence_id, o.standard_id, o.rule, o.reason, o.overridden_by, o.overridden_at
FROM summative_overrides o JOIN evidence ev ON ev.district_id = o.district_id AND ev.id = o.evidence_id
WHERE o.district_id = $1 AND ev.student_id = $2 ORDER BY o.id`, []any{districtID, studentID}, func(row scanner) error {
		var o SummativeOverride
		err := row.Scan(&o.EvidenceID, &o.StandardID, &o.Rule, &o.Reason, &o.By, tsCol{&o.At})
		out = append(out, o)
		return err
	})
	return out, err
}

// The decisions a teacher makes on a proposal.
const (
	SummativeConfirmed = "confirmed"
	SummativeDeclined  = "declined"
)

// SummativeDecision is a teacher's answer to a proposal that a student is
// ready for the summative on a standard: confirmed, or declined with a
// reason. The latest for a student and standard is the one in force,
// until the next attempt.
type SummativeDecision struct {
	ID, DistrictID, StudentID, StandardID int64
	Decision                              string
	Reason                                string
	DecidedBy                             int64
	DecidedAt                             time.Time
}

// DecideSummative records a teacher's decision; the store sets ID and
// DecidedAt. The audit entries of the change are written in its
// transaction.
func (s *Store) DecideSummative(ctx context.Context, d *SummativeDecision, audit ...AuditEntry) error {
	ds := []SummativeDecision{*d}
	err := s.DecideSummatives(ctx, ds, audit...)
	*d = ds[0]
	return err
}

// DecideSummatives records several decisions (a teacher confirming a
// group of students at once) all or nothing, a refusal naming the
// record; the store sets each ID and DecidedAt. The audit entries of the
// change are written in its transaction.
func (s *Store) DecideSummatives(ctx context.Context, ds []SummativeDecision, audit ...AuditEntry) (err error) {
	defer wrap(&err, "DecideSummatives(%d)", len(ds))
	if len(ds) == 0 {
		return nil
	}
	if err := checkChangeAudit(ds[0].DistrictID, audit); err != nil {
		return err
	}
	batch := len(ds) > 1
	inRecord := func(i int, err error) error {
		if batch {
			return problem.InRecord(i, err)
		}
		return err
	}
	for i, d := range ds {
		var errs problem.Fields
		if d.DistrictID != ds[0].DistrictID {
			errs.Addf("districtId", "decisions of one district (%d), not %d", ds[0].DistrictID, d.DistrictID)
		}
		switch d.Decision {
		case SummativeConfirmed:
		case SummativeDeclined:
			if strings.TrimSpace(d.Reason) == "" {
				errs.Add("reason", "say why the student is not ready yet; the student and family read it")
			}
		default:
			errs.Addf("decision", "%q is not one of confirmed, declined", d.Decision)
		}
		if why := limits.TooLong(d.Reason, limits.Reason, "a reason"); why != "" {
			errs.Add("reason", why)
		}
		if err := errs.Err(); err != nil {
			return inRecord(i, err)
		}
	}
	return s.inTx(ctx, func(r *runner) error {
		at := s.nowUTC()
		for i := range ds {
			d := &ds[i]
			var errs problem.Fields
			for _, ref := range []struct {
				field, what, table string
				id                 *int64
			}{{"studentId", "student", tPeople, &d.StudentID}, {"standardId", "standard", tStandards, &d.StandardID}, {"decidedBy", "person", tPeople, &d.DecidedBy}} {
				if *ref.id == 0 {
					errs.Add(ref.field, "required")
					continue
				}
				if err := r.checkRef(ctx, &errs, ref.field, ref.what, ref.table, d.DistrictID, ref.id); err != nil {
					return err
				}
			}
			if err := errs.Err(); err != nil {
				return inRecord(i, err)
			}
			d.DecidedAt = at
			if err := r.queryRow(ctx, `
INSERT INTO summative_decisions (district_id, student_id, standard_id, decision, reason, decided_by, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, d.DistrictID, d.StudentID, d.StandardID, d.Decision, d.Reason, d.DecidedBy, s.ts(d.DecidedAt)).Scan(&d.ID); err != nil {
				return err
			}
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// latestDecisions reads the latest decision of each student on each
// standard.
func (r *runner) latestDecisions(ctx context.Context, districtID int64, students, stds []int64) (map[StudentStandard]SummativeDecision, error) {
	out := map[StudentStandard]SummativeDecision{}
	if len(students) == 0 || len(stds) == 0 {
		return out, nil
	}
	err := r.each(ctx, `
SELECT id, district_id, student_id, standard_id, decision, reason, decided_by, decided_at
FROM summative_decisions
WHERE district_id = $1 AND student_id IN ids($2) AND standard_id IN ids($3)
ORDER BY id`, []any{districtID, r.s.ids(students), r.s.ids(stds)}, func(row scanner) error {
		var d SummativeDecision
		if err := row.Scan(&d.ID, &d.DistrictID, &d.StudentID, &d.StandardID, &d.Decision, &d.Reason, &d.DecidedBy, tsCol{&d.DecidedAt}); err != nil {
			return err
		}
		out[StudentStandard{d.StudentID, d.StandardID}] = d
		return nil
	})
	return out, err
}

// SummativeInputs is what the summative is decided from, for a set of
// students and standards, read at one moment: the district's policy, the
// method's and the model's standing, the attempts, and the teachers'
// latest decisions.
type SummativeInputs struct {
	Policy    pathways.SummativePolicy
	Standings map[StudentStandard]pathways.SummativeStanding
	Histories map[StudentStandard]pathways.History
	Decisions map[StudentStandard]SummativeDecision
	// recorded is when the last attempt of each pair was recorded.
	recorded map[StudentStandard]time.Time
}

// Decision returns the teacher's decision on k in force: the latest,
// unless an attempt was recorded after it was made: a confirmation is for
// the next attempt.
func (in SummativeInputs) Decision(k StudentStandard) (SummativeDecision, bool) {
	d, ok := in.Decisions[k]
	if !ok {
		return d, false
	}
	if at, ok := in.recorded[k]; ok && !at.Before(d.DecidedAt) {
		return d, false
	}
	return d, true
}

// SummativeInputs reads the inputs of the summative for the students on
// the standards, in one read transaction.
func (s *Store) SummativeInputs(ctx context.Context, districtID int64, students, stds []int64) (in SummativeInputs, err error) {
	defer wrap(&err, "SummativeInputs(%d students, %d standards)", len(students), len(stds))
	err = s.inReadTx(ctx, func(r *runner) error {
		var err error
		if in.Policy, _, err = r.summativePolicy(ctx, districtID); err != nil {
			return err
		}
		if in.Standings, err = r.standings(ctx, districtID, students, stds); err != nil {
			return err
		}
		in.recorded = map[StudentStandard]time.Time{}
		if in.Histories, err = r.histories(ctx, districtID, students, stds, in.recorded); err != nil {
			return err
		}
		in.Decisions, err = r.latestDecisions(ctx, districtID, students, stds)
		return err
	})
	return in, err
}
