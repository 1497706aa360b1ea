package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// claimNew makes a record the client is creating part of the served
// district. The id is the server's to give, and a record cannot be
// created in another district through this one.
func (s *Server) claimNew(id, districtID *int64) error {
	var errs problem.Fields
	if *id != 0 {
		errs.Add("id", "is given by the server; leave it out")
	}
	if *districtID != 0 && *districtID != s.districtID {
		errs.Addf("districtId", "this server serves district %d; leave districtId out", s.districtID)
	}
	*districtID = s.districtID
	return errs.Err()
}

// checkPatched refuses a patch that changed the record's id or district.
func (s *Server) checkPatched(id *int64, districtID *int64, wantID int64) error {
	var errs problem.Fields
	if *id != wantID {
		errs.Addf("id", "cannot be changed (the record is %d)", wantID)
	}
	if *districtID != s.districtID {
		errs.Addf("districtId", "cannot be changed (the record is in district %d)", s.districtID)
	}
	return errs.Err()
}

// urlRecord turns a store's not-found for an id taken from the URL into a
// 404 that names it; other errors pass through.
func urlRecord(err error, what string, id int64) error {
	if errors.Is(err, problem.ErrNotFound) {
		return notFound(what, id)
	}
	return err
}

// pathPerson returns the person whose id is in the URL's {name}, who must
// hold role; a person without it is not found as that role.
func (s *Server) pathPerson(r *http.Request, name string, role roster.Role) (roster.Person, error) {
	what := string(role)
	id, err := pathID(r, name, what)
	if err != nil {
		return roster.Person{}, err
	}
	p, err := s.store.Person(r.Context(), s.districtID, id)
	if err != nil {
		return p, urlRecord(err, what, id)
	}
	if !p.Has(role) {
		return p, notFound(what, id)
	}
	return p, nil
}

// bodyPerson checks that the person a request body names exists, for
// fields such as changedBy that the store takes on trust.
func (s *Server) bodyPerson(ctx context.Context, field string, id int64) error {
	if id == 0 {
		return problem.Invalid(field, "required: the id of the person making the change")
	}
	if _, err := s.store.Person(ctx, s.districtID, id); err != nil {
		if errors.Is(err, problem.ErrNotFound) {
			return problem.Invalid(field, "no person %d in this district", id)
		}
		return err
	}
	return nil
}
