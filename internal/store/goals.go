package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateGoal stores the goal a student sets, checked by pathways.NewGoal
// against the store's today, with the audit entries of the change. The
// assessment it follows, when named, must be the student's own evidence.
// It sets g.ID.
func (s *Store) CreateGoal(ctx context.Context, g *pathways.Goal, audit ...AuditEntry) (err error) {
	defer wrap(&err, "CreateGoal(student %d)", g.StudentID)
	if err := checkChangeAudit(g.DistrictID, audit); err != nil {
		return err
	}
	fresh, err := pathways.NewGoal(g.DistrictID, g.StudentID, g.EvidenceID, g.GoalDraft, s.nowUTC())
	if err != nil {
		return err
	}
	*g = fresh
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, g.DistrictID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRole(ctx, &errs, "studentId", g.DistrictID, g.StudentID, roster.RoleStudent); err != nil {
			return err
		}
		if g.EvidenceID != nil {
			var student int64
			err := r.queryRow(ctx, `SELECT student_id FROM evidence WHERE district_id = $1 AND id = $2`, g.DistrictID, *g.EvidenceID).Scan(&student)
			switch {
			case errors.Is(err, sql.ErrNoRows) || (err == nil && student != g.StudentID):
				errs.Addf("evidenceId", "no evidence %d of student %d", *g.EvidenceID, g.StudentID)
			case err != nil:
				return err
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
INSERT INTO goals (district_id, student_id, evidence_id, what, due_on, plan, need, state, set_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			g.DistrictID, g.StudentID, g.EvidenceID, g.What, s.ts(g.Due), g.Plan, g.Need, string(g.State), s.ts(g.SetAt)).Scan(&g.ID)
		if err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// ReflectOnGoal records the student's reflection on an open goal
// (pathways.Goal.Reflect decides, at the store's today), with the audit
// entries of the change, and returns the goal as it now stands. A goal
// reflected on already is problem.ErrConflict.
func (s *Store) ReflectOnGoal(ctx context.Context, districtID, goalID int64, rf pathways.Reflection, audit ...AuditEntry) (g pathways.Goal, err error) {
	defer wrap(&err, "ReflectOnGoal(%d)", goalID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return g, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if g, err = r.goal(ctx, districtID, goalID); err != nil {
			return err
		}
		if err := g.Reflect(rf, s.nowUTC()); err != nil {
			return err
		}
		res, err := r.exec(ctx, `UPDATE goals SET state = $3 WHERE district_id = $1 AND id = $2 AND state = 'open'`,
			districtID, goalID, string(g.State))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return problem.Conflict("state", "the goal was reflected on meanwhile")
		}
		x := g.Reflection
		if _, err := r.exec(ctx, `
INSERT INTO goal_reflections (district_id, goal_id, met, happened, learned, next, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			districtID, goalID, x.Met, x.Happened, x.Learned, x.Next, s.ts(x.At)); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	return g, err
}

// CommentOnGoal adds a teacher's comment to a goal, with the audit entries
// of the change, and returns the goal as it now stands.
func (s *Store) CommentOnGoal(ctx context.Context, districtID, goalID, by int64, text string, audit ...AuditEntry) (g pathways.Goal, err error) {
	defer wrap(&err, "CommentOnGoal(%d)", goalID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return g, err
	}
	c, err := pathways.NewGoalComment(by, text, s.nowUTC())
	if err != nil {
		return g, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if g, err = r.goal(ctx, districtID, goalID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "by", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		err := r.queryRow(ctx, `INSERT INTO goal_comments (district_id, goal_id, by_id, at, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			districtID, goalID, by, s.ts(c.At), c.Text).Scan(&c.ID)
		if err != nil {
			return err
		}
		g.Comments = append(g.Comments, c)
		return r.insertChangeAudit(ctx, audit)
	})
	return g, err
}

// Goal returns a goal with its reflection and comments; problem.ErrNotFound
// when the district has none of that id.
func (s *Store) Goal(ctx context.Context, districtID, goalID int64) (g pathways.Goal, err error) {
	defer wrap(&err, "Goal(%d)", goalID)
	err = s.inReadTx(ctx, func(r *runner) error {
		g, err = r.goal(ctx, districtID, goalID)
		return err
	})
	return g, err
}

// StudentGoals lists a student's goals with their reflections and
// comments: the open ones first, soonest due first, then the closed ones,
// the most recent first.
func (s *Store) StudentGoals(ctx context.Context, districtID, studentID int64) (out []pathways.Goal, err error) {
	defer wrap(&err, "StudentGoals(%d)", studentID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tPeople, "student", districtID, studentID); err != nil {
			return err
		}
		out, err = r.goals(ctx, districtID, `student_id = $2 ORDER BY CASE state WHEN 'open' THEN 0 ELSE 1 END,
CASE state WHEN 'open' THEN due_on END, due_on DESC, id DESC`, studentID)
		return err
	})
	return out, err
}

const goalCols = `id, district_id, student_id, evidence_id, what, due_on, plan, need, state, set_at`

func (r *runner) goal(ctx context.Context, districtID, goalID int64) (pathways.Goal, error) {
	gs, err := r.goals(ctx, districtID, `id = $2`, goalID)
	if err != nil {
		return pathways.Goal{}, err
	}
	if len(gs) == 0 {
		return pathways.Goal{}, problem.NotFound("goal", goalID)
	}
	return gs[0], nil
}

// goals lists the district's goals matching where (on $2, with its order)
// with their reflections and comments.
func (r *runner) goals(ctx context.Context, districtID int64, where string, arg any) ([]pathways.Goal, error) {
	var out []pathways.Goal
	err := r.each(ctx, `SELECT `+goalCols+` FROM goals WHERE district_id = $1 AND `+where, []any{districtID, arg}, func(row scanner) error {
		var g pathways.Goal
		var state string
		err := row.Scan(&g.ID, &g.DistrictID, &g.StudentID, nullCol[int64]{&g.EvidenceID}, &g.What, tsCol{&g.Due}, &g.Plan, &g.Need, &state, tsCol{&g.SetAt})
		g.State = pathways.GoalState(state)
		out = append(out, g)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	at := make(map[int64]int, len(out))
	ids := make([]int64, len(out))
	for i, g := range out {
		at[g.ID] = i
		ids[i] = g.ID
	}
	err = r.each(ctx, `SELECT goal_id, met, happened, learned, next, at FROM goal_reflections WHERE district_id = $2 AND goal_id IN ids($1)`,
		[]any{r.s.ids(ids), districtID}, func(row scanner) error {
			var id int64
			var x pathways.Reflection
			if err := row.Scan(&id, &x.Met, &x.Happened, &x.Learned, &x.Next, tsCol{&x.At}); err != nil {
				return err
			}
			out[at[id]].Reflection = &x
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = r.each(ctx, `SELECT goal_id, id, by_id, at, body FROM goal_comments WHERE district_id = $2 AND goal_id IN ids($1) ORDER BY goal_id, id`,
		[]any{r.s.ids(ids), districtID}, func(row scanner) error {
			var id int64
			var c pathways.GoalComment
			if err := row.Scan(&id, &c.ID, &c.By, tsCol{&c.At}, &c.Text); err != nil {
				return err
			}
			out[at[id]].Comments = append(out[at[id]].Comments, c)
			return nil
		})
	return out, err
}
