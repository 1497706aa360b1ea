package oneroster

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/importplan"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/roster"
)

// district is a district as a store would hold it, in memory: what plans
// are made against, and what applying a plan changes.
type district struct {
	snap importplan.RosterSnapshot
	next map[string]int64
	kept map[importplan.KeptHash]bool
}

func newDistrict() *district {
	return &district{snap: importplan.RosterSnapshot{District: roster.District{ID: 1, Name: "Golden"}, OtherDistricts: map[string]bool{}},
		next: map[string]int64{}, kept: map[importplan.KeptHash]bool{}}
}

// snapshot returns what a plan is made against, with ids going on from
// those already given.
func (d *district) snapshot() *importplan.RosterSnapshot {
	s := d.snap
	s.Schools, s.Terms, s.Courses = slices.Clone(s.Schools), slices.Clone(s.Terms), slices.Clone(s.Courses)
	s.Classes, s.People, s.Enrollments = slices.Clone(s.Classes), slices.Clone(s.People), slices.Clone(s.Enrollments)
	ids := importplan.Counter(d.next)
	s.IDs = func(table string) (int64, error) {
		id, err := ids(table)
		d.next[table] = id + 1
		return id, err
	}
	kept := make([]importplan.KeptHash, 0, len(d.kept))
	for k := range d.kept {
		kept = append(kept, k)
	}
	slices.SortFunc(kept, func(a, b importplan.KeptHash) int {
		if a.Entity != b.Entity {
			return compareStrings(a.Entity, b.Entity)
		}
		return compareStrings(a.SourcedID, b.SourcedID)
	})
	s.EachKept = func(f func(importplan.KeptHash)) error {
		for _, k := range kept {
			f(k)
		}
		return nil
	}
	return &s
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// known is what a package read against the district may refer to, as the
// store gives it (store.OneRosterKnown).
func (d *district) known() Snapshot {
	known := Snapshot{}
	add := func(e Entity, id string, h uint64) {
		if known[e] == nil {
			known[e] = map[string]uint64{}
		}
		known[e][id] = h
	}
	for k := range d.kept {
		add(Entity(k.Entity), k.SourcedID, k.Hash)
	}
	each := func(e Entity, kind string, id int64, sid string, retired bool) {
		if key := ExportID(kind, id, sid); !retired {
			if _, ok := known[e][key]; !ok {
				add(e, key, 0)
			}
		}
	}
	each(Orgs, "district", d.snap.District.ID, d.snap.District.SourcedID, false)
	for _, r := range d.snap.Schools {
		each(Orgs, "school", r.ID, r.SourcedID, r.Retired)
	}
	for _, r := range d.snap.Terms {
		each(AcademicSessions, "term", r.ID, r.SourcedID, r.Retired)
	}
	for _, r := range d.snap.Courses {
		each(Courses, "course", r.ID, r.SourcedID, r.Retired)
	}
	for _, r := range d.snap.Classes {
		each(Classes, "class", r.ID, r.SourcedID, r.Retired)
	}
	for _, r := range d.snap.People {
		each(Users, "person", r.ID, r.SourcedID, r.Retired)
	}
	for _, r := range d.snap.Enrollments {
		each(Enrollments, "enrollment", r.ID, r.SourcedID, r.Retired)
	}
	return known
}

// upsert writes records as the store does: by id, brought back to life.
func upsert[T comparable](have []importplan.Record[T], writes []importplan.Record[T]) []importplan.Record[T] {
	for _, w := range writes {
		i := slices.IndexFunc(have, func(r importplan.Record[T]) bool { return r.ID == w.ID })
		w.Retired = false
		if i < 0 {
			have = append(have, w)
		} else {
			have[i] = w
		}
	}
	return have
}

func retire[T comparable](have []importplan.Record[T], ids []int64) {
	for i := range have {
		if slices.Contains(ids, have[i].ID) {
			have[i].Retired = true
		}
	}
}

// apply changes the district as the store applies p.
func (d *district) apply(t *testing.T, p *importplan.RosterPlan) {
	t.Helper()
	s := &d.snap
	if p.DistrictSourcedID != "" {
		s.District.SourcedID = p.DistrictSourcedID
	}
	s.Schools, s.Terms, s.Courses = upsert(s.Schools, p.Schools), upsert(s.Terms, p.Terms), upsert(s.Courses, p.Courses)
	s.Classes, s.People, s.Enrollments = upsert(s.Classes, p.Classes), upsert(s.People, p.People), upsert(s.Enrollments, p.Enrollments)
	if s.Links == nil {
		s.Links, s.Demographics = map[importplan.GuardianLink]string{}, map[int64]importplan.DemographicsRow{}
	}
	for _, l := range p.Links {
		s.Links[l.GuardianLink] = l.Relationship
	}
	for _, l := range append(slices.Clone(p.LinkRemoves), p.RetiredLinks...) {
		delete(s.Links, l)
	}
	for _, w := range p.Demographics {
		s.Demographics[w.Student] = importplan.DemographicsRowOf(w.Demographics)
	}
	for _, id := range p.DemographicsRemoves {
		delete(s.Demographics, id)
	}
	retire(s.Schools, p.RetireSchools)
	retire(s.Terms, p.RetireTerms)
	retire(s.Courses, p.RetireCourses)
	retire(s.Classes, p.RetireClasses)
	retire(s.People, p.RetirePeople)
	retire(s.Enrollments, p.RetireEnrollments)
	for _, k := range p.Kept {
		for id := range d.kept {
			if id.Entity == k.Entity && slices.Contains(k.Forget, id.SourcedID) {
				delete(d.kept, id)
			}
		}
		if k.Count == 0 {
			continue
		}
		ids, hashes, record := k.Keep()
		for i, id := range ids {
			for old := range d.kept {
				if old.Entity == k.Entity && old.SourcedID == id {
					delete(d.kept, old)
				}
			}
			d.kept[importplan.KeptHash{Entity: k.Entity, SourcedID: id, Hash: hashes[i]}] = true
			if _, err := record(i); err != nil {
				t.Fatalf("record %s %s: %v", k.Entity, id, err)
			}
		}
	}
}

// planView is a plan as its golden file shows it.
type planView struct {
	*importplan.RosterPlan
	Kept []keptView `json:"Kept,omitempty"`
}

type keptView struct {
	Entity string
	Forget []string `json:",omitempty"`
	Keep   []string `json:",omitempty"`
}

func viewPlan(t *testing.T, p *importplan.RosterPlan) planView {
	v := planView{RosterPlan: p}
	for _, k := range p.Kept {
		kv := keptView{Entity: k.Entity, Forget: k.Forget}
		if k.Count > 0 {
			ids, hashes, record := k.Keep()
			if len(ids) != k.Count || len(hashes) != k.Count {
				t.Errorf("%s: Keep lists %d records and %d hashes, Count says %d", k.Entity, len(ids), len(hashes), k.Count)
			}
			for i, id := range ids {
				rec, err := record(i)
				if err != nil || rec == "" {
					t.Errorf("%s %s: record %q, %v", k.Entity, id, rec, err)
				}
				kv.Keep = append(kv.Keep, id)
			}
		}
		v.Kept = append(v.Kept, kv)
	}
	return v
}

// checkGolden compares got with testdata/golden/name.golden, or writes it
// there with -update.
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

func planGolden(t *testing.T, d *district, name string, ro *Roster) *importplan.RosterPlan {
	t.Helper()
	p, err := Plan(ro, d.snapshot(), importplan.Options{})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	checkGolden(t, name, viewPlan(t, p))
	return p
}

// TestPlanGolden plans imports of the test packages into a district held
// in memory, applies each plan as the store would, and compares every plan
// with its golden file: a bulk package into an empty district, the same
// package again (nothing to do), a delta on top of it, and the bulk
// package once more after the delta (what the delta added is retired).
func TestPlanGolden(t *testing.T) {
	for _, v := range []string{"v1p1", "v1p2"} {
		t.Run(v, func(t *testing.T) {
			d := newDistrict()
			bulk := readDir(t, "bulk-"+v, ReadOptions{})
			d.apply(t, planGolden(t, d, "plan-bulk-"+v, bulk))
			again := planGolden(t, d, "plan-bulk-"+v+"-again", bulk)
			if n := len(again.Schools) + len(again.Terms) + len(again.Courses) + len(again.Classes) + len(again.People) + len(again.Enrollments) + len(again.Links) + len(again.Demographics); n != 0 {
				t.Errorf("the same package again plans %d writes", n)
			}
			if v != "v1p2" {
				return
			}
			delta := readDir(t, "delta-"+v, ReadOptions{Known: d.known()})
			d.apply(t, planGolden(t, d, "plan-delta-"+v, delta))
			planGolden(t, d, "plan-bulk-"+v+"-after-delta", readDir(t, "bulk-"+v, ReadOptions{Known: d.known()}))
		})
	}
}

// TestPlanRefuses checks refusals that need what the district holds: a
// username another person of the district has, an enrollment of a user
// the district has retired.
func TestPlanRefuses(t *testing.T) {
	d := newDistrict()
	bulk := readDir(t, "bulk-v1p2", ReadOptions{})
	p, err := Plan(bulk, d.snapshot(), importplan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.apply(t, p)
	// A person made in cairn holds the username of a user of the package.
	var taken string
	for _, r := range d.snap.People {
		if r.Row.Username != "" {
			taken = r.Row.Username
			break
		}
	}
	if taken == "" {
		t.Fatal("no user of bulk-v1p2 has a username")
	}
	for i := range d.snap.People {
		if d.snap.People[i].Row.Username == taken {
			d.snap.People[i].Row.Username = ""
		}
	}
	d.snap.People = append(d.snap.People, importplan.Record[importplan.Person]{ID: 900, Row: importplan.Person{Given: "Made", Family: "Here", Username: taken, Roles: `["teacher"]`, Schools: "[]"}})
	_, err = Plan(bulk, d.snapshot(), importplan.Options{})
	var bad *badinput.Error
	if !errors.As(err, &bad) {
		t.Fatalf("Plan: %v, want a *badinput.Error", err)
	}
	checkGolden(t, "plan-refused-username", bad.Error())
}

// TestPlanMemorySnapshot checks that a plan against an in-memory
// snapshot without EachKept plans as against one with no kept records.
func TestPlanMemorySnapshot(t *testing.T) {
	bulk := readDir(t, "bulk-v1p2", ReadOptions{})
	a, err := Plan(bulk, newDistrict().snapshot(), importplan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := newDistrict().snapshot()
	s.EachKept = nil
	b, err := Plan(bulk, s, importplan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ja, err := json.Marshal(viewPlan(t, a))
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(viewPlan(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(ja), string(jb)); diff != "" {
		t.Errorf("plans differ (-with +without):\n%s", diff)
	}
}
