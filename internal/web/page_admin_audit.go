package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
)

// adminAuditPage searches the audit log: who read or changed which
// student's record, when, on what relation, allowed or refused.
type adminAuditPage struct {
	pageBase
	Actor, Student, From, To, Allowed string
	Entries                           []auditRow
	Next                              string
	Errors                            map[string]string
}

type auditRow struct {
	At                                   time.Time
	Actor, Roles, Action, What, Relation string
	Student                              string
	StudentURL                           string
	Allowed                              bool
	Route, RequestID, Detail             string
}

func (s *Server) adminAuditPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	q := r.URL.Query()
	data := &adminAuditPage{pageBase: s.newBase(w, r, pr.T("audit.title")), Actor: q.Get("actor"), Student: q.Get("student"),
		From: q.Get("from"), To: q.Get("to"), Allowed: q.Get("allowed"), Errors: map[string]string{}}
	var f store.AuditFilter
	f.Page.Limit = 100
	id := func(field, v string) int64 {
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			data.Errors[field] = pr.T("audit.error.id")
		}
		return n
	}
	day := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, s.now().Location())
		if err != nil {
			data.Errors[field] = pr.T("record.error.date")
		}
		return t
	}
	f.ActorID = id("actor", data.Actor)
	f.StudentID = id("student", data.Student)
	f.From = day("from", data.From)
	if to := day("to", data.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole day
	}
	switch data.Allowed {
	case "yes", "no":
		b := data.Allowed == "yes"
		f.Allowed = &b
	}
	if v := q.Get("after"); v != "" {
		f.Page.After = id("after", v)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		data.Errors["to"] = pr.T("audit.error.order")
	}
	status := http.StatusOK
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "admin_audit", data)
	}
	entries, next, err := s.store.SearchAudit(ctx, d, f)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, e := range entries {
		row := auditRow{At: e.At, Actor: e.ActorName, Action: pr.T("audit.action." + string(e.Action)),
			What: pr.T("audit.what." + string(e.What)), Allowed: e.Allowed, Route: e.Route, RequestID: e.RequestID, Detail: e.Detail}
		if e.Relation != "" {
			row.Relation = pr.T("relation." + string(e.Relation))
		}
		for i, role := range e.ActorRoles {
			if i > 0 {
				row.Roles += ", "
			}
			row.Roles += pr.T("role." + string(role))
		}
		if e.StudentID != 0 {
			n, ok := names[e.StudentID]
			if !ok {
				if p, err := s.store.Person(ctx, d, e.StudentID); err == nil {
					n = p.Name()
				} else {
					n = "#" + strconv.FormatInt(e.StudentID, 10)
				}
				names[e.StudentID] = n
			}
			row.Student = n
			row.StudentURL = "/admin/audit?student=" + strconv.FormatInt(e.StudentID, 10)
		}
		data.Entries = append(data.Entries, row)
	}
	if next != 0 {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("after", strconv.FormatInt(next, 10))
		data.Next = "/admin/audit?" + v.Encode()
	}
	return s.renderPage(w, r, status, "admin_audit", data)
}
