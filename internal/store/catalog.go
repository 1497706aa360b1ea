package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/cairn-learning/cairn/internal/standards"
)

// catalogEntry is a district's cached standards.Catalog, with what it was
// read against: the generations of the model and policy caches when its
// load began (a write that drops either drops it too, even one that
// invalidates the model cache directly), and the district's
// config_version it was read at.
type catalogEntry struct {
	cat                 *standards.Catalog
	modelGen, policyGen uint64
	version             int64
}

// Catalog returns the district's standards as pages read them (see
// standards.Catalog), shared between requests. It is read again after a
// write to the district's standards, frameworks, scales, prerequisites,
// course mappings or language on this store, and once a request's actor
// (Store.Actor) shows that another server on the same database advanced
// the district's config_version.
func (s *Store) Catalog(ctx context.Context, districtID int64) (_ *standards.Catalog, err error) {
	defer wrap(&err, "Catalog(%d)", districtID)
	_, mg, _ := s.models.get(districtID)
	_, pg, _ := s.policies.get(districtID)
	e, gen, ok := s.catalogs.get(districtID)
	if ok && e.modelGen == mg && e.policyGen == pg && e.version >= s.versions.seen(districtID) {
		return e.cat, nil
	}
	e = &catalogEntry{modelGen: mg, policyGen: pg}
	err = s.inReadTx(ctx, func(r *runner) error {
		var err error
		e.cat, e.version, err = loadCatalog(ctx, r, districtID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.catalogs.put(districtID, gen, e)
	return e.cat, nil
}

// loadCatalog reads a district's catalog and the config_version it was
// read at.
func loadCatalog(ctx context.Context, r *runner, districtID int64) (*standards.Catalog, int64, error) {
	var p standards.CatalogParts
	var version int64
	err := r.queryRow(ctx, `SELECT language, config_version FROM districts WHERE id = $1`, districtID).Scan(&p.Language, &version)
	if err != nil {
		return nil, 0, noRows(err, "district", districtID)
	}
	err = r.each(ctx, `SELECT `+frameworkCols+` FROM frameworks WHERE district_id = $1 ORDER BY id`, []any{districtID}, func(row scanner) error {
		f, err := scanFramework(row)
		p.Frameworks = append(p.Frameworks, f)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("loading frameworks: %w", err)
	}
	if p.Scales, err = r.s.scales(ctx, r, districtID); err != nil {
		return nil, 0, fmt.Errorf("loading scales: %w", err)
	}
	var all []standards.Standard
	err = r.each(ctx, `SELECT `+standardCols+` FROM standards s WHERE s.district_id = $1`, []any{districtID}, func(row scanner) error {
		st, err := scanStandard(row)
		all = append(all, st)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("loading standards: %w", err)
	}
	p.Standards = hierarchyOrder(all)
	if p.Prerequisites, err = r.s.prerequisites(ctx, r, districtID); err != nil {
		return nil, 0, fmt.Errorf("loading prerequisites: %w", err)
	}
	p.Courses = map[int64][]int64{}
	err = r.each(ctx, `SELECT course_id, standard_id FROM course_standards WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var course, std int64
		err := row.Scan(&course, &std)
		p.Courses[course] = append(p.Courses[course], std)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("loading course standards: %w", err)
	}
	return standards.NewCatalog(p), version, nil
}

// dropCatalog drops the district's cached catalog, now and again once the
// transaction commits, and advances its config_version, as dropModel does
// for what the catalog shares with the model.
func (r *runner) dropCatalog(districtID int64) {
	r.s.catalogs.invalidate(districtID)
	r.committed = append(r.committed, func() { r.s.catalogs.invalidate(districtID) })
	r.changeConfig(districtID)
}

// configVersions keeps the highest config_version this store has seen of
// each district, so that a cached catalog older than it is read again.
type configVersions struct {
	mu sync.Mutex
	v  map[int64]int64
}

// note records that the district's config_version is at least v.
func (c *configVersions) note(districtID, v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.v == nil {
		c.v = map[int64]int64{}
	}
	if v > c.v[districtID] {
		c.v[districtID] = v
	}
}

// seen returns the highest config_version noted for the district.
func (c *configVersions) seen(districtID int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v[districtID]
}
