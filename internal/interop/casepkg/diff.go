package casepkg

import (
	"bytes"
	"slices"
)

// Changes is what importing a framework again would change, by CASE
// identifier.
type Changes struct {
	// FrameworkChanged says whether the framework's own fields (title,
	// creator, version, subject, kind, language, URI, the CFDocument and
	// CFDefinitions as published) differ.
	FrameworkChanged bool `json:"frameworkChanged"`
	// Created are standards new in the import; Updated those whose code,
	// statement, type, education levels, parent, position, URI or CFItem
	// as published differ;
	// Retired those the import no longer has. Each list is in the order of
	// the framework it comes from.
	Created   []string `json:"created,omitempty"`
	Updated   []string `json:"updated,omitempty"`
	Retired   []string `json:"retired,omitempty"`
	Unchanged int      `json:"unchanged"`
	// PrerequisitesAdded and PrerequisitesRemoved compare the
	// prerequisite edges; CrosswalksAdded and CrosswalksRemoved the
	// crosswalks.
	PrerequisitesAdded   []Prerequisite `json:"prerequisitesAdded,omitempty"`
	PrerequisitesRemoved []Prerequisite `json:"prerequisitesRemoved,omitempty"`
	CrosswalksAdded      []Crosswalk    `json:"crosswalksAdded,omitempty"`
	CrosswalksRemoved    []Crosswalk    `json:"crosswalksRemoved,omitempty"`
}

// Empty reports whether importing would change nothing.
func (c Changes) Empty() bool {
	return !c.FrameworkChanged && len(c.Created)+len(c.Updated)+len(c.Retired)+
		len(c.PrerequisitesAdded)+len(c.PrerequisitesRemoved)+len(c.CrosswalksAdded)+len(c.CrosswalksRemoved) == 0
}

// Diff compares the framework as it is (before, for example from
// FromStandards) with a new import of it (after). A nil before is an empty
// framework. Standards are matched by SourcedID; a standard that is
// already retired in before and absent from after is not retired again.
func Diff(before, after *Framework) Changes {
	if before == nil {
		before = &Framework{}
	}
	var c Changes
	bf, af := before.Framework, after.Framework
	c.FrameworkChanged = bf.Title != af.Title || bf.Creator != af.Creator || bf.Version != af.Version ||
		bf.Subject != af.Subject || kindOrAcademic(bf.Kind) != kindOrAcademic(af.Kind) || bf.Lang() != af.Lang() || before.URI != after.URI ||
		!bytes.Equal(before.Document, after.Document) || !bytes.Equal(before.Definitions, after.Definitions)

	old := make(map[string]Standard, len(before.Standards))
	for _, s := range before.Standards {
		old[s.SourcedID] = s
	}
	seen := make(map[string]bool, len(after.Standards))
	for _, s := range after.Standards {
		seen[s.SourcedID] = true
		o, ok := old[s.SourcedID]
		switch {
		case !ok:
			c.Created = append(c.Created, s.SourcedID)
		case o.Retired || !sameStandard(o, s):
			c.Updated = append(c.Updated, s.SourcedID)
		default:
			c.Unchanged++
		}
	}
	for _, s := range before.Standards {
		if !seen[s.SourcedID] && !s.Retired {
			c.Retired = append(c.Retired, s.SourcedID)
		}
	}
	c.PrerequisitesAdded, c.PrerequisitesRemoved = setDiff(before.Prerequisites, after.Prerequisites)
	c.CrosswalksAdded, c.CrosswalksRemoved = setDiff(before.Crosswalks, after.Crosswalks)
	return c
}

func sameStandard(a, b Standard) bool {
	return a.Code == b.Code && a.Statement == b.Statement && a.Type == b.Type &&
		slices.Equal(a.EducationLevels, b.EducationLevels) && a.ParentSourcedID == b.ParentSourcedID &&
		a.Position == b.Position && a.URI == b.URI && bytes.Equal(a.Item, b.Item)
}

// setDiff returns what is in after and not before, and the reverse,
// counting repeats: two crosswalks saying the same are two.
func setDiff[T comparable](before, after []T) (added, removed []T) {
	count := func(xs []T) map[T]int {
		m := make(map[T]int, len(xs))
		for _, x := range xs {
			m[x]++
		}
		return m
	}
	b, a := count(before), count(after)
	for _, x := range after {
		if b[x] > 0 {
			b[x]--
			continue
		}
		added = append(added, x)
	}
	for _, x := range before {
		if a[x] > 0 {
			a[x]--
			continue
		}
		removed = append(removed, x)
	}
	return added, removed
}
