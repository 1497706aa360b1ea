package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// PersonFilter narrows People to those holding a role and to those of a
// school; zero values do not narrow. People an import has retired are left
// out unless IncludeRetired is set.
type PersonFilter struct {
	Role           roster.Role
	SchoolID       int64
	IncludeRetired bool
	Page           Page
}

// CreatePerson stores a new person and sets its ID.
func (s *Store) CreatePerson(ctx context.Context, p *roster.Person) (err error) {
	defer wrap(&err, "CreatePerson")
	if err := p.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, p.DistrictID); err != nil {
			return err
		}
		if err := r.checkPerson(ctx, p); err != nil {
			return err
		}
		p.RetiredAt = nil
		err := r.queryRow(ctx, `
INSERT INTO people (district_id, sourced_id, given_name, family_name, email, username, roles, school_ids, grade, language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			p.DistrictID, p.SourcedID, p.GivenName, p.FamilyName, p.Email, p.Username,
			jsonText(p.Roles), jsonText(p.SchoolIDs), p.Grade, p.Language).Scan(&p.ID)
		return conflictOr(err, "sourcedId", p.SourcedID)
	})
}

// UpdatePerson changes a person. The audit entries of the change (of a
// student's profile) are written in its transaction.
func (s *Store) UpdatePerson(ctx context.Context, p *roster.Person, audit ...AuditEntry) (err error) {
	defer wrap(&err, "UpdatePerson(%d)", p.ID)
	if err := p.Validate(); err != nil {
		return err
	}
	if err := checkChangeAudit(p.DistrictID, audit); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tPeople, "person", p.DistrictID, p.ID); err != nil {
			return err
		}
		if err := r.checkPerson(ctx, p); err != nil {
			return err
		}
		err := r.queryRow(ctx, `
UPDATE people SET sourced_id = $3, given_name = $4, family_name = $5, email = $6, username = $7,
    roles = $8, school_ids = $9, grade = $10, language = $11
WHERE district_id = $1 AND id = $2 RETURNING retired_at`,
			p.DistrictID, p.ID, p.SourcedID, p.GivenName, p.FamilyName, p.Email, p.Username,
			jsonText(p.Roles), jsonText(p.SchoolIDs), p.Grade, p.Language).Scan(tsPtrCol{&p.RetiredAt})
		if err := conflictOr(err, "sourcedId", p.SourcedID); err != nil {
			return err
		}
		return r.insertChangeAudit(ctx, audit)
	})
}

func (r *runner) checkPerson(ctx context.Context, p *roster.Person) error {
	if err := r.checkSourcedID(ctx, tPeople, "person", p.DistrictID, p.ID, p.SourcedID); err != nil {
		return err
	}
	if p.Username != "" {
		var other int64
		err := r.queryRow(ctx, `SELECT id FROM people WHERE district_id = $1 AND username = $2 AND id <> $3`,
			p.DistrictID, p.Username, p.ID).Scan(&other)
		switch {
		case err == nil:
			return conflictf("username", "%q is already used by person %d in this district", p.Username, other)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	var errs problem.Fields
	for i, id := range p.SchoolIDs {
		if err := r.checkRef(ctx, &errs, fmt.Sprintf("schoolIds[%d]", i), "school", tSchools, p.DistrictID, &id); err != nil {
			return err
		}
	}
	return errs.Err()
}

const personCols = `p.id, p.district_id, p.sourced_id, p.given_name, p.family_name, p.email, p.username, p.roles, p.school_ids, p.grade, p.language, p.retired_at`

func scanPerson(row scanner) (p roster.Person, err error) {
	err = row.Scan(personDest(&p)...)
	return p, err
}

// personDest are the destinations of personCols in p.
func personDest(p *roster.Person) []any {
	return []any{&p.ID, &p.DistrictID, &p.SourcedID, &p.GivenName, &p.FamilyName, &p.Email, &p.Username,
		jsonCol{&p.Roles}, jsonCol{&p.SchoolIDs}, &p.Grade, &p.Language, tsPtrCol{&p.RetiredAt}}
}

// Person returns a person of the district, retired or not.
func (s *Store) Person(ctx context.Context, districtID, id int64) (_ roster.Person, err error) {
	defer wrap(&err, "Person(%d)", id)
	return s.person(ctx, s.reader(), districtID, id)
}

func (s *Store) person(ctx context.Context, r *runner, districtID, id int64) (roster.Person, error) {
	p, err := scanPerson(r.queryRow(ctx, `SELECT `+personCols+` FROM people p WHERE p.district_id = $1 AND p.id = $2`, districtID, id))
	return p, noRows(err, "person", id)
}

// PersonNames returns the names (roster.Person.Name) of the district's
// people among ids, in one read: for pages that name the authors of
// comments or changes. An id of no one in the district is left out.
func (s *Store) PersonNames(ctx context.Context, districtID int64, ids []int64) (names map[int64]string, err error) {
	defer wrap(&err, "PersonNames(%d people)", len(ids))
	names = make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	err = s.reader().each(ctx, `SELECT id, given_name, family_name FROM people WHERE district_id = $2 AND id IN ids($1)`,
		[]any{s.ids(ids), districtID}, func(row scanner) error {
			var p roster.Person
			if err := row.Scan(&p.ID, &p.GivenName, &p.FamilyName); err != nil {
				return err
			}
			names[p.ID] = p.Name()
			return nil
		})
	return names, err
}

// PersonBySourcedID returns the person with the given sourcedId.
func (s *Store) PersonBySourcedID(ctx context.Context, districtID int64, sourcedID string) (_ roster.Person, err error) {
	defer wrap(&err, "PersonBySourcedID(%q)", sourcedID)
	if sourcedID == "" {
		return roster.Person{}, problem.NotFound("person with sourcedId", `""`)
	}
	p, err := scanPerson(s.reader().queryRow(ctx, `SELECT `+personCols+` FROM people p WHERE p.district_id = $1 AND p.sourced_id = $2`, districtID, sourcedID))
	return p, noRows(err, "person with sourcedId", strconv.Quote(sourcedID))
}

// People lists the district's people by id, narrowed by f.
func (s *Store) People(ctx context.Context, districtID int64, f PersonFilter) (out []roster.Person, next int64, err error) {
	defer wrap(&err, "People")
	q := `SELECT ` + personCols + ` FROM people p WHERE p.district_id = $1 AND p.id > $2` + retiredClause("p", f.IncludeRetired)
	args := []any{districtID, f.Page.After, f.Page.limit() + 1}
	if f.Role != "" {
		if _, err := roster.ParseRole(string(f.Role)); err != nil {
			return nil, 0, problem.Invalid("role", "%s", err.Error())
		}
		args = append(args, string(f.Role))
		q += s.jsonHas("p.roles", len(args), "text")
	}
	if f.SchoolID != 0 {
		args = append(args, f.SchoolID)
		q += s.jsonHas("p.school_ids", len(args), "bigint")
	}
	q += ` ORDER BY p.id LIMIT $3`
	err = s.reader().each(ctx, q, args, func(row scanner) error {
		p, err := scanPerson(row)
		out = append(out, p)
		return err
	})
	out, next = pageOf(out, f.Page.limit(), func(p roster.Person) int64 { return p.ID })
	return out, next, err
}

// jsonHas is the condition that the JSON array in column holds parameter n.
func (s *Store) jsonHas(column string, n int, pgType string) string {
	if s.engine == Postgres {
		return fmt.Sprintf(` AND %s::jsonb @> jsonb_build_array($%d::%s)`, column, n, pgType)
	}
	return fmt.Sprintf(` AND EXISTS (SELECT 1 FROM json_each(%s) WHERE value = $%d)`, column, n)
}

// personRoles returns the roles of people of the district by id; people not
// in the district are missing from the map.
func (r *runner) personRoles(ctx context.Context, districtID int64, ids []int64) (map[int64][]roster.Role, error) {
	out := make(map[int64][]roster.Role, len(ids))
	err := r.each(ctx, `SELECT id, roles FROM people WHERE district_id = $1 AND id IN ids($2)`,
		[]any{districtID, r.s.ids(ids)}, func(row scanner) error {
			var id int64
			var roles []roster.Role
			if err := row.Scan(&id, jsonCol{&roles}); err != nil {
				return err
			}
			out[id] = roles
			return nil
		})
	return out, err
}

// checkRole adds a reason to errs unless person id of the district holds role.
func (r *runner) checkRole(ctx context.Context, errs *problem.Fields, field string, districtID, id int64, role roster.Role) error {
	roles, err := r.personRoles(ctx, districtID, []int64{id})
	if err != nil {
		return err
	}
	rs, ok := roles[id]
	switch {
	case !ok:
		errs.Addf(field, "no person %d in this district", id)
	case !(roster.Person{Roles: rs}).Has(role):
		errs.Addf(field, "person %d is not a %s", id, role)
	}
	return nil
}
