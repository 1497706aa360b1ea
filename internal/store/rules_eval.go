package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/supports"
)

// alertPrep is what the rules evaluated on evidence need from before the
// evidence's mastery is recomputed: the enabled rules, the (student,
// standard) pairs the evidence scores with the class it was recorded in,
// the prerequisites, and the probabilities of mastery before.
type alertPrep struct {
	rules   map[supports.RuleKind]supports.RuleParams
	prereqs map[int64][]int64
	pairs   [][2]int64
	class   map[[2]int64]*int64
	before  map[[2]int64]*float64
}

// ruleSet is what the evaluation on evidence reads of a district's
// configuration, kept at the config_version it was read at: a change of
// a rule or of a prerequisite advances the version (r.changeConfig,
// r.dropCatalog), on this server and every other on the database.
type ruleSet struct {
	version int64
	// onEvidence are the enabled rules evaluated on evidence.
	onEvidence map[supports.RuleKind]supports.RuleParams
	// prereqs are each standard's prerequisites.
	prereqs map[int64][]int64
}

// ruleSetOf returns the district's rules and prerequisites at version,
// from the store's cache or read through r.
func (r *runner) ruleSetOf(ctx context.Context, districtID, version int64) (*ruleSet, error) {
	rs, gen, ok := r.s.ruleSets.get(districtID)
	if ok && rs.version == version {
		return rs, nil
	}
	rs = &ruleSet{version: version, onEvidence: map[supports.RuleKind]supports.RuleParams{}, prereqs: map[int64][]int64{}}
	rules, err := r.supportRules(ctx, districtID)
	if err != nil {
		return nil, err
	}
	for _, rule := range rules {
		if rule.Enabled && rule.Kind.OnEvidence() {
			rs.onEvidence[rule.Kind] = rule.Params
		}
	}
	edges, err := r.s.prerequisites(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	for _, p := range edges {
		rs.prereqs[p.StandardID] = append(rs.prereqs[p.StandardID], p.PrerequisiteID)
	}
	r.s.ruleSets.put(districtID, gen, rs)
	return rs, nil
}

// prepareAlerts reads, in the evidence's transaction and before its
// mastery is recomputed, what raiseEvidenceAlerts compares with; nil when
// no rule evaluated on evidence is enabled. The rules and prerequisites
// come from the store's cache at the engine's config_version; a statement
// reads the probabilities before when the probability rule is on.
func (r *runner) prepareAlerts(ctx context.Context, e *engine, evs []*evidence.Evidence) (*alertPrep, error) {
	rs, err := r.ruleSetOf(ctx, e.districtID, e.m.version)
	if err != nil {
		return nil, err
	}
	if len(rs.onEvidence) == 0 {
		return nil, nil
	}
	p := &alertPrep{rules: rs.onEvidence, prereqs: rs.prereqs, class: map[[2]int64]*int64{}}
	// The latest evidence on a pair names its class.
	for _, ev := range evs {
		for _, sc := range ev.Scores {
			k := [2]int64{ev.StudentID, sc.StandardID}
			if _, ok := p.class[k]; !ok {
				p.pairs = append(p.pairs, k)
			}
			p.class[k] = ev.ClassID
		}
	}
	if _, ok := p.rules[supports.RuleProbabilityFalling]; ok && len(p.pairs) > 0 {
		if p.before, err = r.modelProbabilities(ctx, e.districtID, p.pairs); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// modelProbabilities reads the model's probability of mastery of each
// pair that has one.
func (r *runner) modelProbabilities(ctx context.Context, districtID int64, pairs [][2]int64) (map[[2]int64]*float64, error) {
	a, b := splitPairs(pairs)
	pairSQL, pairArgs := r.s.pairsSQL(a, b)
	out := map[[2]int64]*float64{}
	err := r.each(ctx, `
SELECT ms.student_id, ms.standard_id, ms.model_p FROM `+pairSQL+`
CROSS JOIN mastery_states ms
WHERE ms.student_id = p.a AND ms.standard_id = p.b AND ms.district_id = $1`, append([]any{districtID}, pairArgs...), func(row scanner) error {
		var k [2]int64
		var pm *float64
		if err := row.Scan(&k[0], &k[1], &pm); err != nil {
			return err
		}
		out[k] = pm
		return nil
	})
	return out, err
}

func splitPairs(pairs [][2]int64) (a, b []int64) {
	a, b = make([]int64, len(pairs)), make([]int64, len(pairs))
	for i, p := range pairs {
		a[i], b[i] = p[0], p[1]
	}
	return a, b
}

// ruleState is what the rules read of a student's state on a standard.
type ruleState struct {
	mastered bool
	evidence int
	p        *float64
}

// raiseEvidenceAlerts evaluates the district's rules on the evidence just
// written, after its mastery was recomputed, in the same transaction, and
// raises the alerts they fire for the responsible teachers (see
// responsible). It returns a change for each student whose alerts changed.
func (r *runner) raiseEvidenceAlerts(ctx context.Context, e *engine, p *alertPrep) ([]Change, error) {
	if p == nil || len(p.pairs) == 0 {
		return nil, nil
	}
	d := e.districtID
	// The states after, of the scored standards and of their
	// prerequisites (for the stall), in one statement.
	var a, b []int64
	seen := map[[2]int64]bool{}
	add := func(k [2]int64) {
		if !seen[k] {
			seen[k] = true
			a, b = append(a, k[0]), append(b, k[1])
		}
	}
	prereqs := map[int64][]int64{}
	if _, stall := p.rules[supports.RuleStalled]; stall {
		prereqs = p.prereqs
	}
	for _, k := range p.pairs {
		add(k)
		for _, pre := range prereqs[k[1]] {
			add([2]int64{k[0], pre})
		}
	}
	after := map[[2]int64]ruleState{}
	pairSQL, pairArgs := r.s.pairsSQL(a, b)
	err := r.each(ctx, `
SELECT ms.student_id, ms.standard_id, ms.mastered, ms.evidence_count, ms.model_p FROM `+pairSQL+`
CROSS JOIN mastery_states ms
WHERE ms.student_id = p.a AND ms.standard_id = p.b AND ms.district_id = $1`, append([]any{d}, pairArgs...), func(row scanner) error {
		var k [2]int64
		var st ruleState
		if err := row.Scan(&k[0], &k[1], &st.mastered, &st.evidence, &st.p); err != nil {
			return err
		}
		after[k] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	var recent map[[2]int64][]supports.ScoreFact
	if bc, ok := p.rules[supports.RuleBelowCut]; ok {
		if recent, err = r.recentFormative(ctx, d, p.pairs, bc.Count); err != nil {
			return nil, err
		}
	}
	var firings []supports.Firing
	var classes []*int64
	for _, k := range p.pairs {
		student, std := k[0], k[1]
		fire := func(f supports.Firing, ok bool) {
			if ok {
				firings = append(firings, f)
				classes = append(classes, p.class[k])
			}
		}
		if bc, ok := p.rules[supports.RuleBelowCut]; ok {
			fire(supports.BelowCut(bc, student, std, recent[k]))
		}
		if pf, ok := p.rules[supports.RuleProbabilityFalling]; ok {
			fire(supports.ProbabilityFalling(pf, student, std, p.before[k], after[k].p))
		}
		if sp, ok := p.rules[supports.RuleStalled]; ok {
			below := mastery.StalledBelow(std, func(id int64) []int64 { return prereqs[id] }, func(id int64) (mastery.State, bool) {
				st, ok := after[[2]int64{student, id}]
				return mastery.State{Mastered: st.mastered}, ok
			})
			fire(supports.Stalled(sp, student, std, below, after[k].evidence))
		}
	}
	if len(firings) == 0 {
		return nil, nil
	}
	raised, err := r.responsible(ctx, e, firings, classes)
	if err != nil {
		return nil, err
	}
	changes, _, err := r.raiseAlerts(ctx, d, e.now, raised, time.Time{})
	return changes, err
}

// recentFormative reads each pair's formative scores that count (not
// voided), newest first (assessed, then recorded, then evidence id), at
// most n of each.
func (r *runner) recentFormative(ctx context.Context, districtID int64, pairs [][2]int64, n int) (map[[2]int64][]supports.ScoreFact, error) {
	a, b := splitPairs(pairs)
	pairSQL, pairArgs := r.s.pairsSQL(a, b)
	type row struct {
		supports.ScoreFact
		recorded time.Time
	}
	all := map[[2]int64][]row{}
	// SQLite takes the joins in the order written (CROSS JOIN): each
	// pair's scores by the index of a student's scores, then each score's
	// evidence by its key. PostgreSQL, which plans joins its own way, read
	// every formative record of the district for each batch of an import
	// while its statistics lagged behind the growing tables; it reads the
	// scores (the index holds their times) and then which of their
	// evidence is formative and not void, by key.
	q := `
SELECT sc.student_id, sc.standard_id, sc.evidence_id, sc.value, ev.assessed_at, ev.recorded_at FROM ` + pairSQL + `
CROSS JOIN evidence_scores sc CROSS JOIN evidence ev
WHERE sc.student_id = p.a AND sc.standard_id = p.b AND sc.district_id = $1
  AND ev.district_id = sc.district_id AND ev.id = sc.evidence_id AND ev.kind = 'formative' AND ev.void_at IS NULL`
	args := append([]any{districtID}, pairArgs...)
	if r.s.engine == Postgres {
		q = `
SELECT sc.student_id, sc.standard_id, sc.evidence_id, sc.value, sc.assessed_at, sc.recorded_at FROM ` + pairSQL + `
CROSS JOIN evidence_scores sc
WHERE sc.student_id = p.a AND sc.standard_id = p.b AND sc.district_id = $1`
	}
	err := r.each(ctx, q, args, func(sr scanner) error {
		var k [2]int64
		var x row
		if err := sr.Scan(&k[0], &k[1], &x.EvidenceID, &x.Value, tsCol{&x.AssessedAt}, tsCol{&x.recorded}); err != nil {
			return err
		}
		all[k] = append(all[k], x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r.s.engine == Postgres {
		var ids []int64
		for _, rows := range all {
			for _, x := range rows {
				ids = append(ids, x.EvidenceID)
			}
		}
		formative := map[int64]bool{}
		if len(ids) > 0 {
			err := r.each(ctx, `SELECT id FROM evidence WHERE district_id = $1 AND id IN ids($2) AND kind = 'formative' AND void_at IS NULL`,
				[]any{districtID, r.s.ids(uniq(ids))}, func(row scanner) error {
					var id int64
					if err := row.Scan(&id); err != nil {
						return err
					}
					formative[id] = true
					return nil
				})
			if err != nil {
				return nil, err
			}
		}
		for k, rows := range all {
			all[k] = slices.DeleteFunc(rows, func(x row) bool { return !formative[x.EvidenceID] })
		}
	}
	out := make(map[[2]int64][]supports.ScoreFact, len(all))
	for k, rows := range all {
		slices.SortFunc(rows, func(x, y row) int {
			return cmp.Or(y.AssessedAt.Compare(x.AssessedAt), y.recorded.Compare(x.recorded), cmp.Compare(y.EvidenceID, x.EvidenceID))
		})
		facts := make([]supports.ScoreFact, 0, min(n, len(rows)))
		for _, x := range rows[:min(n, len(rows))] {
			facts = append(facts, x.ScoreFact)
		}
		out[k] = facts
	}
	return out, err
}

// responsible binds each firing to its responsible teachers: the teachers
// of the class the evidence was recorded in (classes[i]); without a
// class, the teachers of the student's classes whose course holds the
// standard or one of its ancestors; for a firing about no standard, the
// teachers of all the student's classes. A firing nobody teaches raises
// no alert.
func (r *runner) responsible(ctx context.Context, e *engine, firings []supports.Firing, classes []*int64) ([]raisedAlert, error) {
	d := e.districtID
	var withClass, without []int64
	for i, f := range firings {
		if classes[i] != nil {
			withClass = append(withClass, *classes[i])
		} else {
			without = append(without, f.StudentID)
		}
	}
	teachers, err := r.classTeacherIDs(ctx, d, withClass)
	if err != nil {
		return nil, err
	}
	byStudent, err := r.studentClasses(ctx, d, without)
	if err != nil {
		return nil, err
	}
	var courses, stds []int64
	for i, f := range firings {
		if classes[i] != nil || f.StandardID == 0 {
			continue
		}
		for _, c := range byStudent[f.StudentID] {
			courses = append(courses, c.course)
		}
		stds = append(stds, f.StandardID)
		if e != nil && e.m != nil && e.m.graph != nil {
			stds = append(stds, e.m.graph.Ancestors(f.StandardID)...)
		}
	}
	holds, err := r.courseHolds(ctx, d, courses, stds)
	if err != nil {
		return nil, err
	}
	var out []raisedAlert
	for i, f := range firings {
		if c := classes[i]; c != nil {
			for _, t := range teachers[*c] {
				out = append(out, raisedAlert{f: f, class: c, teacher: t})
			}
			continue
		}
		for _, sc := range byStudent[f.StudentID] {
			if f.StandardID != 0 {
				in := holds[[2]int64{sc.course, f.StandardID}]
				if e != nil && e.m != nil && e.m.graph != nil {
					for _, anc := range e.m.graph.Ancestors(f.StandardID) {
						in = in || holds[[2]int64{sc.course, anc}]
					}
				}
				if !in {
					continue
				}
			}
			for _, t := range sc.teachers {
				out = append(out, raisedAlert{f: f, class: &sc.class, teacher: t})
			}
		}
	}
	return out, nil
}

// raiseNoteAlerts raises the behaviour-note rule's alerts for a note
// recorded about a student by author, in the note's transaction, when the
// district's rule is enabled: for the teachers of the note's class, or,
// without one, of all the student's classes; the author is not alerted of
// their own note. It returns a change for each student and class whose
// alerts changed, to send after the commit.
func (r *runner) raiseNoteAlerts(ctx context.Context, districtID, studentID, authorID int64, classID *int64, at time.Time) ([]Change, error) {
	rules, err := r.supportRules(ctx, districtID)
	if err != nil {
		return nil, err
	}
	on := false
	for _, rule := range rules {
		on = on || (rule.Kind == supports.RuleBehaviourNote && rule.Enabled)
	}
	if !on {
		return nil, nil
	}
	f := supports.BehaviourNote(studentID, authorID)
	raised, err := r.responsible(ctx, &engine{districtID: districtID}, []supports.Firing{f}, []*int64{classID})
	if err != nil {
		return nil, err
	}
	kept := raised[:0]
	for _, a := range raised {
		if a.teacher != authorID {
			kept = append(kept, a)
		}
	}
	changes, _, err := r.raiseAlerts(ctx, districtID, at, kept, time.Time{})
	return changes, err
}

// SweepQuiet is how long a dismissed alert of a daily rule keeps the
// sweep from raising it again for the same student, standard and
// teacher: dismissing "no evidence for 14 days" must not bring it back
// the next morning.
const SweepQuiet = 7 * 24 * time.Hour

// SweepReport says what a sweep did.
type SweepReport struct {
	// Firings counts the daily rules' firings, Raised the alerts raised
	// (a firing with an open alert, or one dismissed within SweepQuiet,
	// raises none).
	Firings, Raised int
	At              time.Time
}

// SweepAlerts evaluates the district's daily rules (no evidence for N
// days on an active target, pace behind) on the store's today and raises
// their alerts, in one transaction. The server runs it once a day; the
// command `cairn alerts sweep` on demand. Running it twice raises nothing
// more.
//
// An active target is a target of a student's plan, in a class the
// student is actively enrolled in, not mastered, that is due by today or
// that the student has evidence on; the days are counted from the later
// of its latest evidence and its due date. Pace is counted as the
// school's pace overview counts it (SchoolPace): against the student's
// plan, or the class's pathway without one; a class with neither has no
// pace to be behind.
func (s *Store) SweepAlerts(ctx context.Context, districtID int64) (rep SweepReport, err error) {
	defer wrap(&err, "SweepAlerts(%d)", districtID)
	now := s.nowUTC()
	rep.At = now
	today := supports.Day(now)
	rules, err := s.SupportRules(ctx, districtID)
	if err != nil {
		return rep, err
	}
	// Pace is read first, as the school's overview reads it; the targets
	// and the raising are one transaction.
	var raised []raisedAlert
	for _, rule := range rules {
		if rule.Enabled && rule.Kind == supports.RulePaceBehind {
			if raised, err = s.sweepPace(ctx, districtID, rule.Params, now); err != nil {
				return rep, err
			}
		}
	}
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		all := raised
		for _, rule := range rules {
			if rule.Enabled && rule.Kind == supports.RuleNoEvidence {
				got, err := r.sweepNoEvidence(ctx, districtID, rule.Params, today)
				if err != nil {
					return err
				}
				all = append(all, got...)
			}
		}
		rep.Firings = len(all)
		changes, rep.Raised, err = r.raiseAlerts(ctx, districtID, now, all, now.Add(-SweepQuiet))
		return err
	})
	if err != nil {
		return rep, err
	}
	s.notify(changes)
	return rep, nil
}

// sweepNoEvidence finds the active targets without evidence for the
// rule's days, each raised for the teachers of the plan's class.
func (r *runner) sweepNoEvidence(ctx context.Context, districtID int64, p supports.RuleParams, today time.Time) ([]raisedAlert, error) {
	type target struct {
		student, class, std int64
		due, last           *time.Time
	}
	var ts []target
	var classes []int64
	args := r.s.activeArgs(districtID, r.s.ts(today), "student")
	err := r.each(ctx, `
SELECT pt.student_id, pt.class_id, pt.standard_id, pt.due, ms.last_assessed
FROM plan_targets pt
JOIN classes c ON c.district_id = pt.district_id AND c.id = pt.class_id AND c.retired_at IS NULL
JOIN enrollments e ON e.district_id = pt.district_id AND e.class_id = pt.class_id AND e.person_id = pt.student_id AND e.role = $3`+activeEnrollment("e")+`
LEFT JOIN mastery_states ms ON ms.district_id = pt.district_id AND ms.student_id = pt.student_id AND ms.standard_id = pt.standard_id
WHERE pt.district_id = $1 AND (ms.mastered IS NULL OR ms.mastered = $6)
  AND ((pt.due IS NOT NULL AND pt.due <= $2) OR ms.last_assessed IS NOT NULL)
ORDER BY pt.student_id, pt.class_id, pt.position`, append(args, false), func(row scanner) error {
		var t target
		if err := row.Scan(&t.student, &t.class, &t.std, tsPtrCol{&t.due}, tsPtrCol{&t.last}); err != nil {
			return err
		}
		ts = append(ts, t)
		classes = append(classes, t.class)
		return nil
	})
	if err != nil {
		return nil, err
	}
	teachers, err := r.classTeacherIDs(ctx, districtID, classes)
	if err != nil {
		return nil, err
	}
	var out []raisedAlert
	for _, t := range ts {
		var last, since time.Time
		if t.last != nil {
			last = *t.last
		}
		if t.due != nil {
			since = *t.due
		}
		if since.IsZero() {
			since = last
		}
		f, ok := supports.NoEvidence(p, t.student, t.std, last, since, today)
		if !ok {
			continue
		}
		class := t.class
		for _, tid := range teachers[t.class] {
			out = append(out, raisedAlert{f: f, class: &class, teacher: tid})
		}
	}
	return out, nil
}

// sweepPace finds the students more than the rule's targets behind their
// plan, school by school, each raised for the teachers of the class.
func (s *Store) sweepPace(ctx context.Context, districtID int64, p supports.RuleParams, now time.Time) ([]raisedAlert, error) {
	r := s.reader()
	var schools []int64
	err := r.each(ctx, `SELECT id FROM schools WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
		var id int64
		schools = append(schools, id)
		return row.Scan(&schools[len(schools)-1])
	})
	if err != nil {
		return nil, err
	}
	th, _, err := s.paceThresholds(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	var out []raisedAlert
	for _, school := range schools {
		sp, err := s.SchoolPace(ctx, districtID, school, now, func(int64) []int64 { return nil })
		if err != nil {
			return nil, err
		}
		var classes []int64
		for _, pc := range sp.Classes {
			classes = append(classes, pc.Class.ID)
		}
		teachers, err := r.classTeacherIDs(ctx, districtID, classes)
		if err != nil {
			return nil, err
		}
		for _, pc := range sp.Classes {
			term := pathways.PaceTerm{Start: pc.Term.StartDate, End: pc.Term.EndDate}
			if now.Before(term.Start) || supports.Day(now).After(term.End) {
				continue
			}
			for _, st := range pc.Students {
				k := ClassStudentKey{ClassID: pc.Class.ID, StudentID: st.ID}
				c := sp.Plans[k]
				if c.Targets == 0 {
					c = sp.Pathways[k]
				}
				if c.Targets == 0 {
					continue
				}
				due := pathways.DueFromCounts(c.Targets, c.DueBy, c.Undated, term, now)
				pace := pathways.PaceOf(due, c.PaceCounts, term, th, now)
				f, ok := supports.PaceBehind(p, st.ID, pace.Expected, pace.Mastered)
				if !ok {
					continue
				}
				class := pc.Class.ID
				for _, t := range teachers[class] {
					out = append(out, raisedAlert{f: f, class: &class, teacher: t})
				}
			}
		}
	}
	return out, nil
}
