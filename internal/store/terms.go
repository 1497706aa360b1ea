package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// CreateTerm stores a new term and sets its ID.
func (s *Store) CreateTerm(ctx context.Context, t *roster.Term) (err error) {
	defer wrap(&err, "CreateTerm")
	if err := t.Validate(); err != nil {
		return err
	}
	truncateTerm(t)
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, t.DistrictID); err != nil {
			return err
		}
		if err := r.checkTerm(ctx, t); err != nil {
			return err
		}
		t.RetiredAt = nil
		err := r.queryRow(ctx, `
INSERT INTO terms (district_id, sourced_id, title, type, start_date, end_date, parent_id)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.DistrictID, t.SourcedID, t.Title, string(t.Type), s.ts(t.StartDate), s.ts(t.EndDate), nullInt64(t.ParentID)).Scan(&t.ID)
		return conflictOr(err, "sourcedId", t.SourcedID)
	})
}

// UpdateTerm changes a term.
func (s *Store) UpdateTerm(ctx context.Context, t *roster.Term) (err error) {
	defer wrap(&err, "UpdateTerm(%d)", t.ID)
	if err := t.Validate(); err != nil {
		return err
	}
	truncateTerm(t)
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tTerms, "term", t.DistrictID, t.ID); err != nil {
			return err
		}
		if err := r.checkTerm(ctx, t); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
UPDATE terms SET sourced_id = $3, title = $4, type = $5, start_date = $6, end_date = $7, parent_id = $8
WHERE district_id = $1 AND id = $2 RETURNING retired_at`,
			t.DistrictID, t.ID, t.SourcedID, t.Title, string(t.Type), s.ts(t.StartDate), s.ts(t.EndDate), nullInt64(t.ParentID)).Scan(tsPtrCol{&t.RetiredAt})
		return conflictOr(err, "sourcedId", t.SourcedID)
	})
}

func truncateTerm(t *roster.Term) {
	t.StartDate = utcMicro(t.StartDate)
	t.EndDate = utcMicro(t.EndDate)
}

// checkTerm checks a term's sourcedId and parent before it is written.
func (r *runner) checkTerm(ctx context.Context, t *roster.Term) error {
	if err := r.checkSourcedID(ctx, tTerms, "term", t.DistrictID, t.ID, t.SourcedID); err != nil {
		return err
	}
	if t.ParentID == nil {
		return nil
	}
	var errs problem.Fields
	if err := r.checkRef(ctx, &errs, "parentId", "term", tTerms, t.DistrictID, t.ParentID); err != nil {
		return err
	}
	if len(errs) == 0 && t.ID != 0 {
		loops, err := r.exists(ctx, `
WITH RECURSIVE up (id, parent_id) AS (
    SELECT id, parent_id FROM terms WHERE district_id = $1 AND id = $2
    UNION ALL
    SELECT t.id, t.parent_id FROM terms t JOIN up ON t.id = up.parent_id
)
SELECT 1 FROM up WHERE id = $3`, t.DistrictID, *t.ParentID, t.ID)
		if err != nil {
			return err
		}
		if loops {
			errs.Addf("parentId", "term %d is within term %d: the terms would contain each other", *t.ParentID, t.ID)
		}
	}
	return errs.Err()
}

const termCols = `id, district_id, sourced_id, title, type, start_date, end_date, parent_id, retired_at`

func scanTerm(row scanner) (t roster.Term, err error) {
	var typ string
	err = row.Scan(&t.ID, &t.DistrictID, &t.SourcedID, &t.Title, &typ, tsCol{&t.StartDate}, tsCol{&t.EndDate}, nullCol[int64]{&t.ParentID}, tsPtrCol{&t.RetiredAt})
	t.Type = roster.TermType(typ)
	return t, err
}

// Term returns a term of the district, retired or not.
func (s *Store) Term(ctx context.Context, districtID, id int64) (_ roster.Term, err error) {
	defer wrap(&err, "Term(%d)", id)
	t, err := scanTerm(s.reader().queryRow(ctx, `SELECT `+termCols+` FROM terms WHERE district_id = $1 AND id = $2`, districtID, id))
	return t, noRows(err, "term", id)
}

// Terms lists the district's terms by id, narrowed by f.
func (s *Store) Terms(ctx context.Context, districtID int64, f RosterFilter) (out []roster.Term, next int64, err error) {
	defer wrap(&err, "Terms")
	p := f.Page
	err = s.reader().each(ctx, `SELECT `+termCols+` FROM terms WHERE district_id = $1 AND id > $2`+retiredClause("", f.IncludeRetired)+` ORDER BY id LIMIT $3`,
		[]any{districtID, p.After, p.limit() + 1}, func(row scanner) error {
			t, err := scanTerm(row)
			out = append(out, t)
			return err
		})
	out, next = pageOf(out, p.limit(), func(t roster.Term) int64 { return t.ID })
	return out, next, err
}
