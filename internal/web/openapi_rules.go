package web

import (
	"reflect"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/supports"
)

// rulesDescription says who may read and change rules and alerts.
const rulesDescription = "A district's rules are read and changed by its administrators. An alert is a record of its student: " +
	"a teacher lists the alerts raised for them, a school or district administrator those of the students they lead; " +
	"a teacher of the student dismisses it with a note. An alert of a student the caller may not see is answered like one that does not exist."

// The rules and alerts operations, added to operations.
var ruleOperations = map[string]operation{
	"GET /api/v1/rules": {Tag: "rules", Summary: "The district's rules",
		Description: "One rule of each kind, with its thresholds: the district's own where it changed one, the default otherwise. " + rulesDescription,
		Response:    ruleJSON{}, List: true},
	"GET /api/v1/rules/{kind}": {Tag: "rules", Summary: "Get a rule", Description: rulesDescription, Response: ruleJSON{}},
	"PUT /api/v1/rules/{kind}": {Tag: "rules", Summary: "Change a rule",
		Description: "Switches the rule on or off and sets its thresholds, read strictly: an unknown field, a missing one or an impossible " +
			"threshold (a cut outside the district's scales, days outside 1 to 365, a count below 2, a fall in probability outside 0 to 1) is refused with 422 naming it (params.cut). " +
			"The change is kept with who made it and its reason. " + rulesDescription,
		Body: ruleInput{}, Response: ruleJSON{}},
	"GET /api/v1/alerts": {Tag: "rules", Summary: "List alerts",
		Description: "Newest first: the open alerts, or the dismissed ones (dismissed=true), of a class or a student when asked. " + rulesDescription,
		Query: append([]queryParam{idQuery("classId", "Only the alerts raised in this class.", false), idQuery("studentId", "Only the alerts about this student.", false),
			{"dismissed", "true for the dismissed alerts instead of the open ones.", map[string]any{"type": "boolean"}, false}}, paging...),
		Response: alertJSON{}, List: true},
	"GET /api/v1/alerts/{id}": {Tag: "rules", Summary: "Get an alert", Description: rulesDescription, Response: alertJSON{}},
	"POST /api/v1/alerts/{id}/dismissal": {Tag: "rules", Summary: "Dismiss an alert",
		Description: "A teacher of the student dismisses the alert with a note (optional). An alert dismissed already is a conflict. " +
			"A new firing of the same rule for the same student and standard raises a new alert. " + rulesDescription,
		Body: dismissInput{}, Response: alertJSON{}, Conflict: true},
}

func init() {
	for k, v := range ruleOperations {
		operations[k] = v
	}
	for t, fields := range map[reflect.Type]map[string]int{
		reflect.TypeFor[ruleInput]():    {"reason": limits.Reason},
		reflect.TypeFor[dismissInput](): {"note": limits.Comment},
	} {
		for name, n := range fields {
			maxLengths[textField{t, name}] = n
		}
	}
	kinds := make([]string, len(supports.RuleKinds))
	for i, k := range supports.RuleKinds {
		kinds[i] = string(k)
	}
	enums[reflect.TypeFor[supports.RuleKind]()] = kinds
}
