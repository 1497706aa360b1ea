package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// scheduleSpareBlocks is how many empty blocks the setup form offers.
const scheduleSpareBlocks = 2

// scheduleCandidates bounds the people offered as adults: the school's
// teachers, by name.
const scheduleCandidates = 200

// schedulePage is a class's day: the saved groups placed into its time
// blocks and adults, the refusals when the constraints cannot be met, and
// the setup of blocks and adults.
type schedulePage struct {
	pageBase
	Class     roster.Class
	Course    string
	Links     []navLink
	Day       string
	CanChange bool
	sheet
	// The setup form.
	BlockRows    []blockRow
	AdultRows    []adultRow
	Candidates   []option
	RoleChoices  []option
	MaxGroupSize int
	SetupSaved   bool
	ScheduleSave bool
	Error        string
	PrintURL     string
	GroupsURL    string
}

// sheet is the placement as the page and the printed sheet show it.
type sheet struct {
	Adults      []string
	Blocks      []sheetBlock
	Independent []groupView
	Refusals    []refusalView
	Unserved    string
	NoGroups    bool
	Placed      bool
	// SavedAt says when the schedule shown was saved; empty when it is
	// the placement of the groups as they stand, not saved yet.
	SavedAt string
}

type sheetBlock struct {
	Label, Time string
	Cells       []*groupView
}

type refusalView struct {
	Text    string
	Details []string
}

type blockRow struct {
	Index, Number     int
	Label, Start, End string
}

type adultRow struct {
	Index, Number int
	PersonID      int64
	Role          string
}

func (s *Server) classSchedulePage(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	data, err := s.scheduleData(w, r, g)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data.SetupSaved = q.Get("saved") == "setup"
	data.ScheduleSave = q.Get("saved") == "schedule"
	s.fillSetupForm(data, g.setup)
	if data.CanChange {
		if err := s.setupChoices(r, data, g); err != nil {
			return err
		}
	}
	return s.renderPage(w, r, http.StatusOK, "schedule", data)
}

func (s *Server) classSchedulePrintPage(w http.ResponseWriter, r *http.Request) error {
	g, _, err := s.classGroupsAccess(r, access.View)
	if err != nil {
		return err
	}
	data, err := s.scheduleData(w, r, g)
	if err != nil {
		return err
	}
	return s.renderPage(w, r, http.StatusOK, "schedule_print", data)
}

// scheduleData builds the page but its setup form.
func (s *Server) scheduleData(w http.ResponseWriter, r *http.Request, g *groupsOfClass) (*schedulePage, error) {
	ctx := r.Context()
	pr := s.printerOf(r)
	if err := s.loadGroupsOf(r, g); err != nil {
		return nil, err
	}
	course, err := s.store.Course(ctx, g.class.DistrictID, g.class.CourseID)
	if err != nil {
		return nil, err
	}
	data := &schedulePage{pageBase: s.newBase(w, r, pr.T("schedule.title", g.class.Title)), Class: g.class, Course: course.Title,
		Links: classLinks(pr, g.class.ID, "schedule"), Day: pr.Date(g.day), CanChange: g.canChange, MaxGroupSize: g.setup.MaxGroupSize,
		PrintURL: scheduleURL(g.class.ID) + "/print", GroupsURL: groupsURL(g.class.ID)}
	names, err := s.adultNames(r, g)
	if err != nil {
		return nil, err
	}
	groups, err := s.meetingGroups(r, g)
	if err != nil {
		return nil, err
	}
	saved, err := s.store.ClassSchedule(ctx, g.class.DistrictID, g.class.ID, g.day)
	if err != nil {
		return nil, err
	}
	data.sheet = buildSheet(pr, g, groups, names, saved)
	return data, nil
}

// adultNames names the adults of the setup, with their role.
func (s *Server) adultNames(r *http.Request, g *groupsOfClass) (map[int64]string, error) {
	out := map[int64]string{}
	for _, a := range g.setup.Adults {
		p, err := s.store.Person(r.Context(), g.class.DistrictID, a.PersonID)
		if err != nil {
			return nil, err
		}
		out[a.PersonID] = p.Name()
	}
	return out, nil
}

// buildSheet lays the day's groups out as blocks by adults: the saved
// schedule when one was saved and its groups still meet, else the
// placement of the groups as they stand.
func buildSheet(pr *i18n.Printer, g *groupsOfClass, groups []supports.Group, names map[int64]string, saved []store.ScheduledGroup) sheet {
	var sh sheet
	if len(groups) == 0 {
		sh.NoGroups = true
		return sh
	}
	for _, a := range g.setup.Adults {
		sh.Adults = append(sh.Adults, pr.T("schedule.adult", names[a.PersonID], adultRoleLabel(pr, a.Role)))
	}
	views := make([]groupView, len(groups))
	at := map[int64]int{}
	for i, x := range groups {
		views[i] = g.groupView(pr, x)
		at[x.ID] = i
		if !x.Kind.Led() {
			sh.Independent = append(sh.Independent, views[i])
		}
	}
	for _, b := range g.setup.Blocks {
		sh.Blocks = append(sh.Blocks, sheetBlock{Label: b.Label, Time: b.Start + "–" + b.End, Cells: make([]*groupView, len(g.setup.Adults))})
	}
	p := placeGroups(g, groups)
	sh.Placed = p.Placed()
	if len(saved) > 0 && sameSchedule(g, groups, p, saved) {
		sh.SavedAt = pr.DateTime(saved[0].SavedAt)
	}
	for _, sl := range p.Slots {
		sh.Blocks[sl.Block].Cells[sl.Adult] = &views[sl.Group]
	}
	for _, ref := range p.Refusals {
		text, details := refusalText(pr, g, groups, ref)
		sh.Refusals = append(sh.Refusals, refusalView{Text: text, Details: details})
	}
	var unserved []string
	for _, id := range p.Unserved {
		unserved = append(unserved, g.studentName(pr, id))
	}
	if len(unserved) > 0 {
		sh.Unserved = pr.T("schedule.unserved", strings.Join(unserved, ", "))
	}
	return sh
}

// sameSchedule reports whether the saved schedule is the placement of the
// groups as they stand.
func sameSchedule(g *groupsOfClass, groups []supports.Group, p supports.Placement, saved []store.ScheduledGroup) bool {
	if len(saved) != len(p.Slots) {
		return false
	}
	want := map[int64]string{}
	for _, sl := range p.Slots {
		want[groups[sl.Group].ID] = g.setup.Blocks[sl.Block].Start + "/" + strconv.FormatInt(g.setup.Adults[sl.Adult].PersonID, 10)
	}
	for _, sv := range saved {
		if want[sv.GroupID] != sv.Block.Start+"/"+strconv.FormatInt(sv.PersonID, 10) {
			return false
		}
	}
	return true
}

// fillSetupForm puts the setup in the form, with spare rows.
func (s *Server) fillSetupForm(data *schedulePage, setup supports.ScheduleSetup) {
	for i, b := range setup.Blocks {
		data.BlockRows = append(data.BlockRows, blockRow{Index: i, Number: i + 1, Label: b.Label, Start: b.Start, End: b.End})
	}
	for i := len(setup.Blocks); i < min(len(setup.Blocks)+scheduleSpareBlocks, supports.MaxBlocks); i++ {
		data.BlockRows = append(data.BlockRows, blockRow{Index: i, Number: i + 1})
	}
	for i, a := range setup.Adults {
		data.AdultRows = append(data.AdultRows, adultRow{Index: i, Number: i + 1, PersonID: a.PersonID, Role: string(a.Role)})
	}
	if n := len(setup.Adults); n < supports.MaxAdults {
		data.AdultRows = append(data.AdultRows, adultRow{Index: n, Number: n + 1, Role: string(supports.AdultAide)})
	}
}

// setupChoices are the people and roles the setup form offers.
func (s *Server) setupChoices(r *http.Request, data *schedulePage, g *groupsOfClass) error {
	pr := s.printerOf(r)
	for _, role := range supports.AdultRoles {
		data.RoleChoices = append(data.RoleChoices, option{Value: string(role), Label: adultRoleLabel(pr, role)})
	}
	seen := map[int64]bool{}
	teachers, err := s.store.ClassTeachers(r.Context(), g.class.DistrictID, g.class.ID)
	if err != nil {
		return err
	}
	staff, _, err := s.store.People(r.Context(), g.class.DistrictID, store.PersonFilter{Role: roster.RoleTeacher, SchoolID: g.class.SchoolID, Page: store.Page{Limit: scheduleCandidates}})
	if err != nil {
		return err
	}
	for _, p := range append(teachers, staff...) {
		if !seen[p.ID] {
			seen[p.ID] = true
			data.Candidates = append(data.Candidates, option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name()})
		}
	}
	return nil
}

// saveScheduleSetupForm saves the class's blocks, adults and largest
// group from the setup form. Rows left empty are not saved.
func (s *Server) saveScheduleSetupForm(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Invalid("form", "the form could not be read: %v", err)
	}
	var setup supports.ScheduleSetup
	size := strings.TrimSpace(r.PostFormValue("max"))
	if n, err := strconv.Atoi(size); err == nil {
		setup.MaxGroupSize = n
	} else {
		setup.MaxGroupSize = -1
	}
	for i := range supports.MaxBlocks + 1 {
		k := strconv.Itoa(i)
		b := supports.TimeBlock{Label: r.PostFormValue("block-" + k), Start: r.PostFormValue("start-" + k), End: r.PostFormValue("end-" + k)}
		if strings.TrimSpace(b.Label+b.Start+b.End) != "" {
			setup.Blocks = append(setup.Blocks, b)
		}
	}
	for i := range supports.MaxAdults + 1 {
		k := strconv.Itoa(i)
		v := r.PostFormValue("adult-" + k)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return problem.Invalid("adult-"+k, "%q is not a person id", v)
		}
		setup.Adults = append(setup.Adults, supports.ScheduleAdult{PersonID: id, Role: supports.AdultRole(r.PostFormValue("role-" + k))})
	}
	if _, err := s.store.SetClassScheduleSetup(r.Context(), g.class.DistrictID, g.class.ID, actorOf(r).PersonID, setup, entry); err != nil {
		msg, ok := formError(err)
		if !ok {
			return err
		}
		data, derr := s.scheduleData(w, r, g)
		if derr != nil {
			return derr
		}
		data.Error = s.printerOf(r).T("schedule.error", msg)
		data.MaxGroupSize = setup.MaxGroupSize
		s.fillSetupForm(data, setup)
		if err := s.setupChoices(r, data, g); err != nil {
			return err
		}
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "schedule", data)
	}
	return redirect(w, r, scheduleURL(g.class.ID)+"?saved=setup")
}

// saveClassScheduleForm saves the placement of the day's groups as the
// day's schedule; one that cannot satisfy the constraints is refused with
// the reasons the page shows.
func (s *Server) saveClassScheduleForm(w http.ResponseWriter, r *http.Request) error {
	g, entry, err := s.classGroupsAccess(r, access.Change)
	if err != nil {
		return err
	}
	if err := s.saveSchedule(r, g, entry); err != nil {
		msg, ok := formError(err)
		if !ok {
			return err
		}
		data, derr := s.scheduleData(w, r, g)
		if derr != nil {
			return derr
		}
		data.Error = s.printerOf(r).T("schedule.error", msg)
		s.fillSetupForm(data, g.setup)
		if err := s.setupChoices(r, data, g); err != nil {
			return err
		}
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "schedule", data)
	}
	return redirect(w, r, scheduleURL(g.class.ID)+"?saved=schedule")
}

// saveSchedule places the day's groups and saves the placement, or
// refuses it naming each constraint that failed and for whom.
func (s *Server) saveSchedule(r *http.Request, g *groupsOfClass, entry store.AuditEntry) error {
	if err := s.loadGroupsOf(r, g); err != nil {
		return err
	}
	groups, err := s.meetingGroups(r, g)
	if err != nil {
		return err
	}
	if len(groups) == 0 {
		return problem.Invalid("groups", "no groups are saved for %s: save the day's groups first", g.day.Format(supports.DateLayout))
	}
	p := placeGroups(g, groups)
	if !p.Placed() {
		var errs problem.Fields
		for _, ref := range p.Refusals {
			errs.Add("schedule", refusalEnglish(g, groups, ref))
		}
		return errs.Err()
	}
	slots := make([]store.ScheduledGroup, len(p.Slots))
	for i, sl := range p.Slots {
		slots[i] = store.ScheduledGroup{GroupID: groups[sl.Group].ID, Block: g.setup.Blocks[sl.Block], PersonID: g.setup.Adults[sl.Adult].PersonID}
	}
	return s.store.SaveClassSchedule(r.Context(), g.class.DistrictID, g.class.ID, g.day, actorOf(r).PersonID, slots, entry)
}

// refusalEnglish says a refusal for the API's problem details: the
// constraint, the group, and block by block, who stood in the way.
func refusalEnglish(g *groupsOfClass, groups []supports.Group, ref supports.ScheduleRefusal) string {
	switch ref.Constraint {
	case supports.ConstraintNoBlocks, supports.ConstraintNoAdults:
		return ref.String()
	case supports.ConstraintGroupSize:
		return "max_group_size: " + strconv.Quote(groups[ref.Group].Name) + " has " + strconv.Itoa(ref.Size) + " students, more than the " + strconv.Itoa(ref.Max) + " one adult leads"
	}
	var parts []string
	for _, b := range ref.Blocks {
		block := strconv.Quote(g.setup.Blocks[b.Block].Label)
		if b.Constraint == supports.ConstraintStudentPerBlock {
			var names []string
			for _, id := range b.Students {
				if n, ok := g.names[id]; ok {
					names = append(names, n)
				} else {
					names = append(names, "student "+strconv.FormatInt(id, 10))
				}
			}
			parts = append(parts, string(b.Constraint)+" in "+block+": "+strings.Join(names, ", ")+" in "+strconv.Quote(groups[b.Other].Name))
		} else {
			parts = append(parts, string(b.Constraint)+" in "+block+": all "+strconv.Itoa(len(g.setup.Adults))+" adults lead a group")
		}
	}
	return strconv.Quote(groups[ref.Group].Name) + " fits in no block (" + strings.Join(parts, "; ") + ")"
}
