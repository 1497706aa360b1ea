package web

import (
	"reflect"

	"github.com/cairn-learning/cairn/internal/supports"
)

// groupsDescription says who may read and change groups and schedules.
const groupsDescription = "A class's groups and schedule are read by those who may see the class and its students' support records, " +
	"and changed by the class's own teachers. Students the caller may not see are left out of every group."

// dayQuery is the ?day= of a class's groups and schedule.
var dayQuery = queryParam{"day", "The day, written as 2026-12-04; today when absent.", map[string]any{"type": "string", "format": "date"}, false}

// The groups and schedule operations, added to operations.
var groupOperations = map[string]operation{
	"GET /api/v1/classes/{id}/groups/proposal": {Tag: "groups", Summary: "Propose a class's groups for a day",
		Description: "Rebuilt from the latest states, plans and interests at every call, nothing carried over: reteach (a ready target not mastered, or a prerequisite before one), " +
			"extend (current targets mastered), interest, and the rest on their playlists; groups larger than the class's largest group are split. Each comes with its reason. " + groupsDescription,
		Query: []queryParam{dayQuery}, Response: groupProposalJSON{}},
	"GET /api/v1/classes/{id}/groups": {Tag: "groups", Summary: "A class's saved groups",
		Description: "The latest day first, at most 60 days; a group dissolved by a teacher stays, marked with dissolvedAt; groups replaced by a later save of their day are left out. " + groupsDescription,
		Query: []queryParam{
			{"from", "The first day, written as 2026-12-04.", map[string]any{"type": "string", "format": "date"}, false},
			{"to", "The last day, written as 2026-12-04.", map[string]any{"type": "string", "format": "date"}, false},
		},
		Response: supports.Group{}, List: true},
	"PUT /api/v1/classes/{id}/groups": {Tag: "groups", Summary: "Save a day's groups",
		Description: "Replaces the groups saved for the day (today when day is empty; up to 7 days ahead; never a day that has passed), keeping the earlier save in the history. " +
			"At most 24 groups, 200 students each, a student in at most 4; every member a student of the class. " + groupsDescription,
		Body: groupsInput{}, Response: supports.Group{}, List: true},
	"POST /api/v1/classes/{id}/groups/{groupId}/dissolve": {Tag: "groups", Summary: "Dissolve a group",
		Description: "Ends a group before its day is over; it stays in the history. The body is an empty object. A group dissolved already, or whose day has passed, is a conflict. " + groupsDescription,
		Body:        dissolveInput{}, Response: supports.Group{}, Conflict: true},
	"GET /api/v1/classes/{id}/schedule/setup": {Tag: "groups", Summary: "A class's time blocks and adults",
		Description: "Without a saved setup, no blocks, the class's teachers as adults and a largest group of 6. " + groupsDescription,
		Response:    supports.ScheduleSetup{}},
	"PUT /api/v1/classes/{id}/schedule/setup": {Tag: "groups", Summary: "Set a class's time blocks and adults",
		Description: "At most 8 blocks that do not overlap, times written as 08:30; at most 6 adults, each a person of the district with a teacher's, coach's or administrator's role " +
			"(an aide of the roster is one); the largest group between 1 and 40. " + groupsDescription,
		Body: supports.ScheduleSetup{}, Response: supports.ScheduleSetup{}},
	"GET /api/v1/classes/{id}/schedule": {Tag: "groups", Summary: "A class's schedule for a day",
		Description: "The day's saved groups placed into the blocks and adults: no group larger than the largest, one group per adult and per student in a block, groups with students in tier 2 or 3 first. " +
			"Groups that fit nowhere are listed in refusals with the constraint that failed and for whom; savedAt is set when the placement is the saved schedule. " + groupsDescription,
		Query: []queryParam{dayQuery}, Response: scheduleJSON{}},
	"POST /api/v1/classes/{id}/schedule": {Tag: "groups", Summary: "Save a day's schedule",
		Description: "Saves the placement of the day's groups (today when day is empty). A placement that cannot satisfy the constraints is refused (422), each reason naming the constraint, the group, the block and the students. " + groupsDescription,
		Body:        scheduleInput{}, Response: scheduleJSON{}},
}

func init() {
	for k, v := range groupOperations {
		operations[k] = v
	}
	maxLengths[textField{reflect.TypeFor[supports.GroupDraft](), "name"}] = supports.MaxGroupName
	maxLengths[textField{reflect.TypeFor[supports.TimeBlock](), "label"}] = supports.MaxBlockLabel
	enums[reflect.TypeFor[supports.GroupKind]()] = []string{"reteach", "extend", "interest", "playlist"}
	enums[reflect.TypeFor[supports.AdultRole]()] = []string{"teacher", "co_teacher", "aide"}
	enums[reflect.TypeFor[supports.ScheduleConstraint]()] = []string{"no_blocks", "no_adults", "max_group_size", "one_group_per_adult", "one_group_per_student"}
}
