package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// adminPacePage shows the district's pace thresholds, the form to change
// them and every change made so far.
type adminPacePage struct {
	pageBase
	Current                      string
	BehindTargets, BehindPercent string
	AheadTargets, Reason         string
	Errors                       map[string]string
	Saved                        bool
	Changes                      []paceChangeRow
}

type paceChangeRow struct {
	At           time.Time
	By, From, To string
	Reason       string
}

func (s *Server) adminPaceData(w http.ResponseWriter, r *http.Request) (*adminPacePage, error) {
	ctx := r.Context()
	d := actorOf(r).DistrictID
	pr := s.printerOf(r)
	th, err := s.store.PaceThresholds(ctx, d)
	if err != nil {
		return nil, err
	}
	data := &adminPacePage{pageBase: s.newBase(w, r, pr.T("pace.admin.title")), Current: thresholdsSentence(pr, th),
		BehindTargets: strconv.Itoa(th.BehindTargets), BehindPercent: strconv.Itoa(th.BehindPercent),
		AheadTargets: strconv.Itoa(th.AheadTargets), Errors: map[string]string{}, Saved: r.URL.Query().Get("saved") != ""}
	changes, err := s.store.PaceChanges(ctx, d)
	if err != nil {
		return nil, err
	}
	names, err := personNames(ctx, s.store, d, changes, func(c store.PaceChange) int64 { return c.ChangedBy })
	if err != nil {
		return nil, err
	}
	for i := len(changes) - 1; i >= 0; i-- { // newest first
		c := changes[i]
		row := paceChangeRow{At: c.ChangedAt, By: names[c.ChangedBy], Reason: c.Reason, From: pr.T("pace.admin.defaults"),
			To: thresholdsSentence(pr, c.New)}
		if c.Old != nil {
			row.From = thresholdsSentence(pr, *c.Old)
		}
		data.Changes = append(data.Changes, row)
	}
	return data, nil
}

func (s *Server) adminPacePage(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminPaceData(w, r)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "admin_pace", data)
}

// adminSetPace changes the district's pace thresholds, recording who
// changed them, when and why.
func (s *Server) adminSetPace(w http.ResponseWriter, r *http.Request) error {
	data, err := s.adminPaceData(w, r)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	data.BehindTargets = strings.TrimSpace(r.PostFormValue("behind_targets"))
	data.BehindPercent = strings.TrimSuffix(strings.TrimSpace(r.PostFormValue("behind_percent")), "%")
	data.AheadTargets = strings.TrimSpace(r.PostFormValue("ahead_targets"))
	data.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	var th pathways.PaceThresholds
	for _, f := range []struct {
		name string
		text string
		dst  *int
	}{{"behind_targets", data.BehindTargets, &th.BehindTargets}, {"behind_percent", data.BehindPercent, &th.BehindPercent}, {"ahead_targets", data.AheadTargets, &th.AheadTargets}} {
		n, err := strconv.Atoi(f.text)
		if err != nil {
			data.Errors[f.name] = pr.T("pace.admin.error." + f.name)
			continue
		}
		*f.dst = n
	}
	if why := reasonError(pr, data.Reason, "pace.admin.error.reason"); why != "" {
		data.Errors["reason"] = why
	}
	if len(data.Errors) == 0 {
		if err := th.Validate(); err != nil {
			var ie *problem.InvalidError
			if !errors.As(err, &ie) {
				return err
			}
			for _, f := range ie.Fields {
				switch f.Field {
				case "behindTargets":
					data.Errors["behind_targets"] = pr.T("pace.admin.error.behind_targets")
				case "behindPercent":
					data.Errors["behind_percent"] = pr.T("pace.admin.error.behind_percent")
				case "aheadTargets":
					data.Errors["ahead_targets"] = pr.T("pace.admin.error.ahead_targets")
				}
			}
		}
	}
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "admin_pace", data)
	}
	a := actorOf(r)
	if err := s.store.SetPaceThresholds(r.Context(), a.DistrictID, th, a.PersonID, data.Reason); err != nil {
		return err
	}
	s.log.Info("pace thresholds changed", "request_id", requestIDFrom(r.Context()), "person", a.PersonID)
	return redirect(w, r, "/admin/pace?saved=1")
}
