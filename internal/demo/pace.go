package demo

import (
	"github.com/cairn-learning/cairn/internal/pathways"
)

// paceThresholds are the demo district's bars between ahead, on track and
// behind. Its students master a standard a while after it is taught, and
// the plans expect it by the end of its unit, so that the default bars
// would call most of them behind; the district has loosened them, with a
// reason, as a district would after its first term.
var paceThresholds = pathways.PaceThresholds{BehindTargets: 5, BehindPercent: 40, AheadTargets: 1}

// pace sets the demo district's pace thresholds, as its administrator.
func (l *loader) pace(sum Summary) error {
	return l.st.SetPaceThresholds(l.ctx, l.district, paceThresholds, sum.Admin.ID,
		"Students master a standard a few weeks after its unit ends: behind means five targets and 40% short.")
}
