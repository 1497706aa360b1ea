package supports

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/problem"
)

// GroupKind is why a flexible group meets.
type GroupKind string

// The kinds of group, in the order pages list them.
const (
	// GroupReteach: students who share a ready target they have worked
	// on and not mastered, or a prerequisite that stands before one.
	GroupReteach GroupKind = "reteach"
	// GroupExtend: students who mastered their current targets and are
	// ready to go beyond them.
	GroupExtend GroupKind = "extend"
	// GroupInterest: students whose next target has activities matching
	// an interest they share.
	GroupInterest GroupKind = "interest"
	// GroupPlaylist: students working on their own playlists; no adult
	// needs to lead it.
	GroupPlaylist GroupKind = "playlist"
)

// GroupKinds are the kinds of group, in the order pages list them.
var GroupKinds = []GroupKind{GroupReteach, GroupExtend, GroupInterest, GroupPlaylist}

// Valid reports whether k is one of GroupKinds.
func (k GroupKind) Valid() bool { return slices.Contains(GroupKinds, k) }

// Led reports whether a group of this kind needs an adult to lead it: all
// but students on their playlists.
func (k GroupKind) Led() bool { return k != GroupPlaylist }

// The bounds of a day's groups.
const (
	// MaxGroupsPerDay bounds the groups saved for a class on one day.
	MaxGroupsPerDay = 24
	// MaxGroupMembers bounds the students of one group (a whole class on
	// its playlists fits).
	MaxGroupMembers = 200
	// MaxGroupsPerStudent bounds the groups of the day one student is in.
	MaxGroupsPerStudent = 4
	// MaxGroupName bounds a group's name, in characters.
	MaxGroupName = 80
	// DefaultGroupSize is the largest group an adult leads when the class
	// set none.
	DefaultGroupSize = 6
	// MaxGroupSizeLimit bounds the maximum group size a class may set.
	MaxGroupSizeLimit = 40
)

// GroupStudent is what a proposal knows of one student of the class.
type GroupStudent struct {
	ID   int64
	Name string
	// Plan is the student's plan in the class; Standing their states and
	// the prerequisite graph; Interests what recommendations match.
	Plan      pathways.Plan
	Standing  pathways.Standing
	Interests pathways.Interests
	// Tier is the highest tier of the student's plans running today
	// (StudentTiers); 0 or 1 is the class's own teaching.
	Tier Tier
}

// GroupReason is why a proposed group was formed, as data: the pages say
// it in the reader's language ("groups.reason.<kind>").
type GroupReason struct {
	Kind GroupKind `json:"kind"`
	// StandardID is the shared standard of a reteach or extend group.
	StandardID int64 `json:"standardId,omitempty"`
	// For is the target a reteach prerequisite stands before, when the
	// group works on a prerequisite.
	For int64 `json:"for,omitempty"`
	// Interest is the shared interest of an interest group.
	Interest string `json:"interest,omitempty"`
	// Part and Parts number a group split to keep within the maximum
	// size: part 1 of 2.
	Part  int `json:"part,omitempty"`
	Parts int `json:"parts,omitempty"`
}

// ProposedGroup is one group cairn proposes for the day.
type ProposedGroup struct {
	Reason GroupReason `json:"reason"`
	// Members are the students, in the order of the class list.
	Members []int64 `json:"members"`
}

// GroupProposal is the day's proposed groups for a class.
type GroupProposal struct {
	Day     time.Time       `json:"day"`
	MaxSize int             `json:"maxSize"`
	Groups  []ProposedGroup `json:"groups"`
}

// ProposeGroups proposes the groups of a class for day from the students'
// latest states, plans and interests. Nothing is carried over from earlier
// days: the same data always gives the same groups.
//
// Each student's focus is their first recommendation (pathways.Recommend):
// a ready target not mastered, or the nearest ready prerequisite of one.
// Their current targets are those of their plan up to and including the
// first one not due before day. Then, in turn:
//
//   - extend: every current target mastered, focus beyond them (or the
//     whole plan mastered); grouped by focus;
//   - reteach: focus is a prerequisite, or a current target the student
//     has evidence on; grouped by focus;
//   - interest: focus has activities matching the student's interest;
//     grouped by interest;
//   - everyone else is on their playlist.
//
// A reteach, extend or interest group needs two students, except that a
// student in tier 2 or 3 keeps a reteach group of their own. Groups larger
// than maxSize are split in near-equal parts. Members follow the order of
// students; groups are ordered by kind, then by their first member.
func ProposeGroups(students []GroupStudent, day time.Time, maxSize int) GroupProposal {
	if maxSize <= 0 {
		maxSize = DefaultGroupSize
	}
	day = Day(day)
	type bucket struct {
		reason  GroupReason
		members []int64
		first   int
		tiered  bool
	}
	// Students share a group by kind, standard and interest; a reteach
	// group of a prerequisite names the target of its first student.
	type key struct {
		kind     GroupKind
		standard int64
		interest string
	}
	var buckets []*bucket
	index := map[key]*bucket{}
	add := func(why GroupReason, id int64, at int, tier Tier) {
		k := key{why.Kind, why.StandardID, why.Interest}
		b := index[k]
		if b == nil {
			b = &bucket{reason: why, first: at}
			index[k] = b
			buckets = append(buckets, b)
		}
		b.members = append(b.members, id)
		b.tiered = b.tiered || tier >= Tier2
	}
	var playlist []int64
	for at, st := range students {
		why, ok := groupReasonOf(st, day)
		if !ok {
			playlist = append(playlist, st.ID)
			continue
		}
		add(why, st.ID, at, st.Tier)
	}
	out := GroupProposal{Day: day, MaxSize: maxSize}
	slices.SortStableFunc(buckets, func(a, b *bucket) int {
		return cmp.Or(cmp.Compare(kindOrder(a.reason.Kind), kindOrder(b.reason.Kind)), cmp.Compare(a.first, b.first))
	})
	for _, b := range buckets {
		if len(b.members) < 2 && !(b.reason.Kind == GroupReteach && b.tiered) {
			playlist = append(playlist, b.members...)
			continue
		}
		out.Groups = append(out.Groups, split(b.reason, b.members, maxSize)...)
	}
	if len(playlist) > 0 {
		order := make(map[int64]int, len(students))
		for i, st := range students {
			order[st.ID] = i
		}
		slices.SortFunc(playlist, func(a, b int64) int { return cmp.Compare(order[a], order[b]) })
		out.Groups = append(out.Groups, ProposedGroup{Reason: GroupReason{Kind: GroupPlaylist}, Members: playlist})
	}
	return out
}

// groupReasonOf decides which group a student belongs in, if any.
func groupReasonOf(st GroupStudent, day time.Time) (GroupReason, bool) {
	recs := pathways.Recommend(st.Plan, st.Standing, st.Interests, 1)
	current := currentTargets(st.Plan, day)
	allMastered := len(current) > 0
	for _, id := range current {
		if !st.Standing.Mastered(id) {
			allMastered = false
			break
		}
	}
	if len(recs) == 0 {
		if len(st.Plan.Targets) > 0 && allMastered {
			return GroupReason{Kind: GroupExtend}, true
		}
		return GroupReason{}, false
	}
	focus := recs[0]
	if allMastered {
		return GroupReason{Kind: GroupExtend, StandardID: focus.StandardID}, true
	}
	if focus.Reason.Code == pathways.ReasonPrerequisite {
		return GroupReason{Kind: GroupReteach, StandardID: focus.StandardID, For: focus.Reason.For}, true
	}
	if _, worked := st.Standing.State(focus.StandardID); worked && slices.Contains(current, focus.StandardID) {
		return GroupReason{Kind: GroupReteach, StandardID: focus.StandardID}, true
	}
	if in := strings.ToLower(strings.TrimSpace(focus.Reason.Interest)); in != "" {
		return GroupReason{Kind: GroupInterest, Interest: in}, true
	}
	return GroupReason{}, false
}

// currentTargets are the targets of a plan the class is on by day: those
// due before it, and the first one that is not (or has no date).
func currentTargets(p pathways.Plan, day time.Time) []int64 {
	var out []int64
	for _, t := range p.Targets {
		out = append(out, t.StandardID)
		if t.Due == nil || !Day(*t.Due).Before(day) {
			break
		}
	}
	return out
}

// split cuts members into the fewest near-equal parts of at most max.
func split(why GroupReason, members []int64, max int) []ProposedGroup {
	parts := (len(members) + max - 1) / max
	if parts <= 1 {
		return []ProposedGroup{{Reason: why, Members: members}}
	}
	out := make([]ProposedGroup, 0, parts)
	start := 0
	for i := range parts {
		size := len(members) / parts
		if i < len(members)%parts {
			size++
		}
		r := why
		r.Part, r.Parts = i+1, parts
		out = append(out, ProposedGroup{Reason: r, Members: slices.Clone(members[start : start+size])})
		start += size
	}
	return out
}

func kindOrder(k GroupKind) int { return slices.Index(GroupKinds, k) }

// GroupDraft is one group as a teacher saves it.
type GroupDraft struct {
	Kind GroupKind `json:"kind"`
	// StandardID is the standard the group works on, when it has one.
	StandardID *int64  `json:"standardId,omitempty"`
	Name       string  `json:"name"`
	Members    []int64 `json:"members"`
}

// Group is a saved flexible group of a class for one day. It dissolves
// when the day passes or a teacher dissolves it; either way it stays in
// the history.
type Group struct {
	ID         int64     `json:"id"`
	DistrictID int64     `json:"districtId"`
	ClassID    int64     `json:"classId"`
	Day        time.Time `json:"day"`
	GroupDraft
	SavedBy     int64      `json:"savedBy"`
	SavedAt     time.Time  `json:"savedAt"`
	DissolvedAt *time.Time `json:"dissolvedAt,omitempty"`
	DissolvedBy *int64     `json:"dissolvedBy,omitempty"`
}

// ActiveOn reports whether the group meets on the day of t: saved for
// that day and not dissolved.
func (g Group) ActiveOn(t time.Time) bool {
	return g.DissolvedAt == nil && Day(t).Equal(g.Day)
}

// CheckGroups normalizes and checks the groups a teacher saves for one
// day: each with a kind and a name, members without repeats, the day's
// groups, members and each student's groups within their bounds. The
// students must be the class's: that is the store's to check.
func CheckGroups(drafts []GroupDraft) error {
	var errs problem.Fields
	if len(drafts) > MaxGroupsPerDay {
		errs.Addf("groups", "%d groups: a day has at most %d", len(drafts), MaxGroupsPerDay)
		return errs.Err()
	}
	per := map[int64]int{}
	names := map[string]int{}
	for i := range drafts {
		d := &drafts[i]
		d.Name = strings.TrimSpace(d.Name)
		d.Members = slices.Compact(slices.Sorted(slices.Values(d.Members)))
		if !d.Kind.Valid() {
			errs.AddItemf("groups", i, "kind", "%q is not a kind of group: one of reteach, extend, interest, playlist", limits.Clip(string(d.Kind), 40))
		}
		switch {
		case d.Name == "":
			errs.AddItemf("groups", i, "name", "required: what the group is called")
		case len([]rune(d.Name)) > MaxGroupName:
			errs.AddItemf("groups", i, "name", "%d characters: a group's name has at most %d", len([]rune(d.Name)), MaxGroupName)
		default:
			key := strings.ToLower(d.Name)
			if j, ok := names[key]; ok {
				errs.AddItemf("groups", i, "name", "%q is also the name of group %d", limits.Clip(d.Name, 40), j+1)
			}
			names[key] = i
		}
		if d.StandardID != nil && *d.StandardID <= 0 {
			errs.AddItemf("groups", i, "standardId", "%d is not a standard id", *d.StandardID)
		}
		switch n := len(d.Members); {
		case n == 0:
			errs.AddItemf("groups", i, "members", "a group has at least one student")
		case n > MaxGroupMembers:
			errs.AddItemf("groups", i, "members", "%d students: a group has at most %d", n, MaxGroupMembers)
		}
		for _, id := range d.Members {
			if id <= 0 {
				errs.AddItemf("groups", i, "members", "%d is not a student id", id)
				continue
			}
			per[id]++
			if per[id] == MaxGroupsPerStudent+1 {
				errs.AddItemf("groups", i, "members", "student %d is in more than %d groups of the day", id, MaxGroupsPerStudent)
			}
		}
	}
	return errs.Err()
}
