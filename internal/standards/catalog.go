package standards

import (
	"cmp"
	"slices"
)

// Catalog is one district's standards as its pages read them: the
// frameworks and their scales and languages, every standard with its code
// and place in the hierarchy, the prerequisites, the standards each course
// is mapped to, and the language the district writes its own text in.
// A store builds it once and shares it between requests until one of
// those changes, so a page looks standards up here instead of asking the
// database on every view.
//
// A Catalog is never changed once built: it is safe for concurrent use,
// and callers must not change the slices its methods return.
type Catalog struct {
	language   string
	frameworks []Framework
	framework  map[int64]int // index in frameworks, by id
	scales     map[int64]Scale
	standards  []Standard    // in hierarchy order
	standard   map[int64]int // index in standards, by id
	inFw       map[int64][]Standard
	prereqs    map[int64][]int64
	dependents map[int64][]int64
	courses    map[int64][]Standard
}

// CatalogParts are what a Catalog is built from.
type CatalogParts struct {
	// Language is the district's own language tag ("" is
	// DefaultLanguage).
	Language   string
	Frameworks []Framework
	Scales     []Scale
	// Standards are all the district's standards, retired ones too, in
	// hierarchy order: frameworks by id, each standard followed by its
	// children in position order.
	Standards     []Standard
	Prerequisites []Prerequisite
	// Courses are the ids of the standards each course is mapped to, by
	// course id, in any order.
	Courses map[int64][]int64
}

// NewCatalog builds a district's catalog from its parts. Frameworks are
// listed by id; a course's standards and each framework's keep the order
// of p.Standards, retired standards left out of courses.
func NewCatalog(p CatalogParts) *Catalog {
	lang, err := ParseLanguage(p.Language)
	if err != nil {
		lang = p.Language
	}
	c := &Catalog{
		language:   lang,
		framework:  make(map[int64]int, len(p.Frameworks)),
		scales:     make(map[int64]Scale, len(p.Scales)),
		standards:  p.Standards,
		standard:   make(map[int64]int, len(p.Standards)),
		inFw:       make(map[int64][]Standard, len(p.Frameworks)),
		prereqs:    map[int64][]int64{},
		dependents: map[int64][]int64{},
		courses:    make(map[int64][]Standard, len(p.Courses)),
	}
	c.frameworks = append([]Framework(nil), p.Frameworks...)
	slices.SortFunc(c.frameworks, func(a, b Framework) int { return cmp.Compare(a.ID, b.ID) })
	for i, f := range c.frameworks {
		c.framework[f.ID] = i
	}
	for _, sc := range p.Scales {
		c.scales[sc.ID] = sc
	}
	for i, st := range p.Standards {
		c.standard[st.ID] = i
		c.inFw[st.FrameworkID] = append(c.inFw[st.FrameworkID], st)
	}
	for _, e := range p.Prerequisites {
		c.prereqs[e.StandardID] = append(c.prereqs[e.StandardID], e.PrerequisiteID)
		c.dependents[e.PrerequisiteID] = append(c.dependents[e.PrerequisiteID], e.StandardID)
	}
	for course, ids := range p.Courses {
		mapped := make(map[int64]bool, len(ids))
		for _, id := range ids {
			mapped[id] = true
		}
		var list []Standard
		for _, st := range p.Standards {
			if mapped[st.ID] && !st.Retired {
				list = append(list, st)
			}
		}
		c.courses[course] = list
	}
	return c
}

// Language is the language the district writes its own text in, such as
// evidence titles, as ParseLanguage writes it.
func (c *Catalog) Language() string { return c.language }

// Frameworks lists the district's frameworks by id.
func (c *Catalog) Frameworks() []Framework { return c.frameworks }

// Framework returns the framework with id.
func (c *Catalog) Framework(id int64) (Framework, bool) {
	i, ok := c.framework[id]
	if !ok {
		return Framework{}, false
	}
	return c.frameworks[i], true
}

// Scale returns the scale with id.
func (c *Catalog) Scale(id int64) (Scale, bool) {
	sc, ok := c.scales[id]
	return sc, ok
}

// Standard returns the standard with id, retired or not.
func (c *Catalog) Standard(id int64) (Standard, bool) {
	i, ok := c.standard[id]
	if !ok {
		return Standard{}, false
	}
	return c.standards[i], true
}

// Standards lists every standard of the district, retired ones too, in
// hierarchy order.
func (c *Catalog) Standards() []Standard { return c.standards }

// FrameworkStandards lists a framework's standards, retired ones too, in
// hierarchy order: each followed by its children in position order.
func (c *Catalog) FrameworkStandards(frameworkID int64) []Standard { return c.inFw[frameworkID] }

// CourseStandards lists the standards a course is mapped to that are not
// retired, in hierarchy order.
func (c *Catalog) CourseStandards(courseID int64) []Standard { return c.courses[courseID] }

// ScaleOf returns the scale of a standard's framework, DefaultScale when
// the catalog knows neither.
func (c *Catalog) ScaleOf(st Standard) Scale {
	if f, ok := c.Framework(st.FrameworkID); ok {
		if sc, ok := c.scales[f.ScaleID]; ok {
			return sc
		}
	}
	return DefaultScale()
}

// LangOf returns the language tag a standard's framework is written in.
func (c *Catalog) LangOf(st Standard) string {
	if f, ok := c.Framework(st.FrameworkID); ok {
		return f.Lang()
	}
	return DefaultLanguage
}

// Prerequisites returns the standards that must be mastered before id, in
// the order they were given.
func (c *Catalog) Prerequisites(id int64) []int64 { return c.prereqs[id] }

// Dependents returns the standards id is a prerequisite of.
func (c *Catalog) Dependents(id int64) []int64 { return c.dependents[id] }

// PrerequisitesOfAll returns the prerequisites of any of ids that are not
// among ids themselves, each once, in the order first met: the standards
// whose states a page must read besides those it lists, to tell whether a
// student is stalled.
func (c *Catalog) PrerequisitesOfAll(ids []int64) []int64 {
	in := make(map[int64]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	var out []int64
	for _, id := range ids {
		for _, p := range c.prereqs[id] {
			if !in[p] {
				in[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
