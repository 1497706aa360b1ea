package store

import (
	"context"

	"github.com/cairn-learning/cairn/internal/pathways"
)

// SaveChoice stores what a student chose for a standard (replacing what
// they chose before) and sets its ID and ChosenAt. It is checked against
// the playlists the student sees for that standard (StudentPlaylists). A
// choice is part of the student's record: the audit entries of the change
// are written in its transaction.
func (s *Store) SaveChoice(ctx context.Context, c *pathways.Choice, audit ...AuditEntry) (err error) {
	defer wrap(&err, "SaveChoice(student %d, standard %d)", c.StudentID, c.StandardID)
	if err := checkChangeAudit(c.DistrictID, audit); err != nil {
		return err
	}
	err = s.inTx(ctx, func(r *runner) error {
		ps, err := r.studentPlaylists(ctx, c.DistrictID, c.StudentID, c.StandardID)
		if err != nil {
			return err
		}
		if err := c.Validate(ps); err != nil {
			return err
		}
		if err := r.insertChangeAudit(ctx, audit); err != nil {
			return err
		}
		c.ChosenAt = s.wallUTC()
		if _, err := r.exec(ctx, `DELETE FROM choice_activities WHERE district_id = $1 AND choice_id IN
    (SELECT id FROM choices WHERE district_id = $1 AND student_id = $2 AND standard_id = $3)`, c.DistrictID, c.StudentID, c.StandardID); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM choices WHERE district_id = $1 AND student_id = $2 AND standard_id = $3`, c.DistrictID, c.StudentID, c.StandardID); err != nil {
			return err
		}
		err = r.queryRow(ctx, `INSERT INTO choices (district_id, student_id, standard_id, way_to_show, note, chosen_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.DistrictID, c.StudentID, c.StandardID, string(c.WayToShow), c.Note, s.ts(c.ChosenAt)).Scan(&c.ID)
		if err != nil {
			return err
		}
		rows := make([][]any, len(c.ActivityIDs))
		for i, id := range c.ActivityIDs {
			rows[i] = []any{c.DistrictID, c.ID, id, i + 1}
		}
		return r.insertRows(ctx, `INSERT INTO choice_activities (district_id, choice_id, activity_id, position) VALUES `, ``, rows)
	})
	if err != nil {
		c.ID = 0
	}
	return err
}

// Choice returns what a student chose for a standard, and false when they
// have chosen nothing yet.
func (s *Store) Choice(ctx context.Context, districtID, studentID, standardID int64) (c pathways.Choice, found bool, err error) {
	defer wrap(&err, "Choice(student %d, standard %d)", studentID, standardID)
	cs, err := s.choices(ctx, districtID, studentID, standardID)
	if err != nil || len(cs) == 0 {
		return c, false, err
	}
	return cs[0], true, nil
}

// StudentChoices returns what a student chose for each standard, the most
// recent first.
func (s *Store) StudentChoices(ctx context.Context, districtID, studentID int64) (out []pathways.Choice, err error) {
	defer wrap(&err, "StudentChoices(%d)", studentID)
	return s.choices(ctx, districtID, studentID, 0)
}

func (s *Store) choices(ctx context.Context, districtID, studentID, standardID int64) (out []pathways.Choice, err error) {
	err = s.inReadTx(ctx, func(r *runner) error {
		at := map[int64]int{}
		err := r.each(ctx, `SELECT id, district_id, student_id, standard_id, way_to_show, note, chosen_at FROM choices
WHERE district_id = $1 AND student_id = $2 AND ($3 = 0 OR standard_id = $3) ORDER BY chosen_at DESC, id DESC`,
			[]any{districtID, studentID, standardID}, func(row scanner) error {
				var c pathways.Choice
				if err := row.Scan(&c.ID, &c.DistrictID, &c.StudentID, &c.StandardID, &c.WayToShow, &c.Note, tsCol{&c.ChosenAt}); err != nil {
					return err
				}
				at[c.ID] = len(out)
				out = append(out, c)
				return nil
			})
		if err != nil || len(out) == 0 {
			return err
		}
		return r.each(ctx, `SELECT x.choice_id, x.activity_id FROM choice_activities x JOIN choices c ON c.district_id = x.district_id AND c.id = x.choice_id
WHERE x.district_id = $1 AND c.student_id = $2 ORDER BY x.choice_id, x.position`, []any{districtID, studentID}, func(row scanner) error {
			var cid, aid int64
			if err := row.Scan(&cid, &aid); err != nil {
				return err
			}
			if i, ok := at[cid]; ok {
				out[i].ActivityIDs = append(out[i].ActivityIDs, aid)
			}
			return nil
		})
	})
	return out, err
}
