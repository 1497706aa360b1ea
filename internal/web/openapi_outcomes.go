package web

import (
	"reflect"

	"github.com/cairn-learning/cairn/internal/reports"
	"github.com/cairn-learning/cairn/internal/supports"
)

// outcomesDescription says what the outcomes of supports are and who
// may read them.
const outcomesDescription = "For each kind of support, the students who received it (counted once, at their first such plan whose " +
	"follow-up is over, on a standard they had not mastered when it started) against comparable students who did not (enrolled at the " +
	"same school in a course that teaches the standard, not mastered on the day such a support on it started there, no plan of that kind " +
	"on it around then): the share that reached mastery within each window (a whole percentage, only a bound at 5 or below and 95 or above) and the median days to mastery. Every figure is disaggregated by " +
	"subgroup with small-number suppression: a cell of fewer than minStudents students is hidden, and so is any cell that would let a " +
	"hidden one be worked out from a total, across subgroups and schools alike; a hidden cell carries its reason and no figure, exactly " +
	"as the page shows it. The figures describe and make no causal claim (caveat). Whoever leads or coaches the school and the district's " +
	"administrators may read a school's; the district's administrators the district's."

// The outcomes of supports operations, added to operations.
var outcomeOperations = map[string]operation{
	"GET /api/v1/schools/{id}/outcomes": {Tag: "supports", Summary: "A school's outcomes of supports",
		Description: "The school's cells of the district's suppressed table. " + outcomesDescription, Response: outcomesJSON{}},
	"GET /api/v1/outcomes": {Tag: "supports", Summary: "The district's outcomes of supports",
		Description: "The district's cells, then one per school. " + outcomesDescription, Response: outcomesJSON{}},
}

func init() {
	for k, v := range outcomeOperations {
		operations[k] = v
	}
	kinds := make([]string, len(supports.Kinds))
	for i, k := range supports.Kinds {
		kinds[i] = string(k)
	}
	enums[reflect.TypeFor[supports.Kind]()] = kinds
	dims := make([]string, len(reports.Dimensions))
	for i, d := range reports.Dimensions {
		dims[i] = string(d)
	}
	enums[reflect.TypeFor[reports.Dimension]()] = dims
	enums[reflect.TypeFor[reports.Suppression]()] = []string{string(reports.TooFew), string(reports.Complementary)}
	enums[reflect.TypeFor[reports.Bound]()] = []string{string(reports.AtMost), string(reports.AtLeast)}
}
