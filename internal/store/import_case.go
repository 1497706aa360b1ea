package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

// FrameworkPlanner plans a CASE import against what the district holds
// (casepkg.Plan); a *casepkg.Package is one.
type FrameworkPlanner interface {
	// Source names where the package came from (a file name, a URL) in
	// errors.
	Source() string
	// FrameworkSourcedID is the CASE identifier of the framework imported.
	FrameworkSourcedID() string
	// PlanImport plans the import against snap, or refuses it.
	PlanImport(snap *importplan.FrameworkSnapshot, opt importplan.Options) (*importplan.FrameworkPlan, error)
}

// ImportCASE imports a CASE framework into the district, in one
// transaction: it reads what the district holds, has pkg plan the import
// against it (see casepkg.Plan for what a plan does and refuses), and
// writes the plan. When the hierarchy changes, the mastery rollups it
// feeds are recomputed in the same transaction. A refused plan's error is
// returned as the planner gave it, and nothing is written.
func (s *Store) ImportCASE(ctx context.Context, districtID int64, pkg FrameworkPlanner, opt ImportOptions) (rep ImportReport, err error) {
	defer wrap(&err, "ImportCASE(%s)", pkg.Source())
	start := s.now()
	rep = newReport(opt.DryRun)
	var changes []Change
	err = s.inTx(ctx, func(r *runner) error {
		if err := r.districtExists(ctx, districtID); err != nil {
			return err
		}
		snap, err := r.frameworkSnapshot(ctx, districtID, pkg.FrameworkSourcedID(), opt.ScaleID)
		if err != nil {
			return err
		}
		plan, err := pkg.PlanImport(snap, importplan.Options{Limit: opt.Limit, Progress: opt.Progress})
		if err != nil {
			return err
		}
		addCounts(&rep, plan.Counts)
		rep.Retired["standards"] = len(plan.Retire)
		if err := r.applyFramework(ctx, districtID, plan, progressFunc(opt.Progress)); err != nil {
			return err
		}
		// The hierarchy, scales and prerequisites changed: this server's
		// caches are dropped, and config_version advances so that other
		// servers on the database drop theirs before they next record or
		// show a page.
		r.dropModel(districtID)
		r.dropCatalog(districtID)
		if len(plan.Affected) > 0 && !opt.DryRun {
			changes, rep.Recomputed, err = r.recomputeStandards(ctx, districtID, nil, plan.Affected)
			if err != nil {
				return fmt.Errorf("recomputing mastery: %w", err)
			}
		}
		rep.FrameworkID = plan.Framework.ID
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

// frameworkSnapshot reads what a CASE import of the framework sourcedID
// is planned against. A scale asked for (scaleID) must be the district's.
func (r *runner) frameworkSnapshot(ctx context.Context, districtID int64, sourcedID string, scaleID int64) (*importplan.FrameworkSnapshot, error) {
	snap := &importplan.FrameworkSnapshot{DistrictID: districtID}
	snap.IDs = r.idsOf(ctx)
	err := r.queryRow(ctx, `SELECT `+frameworkCols+`, uri, case_document, case_definitions FROM frameworks WHERE district_id = $1 AND sourced_id = $2`,
		districtID, sourcedID).Scan(frameworkDest(&snap.Framework, &snap.URI, &snap.Document, &snap.Definitions)...)
	switch {
	case err == nil:
		snap.Exists = true
		if snap.Crosswalks, err = r.s.crosswalks(ctx, r, districtID, snap.Framework.ID); err != nil {
			return nil, err
		}
		if snap.Associations, err = r.s.caseAssociations(ctx, r, districtID, snap.Framework.ID); err != nil {
			return nil, err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	case scaleID != 0:
		if err := r.mustExist(ctx, tScales, "scale", districtID, scaleID); err != nil {
			return nil, problem.Invalid("scaleId", "no scale %d in this district", scaleID)
		}
		snap.ScaleID = scaleID
	default:
		err := r.queryRow(ctx, `SELECT id FROM scales WHERE district_id = $1 ORDER BY id LIMIT 1`, districtID).Scan(&snap.ScaleID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	err = r.each(ctx, `SELECT `+standardCols+`, s.uri, s.case_item FROM standards s WHERE s.district_id = $1 AND s.sourced_id <> ''`,
		[]any{districtID}, func(row scanner) error {
			var st importplan.CASEStandard
			err := row.Scan(&st.ID, &st.DistrictID, &st.FrameworkID, &st.SourcedID, &st.Code, &st.Statement, &st.Type,
				jsonCol{&st.EducationLevels}, nullCol[int64]{&st.ParentID}, &st.Position, &st.Retired, &st.URI, &st.Item)
			snap.Standards = append(snap.Standards, st)
			return err
		})
	if err != nil {
		return nil, err
	}
	snap.Prerequisites, err = r.s.prerequisites(ctx, r, districtID)
	return snap, err
}

// applyFramework writes a CASE import's plan.
func (r *runner) applyFramework(ctx context.Context, districtID int64, p *importplan.FrameworkPlan, progress progressFunc) error {
	fw := p.Framework
	if sc := p.NewScale; sc != nil {
		_, err := r.exec(ctx, `INSERT INTO scales (id, district_id, name, levels, mastery_cut) VALUES ($1, $2, $3, $4, $5)`,
			sc.ID, districtID, sc.Name, jsonText(sc.Levels), sc.MasteryCut)
		if err != nil {
			return err
		}
	}
	switch {
	case p.Create:
		_, err := r.exec(ctx, `
INSERT INTO frameworks (id, district_id, sourced_id, title, kind, creator, version, subject, scale_id, uri, language,
    case_document, case_definitions, changed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			fw.ID, districtID, fw.SourcedID, fw.Title, string(fw.Kind), fw.Creator, fw.Version, fw.Subject, fw.ScaleID, p.URI, fw.Language,
			string(p.Document), string(p.Definitions), r.s.ts(r.s.nowUTC()))
		if err != nil {
			return conflictOr(err, "sourcedId", fw.SourcedID)
		}
	case p.Update:
		_, err := r.exec(ctx, `
UPDATE frameworks SET title = $3, kind = $4, creator = $5, version = $6, subject = $7, uri = $8, language = $9,
    case_document = $10, case_definitions = $11
WHERE district_id = $1 AND id = $2`, districtID, fw.ID, fw.Title, string(fw.Kind), fw.Creator, fw.Version, fw.Subject, p.URI, fw.Language,
			string(p.Document), string(p.Definitions))
		if err != nil {
			return err
		}
	}
	err := r.writeChunks(ctx, "standards", progress, `
INSERT INTO standards (id, district_id, framework_id, sourced_id, code, statement, type, education_levels, parent_id, position, retired, uri, case_item) VALUES `, `
ON CONFLICT (id) DO UPDATE SET code = excluded.code, statement = excluded.statement, type = excluded.type,
    education_levels = excluded.education_levels, parent_id = excluded.parent_id, position = excluded.position,
    retired = excluded.retired, uri = excluded.uri, case_item = excluded.case_item`, len(p.Standards), func(i int) []any {
		st := p.Standards[i]
		return []any{st.ID, districtID, fw.ID, st.SourcedID, st.Code, st.Statement, st.Type,
			jsonText(st.EducationLevels), nullInt64(st.ParentID), st.Position, false, st.URI, string(st.Item)}
	})
	if err != nil {
		return conflictOr(err, "sourcedId", "a CASE identifier")
	}
	if len(p.Retire) > 0 {
		if _, err := r.exec(ctx, `UPDATE standards SET retired = $2 WHERE district_id = $1 AND id IN ids($3)`,
			districtID, true, r.s.ids(p.Retire)); err != nil {
			return fmt.Errorf("retiring standards: %w", err)
		}
	}
	if len(p.PrerequisitesRemoved) > 0 {
		a, b := make([]int64, len(p.PrerequisitesRemoved)), make([]int64, len(p.PrerequisitesRemoved))
		for i, e := range p.PrerequisitesRemoved {
			a[i], b[i] = e.StandardID, e.PrerequisiteID
		}
		pairs, args := r.s.pairsSQL(a, b)
		_, err := r.exec(ctx, `DELETE FROM prerequisites WHERE district_id = $1 AND (standard_id, prerequisite_id) IN (SELECT p.a, p.b FROM `+pairs+`)`,
			append([]any{districtID}, args...)...)
		if err != nil {
			return fmt.Errorf("removing prerequisites: %w", err)
		}
	}
	if len(p.PrerequisitesAdded) > 0 {
		rows := make([][]any, len(p.PrerequisitesAdded))
		for i, e := range p.PrerequisitesAdded {
			rows[i] = []any{districtID, e.StandardID, e.PrerequisiteID}
		}
		err := r.insertRows(ctx, `INSERT INTO prerequisites (district_id, standard_id, prerequisite_id) VALUES `,
			` ON CONFLICT (standard_id, prerequisite_id) DO NOTHING`, rows)
		if err != nil {
			return fmt.Errorf("adding prerequisites: %w", err)
		}
	}
	if p.ReplaceCrosswalks {
		if _, err := r.exec(ctx, `DELETE FROM crosswalks WHERE district_id = $1 AND framework_id = $2`, districtID, fw.ID); err != nil {
			return fmt.Errorf("replacing crosswalks: %w", err)
		}
		rows := make([][]any, len(p.Crosswalks))
		for i, c := range p.Crosswalks {
			rows[i] = []any{districtID, fw.ID, i, c.Type, c.Origin.Identifier, c.Origin.URI, c.Origin.Title,
				c.Destination.Identifier, c.Destination.URI, c.Destination.Title}
		}
		err := r.insertRows(ctx, `
INSERT INTO crosswalks (district_id, framework_id, position, type, origin_id, origin_uri, origin_title, destination_id, destination_uri, destination_title) VALUES `, "", rows)
		if err != nil {
			return fmt.Errorf("replacing crosswalks: %w", err)
		}
	}
	if p.ReplaceAssociations {
		if _, err := r.exec(ctx, `DELETE FROM case_associations WHERE district_id = $1 AND framework_id = $2`, districtID, fw.ID); err != nil {
			return fmt.Errorf("replacing associations: %w", err)
		}
		err := r.writeChunks(ctx, "associations", progress, `
INSERT INTO case_associations (district_id, framework_id, position, identifier, type, origin_id, destination_id, modelled, published) VALUES `, "",
			len(p.Associations), func(i int) []any {
				a := p.Associations[i]
				return []any{districtID, fw.ID, i, a.Identifier, a.Type, a.Origin, a.Destination, a.Modelled, string(a.JSON)}
			})
		if err != nil {
			return fmt.Errorf("replacing associations: %w", err)
		}
	}
	if p.Touch {
		if _, err := r.exec(ctx, `UPDATE frameworks SET changed_at = $3 WHERE district_id = $1 AND id = $2`,
			districtID, fw.ID, r.s.ts(r.s.nowUTC())); err != nil {
			return err
		}
	}
	return nil
}

// crosswalks returns a framework's crosswalks in the order they were
// imported.
func (s *Store) crosswalks(ctx context.Context, r *runner, districtID, frameworkID int64) (out []standards.Crosswalk, err error) {
	err = r.each(ctx, `
SELECT type, origin_id, origin_uri, origin_title, destination_id, destination_uri, destination_title
FROM crosswalks WHERE district_id = $1 AND framework_id = $2 ORDER BY position`, []any{districtID, frameworkID}, func(row scanner) error {
		var c standards.Crosswalk
		err := row.Scan(&c.Type, &c.Origin.Identifier, &c.Origin.URI, &c.Origin.Title, &c.Destination.Identifier, &c.Destination.URI, &c.Destination.Title)
		out = append(out, c)
		return err
	})
	return out, err
}

// caseAssociations returns a framework's associations as published, in
// the package's order.
func (s *Store) caseAssociations(ctx context.Context, r *runner, districtID, frameworkID int64) (out []standards.Association, err error) {
	err = r.each(ctx, `
SELECT identifier, type, origin_id, destination_id, modelled, published
FROM case_associations WHERE district_id = $1 AND framework_id = $2 ORDER BY position`, []any{districtID, frameworkID}, func(row scanner) error {
		var a standards.Association
		var js string
		err := row.Scan(&a.Identifier, &a.Type, &a.Origin, &a.Destination, &a.Modelled, &js)
		a.JSON = []byte(js)
		out = append(out, a)
		return err
	})
	return out, err
}
