package casepkg

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/standards"
)

// Source is where the package came from: its Name.
func (p *Package) Source() string { return p.Name }

// FrameworkSourcedID is the CASE identifier of the package's framework,
// which the store finds the framework it imports into by.
func (p *Package) FrameworkSourcedID() string { return p.Framework.Framework.SourcedID }

// PlanImport is Plan(p, snap, opt): it makes a *Package what the store's
// ImportCASE plans with.
func (p *Package) PlanImport(snap *importplan.FrameworkSnapshot, opt importplan.Options) (*importplan.FrameworkPlan, error) {
	return Plan(p, snap, opt)
}

// Plan works out what importing the package into the district of snap
// writes.
//
// The framework and its standards are matched by CASE identifier
// (SourcedID): importing a newer version of a package updates the same
// records, so evidence recorded on a standard stays aligned with it. A
// standard the new version no longer has is retired, never deleted, and
// comes back if a later version has it again. Standards added to the
// framework in cairn (without a CASE identifier) are left alone.
// Prerequisites between the framework's standards and its crosswalks
// become those of the package. The standards whose rollups change with
// the hierarchy are listed for the store to recompute.
//
// An item that is already a standard of another framework of the district,
// or a prerequisite that would close a cycle with the district's other
// prerequisites, is refused with a *badinput.Error, and there is no plan.
func Plan(pkg *Package, snap *importplan.FrameworkSnapshot, opt importplan.Options) (*importplan.FrameworkPlan, error) {
	im := &caseImport{pkg: pkg, snap: snap, opt: opt, plan: &importplan.FrameworkPlan{Counts: importplan.NewCounts()}}
	im.probs.Limit = opt.Limit
	im.plan.Warnings = append(im.plan.Warnings, pkg.Notes...)
	if err := im.run(); err != nil {
		return nil, err
	}
	return im.plan, nil
}

// caseImport is one CASE import being planned.
type caseImport struct {
	pkg   *Package
	snap  *importplan.FrameworkSnapshot
	opt   importplan.Options
	plan  *importplan.FrameworkPlan
	probs badinput.List

	fw     standards.Framework                // as after the import
	stored map[string]importplan.CASEStandard // the district's standards with a CASE identifier, by it
}

func (im *caseImport) run() error {
	pkg, p := im.pkg, im.plan
	after := &pkg.Framework
	im.opt.Report("framework", 0, 1)
	existed := im.snap.Exists
	if err := im.framework(); err != nil {
		return err
	}
	im.stored = make(map[string]importplan.CASEStandard, len(im.snap.Standards))
	for _, st := range im.snap.Standards {
		im.stored[st.SourcedID] = st
	}
	// An identifier belongs to one framework: refuse items another
	// framework of the district already holds.
	itemIndex := make(map[string]int, len(pkg.CFPackage.CFItems))
	for i, it := range pkg.CFPackage.CFItems {
		itemIndex[it.Identifier] = i
	}
	for _, st := range after.Standards {
		if old, ok := im.stored[st.SourcedID]; ok && old.FrameworkID != im.fw.ID {
			field := "CFItems"
			if i, ok := itemIndex[st.SourcedID]; ok {
				field = fmt.Sprintf("CFItems[%d].identifier", i)
			}
			im.probs.Addf(pkg.Name, 0, 0, field, "item %s is already standard %d (%s) of framework %d of this district: an item belongs to one framework",
				st.SourcedID, old.ID, old.Label(), old.FrameworkID)
		}
	}
	if err := im.probs.Err(); err != nil {
		return err
	}

	before := im.before()
	ch := Diff(before, after)
	im.opt.Report("framework", 1, 1)
	switch {
	case !existed:
		p.Created["frameworks"]++
	case ch.FrameworkChanged:
		p.Updated["frameworks"]++
	default:
		p.Unchanged["frameworks"]++
	}
	if existed && ch.FrameworkChanged {
		if err := im.updateFramework(); err != nil {
			return err
		}
	}

	// Ids for the new standards, then every new or changed standard,
	// parents before children.
	ids := make(map[string]int64, len(im.stored)+len(ch.Created))
	for id, st := range im.stored {
		ids[id] = st.ID
	}
	for _, sid := range ch.Created {
		id, err := im.snap.IDs("standards")
		if err != nil {
			return err
		}
		ids[sid] = id
	}
	write := make(map[string]bool, len(ch.Created)+len(ch.Updated))
	for _, sid := range ch.Created {
		write[sid] = true
	}
	for _, sid := range ch.Updated {
		write[sid] = true
	}
	var affected []int64 // standards whose rollups change
	for _, st := range after.Standards {
		if !write[st.SourcedID] {
			continue
		}
		// The rules every standard is stored under, whatever its way in.
		check := st.Standard
		check.FrameworkID = im.fw.ID
		if err := check.Validate(); err != nil {
			return fmt.Errorf("item %s: %w", st.SourcedID, err)
		}
		id := ids[st.SourcedID]
		var parent *int64
		if st.ParentSourcedID != "" {
			p := ids[st.ParentSourcedID]
			parent = &p
		}
		row := st.Standard
		row.ID, row.DistrictID, row.FrameworkID, row.ParentID, row.Retired = id, im.snap.DistrictID, im.fw.ID, parent, false
		p.Standards = append(p.Standards, importplan.CASEStandard{Standard: row, URI: st.URI, Item: st.Item})
		old, existedBefore := im.stored[st.SourcedID]
		switch {
		case !existedBefore:
			if parent != nil {
				affected = append(affected, *parent)
			}
		case !sameRef(old.ParentID, parent) || old.Position != st.Position:
			affected = append(affected, id)
			if old.ParentID != nil {
				affected = append(affected, *old.ParentID)
			}
		}
		if existedBefore && old.Retired {
			// Back from retirement: it rolls up again, and into its parent.
			affected = append(affected, id)
			if parent != nil {
				affected = append(affected, *parent)
			}
		}
	}
	p.Created["standards"] = len(ch.Created)
	p.Updated["standards"] = len(ch.Updated)
	p.Unchanged["standards"] = ch.Unchanged

	// Items the new version no longer has are retired, never deleted:
	// evidence recorded on them keeps its standard. Their parents' rollups
	// go on without them, and their own states keep only their own
	// evidence.
	storedByID := make(map[int64]importplan.CASEStandard, len(im.stored))
	for _, st := range im.stored {
		storedByID[st.ID] = st
	}
	for _, sid := range ch.Retired {
		if st, ok := im.stored[sid]; ok {
			p.Retire = append(p.Retire, st.ID)
			affected = append(affected, st.ID)
			if a := rolledUpBy(storedByID, st.ParentID); a != nil {
				affected = append(affected, *a)
			}
		}
	}

	if err := im.prerequisites(ch, ids, before); err != nil {
		return err
	}
	im.crosswalks(ch, after)
	assocChanged := !slices.EqualFunc(im.snap.Associations, after.Associations, sameAssociation)
	if assocChanged {
		p.ReplaceAssociations, p.Associations = true, after.Associations
	}
	p.Touch = existed && (!ch.Empty() || assocChanged)
	slices.Sort(affected)
	p.Affected = slices.Compact(affected)
	p.Framework = im.fw
	return nil
}

func sameRef(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// rolledUpBy returns the standard that rolled up a child of parent before
// the import: parent itself or, when it is retired, its nearest ancestor
// that is not; nil for none. byID holds the stored standards by id; one
// it does not hold counts as not retired.
func rolledUpBy(byID map[int64]importplan.CASEStandard, parent *int64) *int64 {
	for range len(byID) + 1 {
		if parent == nil {
			return nil
		}
		st, ok := byID[*parent]
		if !ok || !st.Retired {
			return parent
		}
		parent = st.ParentID
	}
	return nil
}

// framework plans the framework: as stored, or created with the scale the
// snapshot names, else a new four-level scale.
func (im *caseImport) framework() error {
	in, p := im.pkg.Framework, im.plan
	p.URI, p.Document, p.Definitions = in.URI, in.Document, in.Definitions
	if im.snap.Exists {
		im.fw = im.snap.Framework
		return nil
	}
	scaleID := im.snap.ScaleID
	if scaleID == 0 {
		sc := standards.DefaultScale()
		id, err := im.snap.IDs("scales")
		if err != nil {
			return err
		}
		sc.ID, sc.DistrictID, scaleID = id, im.snap.DistrictID, id
		p.NewScale = &sc
		p.Created["scales"]++
		p.Warnings = append(p.Warnings, fmt.Sprintf("the district had no proficiency scale: created %q (scale %d) for the framework", sc.Name, id))
	}
	im.fw = in.Framework
	im.fw.DistrictID, im.fw.ScaleID = im.snap.DistrictID, scaleID
	if im.fw.Kind == "" {
		im.fw.Kind = standards.Academic
	}
	if err := im.fw.Validate(); err != nil {
		return err
	}
	im.fw.Language = im.fw.Lang()
	id, err := im.snap.IDs("frameworks")
	if err != nil {
		return err
	}
	im.fw.ID = id
	p.Create = true
	return nil
}

// updateFramework plans the package's title, creator, version, subject,
// kind, language, URI and CFDocument and CFDefinitions as published on the
// framework; its scale stays.
func (im *caseImport) updateFramework() error {
	in := im.pkg.Framework
	f := im.fw
	f.Title, f.Creator, f.Version, f.Subject = in.Framework.Title, in.Framework.Creator, in.Framework.Version, in.Framework.Subject
	if in.Framework.Kind != "" {
		f.Kind = in.Framework.Kind
	}
	f.Language = in.Framework.Language
	if err := f.Validate(); err != nil {
		return err
	}
	f.Language = f.Lang()
	im.fw = f
	im.plan.Update = true
	return nil
}

// before is the framework as stored, for Diff: its standards with a CASE
// identifier (retired ones included, marked), the prerequisites between
// them and its crosswalks. It is nil for a framework the district lacks.
func (im *caseImport) before() *Framework {
	s := im.snap
	if !s.Exists {
		return nil
	}
	b := &Framework{Framework: s.Framework, URI: s.URI, Document: s.Document, Definitions: s.Definitions, Crosswalks: s.Crosswalks}
	byID := map[int64]string{}
	var mine []importplan.CASEStandard
	for _, st := range s.Standards {
		if st.FrameworkID == s.Framework.ID {
			byID[st.ID] = st.SourcedID
			mine = append(mine, st)
		}
	}
	slices.SortFunc(mine, func(a, b importplan.CASEStandard) int { return cmp.Compare(a.ID, b.ID) })
	for _, st := range mine {
		cs := Standard{Standard: st.Standard, URI: st.URI, Item: st.Item}
		if st.ParentID != nil {
			// A parent without a CASE identifier was added in cairn; the
			// package never names it, so such a standard counts as moved.
			cs.ParentSourcedID = byID[*st.ParentID]
			if cs.ParentSourcedID == "" {
				cs.ParentSourcedID = fmt.Sprintf("cairn:standard:%d", *st.ParentID)
			}
		}
		b.Standards = append(b.Standards, cs)
	}
	edges := slices.Clone(s.Prerequisites)
	slices.SortFunc(edges, func(a, b standards.Prerequisite) int {
		return cmp.Or(cmp.Compare(a.StandardID, b.StandardID), cmp.Compare(a.PrerequisiteID, b.PrerequisiteID))
	})
	for _, e := range edges {
		a, okA := byID[e.StandardID]
		c, okC := byID[e.PrerequisiteID]
		if okA && okC {
			b.Prerequisites = append(b.Prerequisites, Prerequisite{StandardSourcedID: a, PrerequisiteSourcedID: c})
		}
	}
	return b
}

// prerequisites plans the removal of the edges the package no longer has
// and the new ones, refusing any that would close a cycle through
// prerequisites elsewhere in the district.
func (im *caseImport) prerequisites(ch Changes, ids map[string]int64, before *Framework) error {
	p := im.plan
	edge := func(pr Prerequisite) standards.Prerequisite {
		return standards.Prerequisite{DistrictID: im.snap.DistrictID, StandardID: ids[pr.StandardSourcedID], PrerequisiteID: ids[pr.PrerequisiteSourcedID]}
	}
	for _, pr := range ch.PrerequisitesRemoved {
		p.PrerequisitesRemoved = append(p.PrerequisitesRemoved, edge(pr))
	}
	p.Removed["prerequisites"] = len(ch.PrerequisitesRemoved)
	p.Created["prerequisites"] = len(ch.PrerequisitesAdded)
	if before != nil {
		p.Unchanged["prerequisites"] = len(before.Prerequisites) - len(ch.PrerequisitesRemoved)
	}
	if len(ch.PrerequisitesAdded) == 0 {
		return nil
	}
	// The district's prerequisites once those removed are gone.
	gone := make(map[[2]int64]bool, len(p.PrerequisitesRemoved))
	for _, e := range p.PrerequisitesRemoved {
		gone[[2]int64{e.StandardID, e.PrerequisiteID}] = true
	}
	next := map[int64][]int64{} // standard -> its prerequisites
	for _, e := range im.snap.Prerequisites {
		if !gone[[2]int64{e.StandardID, e.PrerequisiteID}] {
			next[e.StandardID] = append(next[e.StandardID], e.PrerequisiteID)
		}
	}
	for _, pr := range ch.PrerequisitesAdded {
		e := edge(pr)
		next[e.StandardID] = append(next[e.StandardID], e.PrerequisiteID)
		p.PrerequisitesAdded = append(p.PrerequisitesAdded, e)
	}
	if cyc := findCycle(next); cyc != nil {
		names := map[int64]string{}
		for sid, id := range ids {
			names[id] = sid
		}
		var path []string
		for _, id := range cyc {
			n := names[id]
			if n == "" {
				n = fmt.Sprintf("standard %d", id)
			}
			path = append(path, n)
		}
		im.probs.Addf(im.pkg.Name, 0, 0, "CFAssociations", "the precedes associations would close a cycle with prerequisites the district already has: %s",
			strings.Join(path, " -> "))
		return im.probs.Err()
	}
	return nil
}

// findCycle returns the standards of a cycle in the prerequisite graph
// (each standard followed by one of its prerequisites, the first repeated
// at the end), or nil when there is none.
func findCycle(next map[int64][]int64) []int64 {
	const (
		unseen = iota
		open
		done
	)
	state := map[int64]int{}
	var nodes []int64
	for n := range next {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	for _, root := range nodes {
		if state[root] != unseen {
			continue
		}
		// Iterative depth-first search keeping the current path.
		type frame struct {
			n int64
			i int
		}
		stack := []frame{{root, 0}}
		state[root] = open
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.i == len(next[f.n]) {
				state[f.n] = done
				stack = stack[:len(stack)-1]
				continue
			}
			m := next[f.n][f.i]
			f.i++
			switch state[m] {
			case open:
				var cyc []int64
				for j := range stack {
					if stack[j].n == m {
						for _, g := range stack[j:] {
							cyc = append(cyc, g.n)
						}
						break
					}
				}
				return append(cyc, m)
			case unseen:
				state[m] = open
				stack = append(stack, frame{m, 0})
			}
		}
	}
	return nil
}

// crosswalks plans the package's crosswalks in place of the framework's
// when they differ.
func (im *caseImport) crosswalks(ch Changes, after *Framework) {
	p := im.plan
	p.Created["crosswalks"] = len(ch.CrosswalksAdded)
	p.Removed["crosswalks"] = len(ch.CrosswalksRemoved)
	p.Unchanged["crosswalks"] = len(after.Crosswalks) - len(ch.CrosswalksAdded)
	if len(ch.CrosswalksAdded)+len(ch.CrosswalksRemoved) > 0 {
		p.ReplaceCrosswalks, p.Crosswalks = true, after.Crosswalks
	}
}

func sameAssociation(a, b Association) bool {
	return a.Identifier == b.Identifier && a.Type == b.Type && a.Origin == b.Origin && a.Destination == b.Destination &&
		a.Modelled == b.Modelled && bytes.Equal(a.JSON, b.JSON)
}
