package demo

import (
	"cmp"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/supports"
)

// supportPlanEvery picks the classes beyond the featured one that get
// support plans: one class in this many, in the order the store lists
// them, so that every school has some without every class having them.
const supportPlanEvery = 3

// supportPlans gives the district the support plans running today, each
// started some days before its student's latest evidence on its
// standards so that its progress shows real evidence: in the featured
// class, a tier 2 small-group reteach for the students stuck on the
// standard most of them are stuck on (the featured student among them,
// or on a plan of his own: a reteach, or an extension when he has
// mastered all he was assessed on), tier 3 tutoring for the student furthest
// behind, a tier 3 referral for the next, and a tier 1 extension for the
// student furthest ahead, with the teacher's notes and behaviour notes
// about some of them; in one class in three of the other classes, the
// same reteach group, tutoring and extension. Nothing is random.
func (l *loader) supportPlans(sum Summary) error {
	ctx, st, d := l.ctx, l.st, l.district
	today := supports.Day(st.Now())
	classes, _, err := st.Classes(ctx, d, store.RosterFilter{Page: store.Page{Limit: 1000}})
	if err != nil {
		return err
	}
	for i, c := range classes {
		featured := c.ID == sum.Class.ID
		if !featured && i%supportPlanEvery != 0 {
			continue
		}
		if err := l.classSupportPlans(c.ID, featured, sum, today); err != nil {
			return err
		}
	}
	return nil
}

// stuckOn is a standard a student has evidence on twice or more and has
// not mastered.
type stuckOn struct {
	standard int64
	value    float64
	last     time.Time
}

func (l *loader) classSupportPlans(classID int64, featured bool, sum Summary, today time.Time) error {
	ctx, st, d := l.ctx, l.st, l.district
	cm, err := st.ClassMastery(ctx, d, classID)
	if err != nil || len(cm.Students) < 4 {
		return err
	}
	teachers, err := st.ClassTeachers(ctx, d, classID)
	if err != nil || len(teachers) == 0 {
		return err
	}
	teacher := teachers[0].ID
	provider := teacher
	if len(teachers) > 1 {
		provider = teachers[1].ID // the co-teacher tutors
	}
	parents := map[int64]bool{}
	for _, s := range cm.Standards {
		if s.ParentID != nil {
			parents[*s.ParentID] = true
		}
	}
	mastered := make([]int, len(cm.Students))
	stuck := make([][]stuckOn, len(cm.Students))
	count := map[int64]int{}
	for i := range cm.Students {
		for j, s := range cm.Standards {
			cell := cm.Cells[i][j]
			if cell == nil || parents[s.ID] {
				continue
			}
			if cell.Mastered {
				mastered[i]++
			} else if cell.EvidenceCount >= 2 {
				stuck[i] = append(stuck[i], stuckOn{s.ID, cell.Value, cell.LastAssessed})
				count[s.ID]++
			}
		}
		// The lowest first: what the student most needs.
		slices.SortStableFunc(stuck[i], func(a, b stuckOn) int { return cmp.Compare(a.value, b.value) })
	}
	// The standard most students are stuck on, the first in the course's
	// order on a tie.
	var target int64
	for _, s := range cm.Standards {
		if count[s.ID] > count[target] {
			target = s.ID
		}
	}
	// The students by how much they have mastered, fewest first.
	order := make([]int, len(cm.Students))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(mastered[a], mastered[b]) })

	// started is a start some days before the latest evidence, so that
	// the plan's progress has evidence to show, within the last two
	// months and at least three days ago.
	started := func(last time.Time) time.Time {
		s := supports.Day(last).AddDate(0, 0, -10)
		if earliest := today.AddDate(0, 0, -60); s.Before(earliest) {
			s = earliest
		}
		if latest := today.AddDate(0, 0, -3); s.After(latest) {
			s = latest
		}
		return s
	}
	ends := func(s time.Time, weeks int) *time.Time {
		e := s.AddDate(0, 0, 7*weeks)
		if soonest := today.AddDate(0, 0, 7); e.Before(soonest) {
			e = soonest
		}
		return &e
	}
	planned := map[int]bool{}
	plan := func(i int, tier supports.Tier, kind supports.Kind, stds []stuckOn, by int64, schedule, goal string) error {
		p := supports.Plan{DistrictID: d, CreatedBy: teacher, PlanDraft: supports.PlanDraft{StudentID: cm.Students[i].ID, ClassID: &classID,
			Tier: tier, Kind: kind, ProviderID: by, Schedule: schedule, Goal: goal}}
		last := today.AddDate(0, 0, -14)
		for k, s := range stds {
			p.StandardIDs = append(p.StandardIDs, s.standard)
			if k == 0 || s.last.After(last) {
				last = s.last
			}
		}
		p.StartsOn = started(last)
		p.EndsOn = ends(p.StartsOn, 6)
		planned[i] = true
		return st.CreateSupportPlan(ctx, &p)
	}
	code := func(id int64) string {
		for _, s := range cm.Standards {
			if s.ID == id && s.Code != "" {
				return s.Code
			}
		}
		return "the standard"
	}

	// Tier 2: the small group reteaching the standard most are stuck on.
	group := 0
	for i := range cm.Students {
		isFeatured := featured && cm.Students[i].ID == sum.Student.ID
		k := slices.IndexFunc(stuck[i], func(s stuckOn) bool { return s.standard == target })
		if k < 0 || (group == 3 && !isFeatured) {
			continue
		}
		group++
		if err := plan(i, supports.Tier2, supports.Reteach, stuck[i][k:k+1], teacher, "Tue and Thu, 20 min at the small-group table",
			"Reach proficient on "+code(target)+" by the end of the unit"); err != nil {
			return err
		}
	}
	if featured {
		// The featured student has a plan of his own when the group's
		// standard is not where he is stuck.
		for i, p := range cm.Students {
			if p.ID == sum.Student.ID && !planned[i] {
				if stds := stuck[i]; len(stds) > 0 {
					if err := plan(i, supports.Tier2, supports.Reteach, stds[:1], teacher, "Wed, 25 min mini lesson",
						"Reach proficient on "+code(stds[0].standard)+" with a mini lesson on converting units"); err != nil {
						return err
					}
					continue
				}
				// Ahead on all he was assessed on: an extension on what he
				// worked on last.
				var done []stuckOn
				for j, s := range cm.Standards {
					if c := cm.Cells[i][j]; c != nil && !parents[s.ID] && c.Mastered && c.EvidenceCount >= 2 {
						done = append(done, stuckOn{s.ID, c.Value, c.LastAssessed})
					}
				}
				slices.SortStableFunc(done, func(a, b stuckOn) int { return b.last.Compare(a.last) })
				if len(done) > 0 {
					if err := plan(i, supports.Tier1, supports.Extension, done[:min(2, len(done))], teacher, "Wed, during station rotation",
						"Go beyond "+code(done[0].standard)+": write and solve rate problems from the corner store's prices"); err != nil {
						return err
					}
				}
			}
		}
	}

	// Tier 3: tutoring for the student furthest behind, and a referral
	// for the next one in the featured class.
	var tutored, referred int = -1, -1
	for _, i := range order {
		if planned[i] || len(stuck[i]) == 0 {
			continue
		}
		if tutored < 0 {
			tutored = i
			if err := plan(i, supports.Tier3, supports.Tutoring, stuck[i][:min(3, len(stuck[i]))], provider, "Mon, Wed and Fri, 30 min before school",
				"Close the gaps on the prerequisites of the current unit, one standard at a time"); err != nil {
				return err
			}
			continue
		}
		if featured {
			referred = i
			if err := plan(i, supports.Tier3, supports.Referral, nil, teacher, "Reading specialist, by the end of the month",
				"A reading evaluation, to know whether word problems are the obstacle"); err != nil {
				return err
			}
		}
		break
	}

	// Tier 1: an extension for the student furthest ahead.
	if ahead := order[len(order)-1]; !planned[ahead] {
		var stds []stuckOn
		for j, s := range cm.Standards {
			if c := cm.Cells[ahead][j]; c != nil && !parents[s.ID] && c.Mastered && len(stds) < 2 {
				stds = append(stds, stuckOn{s.ID, c.Value, c.LastAssessed})
			}
		}
		if len(stds) > 0 {
			if err := plan(ahead, supports.Tier1, supports.Extension, stds, teacher, "During station rotation",
				"Design a problem set on "+code(stds[0].standard)+" for classmates, at the advanced level"); err != nil {
				return err
			}
		}
	}

	if !featured {
		return nil
	}
	note := func(i int, kind supports.NoteKind, text string) error {
		if i < 0 {
			return nil
		}
		n := supports.Note{DistrictID: d, StudentID: cm.Students[i].ID, ClassID: &classID, AuthorID: teacher, Kind: kind, Text: text}
		return st.RecordNote(ctx, &n)
	}
	for i, p := range cm.Students {
		if p.ID == sum.Student.ID {
			if err := note(i, supports.NoteComment, "Explains his thinking well out loud; loses track when converting units on paper."); err != nil {
				return err
			}
			if err := note(i, supports.NoteBehaviour, "Off task during independent practice twice this week; back on task after a check-in."); err != nil {
				return err
			}
		}
	}
	if err := note(tutored, supports.NoteBehaviour, "Arrived late to first period three days this week; tutoring moved to before school."); err != nil {
		return err
	}
	return note(referred, supports.NoteComment, "Solves the equations once they are written down; the words of the problems are the obstacle.")
}
