package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

// CreateStandard stores a new standard and sets its ID. Its parent, if any,
// must be in the same framework. A new child changes its parent's rollup
// (one more child, not yet assessed), so the parent's mastery states are
// recomputed in the same transaction.
func (s *Store) CreateStandard(ctx context.Context, st *standards.Standard) (err error) {
	defer wrap(&err, "CreateStandard")
	if err := st.Validate(); err != nil {
		return err
	}
	var changes []Change
	defer func() { s.afterWrite(changes, err) }()
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, st.DistrictID); err != nil {
			return err
		}
		r.dropModel(st.DistrictID)
		if err := r.checkStandard(ctx, st); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
INSERT INTO standards (district_id, framework_id, sourced_id, code, statement, type, education_levels, parent_id, position, retired)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			st.DistrictID, st.FrameworkID, st.SourcedID, st.Code, st.Statement, st.Type, jsonText(st.EducationLevels),
			nullInt64(st.ParentID), st.Position, st.Retired).Scan(&st.ID)
		if err != nil {
			return conflictOr(err, "sourcedId", st.SourcedID)
		}
		if err := r.frameworkChanged(ctx, st.DistrictID, st.ID); err != nil {
			return err
		}
		if st.ParentID != nil {
			changes, _, err = r.recomputeStandards(ctx, st.DistrictID, nil, []int64{*st.ParentID})
		}
		return err
	})
}

// UpdateStandard changes a standard. A standard stays in its framework. When
// it moves to another parent or position, or is retired or brought back,
// the rollups of its old and new parents are recomputed in the same
// transaction.
func (s *Store) UpdateStandard(ctx context.Context, st *standards.Standard) (err error) {
	defer wrap(&err, "UpdateStandard(%d)", st.ID)
	if err := st.Validate(); err != nil {
		return err
	}
	var changes []Change
	defer func() { s.afterWrite(changes, err) }()
	return s.inTx(ctx, func(r *runner) error {
		r.dropModel(st.DistrictID)
		old, err := s.standard(ctx, r, st.DistrictID, st.ID)
		if err != nil {
			return err
		}
		if old.FrameworkID != st.FrameworkID {
			return problem.Invalid("frameworkId", "standard %d is in framework %d and cannot move to another framework", st.ID, old.FrameworkID)
		}
		if err := r.checkStandard(ctx, st); err != nil {
			return err
		}
		_, err = r.exec(ctx, `
UPDATE standards SET sourced_id = $3, code = $4, statement = $5, type = $6, education_levels = $7,
    parent_id = $8, position = $9, retired = $10
WHERE district_id = $1 AND id = $2`,
			st.DistrictID, st.ID, st.SourcedID, st.Code, st.Statement, st.Type, jsonText(st.EducationLevels),
			nullInt64(st.ParentID), st.Position, st.Retired)
		if err != nil {
			return conflictOr(err, "sourcedId", st.SourcedID)
		}
		if err := r.frameworkChanged(ctx, st.DistrictID, st.ID); err != nil {
			return err
		}
		var parents []int64
		if !equalRef(old.ParentID, st.ParentID) || old.Position != st.Position || old.Retired != st.Retired {
			// The standards that rolled st up before and roll it up now:
			// its parents, or, where those are retired, their nearest
			// ancestors that are not. Neither walk passes st itself.
			stored, err := r.standardTree(ctx, st.DistrictID)
			if err != nil {
				return err
			}
			lookup := func(id int64) (standards.Standard, bool) { s, ok := stored[id]; return s, ok }
			for _, p := range []*int64{old.ParentID, st.ParentID} {
				for _, q := range []*int64{p, activeAncestor(p, lookup, len(stored))} {
					if q != nil && !slices.Contains(parents, *q) {
						parents = append(parents, *q)
					}
				}
			}
		}
		if old.Retired != st.Retired {
			// Retired, it stands apart with its own evidence; back, it
			// rolls its children up again.
			parents = append(parents, st.ID)
		}
		if len(parents) > 0 {
			changes, _, err = r.recomputeStandards(ctx, st.DistrictID, nil, parents)
		}
		return err
	})
}

// afterWrite tells listeners about the mastery a write changed, once it
// has committed.
func (s *Store) afterWrite(changes []Change, err error) {
	if err == nil {
		s.notify(changes)
	}
}

func equalRef(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// checkStandard checks a standard's sourcedId, framework and parent before
// it is written.
func (r *runner) checkStandard(ctx context.Context, st *standards.Standard) error {
	if err := r.checkSourcedID(ctx, tStandards, "standard", st.DistrictID, st.ID, st.SourcedID); err != nil {
		return err
	}
	var errs problem.Fields
	if err := r.checkRef(ctx, &errs, "frameworkId", "framework", tFrameworks, st.DistrictID, &st.FrameworkID); err != nil {
		return err
	}
	if st.ParentID != nil && len(errs) == 0 {
		var fw int64
		err := r.queryRow(ctx, `SELECT framework_id FROM standards WHERE district_id = $1 AND id = $2`, st.DistrictID, *st.ParentID).Scan(&fw)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			errs.Addf("parentId", "no standard %d in this district", *st.ParentID)
		case err != nil:
			return err
		case fw != st.FrameworkID:
			errs.Addf("parentId", "standard %d is in framework %d, not in framework %d", *st.ParentID, fw, st.FrameworkID)
		case st.ID != 0:
			loops, err := r.exists(ctx, `
WITH RECURSIVE up (id, parent_id) AS (
    SELECT id, parent_id FROM standards WHERE district_id = $1 AND id = $2
    UNION ALL
    SELECT s.id, s.parent_id FROM standards s JOIN up ON s.id = up.parent_id
)
SELECT 1 FROM up WHERE id = $3`, st.DistrictID, *st.ParentID, st.ID)
			if err != nil {
				return err
			}
			if loops {
				errs.Addf("parentId", "standard %d is below standard %d: the hierarchy would loop", *st.ParentID, st.ID)
			}
		}
	}
	return errs.Err()
}

const standardCols = `s.id, s.district_id, s.framework_id, s.sourced_id, s.code, s.statement, s.type, s.education_levels, s.parent_id, s.position, s.retired`

func scanStandard(row scanner) (st standards.Standard, err error) {
	err = row.Scan(&st.ID, &st.DistrictID, &st.FrameworkID, &st.SourcedID, &st.Code, &st.Statement, &st.Type,
		jsonCol{&st.EducationLevels}, nullCol[int64]{&st.ParentID}, &st.Position, &st.Retired)
	return st, err
}

// Standard returns a standard of the district.
func (s *Store) Standard(ctx context.Context, districtID, id int64) (_ standards.Standard, err error) {
	defer wrap(&err, "Standard(%d)", id)
	return s.standard(ctx, s.reader(), districtID, id)
}

func (s *Store) standard(ctx context.Context, r *runner, districtID, id int64) (standards.Standard, error) {
	st, err := scanStandard(r.queryRow(ctx, `SELECT `+standardCols+` FROM standards s WHERE s.district_id = $1 AND s.id = $2`, districtID, id))
	return st, noRows(err, "standard", id)
}

// Standards lists a framework's standards by id; frameworkID 0 lists every
// framework's.
func (s *Store) Standards(ctx context.Context, districtID, frameworkID int64, p Page) (out []standards.Standard, next int64, err error) {
	defer wrap(&err, "Standards(framework %d)", frameworkID)
	q := `SELECT ` + standardCols + ` FROM standards s WHERE s.district_id = $1 AND s.id > $2`
	args := []any{districtID, p.After, p.limit() + 1}
	if frameworkID != 0 {
		q += ` AND s.framework_id = $4`
		args = append(args, frameworkID)
	}
	q += ` ORDER BY s.id LIMIT $3`
	err = s.reader().each(ctx, q, args, func(row scanner) error {
		st, err := scanStandard(row)
		out = append(out, st)
		return err
	})
	out, next = pageOf(out, p.limit(), func(st standards.Standard) int64 { return st.ID })
	return out, next, err
}

// AllStandards returns a whole framework depth-first in hierarchy order:
// each standard followed by its children in position order.
func (s *Store) AllStandards(ctx context.Context, districtID, frameworkID int64) (_ []standards.Standard, err error) {
	defer wrap(&err, "AllStandards(framework %d)", frameworkID)
	r := s.reader()
	if err := r.mustExist(ctx, tFrameworks, "framework", districtID, frameworkID); err != nil {
		return nil, err
	}
	var all []standards.Standard
	err = r.each(ctx, `SELECT `+standardCols+` FROM standards s WHERE s.district_id = $1 AND s.framework_id = $2`,
		[]any{districtID, frameworkID}, func(row scanner) error {
			st, err := scanStandard(row)
			all = append(all, st)
			return err
		})
	if err != nil {
		return nil, err
	}
	return hierarchyOrder(all), nil
}

// AddPrerequisite records that p.PrerequisiteID must be mastered before
// p.StandardID. Adding an edge that is already there does nothing; an edge
// that would make a cycle is refused.
func (s *Store) AddPrerequisite(ctx context.Context, p standards.Prerequisite) (err error) {
	defer wrap(&err, "AddPrerequisite(%d before %d)", p.PrerequisiteID, p.StandardID)
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, p.DistrictID); err != nil {
			return err
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "standardId", "standard", tStandards, p.DistrictID, &p.StandardID); err != nil {
			return err
		}
		if err := r.checkRef(ctx, &errs, "prerequisiteId", "standard", tStandards, p.DistrictID, &p.PrerequisiteID); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		edges, err := s.prerequisites(ctx, r, p.DistrictID)
		if err != nil {
			return err
		}
		if err := standards.NewGraph(nil, edges).CheckPrerequisite(p.StandardID, p.PrerequisiteID); err != nil {
			return err
		}
		res, err := r.exec(ctx, `
INSERT INTO prerequisites (district_id, standard_id, prerequisite_id) VALUES ($1, $2, $3)
ON CONFLICT (standard_id, prerequisite_id) DO NOTHING`, p.DistrictID, p.StandardID, p.PrerequisiteID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		r.dropCatalog(p.DistrictID)
		return r.frameworkChanged(ctx, p.DistrictID, p.StandardID, p.PrerequisiteID)
	})
}

// Prerequisites lists the district's prerequisites by standard, then
// prerequisite.
func (s *Store) Prerequisites(ctx context.Context, districtID int64) (_ []standards.Prerequisite, err error) {
	defer wrap(&err, "Prerequisites")
	return s.prerequisites(ctx, s.reader(), districtID)
}

func (s *Store) prerequisites(ctx context.Context, r *runner, districtID int64) (out []standards.Prerequisite, err error) {
	err = r.each(ctx, `
SELECT district_id, standard_id, prerequisite_id FROM prerequisites WHERE district_id = $1
ORDER BY standard_id, prerequisite_id`, []any{districtID}, func(row scanner) error {
		var p standards.Prerequisite
		err := row.Scan(&p.DistrictID, &p.StandardID, &p.PrerequisiteID)
		out = append(out, p)
		return err
	})
	return out, err
}

// SetCourseStandards replaces the standards a course is mapped to. The
// mapping decides which course's policy applies to a standard, so the
// mastery of every standard whose policy changes is recomputed. A retired
// standard cannot be mapped; one mapped before it was retired stays
// mapped, out of sight, and is back in the course if it comes back.
func (s *Store) SetCourseStandards(ctx context.Context, districtID, courseID int64, standardIDs []int64) (err error) {
	defer wrap(&err, "SetCourseStandards(course %d)", courseID)
	var changes []Change
	defer func() { s.afterWrite(changes, err) }()
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tCourses, "course", districtID, courseID); err != nil {
			return err
		}
		r.dropPolicies(districtID)
		m, err := loadModel(ctx, r, districtID)
		if err != nil {
			return err
		}
		var errs problem.Fields
		var ids []int64
		for i, id := range standardIDs {
			if _, ok := m.std[id]; !ok {
				errs.Addf(fmt.Sprintf("standardIds[%d]", i), "no standard %d in this district", id)
				continue
			}
			if m.retired(id) {
				errs.Addf(fmt.Sprintf("standardIds[%d]", i), "standard %d is retired", id)
				continue
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		before, err := loadPolicies(ctx, r, districtID)
		if err != nil {
			return err
		}
		var touched []int64
		err = r.each(ctx, `SELECT standard_id FROM course_standards WHERE course_id = $1`, []any{courseID}, func(row scanner) error {
			var id int64
			err := row.Scan(&id)
			touched = append(touched, id)
			return err
		})
		if err != nil {
			return err
		}
		// A retired standard's place in the course is kept, unseen, for
		// when an import brings the standard back.
		if _, err := r.exec(ctx, `
DELETE FROM course_standards WHERE district_id = $1 AND course_id = $2
    AND standard_id NOT IN (SELECT id FROM standards WHERE district_id = $1 AND retired)`, districtID, courseID); err != nil {
			return err
		}
		rows := make([][]any, len(ids))
		for i, id := range ids {
			rows[i] = []any{districtID, courseID, id}
		}
		if err := r.insertRows(ctx, `INSERT INTO course_standards (district_id, course_id, standard_id) VALUES `, "", rows); err != nil {
			return err
		}
		after, err := loadPolicies(ctx, r, districtID)
		if err != nil {
			return err
		}
		var changed []int64
		for _, id := range append(touched, ids...) {
			if before.of(id) != after.of(id) && !slices.Contains(changed, id) {
				changed = append(changed, id)
			}
		}
		if len(changed) > 0 {
			changes, _, err = r.recomputeStandards(ctx, districtID, after, changed)
		}
		return err
	})
}

// CourseStandards returns the standards a course is mapped to, in
// framework hierarchy order (frameworks by id), retired ones left out.
func (s *Store) CourseStandards(ctx context.Context, districtID, courseID int64) (_ []standards.Standard, err error) {
	defer wrap(&err, "CourseStandards(course %d)", courseID)
	r := s.reader()
	if err := r.mustExist(ctx, tCourses, "course", districtID, courseID); err != nil {
		return nil, err
	}
	return s.courseStandards(ctx, r, districtID, courseID)
}

func (s *Store) courseStandards(ctx context.Context, r *runner, districtID, courseID int64) (out []standards.Standard, err error) {
	err = r.each(ctx, `
SELECT `+standardCols+` FROM course_standards cs JOIN standards s ON s.id = cs.standard_id
WHERE cs.district_id = $1 AND cs.course_id = $2 AND NOT s.retired`, []any{districtID, courseID}, func(row scanner) error {
		st, err := scanStandard(row)
		out = append(out, st)
		return err
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	m, err := s.model(ctx, r, districtID, anyVersion)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b standards.Standard) int { return m.std[a.ID].order - m.std[b.ID].order })
	return out, nil
}

// standardTree returns the district's standards by id with their parents
// and whether they are retired, the rest left empty.
func (r *runner) standardTree(ctx context.Context, districtID int64) (map[int64]standards.Standard, error) {
	out := map[int64]standards.Standard{}
	err := r.each(ctx, `SELECT id, parent_id, retired FROM standards WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var st standards.Standard
		if err := row.Scan(&st.ID, nullCol[int64]{&st.ParentID}, &st.Retired); err != nil {
			return err
		}
		out[st.ID] = st
		return nil
	})
	return out, err
}
