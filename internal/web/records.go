package web

import (
	"errors"
	"net/http"

	"github.com/cairn-learning/cairn/internal/access"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// claimNew makes a record the client is creating part of the district
// of the person making the request. The id is the server's to give, and
// a record cannot be created in another district.
func (s *Server) claimNew(r *http.Request, id, districtID *int64) error {
	var errs problem.Fields
	d := s.districtOf(r)
	if *id != 0 {
		errs.Add("id", "is given by the server; leave it out")
	}
	if *districtID != 0 && *districtID != d {
		errs.Addf("districtId", "you work in district %d; leave districtId out", d)
	}
	*districtID = d
	return errs.Err()
}

// checkPatched refuses a patch that changed the record's id or district.
func (s *Server) checkPatched(r *http.Request, id *int64, districtID *int64, wantID int64) error {
	var errs problem.Fields
	d := s.districtOf(r)
	if *id != wantID {
		errs.Addf("id", "cannot be changed (the record is %d)", wantID)
	}
	if *districtID != d {
		errs.Addf("districtId", "cannot be changed (the record is in district %d)", d)
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
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	if err != nil {
		return p, urlRecord(err, what, id)
	}
	if !p.Has(role) {
		return p, notFound(what, id)
	}
	return p, nil
}

// actingPerson returns who is making a change that the store records
// against a person (voiding evidence, changing a policy): the actor. A
// body may name them, for clients that always send the field, but not
// someone else.
func actingPerson(r *http.Request, field string, id int64) (int64, error) {
	a := actorOf(r)
	if id != 0 && id != a.PersonID {
		return 0, problem.Invalid(field, "must be you (person %d), or left out", a.PersonID)
	}
	return a.PersonID, nil
}

// pathStudent returns the student whose id is in the URL's {id}, once the
// actor is allowed to do action on their what record; the access is
// written to the audit log. A student the actor may not see is answered
// like one that does not exist.
func (s *Server) pathStudent(r *http.Request, action access.Action, what access.What) (roster.Person, error) {
	id, err := pathID(r, "id", "student")
	if err != nil {
		return roster.Person{}, err
	}
	if _, err := s.studentAccess(r, id, action, what); err != nil {
		return roster.Person{}, err
	}
	p, err := s.store.Person(r.Context(), s.districtOf(r), id)
	return p, urlRecord(err, "student", id)
}
