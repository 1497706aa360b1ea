package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// alertsPage is a teacher's open alerts, newest first, or the dismissed
// ones (?dismissed=true), narrowed to a class (?class=); an
// administrator's are the district's, or their schools'. Each is dismissed
// with a note by a form of its own.
type alertsPage struct {
	pageBase
	List      alertList
	Dismissed bool
	Own       bool
	ClassID   int64
	Classes   []alertClassLink
	// OpenURL and DismissedURL switch between the lists, keeping the class.
	OpenURL, DismissedURL string
	NextURL               string
	// Done is set after a dismissal.
	Done bool
}

// alertList is a list of alerts with a dismissal form for each open one,
// on the alerts page and on a student's page.
type alertList struct {
	Alerts []alertView
	CSRF   string
	// Back is the page a dismissal comes back to.
	Back string
	// Error and ErrorID carry a refused note back to its alert's form,
	// Note what was written.
	Error, Note string
	ErrorID     int64
	// ShowStudent says each alert names its student (not on the
	// student's own page).
	ShowStudent bool
}

// alertClassLink narrows the list to a class.
type alertClassLink struct {
	ID      int64
	Title   string
	URL     string
	Current bool
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pr := s.printerOf(r)
	a := actorOf(r)
	f := store.AlertFilter{Dismissed: q.Get("dismissed") == "true"}
	if v := q.Get("class"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return problem.Invalid("class", "%q is not a class id", limits.Clip(v, 40))
		}
		f.ClassID = id
	}
	if v := q.Get("after"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return problem.Invalid("after", "%q is not an alert id", limits.Clip(v, 40))
		}
		f.Page.After = id
	}
	list, next, err := s.visibleAlerts(r, f)
	if err != nil {
		return err
	}
	cat, err := s.store.Catalog(r.Context(), a.DistrictID)
	if err != nil {
		return err
	}
	codes := func(id int64) string {
		if st, ok := cat.Standard(id); ok {
			return st.Code
		}
		return strconv.FormatInt(id, 10)
	}
	data := &alertsPage{pageBase: s.newBase(w, r, pr.T("alerts.title")), Dismissed: f.Dismissed,
		Own: ownAlertsOnly(a), ClassID: f.ClassID, Done: q.Get("dismissed_id") != ""}
	data.List = newAlertList(pr, r, data.CSRF, alertViews(pr, list, codes))
	data.List.ShowStudent = true
	link := func(dismissed bool, class int64) string {
		v := url.Values{}
		if dismissed {
			v.Set("dismissed", "true")
		}
		if class != 0 {
			v.Set("class", strconv.FormatInt(class, 10))
		}
		if len(v) == 0 {
			return "/alerts"
		}
		return "/alerts?" + v.Encode()
	}
	data.OpenURL, data.DismissedURL = link(false, f.ClassID), link(true, f.ClassID)
	if next != 0 {
		data.NextURL = link(f.Dismissed, f.ClassID)
		if strings.Contains(data.NextURL, "?") {
			data.NextURL += "&after=" + strconv.FormatInt(next, 10)
		} else {
			data.NextURL += "?after=" + strconv.FormatInt(next, 10)
		}
	}
	// The classes to narrow to: those the actor teaches.
	classes, err := s.store.PersonClasses(r.Context(), a.DistrictID, a.PersonID)
	if err != nil {
		return err
	}
	if len(classes) > 0 {
		data.Classes = append(data.Classes, alertClassLink{Title: pr.T("alerts.all_classes"), URL: link(f.Dismissed, 0), Current: f.ClassID == 0})
	}
	for _, c := range classes {
		data.Classes = append(data.Classes, alertClassLink{ID: c.ID, Title: c.Title, URL: link(f.Dismissed, c.ID), Current: f.ClassID == c.ID})
	}
	return s.renderPage(w, r, http.StatusOK, "alerts", data)
}

// newAlertList is the list of alerts of a page, with a refused note of
// the request's query back in its alert's form.
func newAlertList(pr interface{ T(string, ...any) string }, r *http.Request, csrf string, alerts []alertView) alertList {
	q := r.URL.Query()
	back := r.URL.Path
	v := url.Values{}
	for _, k := range []string{"class", "dismissed"} {
		if x := q.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	if len(v) > 0 {
		back += "?" + v.Encode()
	}
	l := alertList{Alerts: alerts, CSRF: csrf, Back: back}
	if q.Get("error") != "" {
		l.Error = pr.T("alerts.error.note", limits.Comment)
		l.ErrorID, _ = strconv.ParseInt(q.Get("alert"), 10, 64)
		l.Note = q.Get("note")
	}
	return l
}

// dismissAlertForm dismisses an alert with the teacher's note and goes
// back to the page it came from; a note that is too long comes back to
// its form.
func (s *Server) dismissAlertForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	_, entry, err := s.alertAccess(r, id, access.Change)
	if err != nil {
		return err
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/alerts") && !strings.HasPrefix(back, "/students/") {
		back = "/alerts"
	}
	back = strings.SplitN(back, "#", 2)[0]
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	note := r.PostFormValue("note")
	_, err = s.store.DismissAlert(r.Context(), s.districtOf(r), id, actorOf(r).PersonID, note, entry)
	var inv *problem.InvalidError
	switch {
	case errors.As(err, &inv):
		return redirect(w, r, fmt.Sprintf("%s%serror=note&alert=%d&note=%s#alert-%d", back, sep, id, url.QueryEscape(limits.Clip(note, 200)), id))
	case errors.Is(err, problem.ErrConflict):
		// Dismissed meanwhile, by a co-teacher or in another tab: done.
	case err != nil:
		return err
	}
	return redirect(w, r, fmt.Sprintf("%s%sdismissed_id=%d", back, sep, id))
}
