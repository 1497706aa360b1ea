package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

// Options say which district to generate. The same options always give
// the same district.
type Options struct {
	// Seed drives every random choice; the binary's default is 1.
	Seed int64
	// Now is the demo's today: the school year is the one in progress on
	// that date (or, in the summer, the one just ended), and evidence runs
	// from its first day up to Now, never later.
	Now time.Time
	// Students is the number of students; 0 means DefaultStudents.
	Students int
}

// DefaultStudents is the size of the demo district: two middle schools.
const DefaultStudents = 300

// minStudents keeps every school and grade with at least a few students.
const minStudents = 20

// studentsPerSchool is how many students a school holds before the district
// opens another one (districts of more than two schools' worth).
const studentsPerSchool = 700

// Generate builds a demo district from opts. It is pure: the same options
// give the same Dataset, and it reads nothing but the embedded frameworks.
func Generate(opts Options) (*Dataset, error) {
	if opts.Now.IsZero() {
		return nil, problem.Invalid("now", "the demo needs a date: evidence runs up to it")
	}
	if opts.Students == 0 {
		opts.Students = DefaultStudents
	}
	if opts.Students < minStudents {
		return nil, problem.Invalid("students", "%d is too few: the demo needs at least %d students to fill its classes", opts.Students, minStudents)
	}
	g := &generator{opts: opts, cal: schoolYearOf(opts.Now)}
	g.ds = &Dataset{Seed: opts.Seed, Now: opts.Now, Domain: districtDomain, Scale: standards.DefaultScale()}
	cat, err := loadCatalog(districtName)
	if err != nil {
		return nil, fmt.Errorf("read the demo's frameworks: %w", err)
	}
	g.cat = cat
	g.district()
	g.frameworks()
	g.courses()
	g.families()
	g.staff()
	g.classes()
	g.finish()
	return g.ds, nil
}

// generator holds what Generate needs between its steps. People are kept
// as pointers while the roster is built and get their SourcedIDs,
// usernames and emails at the end, in the order of Dataset.People.
type generator struct {
	opts Options
	ds   *Dataset
	cal  calendar
	cat  *catalog

	schools  []school
	courseOf map[string]Course // by subject+grade, "math6"
	admin    *Person
	coach    *Person
	princ    []*Person
	// teachers[school][subject+grade] are the teachers of a course at a school.
	teachers    []map[string][]*Person
	coTeachers  []*Person
	allTeachers []*Person
	fams        []*family
	students    []*student
	guardians   []*Person
	featured    struct {
		family *family
		son    *student
		class  *classRec
	}
	classRecs []*classRec
}

type school struct {
	sourced, code string
	// counts[g] is the number of students in grade 6+g.
	counts [3]int
}

type family struct {
	h         *heritage
	name      string
	lang      string
	poor      bool
	kids      []*student
	guardians []*Person
	relations []string
}

type student struct {
	p       *Person
	school  int
	grade   int // 6, 7 or 8
	sex     string
	fam     *family
	demo    roster.Demographics
	profile Profile
}

type classRec struct {
	c        *Class
	teachers []*Person // the primary teacher first
	students []*student
}

// rng returns a random source for one part of the generation. Each part
// has its own stream, so changing how names are drawn does not change the
// students' abilities, and one student's evidence does not depend on
// another's.
func (g *generator) rng(label string) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.opts.Seed), hash64(label)))
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (g *generator) district() {
	g.ds.District = roster.District{SourcedID: "aspen-hollow", Name: districtName}
	n := 2
	if g.opts.Students > 2*studentsPerSchool {
		n = (g.opts.Students + studentsPerSchool - 1) / studentsPerSchool
	}
	for i := 0; i < n; i++ {
		name, code := fmt.Sprintf("Middle School No. %d", i+1), fmt.Sprintf("S%02d", i+1)
		if i < len(schoolNames) {
			name, code = schoolNames[i].name, schoolNames[i].code
		}
		g.schools = append(g.schools, school{sourced: "sch-" + strings.ToLower(code), code: code})
		g.ds.Schools = append(g.ds.Schools, roster.School{SourcedID: "sch-" + strings.ToLower(code), Name: name})
	}
	// The two schools of the default district hold 56, 52, 48 and 48, 50,
	// 46 students in grades 6, 7 and 8: two classes of 28 in the first
	// school's grade 6, the class of the teacher's morning.
	base := [2][3]float64{{56, 52, 48}, {48, 50, 46}}
	var w []float64
	for i := range g.schools {
		w = append(w, base[i%2][:]...)
	}
	counts := apportion(g.opts.Students, w)
	for i := range g.schools {
		copy(g.schools[i].counts[:], counts[3*i:3*i+3])
	}

	c := g.cal
	y := strconv.Itoa(c.year) + "-" + strconv.Itoa((c.year+1)%100)
	year := "term-" + strconv.Itoa(c.year)
	g.ds.Terms = append(g.ds.Terms, Term{Term: roster.Term{SourcedID: year, Title: y + " School Year",
		Type: roster.TermSchoolYear, StartDate: c.start, EndDate: c.end}})
	for q := 0; q < 4; q++ {
		g.ds.Terms = append(g.ds.Terms, Term{Term: roster.Term{
			SourcedID: fmt.Sprintf("%s-q%d", year, q+1), Title: fmt.Sprintf("Quarter %d %s", q+1, y),
			Type: roster.TermGradingPeriod, StartDate: c.days[c.quarters[q][0]], EndDate: c.days[c.quarters[q][1]],
		}, Parent: year})
	}
}

// apportion splits n into parts proportional to w, by largest remainder,
// so that the parts add up to n exactly.
func apportion(n int, w []float64) []int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	out := make([]int, len(w))
	rest := make([]int, len(w))
	left := n
	for i, x := range w {
		out[i] = int(float64(n) * x / sum)
		left -= out[i]
		rest[i] = i
	}
	frac := func(i int) float64 { return float64(n)*w[i]/sum - float64(out[i]) }
	slices.SortStableFunc(rest, func(a, b int) int {
		switch fa, fb := frac(a), frac(b); {
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return a - b
	})
	for i := 0; i < left; i++ {
		out[rest[i%len(rest)]]++
	}
	return out
}

func (g *generator) frameworks() {
	ds := g.ds
	ds.Frameworks = slices.Clone(g.cat.frameworks)
	ds.Standards = slices.Clone(g.cat.standards)
	for i := range ds.Standards {
		s := &ds.Standards[i]
		if s.Topic = g.cat.short[s.SourcedID]; s.Topic == "" {
			s.Topic = s.Code
		}
	}
	ds.Prerequisites = slices.Clone(g.cat.prereqs)
}

func (g *generator) courses() {
	ds := g.ds
	g.courseOf = map[string]Course{}
	var fourCs []string
	for _, s := range ds.Standards {
		if s.Framework == frameworkDispositions && s.Type == "Standard" {
			fourCs = append(fourCs, s.SourcedID)
		}
	}
	order := map[string]float64{} // SourcedID -> place in its course's year, 0..1
	for _, subject := range []string{SubjectMath, SubjectELA} {
		for _, grade := range []string{"6", "7", "8"} {
			title, code := "Math "+grade, "MATH"+grade
			if subject == SubjectELA {
				title, code = "English Language Arts "+grade, "ELA"+grade
			}
			c := Course{Course: roster.Course{SourcedID: "crs-" + strings.ToLower(code), Title: title, Code: code,
				Grades: []string{"0" + grade}}, Subject: subject, Grade: grade}
			ds.Courses = append(ds.Courses, c)
			g.courseOf[subject+grade] = c

			quarters := pacingCodes(subject, grade)
			total := 0
			for _, q := range quarters {
				total += len(q)
			}
			var mapped []string
			for q, codes := range quarters {
				first, last := g.cal.quarters[q][0], g.cal.quarters[q][1]
				days := last - first + 1
				for i, code := range codes {
					id := g.cat.byCode[code]
					start := first + i*days/len(codes)
					end := min(start+max(2*days/len(codes), 10)-1, len(g.cal.days)-1) // a unit may run into the next quarter
					ds.Pacing = append(ds.Pacing, Pace{Course: c.SourcedID, Standard: id, Quarter: q + 1,
						Order: len(mapped) + 1, Start: g.cal.days[start], End: g.cal.days[end]})
					order[id] = float64(len(mapped)) / float64(total)
					mapped = append(mapped, id)
				}
			}
			ds.CourseStandards = append(ds.CourseStandards, CourseStandards{Course: c.SourcedID,
				Standards: append(mapped, fourCs...)})
		}
	}
	// Later standards are a little harder; the rest of a standard's
	// difficulty is its own, the same whatever else changes.
	for i := range ds.Standards {
		s := &ds.Standards[i]
		r := g.rng("difficulty:" + s.SourcedID)
		switch {
		case s.Framework == frameworkDispositions && s.Type == "Standard":
			s.Difficulty = round3(-0.1 + 0.35*r.NormFloat64())
		case s.Type == "Standard":
			s.Difficulty = round3(0.4*r.NormFloat64() + 0.35*order[s.SourcedID] - 0.1)
		}
	}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (g *generator) heritage(r *rand.Rand) *heritage {
	var sum float64
	for _, h := range heritages {
		sum += h.weight
	}
	x := r.Float64() * sum
	for i := range heritages {
		if x -= heritages[i].weight; x < 0 {
			return &heritages[i]
		}
	}
	return &heritages[0]
}

func heritageNamed(name string) *heritage {
	for i := range heritages {
		if heritages[i].name == name {
			return &heritages[i]
		}
	}
	panic("demo: no heritage " + name)
}

// givenName draws a given name of the sex from h, avoiding the names in taken.
func givenName(r *rand.Rand, h *heritage, sex string, taken ...string) string {
	list := h.female
	if sex == "male" {
		list = h.male
	}
	for {
		n := pick(r, list)
		if !slices.Contains(taken, n) {
			return n
		}
	}
}

// families builds the students and their guardians, family by family:
// first the families with two children in the district (the featured one
// among them), then single children until every school and grade holds its
// count.
func (g *generator) families() {
	r := g.rng("families")
	var left [][3]int
	for _, s := range g.schools {
		left = append(left, s.counts)
	}
	newFamily := func(h *heritage) *family {
		f := &family{h: h, name: pick(r, h.family), lang: "en", poor: r.Float64() < 0.42}
		if h.language != "" && r.Float64() < h.languageShare {
			f.lang = h.language
		}
		return f
	}
	addKid := func(f *family, school, grade int, sex string) *student {
		if sex == "" {
			sex = pick(r, []string{"female", "male"})
		}
		var taken []string
		for _, k := range f.kids {
			taken = append(taken, k.p.GivenName)
		}
		s := &student{school: school, grade: grade, sex: sex, fam: f}
		s.p = &Person{Person: roster.Person{GivenName: givenName(r, f.h, sex, taken...), FamilyName: f.name,
			Roles: []roster.Role{roster.RoleStudent}, Grade: "0" + strconv.Itoa(grade), Language: "en"},
			Schools: []string{g.schools[school].sourced}}
		f.kids = append(f.kids, s)
		left[school][grade-6]--
		return s
	}

	// The featured family: a mother who prefers Spanish, her son in the
	// first school's sixth grade and her daughter in its eighth.
	feat := newFamily(heritageNamed("hispanic"))
	feat.lang = "es"
	g.featured.family = feat
	g.featured.son = addKid(feat, 0, 6, "male")
	addKid(feat, 0, 8, "female")
	g.fams = append(g.fams, feat)

	pairs := int(math.Round(float64(g.opts.Students) * 0.065))
	for k := 1; k < pairs; k++ {
		s := k % len(g.schools)
		var grades []int
		for gi, n := range left[s] {
			if n > 0 {
				grades = append(grades, gi+6)
			}
		}
		if len(grades) < 2 {
			continue
		}
		r.Shuffle(len(grades), func(i, j int) { grades[i], grades[j] = grades[j], grades[i] })
		f := newFamily(g.heritage(r))
		addKid(f, s, grades[0], "")
		addKid(f, s, grades[1], "")
		g.fams = append(g.fams, f)
	}
	for s := range g.schools {
		for gi := range left[s] {
			for left[s][gi] > 0 {
				f := newFamily(g.heritage(r))
				addKid(f, s, gi+6, "")
				g.fams = append(g.fams, f)
			}
		}
	}
	// Student numbers follow no pattern in a real district.
	r.Shuffle(len(g.fams), func(i, j int) { g.fams[i], g.fams[j] = g.fams[j], g.fams[i] })

	for _, f := range g.fams {
		g.guardiansOf(r, f, f == feat)
		for _, k := range f.kids {
			g.demographics(r, k)
			g.students = append(g.students, k)
		}
		g.guardians = append(g.guardians, f.guardians...)
	}
}

func (g *generator) guardiansOf(r *rand.Rand, f *family, featured bool) {
	var kidNames []string
	for _, k := range f.kids {
		kidNames = append(kidNames, k.p.GivenName)
	}
	add := func(relation, sex string, sameName bool) {
		name := f.name
		if !sameName {
			name = pick(r, f.h.family)
		}
		var taken []string
		taken = append(taken, kidNames...)
		for _, p := range f.guardians {
			taken = append(taken, p.GivenName)
		}
		p := &Person{Person: roster.Person{GivenName: givenName(r, f.h, sex, taken...), FamilyName: name,
			Roles: []roster.Role{roster.RoleGuardian}, Language: f.lang}}
		for _, k := range f.kids {
			if s := g.schools[k.school].sourced; !slices.Contains(p.Schools, s) {
				p.Schools = append(p.Schools, s)
			}
		}
		f.guardians = append(f.guardians, p)
		f.relations = append(f.relations, relation)
	}
	keepName := 0.75
	if f.h.hispanic {
		keepName = 0.55 // many mothers keep their own family name
	}
	if featured {
		add("mother", "female", false)
		add("father", "male", true)
		return
	}
	if r.Float64() < 0.62 {
		switch x := r.Float64(); {
		case x < 0.86:
			add("mother", "female", r.Float64() < keepName)
			add("father", "male", true)
		case x < 0.90:
			add("mother", "female", true)
			add("mother", "female", r.Float64() < 0.5)
		case x < 0.93:
			add("father", "male", true)
			add("father", "male", r.Float64() < 0.5)
		case x < 0.97:
			add("mother", "female", true)
			add("grandmother", "female", r.Float64() < 0.5)
		default:
			add("father", "male", true)
			add("stepmother", "female", false)
		}
		// In some families only one guardian prefers the home language.
		if f.lang != "en" && r.Float64() < 0.25 {
			f.guardians[1].Language = "en"
		}
		return
	}
	switch x := r.Float64(); {
	case x < 0.70:
		add("mother", "female", r.Float64() < 0.85)
	case x < 0.85:
		add("father", "male", true)
	case x < 0.93:
		add("grandmother", "female", r.Float64() < 0.5)
	case x < 0.97:
		add("aunt", "female", r.Float64() < 0.5)
	default:
		add("guardian", pick(r, []string{"female", "male"}), false)
	}
}

func boolp(b bool) *bool { return &b }

// demographics draws a student's protected facts and, from them and the
// student's own draw, the simulation's profile. Abilities do not depend on
// race or ethnicity; learning English and having a disability lower them a
// little, as they do in most districts' data.
func (g *generator) demographics(r *rand.Rand, k *student) {
	y := g.cal.year - k.grade - 6 // born between 1 September of y and 31 August of y+1
	born := time.Date(y, time.September, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
	races := slices.Clone(k.fam.h.races)
	switch {
	case k.fam.h.hispanic && r.Float64() < 0.15:
		races = []string{raceAmericanIndian, raceWhite, raceTwoOrMore}
	case k.fam.h.hispanic && r.Float64() < 0.18:
		races = nil // not reported
	case k.fam.h.name == "mixed":
		races = [][]string{{raceWhite, raceBlack, raceTwoOrMore}, {raceAsian, raceWhite, raceTwoOrMore},
			{raceBlack, raceAsian, raceTwoOrMore}, {raceAmericanIndian, raceBlack, raceTwoOrMore}}[r.IntN(4)]
	}
	el := r.Float64() < 0.02
	if k.fam.lang != "en" {
		el = r.Float64() < 0.55
	}
	disability := r.Float64() < 0.14
	k.demo = roster.Demographics{BirthDate: &born, Sex: k.sex, Races: races,
		HispanicOrLatino: boolp(k.fam.h.hispanic), EnglishLearner: boolp(el), Disability: boolp(disability),
		EconomicallyDisadvantaged: boolp(k.fam.poor)}

	base := 0.8 * r.NormFloat64()
	p := Profile{
		Math:        base + 0.4*r.NormFloat64(),
		ELA:         base + 0.4*r.NormFloat64(),
		Disposition: 0.4*base + 0.6*r.NormFloat64() + 0.2,
	}
	if el {
		p.ELA -= 0.5
		p.Math -= 0.15
	}
	if disability {
		p.Math -= 0.35
		p.ELA -= 0.35
	}
	switch x := r.Float64(); {
	case x < 0.15:
		p.Pattern, p.Growth = Accelerating, 1.55+0.15*r.NormFloat64()
	case x < 0.32:
		p.Pattern, p.Growth = Struggling, 0.5+0.1*r.NormFloat64()
	default:
		p.Pattern, p.Growth = Steady, 1+0.15*r.NormFloat64()
	}
	p.Growth = math.Min(math.Max(p.Growth, 0.25), 2.2)
	if k == g.featured.son {
		// The student of "a student after a quiz": typical, growing, and
		// crossing into mastery on the standards of the autumn.
		el, disability = false, false
		k.demo.EnglishLearner, k.demo.Disability = boolp(false), boolp(false)
		p = Profile{Math: 0.35, ELA: 0.15, Disposition: 0.3, Growth: 1.15, Pattern: Steady}
	}
	p.Math, p.ELA, p.Disposition, p.Growth = round3(p.Math), round3(p.ELA), round3(p.Disposition), round3(p.Growth)
	k.profile = p
}

// staff creates the administrators, the coach, the principals and the
// teachers: for each school, subject and grade one teacher per two classes,
// and one special-education co-teacher per school.
func (g *generator) staff() {
	r := g.rng("staff")
	person := func(sex string, roles ...roster.Role) *Person {
		h := g.heritage(r)
		if sex == "" {
			sex = "female"
			if r.Float64() < 0.3 {
				sex = "male"
			}
		}
		return &Person{Person: roster.Person{GivenName: givenName(r, h, sex), FamilyName: pick(r, h.family),
			Roles: roles, Language: "en"}}
	}
	var all []string
	for _, s := range g.schools {
		all = append(all, s.sourced)
	}
	g.admin = person("", roster.RoleDistrictAdmin)
	g.admin.Schools = all
	g.coach = person("", roster.RoleCoach)
	g.coach.Schools = all

	// A guardian of a child at the first school teaches at the second: one
	// person, two roles, two schools.
	var teacherParent *Person
	if len(g.schools) > 1 {
		for _, f := range g.fams {
			if f != g.featured.family && len(f.kids) == 1 && f.kids[0].school == 0 && len(f.guardians) == 2 {
				teacherParent = f.guardians[1]
				break
			}
		}
	}
	g.teachers = make([]map[string][]*Person, len(g.schools))
	for si, s := range g.schools {
		p := person("", roster.RoleSchoolAdmin)
		p.Schools = []string{s.sourced}
		g.princ = append(g.princ, p)
		g.teachers[si] = map[string][]*Person{}
		for _, subject := range []string{SubjectMath, SubjectELA} {
			for gi, n := range s.counts {
				key := subject + strconv.Itoa(gi+6)
				for t := 0; t < (sections(n)+1)/2; t++ {
					var p *Person
					switch {
					case si == 1 && key == SubjectELA+"7" && t == 0 && teacherParent != nil:
						p = teacherParent
						p.Roles = []roster.Role{roster.RoleTeacher, roster.RoleGuardian}
						p.Schools = append([]string{s.sourced}, p.Schools...)
						p.Language = "en"
					case si == 0 && key == SubjectMath+"6" && t == 0:
						p = person("female", roster.RoleTeacher) // "a sixth-grade math teacher opens her class"
					default:
						p = person("", roster.RoleTeacher)
					}
					if p != teacherParent {
						p.Schools = []string{s.sourced}
					}
					g.teachers[si][key] = append(g.teachers[si][key], p)
					g.allTeachers = append(g.allTeachers, p)
				}
			}
		}
		co := person("", roster.RoleTeacher)
		co.Schools = []string{s.sourced}
		g.coTeachers = append(g.coTeachers, co)
		g.allTeachers = append(g.allTeachers, co)
	}
	if teacherParent != nil {
		g.guardians = slices.DeleteFunc(g.guardians, func(p *Person) bool { return p == teacherParent })
	}
}

// sections is the number of classes for n students: at most 30 a class.
func sections(n int) int { return max(1, (n+29)/30) }

// periodBase staggers each grade's math and ELA classes so that no student
// has both in one period.
var periodBase = map[string]int{"math6": 1, "ela6": 4, "math7": 4, "ela7": 1, "math8": 2, "ela8": 5}

func (g *generator) classes() {
	r := g.rng("classes")
	year := g.ds.Terms[0].SourcedID
	for si, s := range g.schools {
		for gi := range s.counts {
			grade := gi + 6
			var kids []*student
			for _, k := range g.students {
				if k.school == si && k.grade == grade {
					kids = append(kids, k)
				}
			}
			for _, subject := range []string{SubjectMath, SubjectELA} {
				key := subject + strconv.Itoa(grade)
				course := g.courseOf[key]
				order := slices.Clone(kids)
				r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				n := sections(len(order))
				size := func(k int) int {
					if k < len(order)%n {
						return len(order)/n + 1
					}
					return len(order) / n
				}
				featured := -1
				if si == 0 && key == SubjectMath+"6" {
					featured = g.featureSection(order, n, size)
				}
				at := 0
				for k := 0; k < n; k++ {
					size := size(k)
					teacher := g.teachers[si][key][k/2]
					period := periodBase[key] + k%2
					title := fmt.Sprintf("%s, Period %d", course.Title, period)
					if n > 2 {
						title += " (" + teacher.FamilyName + ")"
					}
					code := fmt.Sprintf("%s-%s-%02d", s.code, course.Code, k+1)
					c := &Class{Class: roster.Class{SourcedID: "cls-" + strings.ToLower(code), Title: title,
						Code: code, Period: strconv.Itoa(period)}, School: s.sourced, Course: course.SourcedID, Term: year}
					rec := &classRec{c: c, teachers: []*Person{teacher}, students: order[at : at+size]}
					if grade == 6 && (k == featured || featured < 0 && k == 0) {
						rec.teachers = append(rec.teachers, g.coTeachers[si])
					}
					if k == featured {
						g.featured.class = rec
					}
					at += size
					g.classRecs = append(g.classRecs, rec)
				}
			}
		}
	}
}

// featureSection chooses, among the first school's sixth-grade math
// classes of the largest size, the one whose students' mean math ability is
// closest to zero, so that the class shown first is a typical one, and
// moves the featured student into it. order is the students in class
// order; class k holds size(k) of them.
func (g *generator) featureSection(order []*student, n int, size func(int) int) int {
	best, bestMean, at := -1, 0.0, 0
	starts := make([]int, n)
	for k := 0; k < n; k++ {
		starts[k] = at
		var sum float64
		for _, st := range order[at : at+size(k)] {
			sum += st.profile.Math
		}
		mean := math.Abs(sum / float64(size(k)))
		if best < 0 || size(k) > size(best) || size(k) == size(best) && mean < bestMean {
			best, bestMean = k, mean
		}
		at += size(k)
	}
	i := slices.Index(order, g.featured.son)
	if i < starts[best] || i >= starts[best]+size(best) {
		j := starts[best] + size(best)/2
		order[i], order[j] = order[j], order[i]
	}
	return best
}

// asciiFold turns a name into the letters of a username: "Sofía" ->
// "sofia", "O'Brien" -> "obrien", "Dela Cruz" -> "delacruz".
func asciiFold(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b.WriteRune(c)
		default:
			if f, ok := foldMap[c]; ok {
				b.WriteRune(f)
			}
		}
	}
	return b.String()
}

var foldMap = map[rune]rune{'á': 'a', 'à': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i', 'ó': 'o', 'ò': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ú': 'u', 'ù': 'u',
	'û': 'u', 'ü': 'u', 'ñ': 'n', 'ç': 'c', 'ø': 'o', 'å': 'a'}

// finish gives every person their SourcedID, username and email, and turns
// the generator's pointers into the Dataset's references.
func (g *generator) finish() {
	ds := g.ds
	var people []*Person
	id := func(prefix string, width, i int, p *Person) {
		p.SourcedID = fmt.Sprintf("%s-%0*d", prefix, width, i+1)
		people = append(people, p)
	}
	id("adm", 3, 0, g.admin)
	id("coach", 3, 0, g.coach)
	for i, p := range g.princ {
		id("prin", 3, i, p)
	}
	for i, p := range g.allTeachers {
		id("tch", 4, i, p)
	}
	for i, k := range g.students {
		id("stu", 5, i, k.p)
	}
	for i, p := range g.guardians {
		id("grd", 5, i, p)
	}
	taken := map[string]bool{}
	for _, p := range people {
		base := asciiFold(p.GivenName) + "." + asciiFold(p.FamilyName)
		u := base
		for n := 2; taken[u]; n++ {
			u = base + strconv.Itoa(n)
		}
		taken[u] = true
		p.Username = u
		p.Email = u + "@" + ds.Domain
	}
	for _, p := range people {
		ds.People = append(ds.People, *p)
	}

	for _, f := range g.fams {
		for _, k := range f.kids {
			for i, gp := range f.guardians {
				ds.Guardianship = append(ds.Guardianship, Guardianship{Guardian: gp.SourcedID, Student: k.p.SourcedID,
					Relationship: f.relations[i]})
			}
		}
	}
	for _, k := range g.students {
		ds.Demographics = append(ds.Demographics, Demographics{Demographics: k.demo, Student: k.p.SourcedID})
		p := k.profile
		p.Student = k.p.SourcedID
		ds.Profiles = append(ds.Profiles, p)
	}
	start, end := g.cal.start, g.cal.end
	for _, rec := range g.classRecs {
		ds.Classes = append(ds.Classes, *rec.c)
		enroll := func(p *Person, role roster.EnrollmentRole, primary bool) {
			ds.Enrollments = append(ds.Enrollments, Enrollment{Enrollment: roster.Enrollment{
				SourcedID: "enr-" + strings.TrimPrefix(rec.c.SourcedID, "cls-") + "-" + p.SourcedID,
				Role:      role, Primary: primary, BeginDate: &start, EndDate: &end,
			}, Class: rec.c.SourcedID, Person: p.SourcedID})
		}
		for i, t := range rec.teachers {
			enroll(t, roster.EnrolledTeacher, i == 0)
		}
		for _, k := range rec.students {
			enroll(k.p, roster.EnrolledStudent, false)
		}
	}
	fc := g.featured.class
	ds.Featured = Featured{Class: fc.c.SourcedID, Teacher: fc.teachers[0].SourcedID,
		Student: g.featured.son.p.SourcedID, Guardian: g.featured.family.guardians[0].SourcedID,
		Admin: g.admin.SourcedID}
}
