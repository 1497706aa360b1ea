package store

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/supports"
)

// GroupDaysAhead is how far ahead of today a class's groups may be saved:
// a teacher plans tomorrow's groups, not next month's. Days before today
// are history and are never changed.
const GroupDaysAhead = 7

// GroupHistoryDays bounds how many days of a class's groups one read of
// the history returns.
const GroupHistoryDays = 60

// checkGroupDay refuses a day before today or too far ahead.
func checkGroupDay(day, today time.Time) error {
	switch {
	case day.Before(today):
		return problem.Invalid("day", "%s has passed: the groups of earlier days are history and are not changed", day.Format(supports.DateLayout))
	case day.After(today.AddDate(0, 0, GroupDaysAhead)):
		return problem.Invalid("day", "%s is more than %d days ahead", day.Format(supports.DateLayout), GroupDaysAhead)
	}
	return nil
}

// SaveClassGroups saves a class's groups for day, in place of the groups
// saved for that day before (which end as replaced and stay in the
// history), with the audit entries of the change, and returns them with
// their ids. The groups are checked by supports.CheckGroups; their
// members must be students of the class, their standards the district's;
// the day may not have passed. Whether the author may change the class's
// groups is the caller's to decide.
func (s *Store) SaveClassGroups(ctx context.Context, districtID, classID int64, day time.Time, by int64, drafts []supports.GroupDraft, audit ...AuditEntry) (out []supports.Group, err error) {
	defer wrap(&err, "SaveClassGroups(class %d)", classID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	day = supports.Day(day)
	if err := checkGroupDay(day, supports.Day(now)); err != nil {
		return nil, err
	}
	drafts = slices.Clone(drafts)
	if err := supports.CheckGroups(drafts); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
			return err
		}
		students, err := s.classPeople(ctx, r, districtID, classID, roster.EnrolledStudent)
		if err != nil {
			return err
		}
		enrolled := make(map[int64]bool, len(students))
		for _, p := range students {
			enrolled[p.ID] = true
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "savedBy", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		for i, d := range drafts {
			for _, id := range d.Members {
				if !enrolled[id] {
					errs.AddItemf("groups", i, "members", "no student %d in this class", id)
				}
			}
			if err := r.checkRef(ctx, &errs, "groups["+strconv.Itoa(i)+"].standardId", "standard", tStandards, districtID, d.StandardID); err != nil {
				return err
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `
UPDATE class_groups SET ended = 'replaced', dissolved_at = $4, dissolved_by = $5
WHERE district_id = $1 AND class_id = $2 AND day = $3 AND dissolved_at IS NULL`,
			districtID, classID, s.ts(day), s.ts(now), by); err != nil {
			return err
		}
		out = make([]supports.Group, len(drafts))
		var members [][]any
		for i, d := range drafts {
			g := supports.Group{DistrictID: districtID, ClassID: classID, Day: day, GroupDraft: d, SavedBy: by, SavedAt: now}
			if err := r.queryRow(ctx, `
INSERT INTO class_groups (district_id, class_id, day, kind, standard_id, name, saved_by, saved_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				districtID, classID, s.ts(day), string(d.Kind), d.StandardID, d.Name, by, s.ts(now)).Scan(&g.ID); err != nil {
				return err
			}
			for _, id := range d.Members {
				members = append(members, []any{districtID, g.ID, id})
			}
			out[i] = g
		}
		if err := r.insertRows(ctx, `INSERT INTO class_group_members (district_id, group_id, student_id) VALUES `, "", members); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err != nil {
		return nil, err
	}
	s.notify([]Change{{Kind: GroupsChanged, DistrictID: districtID, ClassID: classID}})
	return out, nil
}

// DissolveClassGroup dissolves a group of a class before its day is over,
// with the audit entries of the change, and returns it as it now stands.
// A group of another class is problem.ErrNotFound; one dissolved already,
// or of a day that has passed, problem.ErrConflict.
func (s *Store) DissolveClassGroup(ctx context.Context, districtID, classID, groupID, by int64, audit ...AuditEntry) (g supports.Group, err error) {
	defer wrap(&err, "DissolveClassGroup(%d)", groupID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return g, err
	}
	now := s.nowUTC()
	err = s.inTx(ctx, func(r *runner) error {
		gs, err := r.classGroupsWhere(ctx, districtID, classID, `g.id = $3`, []any{groupID})
		if err != nil {
			return err
		}
		if len(gs) == 0 {
			return problem.NotFound("group", groupID)
		}
		g = gs[0]
		switch {
		case g.DissolvedAt != nil:
			return problem.Conflict("group", "the group was dissolved on %s", g.DissolvedAt.Format(supports.DateLayout))
		case g.Day.Before(supports.Day(now)):
			return problem.Conflict("group", "the group's day, %s, has passed", g.Day.Format(supports.DateLayout))
		}
		var errs problem.Fields
		if err := r.checkRef(ctx, &errs, "dissolvedBy", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `
UPDATE class_groups SET ended = 'dissolved', dissolved_at = $3, dissolved_by = $4
WHERE district_id = $1 AND id = $2 AND dissolved_at IS NULL`, districtID, groupID, s.ts(now), by); err != nil {
			return err
		}
		at := now
		g.DissolvedAt, g.DissolvedBy = &at, &by
		return r.insertChangeAudit(ctx, audit)
	})
	if err != nil {
		return g, err
	}
	s.notify([]Change{{Kind: GroupsChanged, DistrictID: districtID, ClassID: classID}})
	return g, nil
}

// GroupFilter narrows ClassGroups.
type GroupFilter struct {
	// From and To are the first and last days, inclusive; zero is open.
	From, To time.Time
	// Replaced keeps the groups that a later save of their day replaced;
	// the history leaves them out.
	Replaced bool
}

// ClassGroups lists a class's groups saved for the days f keeps, the
// latest day first, each day's in the order they were saved, with their
// members. At most GroupHistoryDays days are returned, the latest.
func (s *Store) ClassGroups(ctx context.Context, districtID, classID int64, f GroupFilter) (out []supports.Group, err error) {
	defer wrap(&err, "ClassGroups(class %d)", classID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
			return err
		}
		where, args := "1 = 1", []any{}
		arg := func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args)+2)
		}
		if !f.From.IsZero() {
			where += ` AND g.day >= ` + arg(s.ts(supports.Day(f.From)))
		}
		if !f.To.IsZero() {
			where += ` AND g.day <= ` + arg(s.ts(supports.Day(f.To)))
		}
		if !f.Replaced {
			where += ` AND g.ended <> 'replaced'`
		}
		out, err = r.classGroupsWhere(ctx, districtID, classID, where, args)
		return err
	})
	if err != nil {
		return nil, err
	}
	days := 0
	for i, g := range out {
		if i == 0 || !g.Day.Equal(out[i-1].Day) {
			days++
			if days > GroupHistoryDays {
				return out[:i], nil
			}
		}
	}
	return out, nil
}

// classGroupsWhere lists a class's groups matching where (on $3 and on),
// the latest day first, with their members.
func (r *runner) classGroupsWhere(ctx context.Context, districtID, classID int64, where string, args []any) ([]supports.Group, error) {
	var out []supports.Group
	err := r.each(ctx, `
SELECT g.id, g.day, g.kind, g.standard_id, g.name, g.saved_by, g.saved_at, g.dissolved_at, g.dissolved_by
FROM class_groups g WHERE g.district_id = $1 AND g.class_id = $2 AND `+where+`
ORDER BY g.day DESC, g.id`, append([]any{districtID, classID}, args...), func(row scanner) error {
		g := supports.Group{DistrictID: districtID, ClassID: classID, GroupDraft: supports.GroupDraft{Members: []int64{}}}
		var kind string
		if err := row.Scan(&g.ID, tsCol{&g.Day}, &kind, nullCol[int64]{&g.StandardID}, &g.Name, &g.SavedBy, tsCol{&g.SavedAt},
			tsPtrCol{&g.DissolvedAt}, nullCol[int64]{&g.DissolvedBy}); err != nil {
			return err
		}
		g.Kind = supports.GroupKind(kind)
		out = append(out, g)
		return nil
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
	err = r.each(ctx, `SELECT group_id, student_id FROM class_group_members WHERE district_id = $2 AND group_id IN ids($1) ORDER BY group_id, student_id`,
		[]any{r.s.ids(ids), districtID}, func(row scanner) error {
			var gid, sid int64
			if err := row.Scan(&gid, &sid); err != nil {
				return err
			}
			out[at[gid]].Members = append(out[at[gid]].Members, sid)
			return nil
		})
	return out, err
}

// ClassScheduleSetup returns a class's time blocks, adults and largest
// group. A class that saved none has no blocks, its teachers as adults
// (the primary teacher, then co-teachers) and supports.DefaultGroupSize;
// stored reports whether the setup was saved.
func (s *Store) ClassScheduleSetup(ctx context.Context, districtID, classID int64) (setup supports.ScheduleSetup, stored bool, err error) {
	defer wrap(&err, "ClassScheduleSetup(class %d)", classID)
	err = s.inReadTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
			return err
		}
		setup = supports.ScheduleSetup{Blocks: []supports.TimeBlock{}, Adults: []supports.ScheduleAdult{}, MaxGroupSize: supports.DefaultGroupSize}
		if err := r.each(ctx, `SELECT max_group_size FROM class_schedule_setups WHERE district_id = $1 AND class_id = $2`,
			[]any{districtID, classID}, func(row scanner) error {
				stored = true
				return row.Scan(&setup.MaxGroupSize)
			}); err != nil {
			return err
		}
		if err := r.each(ctx, `SELECT id, label, starts_at, ends_at FROM class_time_blocks WHERE district_id = $1 AND class_id = $2 ORDER BY position`,
			[]any{districtID, classID}, func(row scanner) error {
				var b supports.TimeBlock
				err := row.Scan(&b.ID, &b.Label, &b.Start, &b.End)
				setup.Blocks = append(setup.Blocks, b)
				return err
			}); err != nil {
			return err
		}
		if stored {
			return r.each(ctx, `SELECT person_id, role FROM class_schedule_adults WHERE district_id = $1 AND class_id = $2 ORDER BY position`,
				[]any{districtID, classID}, func(row scanner) error {
					var a supports.ScheduleAdult
					var role string
					err := row.Scan(&a.PersonID, &role)
					a.Role = supports.AdultRole(role)
					setup.Adults = append(setup.Adults, a)
					return err
				})
		}
		// The class's teachers: the primary teacher first, then the
		// co-teachers by name.
		var adults []supports.ScheduleAdult
		err := r.each(ctx, `
SELECT p.id, e.is_primary FROM enrollments e JOIN people p ON p.id = e.person_id
WHERE e.district_id = $1 AND e.class_id = $2 AND e.role = $3 AND p.retired_at IS NULL`+activeEnrollment("e")+`
ORDER BY e.is_primary DESC, p.family_name, p.given_name, p.id`, s.activeArgs(districtID, classID, string(roster.EnrolledTeacher)), func(row scanner) error {
			var a supports.ScheduleAdult
			var primary bool
			if err := row.Scan(&a.PersonID, &primary); err != nil {
				return err
			}
			a.Role = supports.AdultCoTeacher
			if len(adults) == 0 {
				a.Role = supports.AdultTeacher
			}
			adults = append(adults, a)
			return nil
		})
		setup.Adults = append(setup.Adults, adults...)
		return err
	})
	return setup, stored, err
}

// SetClassScheduleSetup saves a class's time blocks, adults and largest
// group in place of those before, checked by supports.ScheduleSetup.Check,
// with the audit entries of the change, and returns it as stored. Each
// adult must be a person of the district who is neither a student nor a
// guardian only: a teacher of the class, or an aide of the roster.
func (s *Store) SetClassScheduleSetup(ctx context.Context, districtID, classID, by int64, setup supports.ScheduleSetup, audit ...AuditEntry) (_ supports.ScheduleSetup, err error) {
	defer wrap(&err, "SetClassScheduleSetup(class %d)", classID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return setup, err
	}
	setup.Blocks = slices.Clone(setup.Blocks)
	setup.Adults = slices.Clone(setup.Adults)
	if err := setup.Check(); err != nil {
		return setup, err
	}
	now := s.nowUTC()
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tClasses, "class", districtID, classID); err != nil {
			return err
		}
		ids := make([]int64, len(setup.Adults))
		for i, a := range setup.Adults {
			ids[i] = a.PersonID
		}
		roles, err := r.personRoles(ctx, districtID, ids)
		if err != nil {
			return err
		}
		var errs problem.Fields
		for i, a := range setup.Adults {
			rs, ok := roles[a.PersonID]
			p := roster.Person{Roles: rs}
			switch {
			case !ok:
				errs.AddItemf("adults", i, "personId", "no person %d in this district", a.PersonID)
			case !(p.Has(roster.RoleTeacher) || p.Has(roster.RoleCoach) || p.Has(roster.RoleSchoolAdmin) || p.Has(roster.RoleDistrictAdmin)):
				errs.AddItemf("adults", i, "personId", "person %d is not staff of the district: an adult who leads a group holds a teacher's, coach's or administrator's role in the roster", a.PersonID)
			}
		}
		if err := r.checkRef(ctx, &errs, "updatedBy", "person", tPeople, districtID, &by); err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `
INSERT INTO class_schedule_setups (district_id, class_id, max_group_size, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (district_id, class_id) DO UPDATE SET max_group_size = excluded.max_group_size, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			districtID, classID, setup.MaxGroupSize, by, s.ts(now)); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM class_time_blocks WHERE district_id = $1 AND class_id = $2`,
			`DELETE FROM class_schedule_adults WHERE district_id = $1 AND class_id = $2`} {
			if _, err := r.exec(ctx, q, districtID, classID); err != nil {
				return err
			}
		}
		for i := range setup.Blocks {
			b := &setup.Blocks[i]
			if err := r.queryRow(ctx, `INSERT INTO class_time_blocks (district_id, class_id, position, label, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				districtID, classID, i, b.Label, b.Start, b.End).Scan(&b.ID); err != nil {
				return err
			}
		}
		rows := make([][]any, len(setup.Adults))
		for i, a := range setup.Adults {
			rows[i] = []any{districtID, classID, a.PersonID, i, string(a.Role)}
		}
		if err := r.insertRows(ctx, `INSERT INTO class_schedule_adults (district_id, class_id, person_id, position, role) VALUES `, "", rows); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err != nil {
		return setup, err
	}
	s.notify([]Change{{Kind: GroupsChanged, DistrictID: districtID, ClassID: classID}})
	return setup, nil
}

// ScheduledGroup is one group of a saved schedule: in a block (a copy of
// its label and times), led by an adult.
type ScheduledGroup struct {
	GroupID  int64              `json:"groupId"`
	Block    supports.TimeBlock `json:"block"`
	PersonID int64              `json:"personId"`
	SavedBy  int64              `json:"savedBy,omitempty"`
	SavedAt  time.Time          `json:"savedAt"`
}

// SaveClassSchedule saves the schedule of a class's day in place of the
// one before, with the audit entries of the change. Each group must be a
// group of the class meeting that day, each adult a person of the
// district; the placement itself is supports.PlaceGroups's.
func (s *Store) SaveClassSchedule(ctx context.Context, districtID, classID int64, day time.Time, by int64, slots []ScheduledGroup, audit ...AuditEntry) (err error) {
	defer wrap(&err, "SaveClassSchedule(class %d)", classID)
	if err := checkChangeAudit(districtID, audit); err != nil {
		return err
	}
	now := s.nowUTC()
	day = supports.Day(day)
	if err := checkGroupDay(day, supports.Day(now)); err != nil {
		return err
	}
	if len(slots) > supports.MaxGroupsPerDay*supports.MaxBlocks {
		return problem.Invalid("slots", "%d groups placed: a day has at most %d", len(slots), supports.MaxGroupsPerDay*supports.MaxBlocks)
	}
	err = s.inTx(ctx, func(r *runner) error {
		gs, err := r.classGroupsWhere(ctx, districtID, classID, `g.day = $3 AND g.dissolved_at IS NULL`, []any{s.ts(day)})
		if err != nil {
			return err
		}
		meets := map[int64]bool{}
		for _, g := range gs {
			meets[g.ID] = true
		}
		var errs problem.Fields
		rows := make([][]any, len(slots))
		for i, sl := range slots {
			if !meets[sl.GroupID] {
				errs.AddItemf("slots", i, "groupId", "no group %d of this class meets on %s", sl.GroupID, day.Format(supports.DateLayout))
			}
			if err := r.checkRef(ctx, &errs, "slots["+strconv.Itoa(i)+"].personId", "person", tPeople, districtID, &sl.PersonID); err != nil {
				return err
			}
			rows[i] = []any{districtID, classID, s.ts(day), sl.GroupID, sl.Block.Label, sl.Block.Start, sl.Block.End, sl.PersonID, by, s.ts(now)}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := r.exec(ctx, `DELETE FROM class_schedule_slots WHERE district_id = $1 AND class_id = $2 AND day = $3`, districtID, classID, s.ts(day)); err != nil {
			return err
		}
		if err := r.insertRows(ctx, `INSERT INTO class_schedule_slots (district_id, class_id, day, group_id, block_label, block_start, block_end, person_id, saved_by, saved_at) VALUES `, "", rows); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
	if err != nil {
		return err
	}
	s.notify([]Change{{Kind: GroupsChanged, DistrictID: districtID, ClassID: classID}})
	return nil
}

// ClassSchedule returns the saved schedule of a class's day, in block
// order: only the groups still meeting (not replaced or dissolved).
func (s *Store) ClassSchedule(ctx context.Context, districtID, classID int64, day time.Time) (out []ScheduledGroup, err error) {
	defer wrap(&err, "ClassSchedule(class %d)", classID)
	out = []ScheduledGroup{}
	err = s.reader().each(ctx, `
SELECT sl.group_id, sl.block_label, sl.block_start, sl.block_end, sl.person_id, sl.saved_by, sl.saved_at
FROM class_schedule_slots sl JOIN class_groups g ON g.district_id = sl.district_id AND g.id = sl.group_id
WHERE sl.district_id = $1 AND sl.class_id = $2 AND sl.day = $3 AND g.dissolved_at IS NULL
ORDER BY sl.block_start, sl.group_id`, []any{districtID, classID, s.ts(supports.Day(day))}, func(row scanner) error {
		var g ScheduledGroup
		err := row.Scan(&g.GroupID, &g.Block.Label, &g.Block.Start, &g.Block.End, &g.PersonID, &g.SavedBy, tsCol{&g.SavedAt})
		out = append(out, g)
		return err
	})
	return out, err
}
