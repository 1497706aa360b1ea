package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/standards"
)

// model is what the mastery engine needs to know about a district's
// standards: the hierarchy, each standard's scale, and the order the
// standards are shown in. It is cached per district (Store.models) and
// dropped when a standard, framework or scale is written.
//
// A retired standard stands apart in the hierarchy: no parent rolls it
// up, and its standards that are not retired hang from its nearest
// ancestor that is not retired, as an export of the framework shows them.
// Its own evidence still gives it a state, so its history stays readable.
type model struct {
	scales map[int64]standards.Scale // by scale id
	std    map[int64]stdInfo         // by standard id
	graph  *standards.Graph
	// fitted are the standards' fitted knowledge tracing parameters; a
	// standard without them uses mastery.DefaultBKTParams.
	fitted map[int64]mastery.BKTParams
	// kt is the district's logistic model, which predicts responses.
	kt *ktFit
	// version is the district's config_version the model was loaded at.
	version int64
}

// tracer returns the knowledge tracing model of a standard.
func (m *model) tracer(standardID int64) mastery.Tracer {
	if p, ok := m.fitted[standardID]; ok {
		return mastery.Tracer{Params: p, Fitted: true}
	}
	return mastery.Tracer{Params: mastery.DefaultBKTParams()}
}

type stdInfo struct {
	scaleID int64
	depth   int // number of ancestors
	order   int // position in depth-first hierarchy order, frameworks by id
	retired bool
}

// retired reports whether a standard of the model is retired; false for
// a standard the model does not have.
func (m *model) retired(standardID int64) bool { return m.std[standardID].retired }

// scaleOf returns the scale of a standard, for evidence.Validate.
func (m *model) scaleOf(standardID int64) (standards.Scale, bool) {
	si, ok := m.std[standardID]
	if !ok {
		return standards.Scale{}, false
	}
	sc, ok := m.scales[si.scaleID]
	return sc, ok
}

// anyVersion asks model and policiesOf for whatever is cached, of any
// config_version: what reads use, where a change made a moment ago by
// another server may show a moment late.
const anyVersion = -1

// model returns the district's model, loading it with r when it is not
// cached or, unless version is anyVersion, was loaded at another
// config_version than version.
func (s *Store) model(ctx context.Context, r *runner, districtID, version int64) (*model, error) {
	m, gen, ok := s.models.get(districtID)
	if ok && (version == anyVersion || m.version == version) {
		return m, nil
	}
	m, err := loadModel(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	s.models.put(districtID, gen, m)
	return m, nil
}

func loadModel(ctx context.Context, r *runner, districtID int64) (*model, error) {
	m := &model{scales: map[int64]standards.Scale{}, std: map[int64]stdInfo{}}
	// The version is read first: a change committed while the rest is
	// read can only make the cached model look older than it is.
	var err error
	if m.version, err = r.configVersion(ctx, districtID); err != nil {
		return nil, err
	}
	scales, err := r.s.scales(ctx, r, districtID)
	if err != nil {
		return nil, fmt.Errorf("loading scales: %w", err)
	}
	for _, sc := range scales {
		m.scales[sc.ID] = sc
	}
	fwScale := map[int64]int64{}
	err = r.each(ctx, `SELECT id, scale_id FROM frameworks WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var id, scale int64
		if err := row.Scan(&id, &scale); err != nil {
			return err
		}
		fwScale[id] = scale
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading frameworks: %w", err)
	}
	var all []standards.Standard
	err = r.each(ctx, `SELECT id, framework_id, parent_id, position, retired FROM standards WHERE district_id = $1`, []any{districtID}, func(row scanner) error {
		var st standards.Standard
		if err := row.Scan(&st.ID, &st.FrameworkID, nullCol[int64]{&st.ParentID}, &st.Position, &st.Retired); err != nil {
			return err
		}
		all = append(all, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading standards: %w", err)
	}
	m.graph = standards.NewGraph(withoutRetired(all), nil)
	for i, st := range hierarchyOrder(all) {
		m.std[st.ID] = stdInfo{scaleID: fwScale[st.FrameworkID], depth: len(m.graph.Ancestors(st.ID)), order: i, retired: st.Retired}
	}
	if m.fitted, err = r.bktParams(ctx, districtID); err != nil {
		return nil, err
	}
	if m.kt, err = r.loadKT(ctx, districtID); err != nil {
		return nil, err
	}
	return m, nil
}

// withoutRetired returns the hierarchy the mastery engine rolls up: all
// with each retired standard cut loose from its parent, and each standard
// under a retired one moved up to its nearest ancestor that is not
// retired (a root when there is none).
func withoutRetired(all []standards.Standard) []standards.Standard {
	byID := make(map[int64]standards.Standard, len(all))
	for _, st := range all {
		byID[st.ID] = st
	}
	lookup := func(id int64) (standards.Standard, bool) { st, ok := byID[id]; return st, ok }
	out := make([]standards.Standard, len(all))
	for i, st := range all {
		out[i] = st
		if st.Retired {
			out[i].ParentID = nil
			continue
		}
		out[i].ParentID = activeAncestor(st.ParentID, lookup, len(all))
	}
	return out
}

// activeAncestor returns parent when it is not retired, else its nearest
// ancestor that is not: the standard that rolls up a child of parent. It
// returns nil when there is none. byID finds a stored standard; a parent it
// does not know counts as not retired. limit bounds the walk (a loop in
// the hierarchy is refused on write, but must not hang a read).
func activeAncestor(parent *int64, byID func(int64) (standards.Standard, bool), limit int) *int64 {
	for range limit + 1 {
		if parent == nil {
			return nil
		}
		st, ok := byID(*parent)
		if !ok || !st.Retired {
			return parent
		}
		parent = st.ParentID
	}
	return nil
}

// hierarchyOrder returns standards depth-first: each standard followed by
// its children in position order; frameworks by id, roots by position.
func hierarchyOrder(all []standards.Standard) []standards.Standard {
	byID := make(map[int64]bool, len(all))
	for _, st := range all {
		byID[st.ID] = true
	}
	kids := map[int64][]standards.Standard{}
	var roots []standards.Standard
	for _, st := range all {
		if st.ParentID != nil && byID[*st.ParentID] {
			kids[*st.ParentID] = append(kids[*st.ParentID], st)
		} else {
			roots = append(roots, st)
		}
	}
	less := func(a, b standards.Standard) int {
		return cmp.Or(cmp.Compare(a.FrameworkID, b.FrameworkID), cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	}
	slices.SortFunc(roots, less)
	out := make([]standards.Standard, 0, len(all))
	seen := make(map[int64]bool, len(all))
	var visit func(st standards.Standard)
	visit = func(st standards.Standard) {
		if seen[st.ID] {
			return
		}
		seen[st.ID] = true
		out = append(out, st)
		k := kids[st.ID]
		slices.SortFunc(k, less)
		for _, c := range k {
			visit(c)
		}
	}
	for _, st := range roots {
		visit(st)
	}
	// A loop in the hierarchy (refused on write) would leave standards
	// unvisited; list them rather than lose them.
	for _, st := range all {
		if !seen[st.ID] {
			visit(st)
		}
	}
	return out
}

// policies are the mastery policies in force in a district: its own, and
// the course overrides that apply to each standard. Cached per district
// (Store.policies) and dropped on SetPolicy, ClearCoursePolicy and
// SetCourseStandards.
type policies struct {
	district   mastery.Policy
	byStandard map[int64]mastery.Policy
	version    int64 // config_version when loaded
}

// of returns the policy of a standard: the override of the lowest-numbered
// course mapped to it that has one, else the district's.
// A course decides its method and rollup; whether mastery follows the
// model is the district's choice and applies to every course.
func (p *policies) of(standardID int64) mastery.Policy {
	if pol, ok := p.byStandard[standardID]; ok {
		pol.MasteredBy, pol.Confidence = p.district.MasteredBy, p.district.Confidence
		return pol
	}
	return p.district
}

func (s *Store) policiesOf(ctx context.Context, r *runner, districtID, version int64) (*policies, error) {
	p, gen, ok := s.policies.get(districtID)
	if ok && (version == anyVersion || p.version == version) {
		return p, nil
	}
	p, err := loadPolicies(ctx, r, districtID)
	if err != nil {
		return nil, err
	}
	s.policies.put(districtID, gen, p)
	return p, nil
}

func loadPolicies(ctx context.Context, r *runner, districtID int64) (*policies, error) {
	p := &policies{byStandard: map[int64]mastery.Policy{}}
	var err error
	if p.version, err = r.configVersion(ctx, districtID); err != nil {
		return nil, err
	}
	if p.district, err = r.s.districtPolicy(ctx, r, districtID); err != nil {
		return nil, err
	}
	err = r.each(ctx, `
SELECT cs.standard_id, cp.policy
FROM course_policies cp
JOIN course_standards cs ON cs.course_id = cp.course_id
WHERE cp.district_id = $1
ORDER BY cs.standard_id, cp.course_id`, []any{districtID}, func(row scanner) error {
		var std int64
		var pol mastery.Policy
		if err := row.Scan(&std, jsonCol{&pol}); err != nil {
			return err
		}
		if _, ok := p.byStandard[std]; !ok {
			p.byStandard[std] = pol
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading course policies: %w", err)
	}
	return p, nil
}
