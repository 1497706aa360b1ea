package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// Flexible groups and the schedule of a class's day. A class's groups
// and schedule are read by those who may see the class and its students'
// support records (teachers of the class, school staff, coaches and
// district administrators, as access.Supports says); they are changed by
// the class's own teachers only. Students the reader may not see are left
// out of every group shown.

// registerGroupRoutes lists the routes of flexible groups and schedules:
// the API, then the pages.
func (s *Server) registerGroupRoutes() {
	s.handle("getGroupProposal", "GET /api/v1/classes/{id}/groups/proposal", signedIn(), s.groupProposalAPI)
	s.handle("listClassGroups", "GET /api/v1/classes/{id}/groups", signedIn(), s.listClassGroupsAPI)
	s.handle("saveClassGroups", "PUT /api/v1/classes/{id}/groups", changing(), s.saveClassGroupsAPI)
	s.handle("dissolveClassGroup", "POST /api/v1/classes/{id}/groups/{groupId}/dissolve", changing(), s.dissolveClassGroupAPI)
	s.handle("getScheduleSetup", "GET /api/v1/classes/{id}/schedule/setup", signedIn(), s.scheduleSetupAPI)
	s.handle("putScheduleSetup", "PUT /api/v1/classes/{id}/schedule/setup", changing(), s.putScheduleSetupAPI)
	s.handle("getClassSchedule", "GET /api/v1/classes/{id}/schedule", signedIn(), s.classScheduleAPI)
	s.handle("saveClassSchedule", "POST /api/v1/classes/{id}/schedule", changing(), s.saveClassScheduleAPI)

	s.page("classGroups", "GET /classes/{id}/groups", forRoles(classRoles...), s.classGroupsPage)
	s.page("saveClassGroupsForm", "POST /classes/{id}/groups", changingFor(roster.RoleTeacher), s.saveClassGroupsForm)
	s.page("dissolveClassGroupForm", "POST /classes/{id}/groups/{groupId}/dissolve", changingFor(roster.RoleTeacher), s.dissolveClassGroupForm)
	s.page("classSchedule", "GET /classes/{id}/schedule", forRoles(classRoles...), s.classSchedulePage)
	s.page("saveScheduleSetupForm", "POST /classes/{id}/schedule/setup", changingFor(roster.RoleTeacher), s.saveScheduleSetupForm)
	s.page("saveClassScheduleForm", "POST /classes/{id}/schedule", changingFor(roster.RoleTeacher), s.saveClassScheduleForm)
	s.page("classSchedulePrint", "GET /classes/{id}/schedule/print", forRoles(classRoles...), s.classSchedulePrintPage)
}

// groupsOfClass is what the groups and schedule of a class's day are
// built from, read once per request.
type groupsOfClass struct {
	class    roster.Class
	scope    access.Scope
	day      time.Time
	students []roster.Person
	rels     map[int64]access.Relation
	names    map[int64]string
	cat      *standards.Catalog
	tiers    map[int64]supports.Tier
	setup    supports.ScheduleSetup
	stored   bool
	// canChange says whether the actor may change the class's groups.
	canChange bool
}

// classGroupsAccess decides whether the actor may do action on the
// groups of the class of the URL: a view needs the class and logs the
// students shown; a change needs to be a teacher of the class, and
// returns the audit entry for the store to write with it.
func (s *Server) classGroupsAccess(r *http.Request, action access.Action) (*groupsOfClass, store.AuditEntry, error) {
	c, scope, err := s.classAccessScope(r, access.View)
	if err != nil {
		return nil, store.AuditEntry{}, err
	}
	g := &groupsOfClass{class: c, scope: scope, canChange: scope.ClassTaught && actorOf(r).Has(roster.RoleTeacher)}
	var entry store.AuditEntry
	if action == access.Change {
		if !g.canChange {
			return nil, entry, problem.Forbidden("a class's groups and schedule are changed by the class's teachers")
		}
		entry = s.auditEntry(r, 0, access.Change, access.Supports, access.TeacherOf)
		entry.Detail = "groups of class " + strconv.FormatInt(c.ID, 10)
	}
	students, rels, err := s.classRoster(r, c.ID, access.View, access.Supports)
	if err != nil {
		return nil, entry, err
	}
	if action == access.View {
		if err := s.auditClass(r, students, rels, access.View, access.Supports, "groups of class "+strconv.FormatInt(c.ID, 10)); err != nil {
			return nil, entry, err
		}
	}
	g.students, g.rels = students, rels
	g.names = make(map[int64]string, len(students))
	for _, p := range students {
		g.names[p.ID] = p.Name()
	}
	g.day = supports.Day(s.store.Now())
	return g, entry, nil
}

// memberEntries are the audit entries of saving groups: the class's
// entry, and one for each student placed in a group, on the relation the
// teacher has to them, so that a family sees who grouped their child.
func (s *Server) memberEntries(r *http.Request, g *groupsOfClass, class store.AuditEntry, drafts []supports.GroupDraft) []store.AuditEntry {
	out := []store.AuditEntry{class}
	seen := map[int64]bool{}
	for _, d := range drafts {
		for _, id := range d.Members {
			rel, ok := g.rels[id]
			if !ok || seen[id] {
				continue
			}
			seen[id] = true
			e := s.auditEntry(r, id, access.Change, access.Supports, rel)
			e.Detail = class.Detail + ": placed in " + limits.Clip(d.Name, 80)
			out = append(out, e)
		}
	}
	return out
}

// readDay reads the day of a request's ?day=, today when absent.
func (g *groupsOfClass) readDay(r *http.Request) error {
	v := r.URL.Query().Get("day")
	if v == "" {
		return nil
	}
	d, err := queryDay("day", v)
	g.day = d
	return err
}

// queryDay reads a day of the query string, written as 2026-12-04.
func queryDay(name, v string) (time.Time, error) {
	d, err := supports.ParseDay(name, v)
	if err != nil {
		return d, malformed(name, "%q is not a day written as 2026-12-04", limits.Clip(v, 40))
	}
	return d, nil
}

// loadGroupsOf reads the catalog, the tiers of the day and the schedule's
// setup.
func (s *Server) loadGroupsOf(r *http.Request, g *groupsOfClass) error {
	ctx := r.Context()
	d := g.class.DistrictID
	var err error
	if g.cat, err = s.store.Catalog(ctx, d); err != nil {
		return err
	}
	ids := make([]int64, len(g.students))
	for i, p := range g.students {
		ids[i] = p.ID
	}
	if g.tiers, err = s.store.StudentTiers(ctx, d, ids, g.day); err != nil {
		return err
	}
	g.setup, g.stored, err = s.store.ClassScheduleSetup(ctx, d, g.class.ID)
	return err
}

// proposeGroups proposes the class's groups for the day from the latest states,
// plans and interests of the students the reader sees.
func (s *Server) proposeGroups(r *http.Request, g *groupsOfClass) (supports.GroupProposal, error) {
	ctx := r.Context()
	d := g.class.DistrictID
	cp, err := s.store.ClassPlanning(ctx, d, g.class.ID)
	if err != nil {
		return supports.GroupProposal{}, err
	}
	tags, err := s.store.ActivityTags(ctx, d, []int64{g.class.ID})
	if err != nil {
		return supports.GroupProposal{}, err
	}
	in := make([]supports.GroupStudent, 0, len(g.students))
	for _, p := range g.students {
		in = append(in, supports.GroupStudent{ID: p.ID, Name: p.Name(), Plan: cp.Plans[p.ID].Plan,
			Standing: standingOf(g.cat, cp.States[p.ID]), Interests: interestsOf(tags, cp.Interests[p.ID]), Tier: g.tiers[p.ID]})
	}
	return supports.ProposeGroups(in, g.day, g.setup.MaxGroupSize), nil
}

// standardLabel names a standard by its code.
func (g *groupsOfClass) standardLabel(id int64) string {
	if st, ok := g.cat.Standard(id); ok {
		return shortLabel(st)
	}
	return ""
}

// groupName is a proposed group's name in the reader's language.
func groupName(pr *i18n.Printer, g *groupsOfClass, why supports.GroupReason) string {
	var name string
	switch why.Kind {
	case supports.GroupReteach:
		name = pr.T("groups.name.reteach", g.standardLabel(why.StandardID))
	case supports.GroupExtend:
		if why.StandardID == 0 {
			name = pr.T("groups.name.extend_plan")
		} else {
			name = pr.T("groups.name.extend", g.standardLabel(why.StandardID))
		}
	case supports.GroupInterest:
		name = pr.T("groups.name.interest", why.Interest)
	default:
		name = pr.T("groups.name.playlist")
	}
	if why.Parts > 1 {
		name = pr.T("groups.name.part", name, why.Part, why.Parts)
	}
	return name
}

// groupReasonText says why a proposed group was formed, in plain words.
func groupReasonText(pr *i18n.Printer, g *groupsOfClass, why supports.GroupReason) string {
	switch why.Kind {
	case supports.GroupReteach:
		if why.For != 0 {
			return pr.T("groups.reason.prerequisite", g.standardLabel(why.StandardID), g.standardLabel(why.For))
		}
		return pr.T("groups.reason.reteach", g.standardLabel(why.StandardID))
	case supports.GroupExtend:
		if why.StandardID == 0 {
			return pr.T("groups.reason.extend_plan")
		}
		return pr.T("groups.reason.extend", g.standardLabel(why.StandardID))
	case supports.GroupInterest:
		return pr.T("groups.reason.interest", why.Interest)
	}
	return pr.T("groups.reason.playlist")
}

// groupKindLabel names a kind of group in the reader's language.
func groupKindLabel(pr *i18n.Printer, k supports.GroupKind) string {
	switch k {
	case supports.GroupReteach:
		return pr.T("groups.kind.reteach")
	case supports.GroupExtend:
		return pr.T("groups.kind.extend")
	case supports.GroupInterest:
		return pr.T("groups.kind.interest")
	}
	return pr.T("groups.kind.playlist")
}

// adultRoleLabel names an adult's role in the reader's language.
func adultRoleLabel(pr *i18n.Printer, role supports.AdultRole) string {
	switch role {
	case supports.AdultTeacher:
		return pr.T("schedule.role.teacher")
	case supports.AdultCoTeacher:
		return pr.T("schedule.role.co_teacher")
	}
	return pr.T("schedule.role.aide")
}

// proposalDrafts are the proposal as groups to save, named in the
// reader's language.
func proposalDrafts(pr *i18n.Printer, g *groupsOfClass, p supports.GroupProposal) []supports.GroupDraft {
	out := make([]supports.GroupDraft, len(p.Groups))
	for i, pg := range p.Groups {
		out[i] = supports.GroupDraft{Kind: pg.Reason.Kind, Name: groupName(pr, g, pg.Reason), Members: pg.Members}
		if pg.Reason.StandardID != 0 {
			id := pg.Reason.StandardID
			out[i].StandardID = &id
		}
	}
	return out
}

// meetingGroups are the class's groups meeting on the day.
func (s *Server) meetingGroups(r *http.Request, g *groupsOfClass) ([]supports.Group, error) {
	gs, err := s.store.ClassGroups(r.Context(), g.class.DistrictID, g.class.ID, store.GroupFilter{From: g.day, To: g.day})
	if err != nil {
		return nil, err
	}
	out := gs[:0]
	for _, x := range gs {
		if x.DissolvedAt == nil {
			out = append(out, x)
		}
	}
	return out, nil
}

// visibleMembers keeps the members the reader may see.
func (g *groupsOfClass) visibleMembers(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, ok := g.names[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// placeGroups places the day's saved groups into the class's setup.
func placeGroups(g *groupsOfClass, groups []supports.Group) supports.Placement {
	in := make([]supports.ScheduleGroup, len(groups))
	for i, x := range groups {
		in[i] = supports.ScheduleGroup{Kind: x.Kind, Members: x.Members}
	}
	return supports.PlaceGroups(g.setup, in, g.tiers)
}

// refusalText says a schedule refusal in the reader's language: which
// constraint failed and for whom (the group, the block, the students).
func refusalText(pr *i18n.Printer, g *groupsOfClass, groups []supports.Group, ref supports.ScheduleRefusal) (string, []string) {
	switch ref.Constraint {
	case supports.ConstraintNoBlocks:
		return pr.T("schedule.refusal.no_blocks"), nil
	case supports.ConstraintNoAdults:
		return pr.T("schedule.refusal.no_adults"), nil
	}
	name := groups[ref.Group].Name
	if ref.Constraint == supports.ConstraintGroupSize {
		return pr.T("schedule.refusal.size", name, ref.Size, ref.Max), nil
	}
	var why []string
	for _, b := range ref.Blocks {
		block := g.setup.Blocks[b.Block].Label
		if b.Constraint == supports.ConstraintStudentPerBlock {
			names := make([]string, 0, len(b.Students))
			for _, id := range b.Students {
				names = append(names, g.studentName(pr, id))
			}
			why = append(why, pr.T("schedule.refusal.student", block, strings.Join(names, ", "), groups[b.Other].Name))
		} else {
			why = append(why, pr.T("schedule.refusal.adult", block, len(g.setup.Adults)))
		}
	}
	return pr.T("schedule.refusal.nowhere", name), why
}

// studentName names a student the reader sees; another is "a student".
func (g *groupsOfClass) studentName(pr *i18n.Printer, id int64) string {
	if n, ok := g.names[id]; ok {
		return n
	}
	return pr.T("groups.hidden_student")
}

// formError turns a refusal into the words a page shows, or returns the
// error when it is not a refusal.
func formError(err error) (string, bool) {
	var ie *problem.InvalidError
	if errors.As(err, &ie) {
		return ie.Detail(), true
	}
	var pe *problem.Error
	if errors.As(err, &pe) && errors.Is(err, problem.ErrConflict) {
		return pe.Detail(), true
	}
	return "", false
}

// groupsURL is the address of a class's groups page.
func groupsURL(classID int64) string { return fmt.Sprintf("/classes/%d/groups", classID) }

// scheduleURL is the address of a class's schedule page.
func scheduleURL(classID int64) string { return fmt.Sprintf("/classes/%d/schedule", classID) }
