package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// adminUsersPage lists the district's people with their roles and
// whether they can sign in, a page at a time, and lets an administrator
// give someone a one-time link to set a password.
type adminUsersPage struct {
	pageBase
	// RoleChoices are the roles to filter by; the name keeps clear of
	// pageBase.Roles, the roles of the person signed in, which the
	// header shows.
	RoleChoices []option
	Role        string
	Users       []userRow
	Next        string
	// ResetFor and ResetURL show a reset link just made, once.
	ResetFor string
	ResetURL string
	ResetTil time.Time
}

type userRow struct {
	ID             int64
	Name, Username string
	Roles          string
	Account        string
	CanReset       bool
}

func (s *Server) adminUsersData(w http.ResponseWriter, r *http.Request) (*adminUsersPage, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	q := r.URL.Query()
	data := &adminUsersPage{pageBase: s.newBase(w, r, pr.T("users.title")), Role: q.Get("role")}
	data.RoleChoices = append(data.RoleChoices, option{"", pr.T("users.all_roles")})
	for _, role := range []roster.Role{roster.RoleStudent, roster.RoleTeacher, roster.RoleGuardian, roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin} {
		data.RoleChoices = append(data.RoleChoices, option{string(role), pr.T("role." + string(role))})
	}
	f := store.PersonFilter{Page: store.Page{Limit: 50}}
	if data.Role != "" {
		role, err := roster.ParseRole(data.Role)
		if err != nil {
			return nil, malformed("role", "%v", err)
		}
		f.Role = role
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, malformed("after", "%q is not a cursor", v)
		}
		f.Page.After = n
	}
	people, next, err := s.store.People(ctx, d, f)
	if err != nil {
		return nil, err
	}
	if err := s.auditPeople(r, people); err != nil {
		return nil, err
	}
	now := s.wall()
	for _, p := range people {
		roles := make([]string, len(p.Roles))
		for i, role := range p.Roles {
			roles[i] = pr.T("role." + string(role))
		}
		row := userRow{ID: p.ID, Name: p.Name(), Username: p.Username, Roles: strings.Join(roles, ", "), CanReset: p.Username != ""}
		acc, err := s.store.Account(ctx, p.ID)
		switch {
		case errors.Is(err, problem.ErrNotFound):
			row.Account = pr.T("users.no_account")
		case err != nil:
			return nil, err
		case acc.Disabled:
			row.Account = pr.T("users.disabled")
		case access.Locked(acc.LockedUntil, now):
			row.Account = pr.T("users.locked", pr.DateTime(acc.LockedUntil))
		case acc.LastSignInAt.IsZero():
			row.Account = pr.T("users.never")
		default:
			row.Account = pr.T("users.last", pr.Date(acc.LastSignInAt))
		}
		data.Users = append(data.Users, row)
	}
	if next != 0 {
		v := q
		v.Set("after", strconv.FormatInt(next, 10))
		data.Next = "/admin/users?" + v.Encode()
	}
	return data, nil
}

func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminUsersData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "admin_users", data)
}

// adminResetLink makes a one-time link for a person to set their
// password, and shows it once: the store keeps only its hash. Any older
// open link of the person stops working.
func (s *Server) adminResetLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := actorOf(r)
	p, err := s.store.Person(ctx, a.DistrictID, id)
	if err != nil {
		return urlRecord(err, "person", id)
	}
	if p.Username == "" {
		return problem.Invalid("username", "%s has no username; give them one in the roster first", p.Name())
	}
	secret, hash := access.NewSecret()
	until := s.wall().Add(access.DefaultResetValid)
	if err := s.store.CreateResetLink(ctx, p.ID, hash, until); err != nil {
		return err
	}
	s.log.Info("reset link made", "request_id", requestIDFrom(ctx), "person", p.ID, "by", a.PersonID)
	data, err := s.adminUsersData(w, r)
	if err != nil {
		return err
	}
	data.ResetFor = p.Name()
	data.ResetURL = arrivalOf(r).base + "/reset/" + secret
	data.ResetTil = until
	w.Header().Set("Cache-Control", "no-store")
	return s.renderPage(w, r, http.StatusCreated, "admin_users", data)
}
