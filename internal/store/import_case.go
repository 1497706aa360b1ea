package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

// ImportCASE imports a CASE framework (from casepkg.Parse or Fetch) into
// the district, in one transaction.
//
// The framework and its standards are matched by CASE identifier
// (SourcedID): importing a newer version of a package updates the same
// rows in place, so evidence recorded on a standard stays aligned with it.
// A standard the new version no longer has is retired, never deleted, and
// comes back if a later version has it again. Standards added to the
// framework in cairn (without a CASE identifier) are left alone.
// Prerequisites between the framework's standards and its crosswalks
// become those of the package. When the hierarchy changes, the mastery
// rollups it feeds are recomputed in the same transaction.
//
// An item that is already a standard of another framework of the district,
// or a prerequisite that would close a cycle with the district's other
// prerequisites, is refused with a *badinput.Error and nothing is written.
func (s *Store) ImportCASE(ctx context.Context, districtID int64, pkg *casepkg.Package, opt ImportOptions) (rep ImportReport, err error) {
	defer wrap(&err, "ImportCASE(%s)", pkg.Name)
	start := s.now()
	rep = newReport(opt.DryRun)
	rep.Warnings = append(rep.Warnings, pkg.Notes...)
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, districtID); err != nil {
			return err
		}
		im := &caseImport{r: r, districtID: districtID, pkg: pkg, opt: opt, progress: progressFunc(opt.Progress), rep: &rep}
		im.probs.Limit = opt.Limit
		if err := im.run(ctx); err != nil {
			return err
		}
		changes = im.changes
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	s.models.invalidate(districtID)
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return ImportReport{}, err
	}
	if !opt.DryRun {
		s.notify(changes)
	}
	rep.Elapsed = s.now().Sub(start)
	return rep, nil
}

// caseImport is one CASE import in progress.
type caseImport struct {
	r          *runner
	districtID int64
	pkg        *casepkg.Package
	opt        ImportOptions
	progress   progressFunc
	rep        *ImportReport
	probs      badinput.List
	changes    []Change

	fw     standards.Framework // as stored after the import
	fwURI  string
	fwDoc  []byte                    // the CFDocument as published, as stored before the import
	fwDefs []byte                    // the CFDefinitions, likewise
	stored map[string]storedStandard // the district's standards with a CASE identifier, by it
}

// storedStandard is a standard as the import finds it.
type storedStandard struct {
	standards.Standard
	URI  string
	Item []byte // the CFItem as published
}

func (im *caseImport) run(ctx context.Context) error {
	r, pkg := im.r, im.pkg
	after := &pkg.Framework
	im.progress.report("framework", 0, 1)
	existed, err := im.framework(ctx)
	if err != nil {
		return err
	}
	if err := im.loadStandards(ctx); err != nil {
		return err
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

	before, err := im.before(ctx, existed)
	if err != nil {
		return err
	}
	ch := casepkg.Diff(before, after)
	im.progress.report("framework", 1, 1)
	switch {
	case !existed:
		im.rep.Created["frameworks"]++
	case ch.FrameworkChanged:
		im.rep.Updated["frameworks"]++
	default:
		im.rep.Unchanged["frameworks"]++
	}
	if existed && ch.FrameworkChanged {
		if err := im.updateFramework(ctx); err != nil {
			return err
		}
	}

	// Ids for the new standards, then every new or changed standard in
	// one pass of multi-row upserts, parents before children.
	ids := make(map[string]int64, len(im.stored)+len(ch.Created))
	for id, st := range im.stored {
		ids[id] = st.ID
	}
	pool := r.newIDPool(tStandards)
	for _, sid := range ch.Created {
		id, err := pool.take(ctx)
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
	var rows []casepkg.Standard
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
		rows = append(rows, st)
		id := ids[st.SourcedID]
		var parent *int64
		if st.ParentSourcedID != "" {
			p := ids[st.ParentSourcedID]
			parent = &p
		}
		old, existedBefore := im.stored[st.SourcedID]
		switch {
		case !existedBefore:
			if parent != nil {
				affected = append(affected, *parent)
			}
		case !equalRef(old.ParentID, parent) || old.Position != st.Position:
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
	im.rep.Created["standards"] = len(ch.Created)
	im.rep.Updated["standards"] = len(ch.Updated)
	im.rep.Unchanged["standards"] = ch.Unchanged
	err = r.writeChunks(ctx, "standards", im.progress, `
INSERT INTO standards (id, district_id, framework_id, sourced_id, code, statement, type, education_levels, parent_id, position, retired, uri, case_item) VALUES `, `
ON CONFLICT (id) DO UPDATE SET code = excluded.code, statement = excluded.statement, type = excluded.type,
    education_levels = excluded.education_levels, parent_id = excluded.parent_id, position = excluded.position,
    retired = excluded.retired, uri = excluded.uri, case_item = excluded.case_item`, len(rows), func(i int) []any {
		st := rows[i]
		var parent any
		if st.ParentSourcedID != "" {
			parent = ids[st.ParentSourcedID]
		}
		return []any{ids[st.SourcedID], im.districtID, im.fw.ID, st.SourcedID, st.Code, st.Statement, st.Type,
			jsonText(st.EducationLevels), parent, st.Position, false, st.URI, string(st.Item)}
	})
	if err != nil {
		return conflictOr(err, "sourcedId", "a CASE identifier")
	}

	// Items the new version no longer has are retired, never deleted:
	// evidence recorded on them keeps its standard. Their parents' rollups
	// go on without them, and their own states keep only their own
	// evidence.
	var retire []int64
	storedByID := make(map[int64]storedStandard, len(im.stored))
	for _, st := range im.stored {
		storedByID[st.ID] = st
	}
	for _, sid := range ch.Retired {
		if st, ok := im.stored[sid]; ok {
			retire = append(retire, st.ID)
			affected = append(affected, st.ID)
			if p := rolledUpBy(storedByID, st.ParentID); p != nil {
				affected = append(affected, *p)
			}
		}
	}
	if len(retire) > 0 {
		if _, err := r.exec(ctx, `UPDATE standards SET retired = $2 WHERE district_id = $1 AND id IN ids($3)`,
			im.districtID, true, r.s.ids(retire)); err != nil {
			return fmt.Errorf("retiring standards: %w", err)
		}
	}
	im.rep.Retired["standards"] = len(retire)

	if err := im.prerequisites(ctx, ch, ids, before); err != nil {
		return err
	}
	if err := im.crosswalks(ctx, ch, after); err != nil {
		return err
	}
	assocChanged, err := im.associations(ctx, after)
	if err != nil {
		return err
	}
	if existed && (!ch.Empty() || assocChanged) {
		if _, err := r.exec(ctx, `UPDATE frameworks SET changed_at = $3 WHERE district_id = $1 AND id = $2`,
			im.districtID, im.fw.ID, r.s.ts(r.s.nowUTC())); err != nil {
			return err
		}
	}

	if len(affected) > 0 && !im.opt.DryRun {
		slices.Sort(affected)
		affected = slices.Compact(affected)
		im.changes, im.rep.Recomputed, err = r.recomputeStandards(ctx, im.districtID, nil, affected)
		if err != nil {
			return fmt.Errorf("recomputing mastery: %w", err)
		}
	}
	im.rep.FrameworkID = im.fw.ID
	return nil
}

// rolledUpBy returns the standard that rolled up a child of parent before
// the import: parent itself or, when it is retired, its nearest ancestor
// that is not; nil for none. byID holds the stored standards by id.
func rolledUpBy(byID map[int64]storedStandard, parent *int64) *int64 {
	return activeAncestor(parent, func(id int64) (standards.Standard, bool) {
		st, ok := byID[id]
		return st.Standard, ok
	}, len(byID))
}

// framework finds the framework by its CASE identifier or creates it, and
// reports whether it existed.
func (im *caseImport) framework(ctx context.Context) (bool, error) {
	r, in := im.r, im.pkg.Framework
	err := r.queryRow(ctx, `SELECT `+frameworkCols+`, uri, case_document, case_definitions FROM frameworks WHERE district_id = $1 AND sourced_id = $2`,
		im.districtID, in.Framework.SourcedID).Scan(frameworkDest(&im.fw, &im.fwURI, &im.fwDoc, &im.fwDefs)...)
	switch {
	case err == nil:
		return true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	scaleID, err := im.scale(ctx)
	if err != nil {
		return false, err
	}
	im.fw = in.Framework
	im.fw.DistrictID, im.fw.ScaleID = im.districtID, scaleID
	if im.fw.Kind == "" {
		im.fw.Kind = standards.Academic
	}
	im.fwURI = in.URI
	if err := im.fw.Validate(); err != nil {
		return false, err
	}
	im.fw.Language = im.fw.Lang()
	err = r.queryRow(ctx, `
INSERT INTO frameworks (district_id, sourced_id, title, kind, creator, version, subject, scale_id, uri, language,
    case_document, case_definitions, changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		im.districtID, im.fw.SourcedID, im.fw.Title, string(im.fw.Kind), im.fw.Creator, im.fw.Version, im.fw.Subject, scaleID, im.fwURI, im.fw.Language,
		string(in.Document), string(in.Definitions), r.s.ts(r.s.nowUTC())).Scan(&im.fw.ID)
	return false, conflictOr(err, "sourcedId", im.fw.SourcedID)
}

// scale returns the scale of a new framework: the one asked for, else the
// district's first, else a new four-level scale.
func (im *caseImport) scale(ctx context.Context) (int64, error) {
	r := im.r
	if im.opt.ScaleID != 0 {
		if err := r.mustExist(ctx, tScales, "scale", im.districtID, im.opt.ScaleID); err != nil {
			return 0, problem.Invalid("scaleId", "no scale %d in this district", im.opt.ScaleID)
		}
		return im.opt.ScaleID, nil
	}
	var id int64
	err := r.queryRow(ctx, `SELECT id FROM scales WHERE district_id = $1 ORDER BY id LIMIT 1`, im.districtID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	sc := standards.DefaultScale()
	err = r.queryRow(ctx, `INSERT INTO scales (district_id, name, levels, mastery_cut) VALUES ($1, $2, $3, $4) RETURNING id`,
		im.districtID, sc.Name, jsonText(sc.Levels), sc.MasteryCut).Scan(&id)
	if err != nil {
		return 0, err
	}
	im.rep.Created["scales"]++
	im.rep.Warnings = append(im.rep.Warnings, fmt.Sprintf("the district had no proficiency scale: created %q (scale %d) for the framework", sc.Name, id))
	return id, nil
}

// updateFramework writes the package's title, creator, version, subject,
// kind, language, URI and CFDocument and CFDefinitions as published on the
// framework; its scale stays.
func (im *caseImport) updateFramework(ctx context.Context) error {
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
	_, err := im.r.exec(ctx, `
UPDATE frameworks SET title = $3, kind = $4, creator = $5, version = $6, subject = $7, uri = $8, language = $9,
    case_document = $10, case_definitions = $11
WHERE district_id = $1 AND id = $2`, im.districtID, f.ID, f.Title, string(f.Kind), f.Creator, f.Version, f.Subject, in.URI, f.Language,
		string(in.Document), string(in.Definitions))
	im.fw, im.fwURI = f, in.URI
	return err
}

// loadStandards reads the district's standards that have a CASE
// identifier: an identifier is unique in the district, whatever the
// framework.
func (im *caseImport) loadStandards(ctx context.Context) error {
	im.stored = map[string]storedStandard{}
	return im.r.each(ctx, `SELECT `+standardCols+`, s.uri, s.case_item FROM standards s WHERE s.district_id = $1 AND s.sourced_id <> ''`,
		[]any{im.districtID}, func(row scanner) error {
			var st storedStandard
			err := row.Scan(&st.ID, &st.DistrictID, &st.FrameworkID, &st.SourcedID, &st.Code, &st.Statement, &st.Type,
				jsonCol{&st.EducationLevels}, nullCol[int64]{&st.ParentID}, &st.Position, &st.Retired, &st.URI, &st.Item)
			im.stored[st.SourcedID] = st
			return err
		})
}

// before is the framework as stored, in casepkg's terms, for casepkg.Diff:
// its standards with a CASE identifier (retired ones included, marked),
// the prerequisites between them and its crosswalks.
func (im *caseImport) before(ctx context.Context, existed bool) (*casepkg.Framework, error) {
	if !existed {
		return nil, nil
	}
	b := &casepkg.Framework{Framework: im.fw, URI: im.fwURI, Document: im.fwDoc, Definitions: im.fwDefs}
	byID := map[int64]string{}
	for _, st := range im.stored {
		if st.FrameworkID == im.fw.ID {
			byID[st.ID] = st.SourcedID
		}
	}
	var mine []storedStandard
	for _, st := range im.stored {
		if st.FrameworkID == im.fw.ID {
			mine = append(mine, st)
		}
	}
	slices.SortFunc(mine, func(a, b storedStandard) int { return cmp.Compare(a.ID, b.ID) })
	for _, st := range mine {
		cs := casepkg.Standard{Standard: st.Standard, URI: st.URI, Item: st.Item}
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
	err := im.r.each(ctx, `
SELECT p.standard_id, p.prerequisite_id FROM prerequisites p JOIN standards s ON s.id = p.standard_id
WHERE p.district_id = $1 AND s.framework_id = $2 ORDER BY p.standard_id, p.prerequisite_id`,
		[]any{im.districtID, im.fw.ID}, func(row scanner) error {
			var std, pre int64
			if err := row.Scan(&std, &pre); err != nil {
				return err
			}
			a, okA := byID[std]
			c, okC := byID[pre]
			if okA && okC {
				b.Prerequisites = append(b.Prerequisites, casepkg.Prerequisite{StandardSourcedID: a, PrerequisiteSourcedID: c})
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	b.Crosswalks, err = im.r.s.crosswalks(ctx, im.r, im.districtID, im.fw.ID)
	return b, err
}

// prerequisites removes the edges the package no longer has and adds the
// new ones, refusing any that would close a cycle through prerequisites
// elsewhere in the district.
func (im *caseImport) prerequisites(ctx context.Context, ch casepkg.Changes, ids map[string]int64, before *casepkg.Framework) error {
	r := im.r
	pair := func(p casepkg.Prerequisite) (int64, int64) {
		return ids[p.StandardSourcedID], ids[p.PrerequisiteSourcedID]
	}
	if len(ch.PrerequisitesRemoved) > 0 {
		var a, b []int64
		for _, p := range ch.PrerequisitesRemoved {
			x, y := pair(p)
			a, b = append(a, x), append(b, y)
		}
		pairs, args := r.s.pairsSQL(a, b)
		_, err := r.exec(ctx, `DELETE FROM prerequisites WHERE district_id = $1 AND (standard_id, prerequisite_id) IN (SELECT p.a, p.b FROM `+pairs+`)`,
			append([]any{im.districtID}, args...)...)
		if err != nil {
			return fmt.Errorf("removing prerequisites: %w", err)
		}
	}
	im.rep.Removed["prerequisites"] = len(ch.PrerequisitesRemoved)
	im.rep.Created["prerequisites"] = len(ch.PrerequisitesAdded)
	if before != nil {
		im.rep.Unchanged["prerequisites"] = len(before.Prerequisites) - len(ch.PrerequisitesRemoved)
	}
	if len(ch.PrerequisitesAdded) == 0 {
		return nil
	}
	edges, err := r.s.prerequisites(ctx, r, im.districtID)
	if err != nil {
		return err
	}
	next := map[int64][]int64{} // standard -> its prerequisites
	for _, e := range edges {
		next[e.StandardID] = append(next[e.StandardID], e.PrerequisiteID)
	}
	rows := make([][]any, 0, len(ch.PrerequisitesAdded))
	for _, p := range ch.PrerequisitesAdded {
		std, pre := pair(p)
		next[std] = append(next[std], pre)
		rows = append(rows, []any{im.districtID, std, pre})
	}
	if cyc := findCycle(next); cyc != nil {
		names := map[int64]string{}
		for sid, id := range ids {
			names[id] = sid
		}
		for _, st := range im.stored {
			if _, ok := names[st.ID]; !ok {
				names[st.ID] = fmt.Sprintf("standard %d", st.ID)
			}
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
			joinArrow(path))
		return im.probs.Err()
	}
	err = r.insertRows(ctx, `INSERT INTO prerequisites (district_id, standard_id, prerequisite_id) VALUES `,
		` ON CONFLICT (standard_id, prerequisite_id) DO NOTHING`, rows)
	if err != nil {
		return fmt.Errorf("adding prerequisites: %w", err)
	}
	return nil
}

func joinArrow(xs []string) string { return strings.Join(xs, " -> ") }

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

// crosswalks replaces the framework's crosswalks by the package's when
// they differ.
func (im *caseImport) crosswalks(ctx context.Context, ch casepkg.Changes, after *casepkg.Framework) error {
	im.rep.Created["crosswalks"] = len(ch.CrosswalksAdded)
	im.rep.Removed["crosswalks"] = len(ch.CrosswalksRemoved)
	im.rep.Unchanged["crosswalks"] = len(after.Crosswalks) - len(ch.CrosswalksAdded)
	if len(ch.CrosswalksAdded)+len(ch.CrosswalksRemoved) == 0 {
		return nil
	}
	r := im.r
	if _, err := r.exec(ctx, `DELETE FROM crosswalks WHERE district_id = $1 AND framework_id = $2`, im.districtID, im.fw.ID); err != nil {
		return fmt.Errorf("replacing crosswalks: %w", err)
	}
	rows := make([][]any, len(after.Crosswalks))
	for i, c := range after.Crosswalks {
		rows[i] = []any{im.districtID, im.fw.ID, i, c.Type, c.Origin.Identifier, c.Origin.URI, c.Origin.Title,
			c.Destination.Identifier, c.Destination.URI, c.Destination.Title}
	}
	err := r.insertRows(ctx, `
INSERT INTO crosswalks (district_id, framework_id, position, type, origin_id, origin_uri, origin_title, destination_id, destination_uri, destination_title) VALUES `, "", rows)
	if err != nil {
		return fmt.Errorf("replacing crosswalks: %w", err)
	}
	return nil
}

// crosswalks returns a framework's crosswalks in the order they were
// imported.
func (s *Store) crosswalks(ctx context.Context, r *runner, districtID, frameworkID int64) (out []casepkg.Crosswalk, err error) {
	err = r.each(ctx, `
SELECT type, origin_id, origin_uri, origin_title, destination_id, destination_uri, destination_title
FROM crosswalks WHERE district_id = $1 AND framework_id = $2 ORDER BY position`, []any{districtID, frameworkID}, func(row scanner) error {
		var c casepkg.Crosswalk
		err := row.Scan(&c.Type, &c.Origin.Identifier, &c.Origin.URI, &c.Origin.Title, &c.Destination.Identifier, &c.Destination.URI, &c.Destination.Title)
		out = append(out, c)
		return err
	})
	return out, err
}

// associations replaces the framework's associations as published by the
// package's when they differ, and reports whether they did.
func (im *caseImport) associations(ctx context.Context, after *casepkg.Framework) (bool, error) {
	r := im.r
	before, err := r.s.caseAssociations(ctx, r, im.districtID, im.fw.ID)
	if err != nil {
		return false, err
	}
	if slices.EqualFunc(before, after.Associations, sameAssociation) {
		return false, nil
	}
	if _, err := r.exec(ctx, `DELETE FROM case_associations WHERE district_id = $1 AND framework_id = $2`, im.districtID, im.fw.ID); err != nil {
		return false, fmt.Errorf("replacing associations: %w", err)
	}
	err = r.writeChunks(ctx, "associations", im.progress, `
INSERT INTO case_associations (district_id, framework_id, position, identifier, type, origin_id, destination_id, modelled, published) VALUES `, "",
		len(after.Associations), func(i int) []any {
			a := after.Associations[i]
			return []any{im.districtID, im.fw.ID, i, a.Identifier, a.Type, a.Origin, a.Destination, a.Modelled, string(a.JSON)}
		})
	if err != nil {
		return false, fmt.Errorf("replacing associations: %w", err)
	}
	return true, nil
}

func sameAssociation(a, b casepkg.Association) bool {
	return a.Identifier == b.Identifier && a.Type == b.Type && a.Origin == b.Origin && a.Destination == b.Destination &&
		a.Modelled == b.Modelled && bytes.Equal(a.JSON, b.JSON)
}

// caseAssociations returns a framework's associations as published, in
// the package's order.
func (s *Store) caseAssociations(ctx context.Context, r *runner, districtID, frameworkID int64) (out []casepkg.Association, err error) {
	err = r.each(ctx, `
SELECT identifier, type, origin_id, destination_id, modelled, published
FROM case_associations WHERE district_id = $1 AND framework_id = $2 ORDER BY position`, []any{districtID, frameworkID}, func(row scanner) error {
		var a casepkg.Association
		var js string
		err := row.Scan(&a.Identifier, &a.Type, &a.Origin, &a.Destination, &a.Modelled, &js)
		a.JSON = []byte(js)
		out = append(out, a)
		return err
	})
	return out, err
}
