package store

import (
	"context"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/supports"
)

// CreateSupportPlan stores a support plan, checked by supports.NewPlan
// against the store's today, with the audit entries of the change. The
// student must be a student, the provider a person of the district, the
// class and standards the district's. It sets p.ID, p.CreatedAt and
// normalizes p. Whether the author may plan for this student is the
// caller's to decide (access.Policy), before calling.
func (s *Store) CreateSupportPlan(ctx context.Context, p *supports.Plan, audit ...AuditEntry) (err error) {
	defer wrap(&err, "CreateSupportPlan(student %d)", p.StudentID)
	if err := checkChangeAudit(p.DistrictID, audit); err != nil {
		return err
	}
	fresh, err := supports.NewPlan(p.DistrictID, p.CreatedBy, p.PlanDraft, s.nowUTC())
	if err != nil {
		return err
	}
	*p = fresh
	defer func() {
		if err == nil {
			s.notify([]Change{{Kind: SupportsChanged, DistrictID: p.DistrictID, StudentID: p.StudentID}})
		}
	}()
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, p.DistrictID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRole(ctx, &errs, "studentId", p.DistrictID, p.StudentID, roster.RoleStudent); err != nil {
			return err
		}
		if err := r.checkRef(ctx, &errs, "providerId", "person", tPeople, p.DistrictID, &p.ProviderID); err != nil {
			return err
		}
		if err := r.checkRef(ctx, &errs, "createdBy", "person", tPeople, p.DistrictID, &p.CreatedBy); err != nil {
			return err
		}
		if err := r.checkRef(ctx, &errs, "classId", "class", tClasses, p.DistrictID, p.ClassID); err != nil {
			return err
		}
		for i := range p.StandardIDs {
			if err := r.checkRef(ctx, &errs, "standardIds", "standard", tStandards, p.DistrictID, &p.StandardIDs[i]); err != nil {
				return err
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
INSERT INTO support_plans (district_id, student_id, class_id, tier, kind, provider_id, schedule, starts_on, ends_on, goal, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			p.DistrictID, p.StudentID, p.ClassID, int(p.Tier), string(p.Kind), p.ProviderID, p.Schedule,
			s.ts(p.StartsOn), s.tsOrNull(p.EndsOn), p.Goal, p.CreatedBy, s.ts(p.CreatedAt)).Scan(&p.ID)
		if err != nil {
			return err
		}
		rows := make([][]any, len(p.StandardIDs))
		for i, std := range p.StandardIDs {
			rows[i] = []any{p.DistrictID, p.ID, std}
		}
		if err := r.insertRows(ctx, `INSERT INTO support_plan_standards (district_id, plan_id, standard_id) VALUES `, "", rows); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// CloseSupportPlan closes an open plan with its outcome and a note
// (supports.Plan.Close decides, at the store's clock), with the audit
// entries of the change, and returns the plan as it now stands. A plan
// closed already is problem.ErrConflict.
func (s *Store) CloseSupportPlan(ctx context.Context, districtID, planID int64, o supports.Outcome, note string, audit ...AuditEntry) (p supports.Plan, err error) {
	defer wrap(&err, "CloseSupportPlan(%d)", planID)
	return s.closeSupportPlan(ctx, districtID, planID, o, note, s.nowUTC(), false, audit)
}

// closeSupportPlan closes a plan at at; past says at is a day entered
// after the fact, which may not come before the plan's start.
func (s *Store) closeSupportPlan(ctx context.Context, districtID, planID int64, o supports.Outcome, note string, at time.Time, past bool, audit []AuditEntry) (p supports.Plan, err error) {
	if err := checkChangeAudit(districtID, audit); err != nil {
		return p, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if p, err = r.supportPlan(ctx, districtID, planID); err != nil {
			return err
		}
		if past && at.Before(p.StartsOn) {
			return problem.Invalid("closedOn", "%s is before the plan's start, %s", at.Format(supports.DateLayout), p.StartsOn.Format(supports.DateLayout))
		}
		if err := p.Close(o, note, at); err != nil {
			return err
		}
		res, err := r.exec(ctx, `
UPDATE support_plans SET outcome = $3, outcome_note = $4, closed_at = $5
WHERE district_id = $1 AND id = $2 AND closed_at IS NULL`,
			districtID, planID, string(p.Outcome), p.OutcomeNote, s.ts(*p.ClosedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return problem.Conflict("outcome", "the plan was closed meanwhile")
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err == nil {
		s.notify([]Change{{Kind: SupportsChanged, DistrictID: districtID, StudentID: p.StudentID}})
	}
	return p, err
}

// SupportPlan returns one plan; problem.ErrNotFound when the district has
// none of that id.
func (s *Store) SupportPlan(ctx context.Context, districtID, planID int64) (p supports.Plan, err error) {
	defer wrap(&err, "SupportPlan(%d)", planID)
	err = s.inReadTx(ctx, func(r *runner) error {
		p, err = r.supportPlan(ctx, districtID, planID)
		return err
	})
	return p, err
}

// SupportPlanFilter narrows SupportPlans. Zero fields do not narrow.
type SupportPlanFilter struct {
	// StudentIDs keeps the plans of these students.
	StudentIDs []int64
	// ClassID keeps the plans that belong to this class.
	ClassID int64
	// ActiveOn keeps the plans that run on this day (supports.Plan.ActiveOn).
	ActiveOn time.Time
	// OpenOnly keeps the plans not closed.
	OpenOnly bool
}

// SupportPlans lists the district's plans that f keeps, the most recently
// started first, each with its standards.
func (s *Store) SupportPlans(ctx context.Context, districtID int64, f SupportPlanFilter) (out []supports.Plan, err error) {
	defer wrap(&err, "SupportPlans")
	err = s.inReadTx(ctx, func(r *runner) error {
		out, err = r.supportPlans(ctx, districtID, f)
		return err
	})
	return out, err
}

// StudentTiers returns, for each of the students with a plan running on
// the day of on, the highest tier of those plans. Students with none are
// not in the map: they are in tier 1, the class's own teaching.
func (s *Store) StudentTiers(ctx context.Context, districtID int64, studentIDs []int64, on time.Time) (tiers map[int64]supports.Tier, err error) {
	defer wrap(&err, "StudentTiers(%d students)", len(studentIDs))
	tiers = map[int64]supports.Tier{}
	if len(studentIDs) == 0 {
		return tiers, nil
	}
	day := supports.Day(on)
	err = s.reader().each(ctx, `
SELECT student_id, max(tier) FROM support_plans
WHERE district_id = $2 AND student_id IN ids($1) AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)
  AND (closed_at IS NULL OR closed_at >= $3)
GROUP BY student_id`, []any{s.ids(studentIDs), districtID, s.ts(day)}, func(row scanner) error {
		var id int64
		var t int
		if err := row.Scan(&id, &t); err != nil {
			return err
		}
		tiers[id] = supports.Tier(t)
		return nil
	})
	return tiers, err
}

const supportPlanCols = `id, district_id, student_id, class_id, tier, kind, provider_id, schedule, starts_on, ends_on, goal,
created_by, created_at, outcome, outcome_note, closed_at`

func (r *runner) supportPlan(ctx context.Context, districtID, planID int64) (supports.Plan, error) {
	ps, err := r.supportPlansWhere(ctx, districtID, `id = $2`, []any{planID})
	if err != nil {
		return supports.Plan{}, err
	}
	if len(ps) == 0 {
		return supports.Plan{}, problem.NotFound("support plan", planID)
	}
	return ps[0], nil
}

func (r *runner) supportPlans(ctx context.Context, districtID int64, f SupportPlanFilter) ([]supports.Plan, error) {
	where, args := "1 = 1", []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)+1)
	}
	if len(f.StudentIDs) > 0 {
		where += ` AND student_id IN ids(` + arg(r.s.ids(f.StudentIDs)) + `)`
	}
	if f.ClassID != 0 {
		where += ` AND class_id = ` + arg(f.ClassID)
	}
	if !f.ActiveOn.IsZero() {
		d := arg(r.s.ts(supports.Day(f.ActiveOn)))
		where += ` AND starts_on <= ` + d + ` AND (ends_on IS NULL OR ends_on >= ` + d + `) AND (closed_at IS NULL OR closed_at >= ` + d + `)`
	}
	if f.OpenOnly {
		where += ` AND closed_at IS NULL`
	}
	return r.supportPlansWhere(ctx, districtID, where+` ORDER BY starts_on DESC, id DESC`, args)
}

// supportPlansWhere lists the district's plans matching where (on $2 and
// on, with its order) with their standards.
func (r *runner) supportPlansWhere(ctx context.Context, districtID int64, where string, args []any) ([]supports.Plan, error) {
	var out []supports.Plan
	err := r.each(ctx, `SELECT `+supportPlanCols+` FROM support_plans WHERE district_id = $1 AND `+where, append([]any{districtID}, args...), func(row scanner) error {
		var p supports.Plan
		var tier int
		var kind, outcome string
		err := row.Scan(&p.ID, &p.DistrictID, &p.StudentID, nullCol[int64]{&p.ClassID}, &tier, &kind, &p.ProviderID, &p.Schedule,
			tsCol{&p.StartsOn}, tsPtrCol{&p.EndsOn}, &p.Goal, &p.CreatedBy, tsCol{&p.CreatedAt}, &outcome, &p.OutcomeNote, tsPtrCol{&p.ClosedAt})
		p.Tier, p.Kind, p.Outcome = supports.Tier(tier), supports.Kind(kind), supports.Outcome(outcome)
		out = append(out, p)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	at := make(map[int64]int, len(out))
	ids := make([]int64, len(out))
	for i, p := range out {
		at[p.ID] = i
		ids[i] = p.ID
	}
	err = r.each(ctx, `SELECT plan_id, standard_id FROM support_plan_standards WHERE district_id = $2 AND plan_id IN ids($1) ORDER BY plan_id, standard_id`,
		[]any{r.s.ids(ids), districtID}, func(row scanner) error {
			var id, std int64
			if err := row.Scan(&id, &std); err != nil {
				return err
			}
			out[at[id]].StandardIDs = append(out[at[id]].StandardIDs, std)
			return nil
		})
	return out, err
}
