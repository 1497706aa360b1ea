package casepkg

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/testenv"
)

// district holds frameworks in memory as a store would: what CASE plans
// are made against, and what applying a plan changes.
type district struct {
	id         int64
	scales     []int64
	frameworks map[string]*importplan.FrameworkSnapshot // by CASE identifier: the framework's own part
	standards  []importplan.CASEStandard
	prereqs    []standards.Prerequisite
	next       map[string]int64
}

func newDistrict() *district {
	return &district{id: 1, frameworks: map[string]*importplan.FrameworkSnapshot{}, next: map[string]int64{}}
}

func (d *district) snapshot(sourcedID string) *importplan.FrameworkSnapshot {
	s := importplan.FrameworkSnapshot{DistrictID: d.id}
	if fw, ok := d.frameworks[sourcedID]; ok {
		s = *fw
	} else if len(d.scales) > 0 {
		s.ScaleID = d.scales[0]
	}
	s.Standards = slices.Clone(d.standards)
	s.Prerequisites = slices.Clone(d.prereqs)
	ids := importplan.Counter(d.next)
	s.IDs = func(table string) (int64, error) {
		id, err := ids(table)
		d.next[table] = id + 1
		return id, err
	}
	return &s
}

func (d *district) apply(p *importplan.FrameworkPlan) {
	if p.NewScale != nil {
		d.scales = append(d.scales, p.NewScale.ID)
	}
	fw := d.frameworks[p.Framework.SourcedID]
	if fw == nil {
		fw = &importplan.FrameworkSnapshot{DistrictID: d.id, Exists: true}
		d.frameworks[p.Framework.SourcedID] = fw
	}
	if p.Create || p.Update {
		fw.Framework, fw.URI, fw.Document, fw.Definitions = p.Framework, p.URI, p.Document, p.Definitions
	}
	for _, st := range p.Standards {
		i := slices.IndexFunc(d.standards, func(s importplan.CASEStandard) bool { return s.ID == st.ID })
		if i < 0 {
			d.standards = append(d.standards, st)
		} else {
			d.standards[i] = st
		}
	}
	for i := range d.standards {
		if slices.Contains(p.Retire, d.standards[i].ID) {
			d.standards[i].Retired = true
		}
	}
	d.prereqs = slices.DeleteFunc(d.prereqs, func(e standards.Prerequisite) bool { return slices.Contains(p.PrerequisitesRemoved, e) })
	d.prereqs = append(d.prereqs, p.PrerequisitesAdded...)
	if p.ReplaceCrosswalks {
		fw.Crosswalks = p.Crosswalks
	}
	if p.ReplaceAssociations {
		fw.Associations = p.Associations
	}
}

// planView is a plan as its golden file shows it: items and associations
// as published are left out (the parse goldens hold them), their number
// kept.
type planView struct {
	*importplan.FrameworkPlan
	Document, Definitions string `json:",omitempty"`
	Associations          int
}

func checkGolden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if d := cmp.Diff(string(want), string(b)); d != "" {
		t.Errorf("plan differs from %s (-want +got):\n%s", path, d)
	}
}

func planGolden(t *testing.T, d *district, name string, pkg *Package) *importplan.FrameworkPlan {
	t.Helper()
	p, err := Plan(pkg, d.snapshot(pkg.FrameworkSourcedID()), importplan.Options{})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	v := planView{FrameworkPlan: p, Associations: len(p.Associations)}
	if len(p.Document) > 0 {
		v.Document = "(as published)"
	}
	if len(p.Definitions) > 0 {
		v.Definitions = "(as published)"
	}
	view := *p
	view.Standards = nil
	for _, st := range p.Standards {
		if len(st.Item) == 0 {
			t.Errorf("standard %s: no CFItem as published", st.SourcedID)
		}
		st.Item = nil
		view.Standards = append(view.Standards, st)
	}
	v.FrameworkPlan = &view
	checkGolden(t, name, v)
	return p
}

func mustParse(t *testing.T, path string) *Package {
	t.Helper()
	pkg, err := parseFile(t, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pkg
}

// TestPlanGoldenShared plans the import of OpenSALT's published
// frameworks (../shared/data/case) into an empty district: a new scale,
// the framework and its items in hierarchy order; then the same package
// again, which plans nothing.
func TestPlanGoldenShared(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "case")
	if _, err := os.Stat(dir); err != nil {
		testenv.Skip(t, "the shared data folder is absent: "+dir)
	}
	for _, name := range []string{"opensalt-Ordering", "opensalt-SmartLevelFramework", "opensalt-Utf8TestFramework"} {
		t.Run(name, func(t *testing.T) {
			d := newDistrict()
			pkg := mustParse(t, filepath.Join(dir, name+".json"))
			p := planGolden(t, d, "plan-"+name, pkg)
			if !p.Create || p.NewScale == nil || len(p.Standards) != len(pkg.Framework.Standards) {
				t.Errorf("first import: create %v, new scale %v, %d standards of %d", p.Create, p.NewScale, len(p.Standards), len(pkg.Framework.Standards))
			}
			d.apply(p)
			again, err := Plan(pkg, d.snapshot(pkg.FrameworkSourcedID()), importplan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if again.Create || again.Update || again.NewScale != nil || len(again.Standards)+len(again.Retire)+len(again.Affected) > 0 ||
				again.ReplaceAssociations || again.ReplaceCrosswalks || again.Touch {
				t.Errorf("the same package again plans changes: %+v", again)
			}
		})
	}
}

// withoutItem returns the package at path without its last item that is
// no other's parent, nor the associations that name it.
func withoutItem(t *testing.T, path string) (*Package, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	var assocs []map[string]any
	if err := json.Unmarshal(doc["CFItems"], &items); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc["CFAssociations"], &assocs); err != nil {
		t.Fatal(err)
	}
	end := func(a map[string]any, k string) string { return a[k].(map[string]any)["identifier"].(string) }
	parents := map[string]bool{}
	for _, a := range assocs {
		if a["associationType"] == "isChildOf" {
			parents[end(a, "destinationNodeURI")] = true
		}
	}
	gone := ""
	for i := len(items) - 1; i >= 0; i-- {
		if id := items[i]["identifier"].(string); !parents[id] {
			gone = id
			items = slices.Delete(items, i, i+1)
			break
		}
	}
	assocs = slices.DeleteFunc(assocs, func(a map[string]any) bool {
		return end(a, "originNodeURI") == gone || end(a, "destinationNodeURI") == gone
	})
	doc["CFItems"], _ = json.Marshal(items)
	doc["CFAssociations"], _ = json.Marshal(assocs)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := Parse(bytes.NewReader(out), filepath.Base(path))
	if err != nil {
		t.Fatalf("%s without %s: %v", path, gone, err)
	}
	return pkg, gone
}

// TestPlanGoldenVersions plans a framework with prerequisites and
// crosswalks into a district, then a new version of it without one item
// (retired, its prerequisites removed, its parent's rollups recomputed),
// then the first version again (the item back from retirement).
func TestPlanGoldenVersions(t *testing.T) {
	path := filepath.Join("testdata", "fractions-prerequisites-v1p1.json")
	d := newDistrict()
	d.scales = []int64{7}
	v1 := mustParse(t, path)
	p := planGolden(t, d, "plan-fractions", v1)
	if p.NewScale != nil || p.Framework.ScaleID != 7 {
		t.Errorf("a district with a scale: new scale %v, framework's scale %d", p.NewScale, p.Framework.ScaleID)
	}
	d.apply(p)
	v2, gone := withoutItem(t, path)
	p = planGolden(t, d, "plan-fractions-without-item", v2)
	if len(p.Retire) != 1 || p.Retire[0] != idOf(d, gone) {
		t.Errorf("retires %v, want the standard of %s (%d)", p.Retire, gone, idOf(d, gone))
	}
	d.apply(p)
	p = planGolden(t, d, "plan-fractions-item-back", v1)
	if !slices.Contains(p.Affected, idOf(d, gone)) {
		t.Errorf("affected %v lacks the standard back from retirement (%d)", p.Affected, idOf(d, gone))
	}
}

func idOf(d *district, sourcedID string) int64 {
	for _, st := range d.standards {
		if st.SourcedID == sourcedID {
			return st.ID
		}
	}
	return 0
}

// TestPlanRefuses checks the refusals that need what the district holds:
// items another framework of the district has, and prerequisites that
// would close a cycle through a standard of another framework.
func TestPlanRefuses(t *testing.T) {
	path := filepath.Join("testdata", "fractions-prerequisites-v1p1.json")
	pkg := mustParse(t, path)
	t.Run("item of another framework", func(t *testing.T) {
		d := newDistrict()
		p, err := Plan(pkg, d.snapshot(pkg.FrameworkSourcedID()), importplan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.apply(p)
		other := *pkg
		other.Framework.Framework.SourcedID = "another-framework"
		_, err = Plan(&other, d.snapshot("another-framework"), importplan.Options{Limit: 2})
		var bad *badinput.Error
		if !errors.As(err, &bad) {
			t.Fatalf("Plan: %v, want a *badinput.Error", err)
		}
		checkGolden(t, "plan-refused-items", strings.Split(bad.Error(), "\n"))
	})
	t.Run("cycle", func(t *testing.T) {
		p, err := Plan(pkg, newDistrict().snapshot(pkg.FrameworkSourcedID()), importplan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.PrerequisitesAdded) == 0 {
			t.Fatal("the package has no prerequisites")
		}
		// Standard 900, of a framework made in cairn, comes after the
		// first prerequisite's standard and before its prerequisite; a
		// district like the first gives the package's items the same ids.
		e := p.PrerequisitesAdded[0]
		snap := newDistrict().snapshot(pkg.FrameworkSourcedID())
		snap.Prerequisites = []standards.Prerequisite{
			{DistrictID: 1, StandardID: e.PrerequisiteID, PrerequisiteID: 900},
			{DistrictID: 1, StandardID: 900, PrerequisiteID: e.StandardID},
		}
		_, err = Plan(pkg, snap, importplan.Options{})
		var bad *badinput.Error
		if !errors.As(err, &bad) {
			t.Fatalf("Plan: %v, want a *badinput.Error", err)
		}
		checkGolden(t, "plan-refused-cycle", bad.Error())
	})
}
