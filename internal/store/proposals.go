package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateProposal stores the proposal a student makes (pathways.NewProposal
// builds it) and its first step, with the audit entries of the change. The
// student must be enrolled in the class as a student, and the target must
// be one of the standards of the class's course; each refusal names its
// field. It sets p.ID.
func (s *Store) CreateProposal(ctx context.Context, p *pathways.Proposal, audit ...AuditEntry) (err error) {
	defer wrap(&err, "CreateProposal(student %d)", p.StudentID)
	if err := checkChangeAudit(p.DistrictID, audit); err != nil {
		return err
	}
	fresh, err := pathways.NewProposal(p.DistrictID, p.StudentID, p.ClassID, p.StandardID, p.ProposalDraft, s.nowUTC())
	if err != nil {
		return err
	}
	*p = fresh
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, p.DistrictID); err != nil {
			return err
		}
		if err := r.checkProposalRefs(ctx, p); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
INSERT INTO proposals (district_id, student_id, class_id, standard_id, title, plan, link, state, proposed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			p.DistrictID, p.StudentID, p.ClassID, p.StandardID, p.Title, p.Plan, p.Link, string(p.State), s.ts(p.ProposedAt)).Scan(&p.ID)
		if err != nil {
			return err
		}
		if err := r.insertProposalStep(ctx, p.DistrictID, p.ID, p.History[0]); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

// checkProposalRefs checks the student, class and target of a new
// proposal, naming each field refused.
func (r *runner) checkProposalRefs(ctx context.Context, p *pathways.Proposal) error {
	var errs problem.Fields
	if err := r.checkRole(ctx, &errs, "studentId", p.DistrictID, p.StudentID, roster.RoleStudent); err != nil {
		return err
	}
	var courseID int64
	err := r.queryRow(ctx, `SELECT course_id FROM classes WHERE district_id = $1 AND id = $2`, p.DistrictID, p.ClassID).Scan(&courseID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		errs.Addf("classId", "no class %d in this district", p.ClassID)
	case err != nil:
		return err
	}
	if courseID != 0 && len(errs) == 0 {
		enrolled, err := r.exists(ctx, `SELECT 1 FROM enrollments WHERE district_id = $1 AND class_id = $2 AND person_id = $3 AND role = $4`,
			p.DistrictID, p.ClassID, p.StudentID, string(roster.EnrolledStudent))
		if err != nil {
			return err
		}
		if !enrolled {
			errs.Addf("classId", "student %d is not a student of class %d", p.StudentID, p.ClassID)
		}
	}
	if err := r.checkRef(ctx, &errs, "standardId", "standard", tStandards, p.DistrictID, &p.StandardID); err != nil {
		return err
	}
	if courseID != 0 && len(errs) == 0 {
		in, err := r.exists(ctx, `SELECT 1 FROM course_standards WHERE district_id = $1 AND course_id = $2 AND standard_id = $3`,
			p.DistrictID, courseID, p.StandardID)
		if err != nil {
			return err
		}
		if !in {
			errs.Addf("standardId", "standard %d is not a standard of class %d's course", p.StandardID, p.ClassID)
		}
	}
	return errs.Err()
}

func (r *runner) insertProposalStep(ctx context.Context, districtID, proposalID int64, st pathways.ProposalStep) error {
	_, err := r.exec(ctx, `
INSERT INTO proposal_steps (district_id, proposal_id, at, by_id, action, title, plan, link, comment)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		districtID, proposalID, r.s.ts(st.At), st.By, string(st.Action), st.Title, st.Plan, st.Link, st.Comment)
	return err
}

// DecideProposal records a teacher's decision on a proposal waiting for
// one, with the audit entries of the change, and returns the proposal as
// it now stands. A proposal already decided (by another teacher a moment
// before) is problem.ErrConflict.
func (s *Store) DecideProposal(ctx context.Context, districtID, proposalID, by int64, d pathways.Decision, audit ...AuditEntry) (p pathways.Proposal, err error) {
	defer wrap(&err, "DecideProposal(%d)", proposalID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return p, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if p, err = r.proposal(ctx, districtID, proposalID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "by", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		step, err := p.Decide(by, d, s.nowUTC())
		if err != nil {
			return err
		}
		res, err := r.exec(ctx, `
UPDATE proposals SET state = $3, decided_at = $4, decided_by = $5
WHERE district_id = $1 AND id = $2 AND state = 'proposed'`,
			districtID, proposalID, string(p.State), s.ts(step.At), by)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return problem.Conflict("state", "the proposal was decided meanwhile")
		}
		if err := r.insertProposalStep(ctx, districtID, proposalID, step); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	return p, err
}

// ReviseProposal proposes a returned proposal again with the student's new
// words, with the audit entries of the change, and returns it as it now
// stands. A proposal not returned is problem.ErrConflict.
func (s *Store) ReviseProposal(ctx context.Context, districtID, proposalID int64, d pathways.ProposalDraft, audit ...AuditEntry) (p pathways.Proposal, err error) {
	defer wrap(&err, "ReviseProposal(%d)", proposalID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return p, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if p, err = r.proposal(ctx, districtID, proposalID); err != nil {
			return err
		}
		step, err := p.Revise(d, s.nowUTC())
		if err != nil {
			return err
		}
		res, err := r.exec(ctx, `
UPDATE proposals SET title = $3, plan = $4, link = $5, state = 'proposed', proposed_at = $6, decided_at = NULL, decided_by = NULL
WHERE district_id = $1 AND id = $2 AND state = 'returned'`,
			districtID, proposalID, p.Title, p.Plan, p.Link, s.ts(step.At))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return problem.Conflict("state", "the proposal changed meanwhile")
		}
		if err := r.insertProposalStep(ctx, districtID, proposalID, step); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	return p, err
}

// Proposal returns a proposal with its history; problem.ErrNotFound when
// the district has none of that id.
func (s *Store) Proposal(ctx context.Context, districtID, proposalID int64) (p pathways.Proposal, err error) {
	defer wrap(&err, "Proposal(%d)", proposalID)
	err = s.inReadTx(ctx, func(r *runner) error {
		p, err = r.proposal(ctx, districtID, proposalID)
		return err
	})
	return p, err
}

const proposalCols = `id, district_id, student_id, class_id, standard_id, title, plan, link, state, proposed_at, decided_at, decided_by`

func scanProposal(row scanner) (pathways.Proposal, error) {
	var p pathways.Proposal
	var state string
	err := row.Scan(&p.ID, &p.DistrictID, &p.StudentID, &p.ClassID, &p.StandardID, &p.Title, &p.Plan, &p.Link, &state,
		tsCol{&p.ProposedAt}, tsPtrCol{&p.DecidedAt}, nullCol[int64]{&p.DecidedBy})
	p.State = pathways.ProposalState(state)
	return p, err
}

func (r *runner) proposal(ctx context.Context, districtID, proposalID int64) (pathways.Proposal, error) {
	p, err := scanProposal(r.queryRow(ctx, `SELECT `+proposalCols+` FROM proposals WHERE district_id = $1 AND id = $2`, districtID, proposalID))
	if err != nil {
		return p, noRows(err, "proposal", proposalID)
	}
	ps := []pathways.Proposal{p}
	if err := r.proposalSteps(ctx, districtID, ps); err != nil {
		return p, err
	}
	return ps[0], nil
}

// proposalSteps fills the history of each of ps.
func (r *runner) proposalSteps(ctx context.Context, districtID int64, ps []pathways.Proposal) error {
	if len(ps) == 0 {
		return nil
	}
	at := make(map[int64]int, len(ps))
	ids := make([]int64, len(ps))
	for i, p := range ps {
		at[p.ID] = i
		ids[i] = p.ID
	}
	return r.each(ctx, `
SELECT proposal_id, at, by_id, action, title, plan, link, comment FROM proposal_steps
WHERE district_id = $2 AND proposal_id IN ids($1) ORDER BY proposal_id, id`, []any{r.s.ids(ids), districtID}, func(row scanner) error {
		var id int64
		var st pathways.ProposalStep
		var action string
		if err := row.Scan(&id, tsCol{&st.At}, &st.By, &action, &st.Title, &st.Plan, &st.Link, &st.Comment); err != nil {
			return err
		}
		st.Action = pathways.ProposalAction(action)
		i := at[id]
		ps[i].History = append(ps[i].History, st)
		return nil
	})
}

// StudentProposals lists a student's proposals with their histories, the
// most recently proposed first.
func (s *Store) StudentProposals(ctx context.Context, districtID, studentID int64) (out []pathways.Proposal, err error) {
	defer wrap(&err, "StudentProposals(%d)", studentID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tPeople, "student", districtID, studentID); err != nil {
			return err
		}
		out, err = r.proposals(ctx, districtID, `student_id = $2`, studentID)
		return err
	})
	return out, err
}

// ClassProposals lists a class's proposals with their histories, those
// waiting for a decision first, then the most recently proposed.
func (s *Store) ClassProposals(ctx context.Context, districtID, classID int64) (out []pathways.Proposal, err error) {
	defer wrap(&err, "ClassProposals(%d)", classID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
			return err
		}
		out, err = r.proposals(ctx, districtID, `class_id = $2`, classID)
		return err
	})
	return out, err
}

// WaitingProposals counts the proposals of a class waiting for a decision.
func (s *Store) WaitingProposals(ctx context.Context, districtID, classID int64) (n int, err error) {
	defer wrap(&err, "WaitingProposals(%d)", classID)
	err = s.reader().queryRow(ctx, `SELECT count(*) FROM proposals WHERE district_id = $1 AND class_id = $2 AND state = 'proposed'`,
		districtID, classID).Scan(&n)
	return n, err
}

// proposals lists the district's proposals matching where (on $2), with
// their histories, those waiting first and then the most recent.
func (r *runner) proposals(ctx context.Context, districtID int64, where string, arg any) ([]pathways.Proposal, error) {
	var out []pathways.Proposal
	err := r.each(ctx, `SELECT `+proposalCols+` FROM proposals WHERE district_id = $1 AND `+where+`
ORDER BY CASE state WHEN 'proposed' THEN 0 ELSE 1 END, proposed_at DESC, id DESC`, []any{districtID, arg}, func(row scanner) error {
		p, err := scanProposal(row)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, r.proposalSteps(ctx, districtID, out)
}
