package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/problem"
)

// PolicyChange records one change of a mastery policy: the district's, or
// a course's override (CourseID set). Old is nil when a course had no
// override before; New is nil when its override was cleared.
type PolicyChange struct {
	ID, DistrictID int64
	CourseID       *int64
	Old, New       *mastery.Policy
	ChangedBy      int64
	ChangedAt      time.Time
	Reason         string
	// Recomputed is the number of mastery states recomputed.
	Recomputed int
}

// DistrictPolicy returns the district's mastery policy:
// mastery.DefaultPolicy() until one is set.
func (s *Store) DistrictPolicy(ctx context.Context, districtID int64) (_ mastery.Policy, err error) {
	defer wrap(&err, "DistrictPolicy(%d)", districtID)
	return s.districtPolicy(ctx, s.reader(), districtID)
}

func (s *Store) districtPolicy(ctx context.Context, r *runner, districtID int64) (mastery.Policy, error) {
	var text sql.NullString
	if err := r.queryRow(ctx, `SELECT policy FROM districts WHERE id = $1`, districtID).Scan(&text); err != nil {
		return mastery.Policy{}, noRows(err, "district", districtID)
	}
	if !text.Valid {
		return mastery.DefaultPolicy(), nil
	}
	var p mastery.Policy
	err := (jsonCol{&p}).Scan(text.String)
	return p, err
}

// CoursePolicy returns a course's override of its district's policy;
// problem.ErrNotFound when the course has none.
func (s *Store) CoursePolicy(ctx context.Context, districtID, courseID int64) (_ *mastery.Policy, err error) {
	defer wrap(&err, "CoursePolicy(%d)", courseID)
	r := s.reader()
	if err := r.mustExist(ctx, tCourses, "course", districtID, courseID); err != nil {
		return nil, err
	}
	return r.coursePolicy(ctx, districtID, courseID)
}

func (r *runner) coursePolicy(ctx context.Context, districtID, courseID int64) (*mastery.Policy, error) {
	var p mastery.Policy
	err := r.queryRow(ctx, `SELECT policy FROM course_policies WHERE district_id = $1 AND course_id = $2`, districtID, courseID).Scan(jsonCol{&p})
	if err != nil {
		return nil, noRows(err, "mastery policy override of course", courseID)
	}
	return &p, nil
}

// SetPolicy sets the district's policy (courseID nil) or a course's
// override, records the change, and recomputes in the same transaction
// every mastery state the policy decides: all of the district's for the
// district policy, those of the course's standards (and their ancestors)
// for an override.
func (s *Store) SetPolicy(ctx context.Context, districtID int64, courseID *int64, p mastery.Policy, changedBy int64, reason string) (err error) {
	if courseID != nil {
		defer wrap(&err, "SetPolicy(course %d)", *courseID)
	} else {
		defer wrap(&err, "SetPolicy(district %d)", districtID)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if why := limits.TooLong(reason, limits.Reason, "a reason"); why != "" {
		return problem.Invalid("reason", "%s", why)
	}
	if courseID != nil && (p.MasteredBy != "" || p.Confidence != 0) {
		var errs problem.Fields
		if p.MasteredBy != "" {
			errs.Add("masteredBy", "whether mastery follows the model is the district's choice; a course cannot set it")
		}
		if p.Confidence != 0 {
			errs.Add("confidence", "the model's confidence is the district's choice; a course cannot set it")
		}
		return errs.Err()
	}
	var changes []Change
	defer func() { s.afterWrite(changes, err) }()
	return s.inTx(ctx, func(r *runner) error {
		old, err := r.checkPolicyChange(ctx, districtID, courseID, changedBy)
		if err != nil {
			return err
		}
		r.dropPolicies(districtID)
		if courseID == nil {
			_, err = r.exec(ctx, `UPDATE districts SET policy = $2 WHERE id = $1`, districtID, jsonText(p))
		} else {
			_, err = r.exec(ctx, `
INSERT INTO course_policies (district_id, course_id, policy) VALUES ($1, $2, $3)
ON CONFLICT (course_id) DO UPDATE SET policy = excluded.policy`, districtID, *courseID, jsonText(p))
		}
		if err != nil {
			return err
		}
		var n int
		changes, n, err = r.recomputePolicy(ctx, districtID, courseID)
		if err != nil {
			return err
		}
		return r.recordPolicyChange(ctx, PolicyChange{DistrictID: districtID, CourseID: courseID, Old: old, New: &p,
			ChangedBy: changedBy, ChangedAt: s.nowUTC(), Reason: reason, Recomputed: n})
	})
}

// ClearCoursePolicy removes a course's override, so that its standards
// follow the district's policy again, records the change and recomputes
// the states concerned. A course without an override is
// problem.ErrNotFound.
func (s *Store) ClearCoursePolicy(ctx context.Context, districtID, courseID, changedBy int64) (err error) {
	defer wrap(&err, "ClearCoursePolicy(course %d)", courseID)
	var changes []Change
	defer func() { s.afterWrite(changes, err) }()
	return s.inTx(ctx, func(r *runner) error {
		old, err := r.checkPolicyChange(ctx, districtID, &courseID, changedBy)
		if err != nil {
			return err
		}
		r.dropPolicies(districtID)
		if old == nil {
			return problem.NotFound("mastery policy override of course", courseID)
		}
		if _, err := r.exec(ctx, `DELETE FROM course_policies WHERE district_id = $1 AND course_id = $2`, districtID, courseID); err != nil {
			return err
		}
		var n int
		changes, n, err = r.recomputePolicy(ctx, districtID, &courseID)
		if err != nil {
			return err
		}
		return r.recordPolicyChange(ctx, PolicyChange{DistrictID: districtID, CourseID: &courseID, Old: old,
			ChangedBy: changedBy, ChangedAt: s.nowUTC(), Reason: "course override cleared", Recomputed: n})
	})
}

// checkPolicyChange checks the district, course and person of a policy
// change and returns the policy in force before it: the district's, or
// the course's override (nil when there is none).
func (r *runner) checkPolicyChange(ctx context.Context, districtID int64, courseID *int64, changedBy int64) (*mastery.Policy, error) {
	dp, err := r.s.districtPolicy(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	var errs problem.Fields
	if err := r.checkRef(ctx, &errs, "changedBy", "person", tPeople, districtID, &changedBy); err != nil {
		return nil, err
	}
	if changedBy == 0 {
		errs.Add("changedBy", "required")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if courseID == nil {
		return &dp, nil
	}
	if err := r.mustExist(ctx, tCourses, "course", districtID, *courseID); err != nil {
		return nil, err
	}
	old, err := r.coursePolicy(ctx, districtID, *courseID)
	if errors.Is(err, problem.ErrNotFound) {
		return nil, nil
	}
	return old, err
}

// recomputePolicy recomputes what a policy change decides, with the
// policies as they now stand in the transaction.
func (r *runner) recomputePolicy(ctx context.Context, districtID int64, courseID *int64) ([]Change, int, error) {
	pol, err := loadPolicies(ctx, r, districtID)
	if err != nil {
		return nil, 0, err
	}
	if courseID == nil {
		m, err := r.s.model(ctx, r, districtID, pol.version)
		if err != nil {
			return nil, 0, err
		}
		e := &engine{r: r, districtID: districtID, m: m, pol: pol, now: r.s.nowUTC()}
		stats, changes, err := e.rebuild(ctx, nil)
		return changes, stats.States, err
	}
	var stds []int64
	err = r.each(ctx, `SELECT standard_id FROM course_standards WHERE district_id = $1 AND course_id = $2`, []any{districtID, *courseID}, func(row scanner) error {
		var id int64
		err := row.Scan(&id)
		stds = append(stds, id)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return r.recomputeStandards(ctx, districtID, pol, stds)
}

func (r *runner) recordPolicyChange(ctx context.Context, c PolicyChange) error {
	policyOrNull := func(p *mastery.Policy) any {
		if p == nil {
			return nil
		}
		return jsonText(p)
	}
	_, err := r.exec(ctx, `
INSERT INTO policy_changes (district_id, course_id, old_policy, new_policy, changed_by, changed_at, reason, recomputed)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.DistrictID, nullInt64(c.CourseID), policyOrNull(c.Old), policyOrNull(c.New), c.ChangedBy, r.s.ts(c.ChangedAt), c.Reason, c.Recomputed)
	return err
}

// PolicyChanges lists the district's policy changes, oldest first.
func (s *Store) PolicyChanges(ctx context.Context, districtID int64) (out []PolicyChange, err error) {
	defer wrap(&err, "PolicyChanges(%d)", districtID)
	r := s.reader()
	if err := r.districtExists(ctx, districtID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT id, district_id, course_id, old_policy, new_policy, changed_by, changed_at, reason, recomputed
FROM policy_changes WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
		var c PolicyChange
		var old, nw sql.NullString
		if err := row.Scan(&c.ID, &c.DistrictID, nullCol[int64]{&c.CourseID}, &old, &nw, &c.ChangedBy, tsCol{&c.ChangedAt}, &c.Reason, &c.Recomputed); err != nil {
			return err
		}
		for _, x := range []struct {
			text sql.NullString
			p    **mastery.Policy
		}{{old, &c.Old}, {nw, &c.New}} {
			if x.text.Valid {
				var p mastery.Policy
				if err := (jsonCol{&p}).Scan(x.text.String); err != nil {
					return err
				}
				*x.p = &p
			}
		}
		out = append(out, c)
		return nil
	})
	return out, err
}
