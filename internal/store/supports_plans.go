package store

import (
	"context"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/supports"
)

// ReviseSupportPlan replaces an open plan's draft (supports.Plan.Revise
// decides, at the store's clock), with the audit entries of the change,
// and returns the plan as it now stands. The references are checked as
// CreateSupportPlan checks them; a closed plan is problem.ErrConflict.
func (s *Store) ReviseSupportPlan(ctx context.Context, districtID, planID int64, d supports.PlanDraft, audit ...AuditEntry) (p supports.Plan, err error) {
	defer wrap(&err, "ReviseSupportPlan(%d)", planID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return p, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if p, err = r.supportPlan(ctx, districtID, planID); err != nil {
			return err
		}
		if err := p.Revise(d, s.nowUTC()); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "providerId", "person", tPeople, districtID, &p.ProviderID); err != nil {
			return err
		}
		if err := r.checkRef(ctx, &errs, "classId", "class", tClasses, districtID, p.ClassID); err != nil {
			return err
		}
		for i := range p.StandardIDs {
			if err := r.checkRef(ctx, &errs, "standardIds", "standard", tStandards, districtID, &p.StandardIDs[i]); err != nil {
				return err
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		res, err := r.exec(ctx, `
UPDATE support_plans SET class_id = $3, tier = $4, kind = $5, provider_id = $6, schedule = $7, starts_on = $8, ends_on = $9, goal = $10
WHERE district_id = $1 AND id = $2 AND closed_at IS NULL`,
			districtID, planID, p.ClassID, int(p.Tier), string(p.Kind), p.ProviderID, p.Schedule, s.ts(p.StartsOn), s.tsOrNull(p.EndsOn), p.Goal)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return problem.Conflict("outcome", "the plan was closed meanwhile")
		}
		if _, err := r.exec(ctx, `DELETE FROM support_plan_standards WHERE district_id = $1 AND plan_id = $2`, districtID, planID); err != nil {
			return err
		}
		rows := make([][]any, len(p.StandardIDs))
		for i, std := range p.StandardIDs {
			rows[i] = []any{districtID, planID, std}
		}
		if err := r.insertRows(ctx, `INSERT INTO support_plan_standards (district_id, plan_id, standard_id) VALUES `, "", rows); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err == nil {
		s.notify([]Change{{Kind: SupportsChanged, DistrictID: districtID, StudentID: p.StudentID}})
	}
	return p, err
}

// SupportProgress returns the scores on the plan's standards from the
// student's evidence assessed since the plan started (voided evidence
// left out), in the order assessed: the data of the plan's progress
// monitoring (supports.Monitor).
func (s *Store) SupportProgress(ctx context.Context, p supports.Plan) (out []supports.ProgressPoint, err error) {
	defer wrap(&err, "SupportProgress(plan %d)", p.ID)
	if len(p.StandardIDs) == 0 {
		return nil, nil
	}
	err = s.reader().each(ctx, `
SELECT e.id, sc.standard_id, e.assessed_at, sc.value
FROM evidence e JOIN evidence_scores sc ON sc.district_id = e.district_id AND sc.evidence_id = e.id
WHERE e.district_id = $2 AND e.student_id = $3 AND e.assessed_at >= $4 AND e.void_at IS NULL
  AND sc.student_id = $3 AND sc.standard_id IN ids($1)
ORDER BY e.assessed_at, e.id, sc.standard_id`,
		[]any{s.ids(p.StandardIDs), p.DistrictID, p.StudentID, s.ts(p.StartsOn)}, func(row scanner) error {
			var pt supports.ProgressPoint
			err := row.Scan(&pt.EvidenceID, &pt.StandardID, tsCol{&pt.AssessedAt}, &pt.Value)
			out = append(out, pt)
			return err
		})
	return out, err
}

// SupportCount is how many plans of one tier and kind run on a day, and
// for how many students.
type SupportCount struct {
	Tier     supports.Tier
	Kind     supports.Kind
	Plans    int
	Students int
}

// SchoolSupportCounts counts the plans running on the day of on for the
// students enrolled now in the school's classes, by tier and kind, and
// the students with at least one: what a principal or a coach reads of
// the interventions under way, without opening any one student's record.
func (s *Store) SchoolSupportCounts(ctx context.Context, districtID, schoolID int64, on time.Time) (out []SupportCount, students int, err error) {
	defer wrap(&err, "SchoolSupportCounts(%d)", schoolID)
	day := supports.Day(on)
	const running = `FROM support_plans p
WHERE p.district_id = $1 AND p.starts_on <= $3 AND (p.ends_on IS NULL OR p.ends_on >= $3) AND (p.closed_at IS NULL OR p.closed_at >= $3)
  AND p.student_id IN (SELECT e.person_id FROM enrollments e JOIN classes c ON c.district_id = e.district_id AND c.id = e.class_id
      WHERE e.district_id = $1 AND c.school_id = $2 AND c.retired_at IS NULL AND e.role = 'student' AND e.retired_at IS NULL
        AND (e.end_date IS NULL OR e.end_date > $4))`
	args := []any{districtID, schoolID, s.ts(day), s.ts(on)}
	err = s.inReadTx(ctx, func(r *runner) error {
		out = out[:0]
		err := r.each(ctx, `SELECT p.tier, p.kind, count(*), count(DISTINCT p.student_id) `+running+`
GROUP BY p.tier, p.kind ORDER BY p.tier DESC, p.kind`, args, func(row scanner) error {
			var c SupportCount
			var tier int
			var kind string
			err := row.Scan(&tier, &kind, &c.Plans, &c.Students)
			c.Tier, c.Kind = supports.Tier(tier), supports.Kind(kind)
			out = append(out, c)
			return err
		})
		if err != nil {
			return err
		}
		return r.queryRow(ctx, `SELECT count(DISTINCT p.student_id) `+running, args...).Scan(&students)
	})
	return out, students, err
}

// RecordNote stores a teacher's note about a student (checked by
// supports.NewNote against the store's clock), with the audit entries of
// the change, and sets n.ID and n.At. The author and the student must be
// the district's, the class, when given, too. Whether the author may
// write about this student is the caller's to decide (access.Notes).
func (s *Store) RecordNote(ctx context.Context, n *supports.Note, audit ...AuditEntry) (err error) {
	defer wrap(&err, "RecordNote(student %d)", n.StudentID)
	if err := checkChangeAudit(n.DistrictID, audit); err != nil {
		return err
	}
	fresh, err := supports.NewNote(n.DistrictID, n.StudentID, n.ClassID, n.AuthorID, n.Kind, n.Text, s.nowUTC())
	if err != nil {
		return err
	}
	*n = fresh
	var alerts []Change
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.recordNote(ctx, n); err != nil {
			return err
		}
		// The district's rule on behaviour notes is evaluated in this
		// transaction: the note and the alert it raises commit together
		// or not at all.
		if n.Kind == supports.NoteBehaviour {
			if alerts, err = r.raiseNoteAlerts(ctx, n.DistrictID, n.StudentID, n.AuthorID, n.ClassID, n.At); err != nil {
				return err
			}
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err == nil {
		s.notify(append([]Change{{Kind: SupportsChanged, DistrictID: n.DistrictID, StudentID: n.StudentID}}, alerts...))
	}
	return err
}

// recordNote checks a note's references and inserts it, in r's
// transaction.
func (r *runner) recordNote(ctx context.Context, n *supports.Note) error {
	if err := r.districtExists(ctx, n.DistrictID); err != nil {
		return err
	}
	var errs problem.Fields
	if err := r.checkRole(ctx, &errs, "studentId", n.DistrictID, n.StudentID, roster.RoleStudent); err != nil {
		return err
	}
	if err := r.checkRef(ctx, &errs, "authorId", "person", tPeople, n.DistrictID, &n.AuthorID); err != nil {
		return err
	}
	if err := r.checkRef(ctx, &errs, "classId", "class", tClasses, n.DistrictID, n.ClassID); err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return r.queryRow(ctx, `
INSERT INTO support_notes (district_id, student_id, class_id, author_id, kind, body, at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		n.DistrictID, n.StudentID, n.ClassID, n.AuthorID, string(n.Kind), n.Text, r.s.ts(n.At)).Scan(&n.ID)
}

// StudentNotes lists the notes about a student, the latest first, at most
// supports.MaxNotesListed.
func (s *Store) StudentNotes(ctx context.Context, districtID, studentID int64) (out []supports.Note, err error) {
	defer wrap(&err, "StudentNotes(%d)", studentID)
	err = s.reader().each(ctx, `
SELECT id, district_id, student_id, class_id, author_id, kind, body, at FROM support_notes
WHERE district_id = $1 AND student_id = $2 ORDER BY at DESC, id DESC LIMIT $3`,
		[]any{districtID, studentID, supports.MaxNotesListed}, func(row scanner) error {
			var n supports.Note
			var kind string
			err := row.Scan(&n.ID, &n.DistrictID, &n.StudentID, nullCol[int64]{&n.ClassID}, &n.AuthorID, &kind, &n.Text, tsCol{&n.At})
			n.Kind = supports.NoteKind(kind)
			out = append(out, n)
			return err
		})
	return out, err
}
