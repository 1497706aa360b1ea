package web

import (
	"net/http"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// proposedGroupJSON is one proposed group: what it is, why, and who.
type proposedGroupJSON struct {
	Kind       supports.GroupKind   `json:"kind"`
	StandardID *int64               `json:"standardId,omitempty"`
	Name       string               `json:"name"`
	Reason     string               `json:"reason"`
	Why        supports.GroupReason `json:"why"`
	Members    []int64              `json:"members"`
}

// groupProposalJSON is the day's proposal for a class.
type groupProposalJSON struct {
	ClassID int64               `json:"classId"`
	Day     string              `json:"day"`
	MaxSize int                 `json:"maxSize"`
	Groups  []proposedGroupJSON `json:"groups"`
}

func (s *Server) groupProposalAPI(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	if err := g.readDay(r); err != nil {
		return err
	}
	if err := s.loadGroupsOf(r, g); err != nil {
		return err
	}
	p, err := s.proposeGroups(r, g)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	out := groupProposalJSON{ClassID: g.class.ID, Day: g.day.Format(supports.DateLayout), MaxSize: p.MaxSize, Groups: []proposedGroupJSON{}}
	for i, d := range proposalDrafts(pr, g, p) {
		out.Groups = append(out.Groups, proposedGroupJSON{Kind: d.Kind, StandardID: d.StandardID, Name: d.Name,
			Reason: groupReasonText(pr, g, p.Groups[i].Reason), Why: p.Groups[i].Reason, Members: d.Members})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) listClassGroupsAPI(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	f := store.GroupFilter{}
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		if f.From, err = queryDay("from", v); err != nil {
			return err
		}
	}
	if v := q.Get("to"); v != "" {
		if f.To, err = queryDay("to", v); err != nil {
			return err
		}
	}
	gs, err := s.store.ClassGroups(r.Context(), g.class.DistrictID, g.class.ID, f)
	if err != nil {
		return err
	}
	for i := range gs {
		gs[i].Members = g.visibleMembers(gs[i].Members)
	}
	writeJSON(w, http.StatusOK, newList(gs, 0))
	return nil
}

// groupsInput is a day's groups as a client saves them.
type groupsInput struct {
	// Day is written as 2026-12-04; today when empty.
	Day    string                `json:"day,omitempty"`
	Groups []supports.GroupDraft `json:"groups"`
}

func (s *Server) saveClassGroupsAPI(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	var in groupsInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Day != "" {
		if g.day, err = supports.ParseDay("day", in.Day); err != nil {
			return err
		}
	}
	gs, err := s.store.SaveClassGroups(r.Context(), g.class.DistrictID, g.class.ID, g.day, actorOf(r).PersonID, in.Groups, s.memberEntries(r, g, entry, in.Groups)...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(gs, 0))
	return nil
}

// dissolveInput is the body of dissolving a group: an empty object.
type dissolveInput struct{}

func (s *Server) dissolveClassGroupAPI(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	var in dissolveInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := pathID(r, "groupId", "group")
	if err != nil {
		return err
	}
	x, err := s.store.DissolveClassGroup(r.Context(), g.class.DistrictID, g.class.ID, id, actorOf(r).PersonID, entry)
	if err != nil {
		return urlRecord(err, "group", id)
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) scheduleSetupAPI(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	if err := s.loadGroupsOf(r, g); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g.setup)
	return nil
}

func (s *Server) putScheduleSetupAPI(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	var in supports.ScheduleSetup
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.store.SetClassScheduleSetup(r.Context(), g.class.DistrictID, g.class.ID, actorOf(r).PersonID, in, entry)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// scheduledGroupJSON is one group of the day's schedule.
type scheduledGroupJSON struct {
	GroupID  int64              `json:"groupId"`
	Name     string             `json:"name"`
	Block    supports.TimeBlock `json:"block"`
	PersonID int64              `json:"personId"`
	Members  []int64            `json:"members"`
}

// scheduleRefusalJSON is one constraint the schedule could not satisfy,
// and for whom.
type scheduleRefusalJSON struct {
	Constraint supports.ScheduleConstraint `json:"constraint"`
	GroupID    int64                       `json:"groupId,omitempty"`
	Detail     string                      `json:"detail"`
}

// scheduleJSON is a class's day: the groups placed, those refused and
// why, and whether the placement is the saved schedule.
type scheduleJSON struct {
	ClassID  int64                 `json:"classId"`
	Day      string                `json:"day"`
	Placed   []scheduledGroupJSON  `json:"placed"`
	Refusals []scheduleRefusalJSON `json:"refusals"`
	// Unserved are the students in tier 2 or 3 whom no adult leads today.
	Unserved []int64    `json:"unserved"`
	SavedAt  *time.Time `json:"savedAt,omitempty"`
}

func (s *Server) classScheduleAPI(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	if err := g.readDay(r); err != nil {
		return err
	}
	out, err := s.scheduleOf(r, g)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// scheduleOf places the day's groups for the API.
func (s *Server) scheduleOf(r *http.Request, g *groupsOfClass) (scheduleJSON, error) {
	out := scheduleJSON{ClassID: g.class.ID, Day: g.day.Format(supports.DateLayout), Placed: []scheduledGroupJSON{}, Refusals: []scheduleRefusalJSON{}, Unserved: []int64{}}
	if err := s.loadGroupsOf(r, g); err != nil {
		return out, err
	}
	groups, err := s.meetingGroups(r, g)
	if err != nil {
		return out, err
	}
	saved, err := s.store.ClassSchedule(r.Context(), g.class.DistrictID, g.class.ID, g.day)
	if err != nil {
		return out, err
	}
	p := placeGroups(g, groups)
	for _, sl := range p.Slots {
		x := groups[sl.Group]
		out.Placed = append(out.Placed, scheduledGroupJSON{GroupID: x.ID, Name: x.Name, Block: g.setup.Blocks[sl.Block],
			PersonID: g.setup.Adults[sl.Adult].PersonID, Members: g.visibleMembers(x.Members)})
	}
	for _, ref := range p.Refusals {
		rj := scheduleRefusalJSON{Constraint: ref.Constraint, Detail: refusalEnglish(g, groups, ref)}
		if ref.Group >= 0 {
			rj.GroupID = groups[ref.Group].ID
		}
		out.Refusals = append(out.Refusals, rj)
	}
	out.Unserved = append(out.Unserved, g.visibleMembers(p.Unserved)...)
	if len(saved) > 0 && sameSchedule(g, groups, p, saved) {
		at := saved[0].SavedAt
		out.SavedAt = &at
	}
	return out, nil
}

// scheduleInput names the day whose schedule to save.
type scheduleInput struct {
	// Day is written as 2026-12-04; today when empty.
	Day string `json:"day,omitempty"`
}

func (s *Server) saveClassScheduleAPI(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	var in scheduleInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Day != "" {
		if g.day, err = supports.ParseDay("day", in.Day); err != nil {
			return err
		}
	}
	if err := s.saveSchedule(r, g, entry); err != nil {
		return err
	}
	out, err := s.scheduleOf(r, g)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
