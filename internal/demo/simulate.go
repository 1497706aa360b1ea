package demo

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/roster"
)

// The simulation's model. A student's expected level on a standard is
//
//	1 + 3·σ(1.4·K),  K = ability(t) − difficulty + growth·1.1·ln(1+practice) − 0.3
//
// where practice counts the lessons with evidence on the standard so far
// (and, for the 4Cs, every school day a little) and ability(t) drifts by
// (growth − 1)·0.8 over the year, so accelerating students pull ahead on
// new standards and struggling ones fall behind. An observed level adds
// noise of 0.5 and rounds. A student whose evidence shows a prerequisite
// below the cut (decaying average, weight 0.65, under 3) is stalled on the
// dependent standard: the expected level stops at 2.2, scores stay at 1 or
// 2, and lessons teach a quarter as much until the prerequisite is
// retaught and mastered.
const (
	decayWeight   = 0.65 // the weight of mastery.DefaultPolicy's decaying average
	masteryCut    = 3.0
	noise         = 0.5
	stalledCap    = 2.2
	stalledLesson = 0.25
	priorPractice = 7 // lessons a student had on last year's standards
	lessonGain    = 1.1
	startOffset   = 0.3
	// dispositionDaily is how much a school day of working with others
	// practises each of the 4Cs, observed or not.
	dispositionDaily = 0.05
)

// Daily chances, per student, of each kind of evidence.
const (
	pFormative   = 0.17  // per standard in its pacing window
	pReteachPre  = 0.5   // a formative goes to the unmastered prerequisite instead
	pSummative   = 0.3   // once ready, in the second half of the window
	pLateSumm    = 0.08  // once ready, after the window
	pReteach     = 0.03  // per unmastered standard after its window, fading as the class moves on
	reteachFade  = 35.0  // school days for that chance to fall by e
	pObservation = 0.07  // one of the 4Cs, in one of the student's classes
	pSelf        = 0.012 // a self-assessment
	pAbsent      = 0.05  // away on an interim's day: takes it a day or two later
	pMistake     = 0.0015
	pComment     = 0.12
	pSecondELA   = 0.4 // an ELA formative also scores another standard in its window
)

// Evidence simulates the district's evidence, student by student and, for
// each student, in the order it was assessed, from the first day of the
// school year up to Now. It is deterministic: the same Dataset gives the
// same records, and a student's records depend only on the Seed, that
// student and the classes, standards and pacing they meet. Self-assessments
// are recorded by the student, everything else by a teacher of the class.
func (ds *Dataset) Evidence() iter.Seq[Evidence] {
	return func(yield func(Evidence) bool) {
		w := newWorld(ds)
		if w.last < 0 {
			return
		}
		for _, st := range ds.People {
			if !st.Has(roster.RoleStudent) {
				continue
			}
			if !w.simulate(st.SourcedID, yield) {
				return
			}
		}
	}
}

// CountEvidence is the number of records Evidence yields.
func (ds *Dataset) CountEvidence() int {
	n := 0
	for range ds.Evidence() {
		n++
	}
	return n
}

type world struct {
	ds      *Dataset
	cal     calendar
	last    int // the last school day with evidence
	std     map[string]*stdInfo
	fourCs  []string
	classes map[string]*classInfo
	of      map[string][]*classInfo // a student's classes
	profile map[string]Profile
	grade   map[string]int
}

type stdInfo struct {
	id, code, short, framework string
	difficulty                 float64
	prereqs                    []string
}

type classInfo struct {
	id, subject, course string
	grade, period       int
	teachers            []string // the primary teacher first
	students            []string
	pacing              []paceInfo // by start day
	diagnostic          []string   // prerequisites of the course taught in earlier grades
	interimDay, taskDay [4]int
}

type paceInfo struct {
	std        string
	quarter    int
	start, end int // school-day indices
}

func newWorld(ds *Dataset) *world {
	w := &world{ds: ds, cal: schoolYearOf(ds.Now), std: map[string]*stdInfo{}, classes: map[string]*classInfo{},
		of: map[string][]*classInfo{}, profile: map[string]Profile{}, grade: map[string]int{}}
	w.last = min(w.cal.lastDayBy(ds.Now), len(w.cal.days)-1)
	for _, s := range ds.Standards {
		w.std[s.SourcedID] = &stdInfo{id: s.SourcedID, code: s.Code, short: s.Topic, framework: s.Framework,
			difficulty: s.Difficulty}
		if s.Topic == "" {
			w.std[s.SourcedID].short = s.Code
		}
		if s.Framework == frameworkDispositions && s.Type == "Standard" {
			w.fourCs = append(w.fourCs, s.SourcedID)
		}
	}
	for _, p := range ds.Prerequisites {
		if s, ok := w.std[p.Standard]; ok && w.std[p.Prerequisite] != nil {
			s.prereqs = append(s.prereqs, p.Prerequisite)
		}
	}
	courses := map[string]Course{}
	for _, c := range ds.Courses {
		courses[c.SourcedID] = c
	}
	pacing := map[string][]paceInfo{}
	inCourse := map[string]map[string]bool{}
	for _, p := range ds.Pacing {
		if w.std[p.Standard] == nil {
			continue
		}
		start, end := w.cal.dayIndex(p.Start), w.cal.dayIndex(p.End)
		if start < 0 || end < start {
			continue
		}
		pacing[p.Course] = append(pacing[p.Course], paceInfo{std: p.Standard, quarter: p.Quarter - 1, start: start, end: end})
		if inCourse[p.Course] == nil {
			inCourse[p.Course] = map[string]bool{}
		}
		inCourse[p.Course][p.Standard] = true
	}
	for _, ps := range pacing {
		slices.SortStableFunc(ps, func(a, b paceInfo) int { return a.start - b.start })
	}
	for _, c := range ds.Classes {
		course, ok := courses[c.Course]
		if !ok {
			continue
		}
		ci := &classInfo{id: c.SourcedID, subject: course.Subject, course: course.Code, pacing: pacing[c.Course]}
		ci.grade, _ = strconv.Atoi(course.Grade)
		ci.period, _ = strconv.Atoi(c.Period)
		ci.period = max(ci.period, 1)
		seen := map[string]bool{}
		for _, p := range ci.pacing {
			for _, pre := range w.std[p.std].prereqs {
				if !inCourse[c.Course][pre] && !seen[pre] {
					seen[pre] = true
					ci.diagnostic = append(ci.diagnostic, pre)
				}
			}
		}
		r := rand.New(rand.NewPCG(uint64(ds.Seed), hash64("class:"+c.SourcedID)))
		for q := 0; q < 4; q++ {
			first, last := w.cal.quarters[q][0], w.cal.quarters[q][1]
			ci.interimDay[q] = last - 1 - r.IntN(3)
			ci.taskDay[q] = first + (last-first)*(60+r.IntN(20))/100
		}
		w.classes[c.SourcedID] = ci
	}
	for _, e := range ds.Enrollments {
		ci, ok := w.classes[e.Class]
		if !ok {
			continue
		}
		switch {
		case e.Role == roster.EnrolledTeacher && e.Primary:
			ci.teachers = append([]string{e.Person}, ci.teachers...)
		case e.Role == roster.EnrolledTeacher:
			ci.teachers = append(ci.teachers, e.Person)
		default:
			ci.students = append(ci.students, e.Person)
			w.of[e.Person] = append(w.of[e.Person], ci)
		}
	}
	for _, p := range ds.Profiles {
		w.profile[p.Student] = p
	}
	for _, p := range ds.People {
		if g, err := strconv.Atoi(p.Grade); err == nil {
			w.grade[p.SourcedID] = g
		}
	}
	return w
}

// progress is what one student has shown on one standard so far.
type progress struct {
	practice  float64 // lessons, a stalled one counting a quarter
	decaying  float64 // decaying average of the values
	n         int     // records
	passed    bool    // a summative at or above the cut
	lastSumm  int
	diagnosed bool
}

type attemptKey struct {
	std  string
	kind evidence.Kind
}

type sim struct {
	w        *world
	r        *rand.Rand
	student  string
	profile  Profile
	grade    int
	classes  []*classInfo
	prog     map[string]*progress
	attempts map[attemptKey]int
	makeup   map[*classInfo][2]int // day and quarter of a missed interim's makeup
	day      int
	today    []*Evidence
	// exact are today's records no one mistypes: diagnostics come from a
	// testing platform.
	exact map[*Evidence]bool
	made  map[*classInfo]int // records made today in each class
}

func (w *world) simulate(student string, yield func(Evidence) bool) bool {
	classes := w.of[student]
	if len(classes) == 0 {
		return true
	}
	s := &sim{w: w, student: student, profile: w.profile[student], grade: w.grade[student], classes: classes,
		r:    rand.New(rand.NewPCG(uint64(w.ds.Seed), hash64("evidence:"+student))),
		prog: map[string]*progress{}, attempts: map[attemptKey]int{}, makeup: map[*classInfo][2]int{},
		exact: map[*Evidence]bool{}, made: map[*classInfo]int{}}
	if s.profile.Growth == 0 {
		s.profile.Growth = 1
	}
	for s.day = 0; s.day <= w.last; s.day++ {
		s.schoolDay()
		if !s.flush(yield) {
			return false
		}
	}
	return true
}

func (s *sim) get(std string) *progress {
	p, ok := s.prog[std]
	if !ok {
		p = &progress{lastSumm: -100}
		s.prog[std] = p
	}
	return p
}

func (p *progress) mastered() bool { return p.n > 0 && p.decaying >= masteryCut }

// stalledOn returns a prerequisite of std that the student's evidence
// shows below the cut, or "". A prerequisite without evidence yet does not
// hold the student back: nobody knows that it should.
func (s *sim) stalledOn(std string) string {
	for _, pre := range s.w.std[std].prereqs {
		if p := s.get(pre); p.n > 0 && !p.mastered() {
			return pre
		}
	}
	return ""
}

func (s *sim) ability(std string) float64 {
	switch s.w.std[std].framework {
	case frameworkMath:
		return s.profile.Math
	case frameworkDispositions:
		return s.profile.Disposition
	}
	return s.profile.ELA
}

// expected is the student's expected level on std today.
func (s *sim) expected(std string, stalled bool) float64 {
	t := float64(s.day) / float64(len(s.w.cal.days))
	practice := s.get(std).practice
	if s.w.std[std].framework == frameworkDispositions {
		practice += float64(s.day) * dispositionDaily
	}
	k := s.ability(std) + (s.profile.Growth-1)*0.8*t - s.w.std[std].difficulty +
		s.profile.Growth*lessonGain*math.Log1p(practice) - startOffset
	c := 1 + 3/(1+math.Exp(-1.4*k))
	if stalled {
		c = math.Min(c, stalledCap)
	}
	return c
}

// scoreFormat is how a record scores: levels, or points out of 10 or 20.
type scoreFormat int

const (
	asLevel scoreFormat = 0
	outOf10 scoreFormat = 10
	outOf20 scoreFormat = 20
)

// score draws an observed score on std and records the lesson.
func (s *sim) score(std string, f scoreFormat, bias float64) evidence.Score {
	stalled := s.stalledOn(std) != ""
	c := s.expected(std, stalled) + noise*s.r.NormFloat64() + bias
	var sc evidence.Score
	if f == asLevel {
		l := math.Min(math.Max(math.Round(c), 1), 4)
		if stalled {
			l = math.Min(l, 2)
		}
		sc.Level, sc.Value = &l, l
	} else {
		max := float64(f)
		p := math.Min(math.Max(math.Round((c-1)/3*max), 0), max)
		if stalled {
			p = math.Min(p, math.Ceil(max*2/3)-1) // stays below the cut
		}
		sc.Points, sc.MaxPoints, sc.Value = &p, max, s.w.ds.Scale.FromRaw(p, 0, max)
	}
	return sc
}

// learn updates the student's progress on std with a counted value.
func (s *sim) learn(std string, v float64) {
	p := s.get(std)
	lesson := 1.0
	if s.stalledOn(std) != "" {
		lesson = stalledLesson
	}
	p.practice += lesson
	if p.n == 0 {
		p.decaying = v
	} else {
		p.decaying = decayWeight*v + (1-decayWeight)*p.decaying
	}
	p.n++
}

// record adds a record of today for the student in class c.
func (s *sim) record(c *classInfo, kind evidence.Kind, title string, stds []string, f scoreFormat, by string) *Evidence {
	ev := &Evidence{Student: s.student, Class: c.id, RecordedBy: by, Standards: stds}
	ev.Kind, ev.Title = kind, title
	bias := 0.0
	if kind == evidence.SelfAssessment {
		bias = 0.3 // students rate themselves a little kindly
	}
	for _, std := range stds {
		ev.Scores = append(ev.Scores, s.score(std, f, bias))
	}
	for i, std := range stds {
		if kind != evidence.SelfAssessment {
			s.learn(std, ev.Scores[i].Value)
		}
	}
	// Records of one class come in the order they were made, so that a
	// prerequisite mastered this morning counts for the next record.
	day := s.w.cal.days[s.day]
	k := s.made[c]
	s.made[c]++
	minute := 8*60 + (c.period-1)*55 + 5 + min(4*k, 40) + s.r.IntN(4)
	ev.AssessedAt = day.Add(time.Duration(minute) * time.Minute)
	if kind != evidence.Interim && kind != evidence.SelfAssessment && s.r.Float64() < pComment {
		ev.Comment = comment(s.r, ev.Scores[0].Value)
	}
	s.today = append(s.today, ev)
	return ev
}

func (s *sim) teacher(c *classInfo, coShare float64) string {
	if len(c.teachers) == 0 {
		return ""
	}
	if len(c.teachers) > 1 && s.r.Float64() < coShare {
		return c.teachers[1]
	}
	return c.teachers[0]
}

func (s *sim) short(std string) string { return s.w.std[std].short }

func (s *sim) schoolDay() {
	di := s.day
	q := s.w.cal.quarterOf(di)
	for _, c := range s.classes {
		if len(c.diagnostic) > 0 && di == diagnosticDay(c) {
			s.diagnostic(c)
		}
		switch m, ok := s.makeup[c]; {
		case di == c.interimDay[q] && s.r.Float64() < pAbsent:
			s.makeup[c] = [2]int{di + 1 + s.r.IntN(2), q}
		case di == c.interimDay[q]:
			s.interim(c, q)
		case ok && di == m[0]:
			s.interim(c, m[1])
			delete(s.makeup, c)
		}
		if di == c.taskDay[q] {
			s.task(c, q)
		}
		for i, p := range c.pacing {
			if di < p.start {
				break
			}
			s.lesson(c, i, p)
		}
	}
	if s.r.Float64() < pObservation && len(s.w.fourCs) > 0 {
		c := pick(s.r, s.classes)
		std := pick(s.r, s.w.fourCs)
		s.record(c, evidence.Observation, "Observation: "+s.short(std), []string{std}, asLevel, s.teacher(c, 0.4))
	}
	if s.r.Float64() < pSelf {
		c := pick(s.r, s.classes)
		std := ""
		for _, p := range c.pacing {
			if p.start <= di && di <= p.end {
				std = p.std
			}
		}
		if std == "" || s.r.Float64() < 0.7 {
			if len(s.w.fourCs) == 0 {
				return
			}
			std = pick(s.r, s.w.fourCs)
		}
		s.record(c, evidence.SelfAssessment, "Self-assessment: "+s.short(std), []string{std}, asLevel, s.student)
	}
}

func diagnosticDay(c *classInfo) int {
	if c.subject == SubjectMath {
		return 2
	}
	return 3
}

// diagnostic is the beginning-of-year check on last year's standards that
// this year's build on, so that prerequisites from earlier grades are known.
func (s *sim) diagnostic(c *classInfo) {
	groups := map[string][]string{}
	var order []string
	for _, std := range c.diagnostic {
		key := "mathematics"
		if c.subject == SubjectELA {
			strand, _, _ := strings.Cut(s.w.std[std].code, ".")
			key = elaShort[strand]
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], std)
		if p := s.get(std); !p.diagnosed {
			p.diagnosed, p.practice = true, priorPractice
		}
	}
	for _, key := range order {
		ev := s.record(c, evidence.Interim, "Beginning-of-year diagnostic: "+key, groups[key], asLevel, s.teacher(c, 0))
		s.exact[ev] = true
	}
}

// interim is the end-of-quarter assessment of the quarter's standards
// taught so far, in points.
func (s *sim) interim(c *classInfo, q int) {
	var stds []string
	for _, p := range c.pacing {
		if p.quarter == q && p.start <= s.day {
			stds = append(stds, p.std)
		}
	}
	if len(stds) > 0 {
		s.record(c, evidence.Interim, fmt.Sprintf("Quarter %d interim assessment", q+1), stds, outOf10, s.teacher(c, 0))
	}
}

// taskDispositions are the 4Cs a performance task in each subject scores.
var taskDispositions = map[string][]string{
	SubjectMath: {"4C.CL.1", "4C.CR.1", "4C.CT.3"},
	SubjectELA:  {"4C.CM.1", "4C.CR.2", "4C.CL.2"},
}

// task is the quarter's performance task: two of the quarter's standards
// and one of the 4Cs, scored with a rubric.
func (s *sim) task(c *classInfo, q int) {
	var taught []string
	for _, p := range c.pacing {
		if p.quarter == q && p.start <= s.day {
			taught = append(taught, p.std)
		}
	}
	if len(taught) == 0 {
		return
	}
	i := s.r.IntN(len(taught))
	stds := []string{taught[i]}
	if len(taught) > 1 {
		stds = append(stds, taught[(i+1+s.r.IntN(len(taught)-1))%len(taught)])
	}
	if d := "cairn-demo:" + pick(s.r, taskDispositions[c.subject]); s.w.std[d] != nil {
		stds = append(stds, d)
	}
	ev := s.record(c, evidence.PerformanceTask, "Performance task: "+s.short(stds[0]), stds, asLevel, s.teacher(c, 0.25))
	if s.r.Float64() < 0.5 {
		ev.ArtifactURL = fmt.Sprintf("https://files.%s/portfolio/%s/%s-q%d.pdf", s.w.ds.Domain, s.student,
			strings.ToLower(c.course), q+1)
	}
}

var formativeTitles = []string{"Exit ticket", "Exit ticket", "Warm-up", "Practice check", "Small-group check"}

// lesson is what a day brings the student on the i-th standard of a class's
// pacing: formatives in its window, a summative once ready, reteaching
// afterwards while it is not mastered.
func (s *sim) lesson(c *classInfo, i int, p paceInfo) {
	di, r := s.day, s.r
	prog := s.get(p.std)
	inWindow := di <= p.end
	switch {
	case inWindow && r.Float64() < pFormative:
		s.formative(c, p.std, i, "")
	case !inWindow && !prog.mastered() && r.Float64() < pReteach*math.Exp(-float64(di-p.end)/reteachFade):
		s.formative(c, p.std, i, "Reteach check")
	}
	ready := prog.n >= 2 && prog.mastered() && !prog.passed && di-prog.lastSumm >= 5
	if ready && (inWindow && di >= (p.start+p.end)/2 && r.Float64() < pSummative || !inWindow && r.Float64() < pLateSumm) {
		title, f := "Mastery check: ", asLevel
		if r.Float64() < 0.4 {
			title, f = "Unit test: ", outOf20
		}
		ev := s.record(c, evidence.Summative, title+s.short(p.std), []string{p.std}, f, s.teacher(c, 0.25))
		prog.lastSumm = di
		prog.passed = ev.Scores[0].Value >= masteryCut
	}
}

func (s *sim) formative(c *classInfo, std string, i int, title string) {
	r := s.r
	target := std
	if pre := s.stalledOn(std); pre != "" && r.Float64() < pReteachPre {
		target, title = pre, "Reteach check"
	}
	f := asLevel
	if title == "" {
		title = pick(r, formativeTitles)
		if r.Float64() < 0.3 {
			title, f = "Quiz", outOf10
		}
	}
	stds := []string{target}
	if c.subject == SubjectELA && target == std && r.Float64() < pSecondELA {
		// Reading responses often show two standards at once.
		for j := i - 1; j >= 0; j-- {
			if p := c.pacing[j]; p.start <= s.day && s.day <= p.end {
				stds = append(stds, p.std)
				break
			}
		}
	}
	s.record(c, evidence.Formative, title+": "+s.short(target), stds, f, s.teacher(c, 0.25))
}

var comments = [4][]string{
	{"Needs the mini lesson again; let's meet during flex time.", "Stopped after the first step: see me.", "Skipped most of it; talk after class."},
	{"Partly there: review the worked example and try again.", "Right method, slips in the arithmetic.", "Good start; the explanation is missing."},
	{"Solid: ready for the next target.", "Clear reasoning, well explained.", "Correct and well organised."},
	{"Excellent: try the extension task.", "Could teach this to a classmate.", "Went beyond the question: great thinking."},
}

func comment(r *rand.Rand, v float64) string {
	i := int(math.Min(math.Max(math.Floor(v), 1), 4)) - 1
	return pick(r, comments[i])
}

// flush sorts today's records by time, keeps those assessed by Now,
// numbers the attempts, adds the occasional mistake and its voiding, and
// yields them.
func (s *sim) flush(yield func(Evidence) bool) bool {
	today := s.today
	defer func() { s.today = today[:0]; clear(s.exact); clear(s.made) }()
	slices.SortStableFunc(today, func(a, b *Evidence) int { return a.AssessedAt.Compare(b.AssessedAt) })
	for _, ev := range today {
		if ev.AssessedAt.After(s.w.ds.Now) {
			break
		}
		attempt := 0
		for _, std := range ev.Standards {
			attempt = max(attempt, s.attempts[attemptKey{std, ev.Kind}])
		}
		ev.Attempt = attempt + 1
		for _, std := range ev.Standards {
			s.attempts[attemptKey{std, ev.Kind}] = ev.Attempt
		}
		var mistake *Evidence
		after := false
		if ev.Kind != evidence.SelfAssessment && !s.exact[ev] && s.r.Float64() < pMistake {
			mistake, after = s.mistake(ev)
		}
		if mistake != nil && !after && !yield(*mistake) {
			return false
		}
		if !yield(*ev) {
			return false
		}
		if mistake != nil && after && !yield(*mistake) {
			return false
		}
	}
	return true
}

// mistake returns a wrong copy of ev that the teacher entered and voided,
// and whether it came after ev (a duplicate) rather than before it (a
// record then corrected by ev).
func (s *sim) mistake(ev *Evidence) (*Evidence, bool) {
	c := s.w.classes[ev.Class]
	m := *ev
	m.Scores = slices.Clone(ev.Scores)
	m.Standards = slices.Clone(ev.Standards)
	m.Comment = ""
	// 40% the wrong student, 30% a mistyped score, 20% the wrong
	// standard, 10% a duplicate.
	x := s.r.Float64()
	switch {
	case x < 0.4 && len(c.students) > 1:
		for m.Student == s.student {
			m.Student = pick(s.r, c.students)
		}
		m.Voided = &Voiding{By: ev.RecordedBy, Reason: "Entered for the wrong student; re-entered for the right one."}
		return &m, false
	case x >= 0.7 && x < 0.9 && len(ev.Standards) == 1:
		var others []string
		for _, p := range c.pacing {
			if p.start <= s.day && p.std != ev.Standards[0] {
				others = append(others, p.std)
			}
		}
		if len(others) > 0 {
			m.Standards[0] = pick(s.r, others)
			m.Voided = &Voiding{By: ev.RecordedBy, Reason: "Recorded against the wrong standard; re-entered against the right one."}
			return &m, false
		}
		fallthrough
	case x < 0.9:
		sc := m.Scores[0]
		if sc.Level != nil {
			l := math.Mod(*sc.Level, 4) + 1 // a neighbouring key
			sc.Level, sc.Value = &l, l
		} else {
			p := sc.MaxPoints - *sc.Points
			if p == *sc.Points {
				p = math.Max(p-1, 0)
			}
			sc.Points, sc.Value = &p, s.w.ds.Scale.FromRaw(p, 0, sc.MaxPoints)
		}
		m.Scores[0] = sc
		m.Voided = &Voiding{By: ev.RecordedBy, Reason: "Score typed wrong; re-entered with the right score."}
		return &m, false
	}
	m.Voided = &Voiding{By: ev.RecordedBy, Reason: "Duplicate entry."}
	return &m, true
}
