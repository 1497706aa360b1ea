package web

import (
	"net/http"
	"strconv"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// groupHistoryShown is how many earlier days of groups the page shows.
const groupHistoryShown = 14

// groupsEditorSpare is how many empty groups the editor offers to add.
const groupsEditorSpare = 2

// groupsPage is a class's groups of the day: cairn's proposal beside the
// groups saved, an editor to move students, rename, remove and add
// groups, and the groups of earlier days.
type groupsPage struct {
	pageBase
	Class     roster.Class
	Course    string
	Links     []navLink
	Day       string
	CanChange bool
	MaxSize   int
	Proposal  []groupView
	Saved     []groupView
	Dissolved []groupView
	// Editor holds the groups being edited (the saved ones, or the
	// proposal when none is saved or the teacher asked for it) and spare
	// rows to add groups; Students each student's group in it.
	Editor       []editGroup
	Students     []editStudent
	Kinds        []option
	FromProposal bool
	History      []groupDay
	Saved1       bool
	Notice       string
	Error        string
	ScheduleURL  string
}

// groupView is one group as the page lists it.
type groupView struct {
	ID       int64
	Name     string
	Kind     string
	Reason   string
	Members  []memberView
	Standard string
}

type memberView struct {
	ID   int64
	Name string
	// Tier is 2 or 3 for a student with a support plan of that tier today.
	Tier int
}

// editGroup is one row of the editor.
type editGroup struct {
	Index  int
	Number int
	Name   string
	// Label names the group in the students' choices.
	Label      string
	Kind       supports.GroupKind
	StandardID int64
	Count      int
	New        bool
}

// editStudent is one student of the editor with the group they are in.
type editStudent struct {
	ID    int64
	Name  string
	Tier  int
	Group int
}

// groupDay is the groups of one earlier day.
type groupDay struct {
	Day    string
	Groups []groupView
}

func (s *Server) classGroupsPage(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	data, proposal, saved, err := s.groupsData(w, r, g)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data.Saved1 = q.Get("saved") == "1"
	switch q.Get("done") {
	case "dissolved":
		data.Notice = s.printerOf(r).T("groups.notice.dissolved")
	}
	edit := saved
	if len(saved) == 0 || q.Get("start") == "proposal" {
		edit = proposalDrafts(s.printerOf(r), g, proposal)
		data.FromProposal = true
	}
	s.fillEditor(s.printerOf(r), data, g, edit)
	return s.renderPage(w, r, http.StatusOK, "groups", data)
}

// groupsData builds the page but its editor.
func (s *Server) groupsData(w http.ResponseWriter, r *http.Request, g *groupsOfClass) (*groupsPage, supports.GroupProposal, []supports.GroupDraft, error) {
	ctx := r.Context()
	pr := s.printerOf(r)
	if err := s.loadGroupsOf(r, g); err != nil {
		return nil, supports.GroupProposal{}, nil, err
	}
	course, err := s.store.Course(ctx, g.class.DistrictID, g.class.CourseID)
	if err != nil {
		return nil, supports.GroupProposal{}, nil, err
	}
	proposal, err := s.proposeGroups(r, g)
	if err != nil {
		return nil, proposal, nil, err
	}
	data := &groupsPage{pageBase: s.newBase(w, r, pr.T("groups.title", g.class.Title)), Class: g.class, Course: course.Title,
		Links: classLinks(pr, g.class.ID, "groups"), Day: pr.Date(g.day), CanChange: g.canChange, MaxSize: proposal.MaxSize,
		ScheduleURL: scheduleURL(g.class.ID)}
	for _, k := range supports.GroupKinds {
		data.Kinds = append(data.Kinds, option{Value: string(k), Label: groupKindLabel(pr, k)})
	}
	for _, pg := range proposal.Groups {
		data.Proposal = append(data.Proposal, groupView{Name: groupName(pr, g, pg.Reason), Kind: groupKindLabel(pr, pg.Reason.Kind),
			Reason: groupReasonText(pr, g, pg.Reason), Members: g.memberViews(pg.Members), Standard: g.standardLabel(pg.Reason.StandardID)})
	}
	history, err := s.store.ClassGroups(ctx, g.class.DistrictID, g.class.ID, store.GroupFilter{From: g.day.AddDate(0, 0, -groupHistoryShown), To: g.day})
	if err != nil {
		return nil, proposal, nil, err
	}
	var saved []supports.GroupDraft
	for _, x := range history {
		v := g.groupView(pr, x)
		switch {
		case x.Day.Equal(g.day) && x.DissolvedAt == nil:
			data.Saved = append(data.Saved, v)
			x.Members = g.visibleMembers(x.Members)
			saved = append(saved, x.GroupDraft)
		case x.Day.Equal(g.day):
			data.Dissolved = append(data.Dissolved, v)
		default:
			day := pr.Date(x.Day)
			if n := len(data.History); n == 0 || data.History[n-1].Day != day {
				data.History = append(data.History, groupDay{Day: day})
			}
			h := &data.History[len(data.History)-1]
			h.Groups = append(h.Groups, v)
		}
	}
	return data, proposal, saved, nil
}

// groupView is a saved group as the page lists it.
func (g *groupsOfClass) groupView(pr *i18n.Printer, x supports.Group) groupView {
	v := groupView{ID: x.ID, Name: x.Name, Kind: groupKindLabel(pr, x.Kind), Members: g.memberViews(x.Members)}
	if x.StandardID != nil {
		v.Standard = g.standardLabel(*x.StandardID)
	}
	return v
}

// memberViews names the members the reader may see, in class order.
func (g *groupsOfClass) memberViews(ids []int64) []memberView {
	in := map[int64]bool{}
	for _, id := range ids {
		in[id] = true
	}
	var out []memberView
	for _, p := range g.students {
		if in[p.ID] {
			out = append(out, memberView{ID: p.ID, Name: p.Name(), Tier: tierShown(g.tiers[p.ID])})
		}
	}
	return out
}

func tierShown(t supports.Tier) int {
	if t >= supports.Tier2 {
		return int(t)
	}
	return 0
}

// fillEditor puts groups in the editor, with spare rows to add groups.
func (s *Server) fillEditor(pr *i18n.Printer, data *groupsPage, g *groupsOfClass, groups []supports.GroupDraft) {
	of := map[int64]int{}
	for i, x := range groups {
		e := editGroup{Index: i, Number: i + 1, Name: x.Name, Label: x.Name, Kind: x.Kind, Count: len(x.Members)}
		if e.Label == "" {
			e.Label = pr.T("groups.new", i+1)
		}
		if x.StandardID != nil {
			e.StandardID = *x.StandardID
		}
		data.Editor = append(data.Editor, e)
		for _, id := range x.Members {
			if _, ok := of[id]; !ok {
				of[id] = i
			}
		}
	}
	for i := range groupsEditorSpare {
		at := len(groups) + i
		data.Editor = append(data.Editor, editGroup{Index: at, Number: at + 1, Label: pr.T("groups.new", at+1), Kind: supports.GroupReteach, New: true})
	}
	for _, p := range g.students {
		at, ok := of[p.ID]
		if !ok {
			at = -1
		}
		data.Students = append(data.Students, editStudent{ID: p.ID, Name: p.Name(), Tier: tierShown(g.tiers[p.ID]), Group: at})
	}
}

// saveClassGroupsForm saves the editor's groups for today: each student
// in the group chosen for them, groups renamed, removed or added. Groups
// left without students are not saved.
func (s *Server) saveClassGroupsForm(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	pr := s.printerOf(r)
	if err := r.ParseForm(); err != nil {
		return problem.Invalid("form", "the form could not be read: %v", err)
	}
	n, err := strconv.Atoi(r.PostFormValue("count"))
	if err != nil || n < 0 || n > supports.MaxGroupsPerDay+groupsEditorSpare {
		return problem.Invalid("count", "the number of groups is between 0 and %d", supports.MaxGroupsPerDay+groupsEditorSpare)
	}
	drafts := make([]supports.GroupDraft, n)
	removed := make([]bool, n)
	for i := range n {
		k := strconv.Itoa(i)
		drafts[i] = supports.GroupDraft{Kind: supports.GroupKind(r.PostFormValue("kind-" + k)), Name: r.PostFormValue("name-" + k)}
		if v := r.PostFormValue("std-" + k); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return problem.Invalid("std-"+k, "%q is not a standard id", v)
			}
			drafts[i].StandardID = &id
		}
		removed[i] = r.PostFormValue("remove-"+k) == "1"
	}
	for _, p := range g.students {
		v := r.PostFormValue("g-" + strconv.FormatInt(p.ID, 10))
		if v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= n {
			return problem.Invalid("g-"+strconv.FormatInt(p.ID, 10), "%q is not a group of the form", v)
		}
		drafts[i].Members = append(drafts[i].Members, p.ID)
	}
	var keep []supports.GroupDraft
	for i, d := range drafts {
		if !removed[i] && len(d.Members) > 0 {
			keep = append(keep, d)
		}
	}
	if _, err := s.store.SaveClassGroups(r.Context(), g.class.DistrictID, g.class.ID, g.day, actorOf(r).PersonID, keep, s.memberEntries(r, g, entry, keep)...); err != nil {
		msg, ok := formError(err)
		if !ok {
			return err
		}
		data, _, _, derr := s.groupsData(w, r, g)
		if derr != nil {
			return derr
		}
		data.Error = pr.T("groups.error", msg)
		s.fillEditor(pr, data, g, drafts)
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "groups", data)
	}
	return redirect(w, r, groupsURL(g.class.ID)+"?saved=1")
}

func (s *Server) dissolveClassGroupForm(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	id, err := pathID(r, "groupId", "group")
	if err != nil {
		return err
	}
	if _, err := s.store.DissolveClassGroup(r.Context(), g.class.DistrictID, g.class.ID, id, actorOf(r).PersonID, entry); err != nil {
		return urlRecord(err, "group", id)
	}
	return redirect(w, r, groupsURL(g.class.ID)+"?done=dissolved")
}
