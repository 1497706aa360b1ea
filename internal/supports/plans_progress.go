package supports

import (
	"time"
)

// ProgressPoint is one score on one of a plan's standards, from a piece
// of evidence assessed since the plan started: progress monitoring reads
// the evidence the classroom already records, not a separate test.
type ProgressPoint struct {
	EvidenceID int64     `json:"evidenceId"`
	StandardID int64     `json:"standardId"`
	AssessedAt time.Time `json:"assessedAt"`
	// Value is the score on the standard's scale.
	Value float64 `json:"value"`
}

// ProgressStatus is how a plan's student stands against its goal level,
// in the words the pages use.
type ProgressStatus string

// The statuses of a plan's progress.
const (
	// ProgressNoEvidence: nothing assessed on the plan's standards since
	// it started.
	ProgressNoEvidence ProgressStatus = "no_evidence"
	// ProgressAtGoal: the latest score is at or above the goal level.
	ProgressAtGoal ProgressStatus = "at_goal"
	// ProgressRising: below the goal, and the latest score is above the
	// first since the start.
	ProgressRising ProgressStatus = "rising"
	// ProgressFlat: below the goal, and not above the first score.
	ProgressFlat ProgressStatus = "flat"
)

// Progress is a plan's progress monitoring: the scores since it started,
// in the order assessed, against the goal level.
type Progress struct {
	Since     time.Time       `json:"since"`
	GoalLevel float64         `json:"goalLevel"`
	Points    []ProgressPoint `json:"points"`
	Status    ProgressStatus  `json:"status"`
}

// Last is the latest point, when there is one.
func (p Progress) Last() (ProgressPoint, bool) {
	if len(p.Points) == 0 {
		return ProgressPoint{}, false
	}
	return p.Points[len(p.Points)-1], true
}

// Monitor reads the points (in the order assessed) of a plan against its
// goal level: the score a student on the plan's standards should reach,
// the scale's mastery cut unless the district says otherwise. Points
// before the plan's start are left out.
func Monitor(p Plan, goalLevel float64, points []ProgressPoint) Progress {
	out := Progress{Since: p.StartsOn, GoalLevel: goalLevel, Status: ProgressNoEvidence}
	for _, pt := range points {
		if !pt.AssessedAt.Before(p.StartsOn) {
			out.Points = append(out.Points, pt)
		}
	}
	if len(out.Points) == 0 {
		return out
	}
	first, last := out.Points[0], out.Points[len(out.Points)-1]
	switch {
	case last.Value >= goalLevel:
		out.Status = ProgressAtGoal
	case len(out.Points) > 1 && last.Value > first.Value:
		out.Status = ProgressRising
	default:
		out.Status = ProgressFlat
	}
	return out
}
