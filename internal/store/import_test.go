package store_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/pgtest"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// TestImport runs the store's CASE and OneRoster import and export suite
// on every engine, each behaviour on a fresh database.
func TestImport(t *testing.T) {
	tests := []struct {
		name string
		f    func(t *testing.T, e *env)
	}{
		{"case import", testImportCASE},
		{"case new version", testImportCASENewVersion},
		{"case refused", testImportCASERefused},
		{"case export", testExportCASE},
		{"case export as published", testExportCASEAsPublished},
		{"oneroster bulk", testImportOneRosterBulk},
		{"oneroster delta", testImportOneRosterDelta},
		{"oneroster 1.1", testImportOneRoster11},
		{"oneroster retire", testImportOneRosterRetire},
		{"oneroster retired leave lists", testRetiredLeaveLists},
		{"case retired standard", testImportCASERetiredStandard},
		{"oneroster refused", testImportOneRosterRefused},
		{"oneroster odd rows", testImportOneRosterOdd},
		{"oneroster partial", testImportOneRosterPartial},
		{"oneroster export", testExportOneRoster},
		{"gradebook", testExportGradebook},
	}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.f(t, open(t, eng.url(t)))
				})
			}
		})
	}
}

const (
	caseTestdata      = "../interop/casepkg/testdata"
	onerosterTestdata = "../interop/oneroster/testdata"
)

func parseCASE(t *testing.T, name string) *casepkg.Package {
	t.Helper()
	f, err := os.Open(filepath.Join(caseTestdata, name))
	ok(t, err)
	defer f.Close()
	p, err := casepkg.Parse(f, name)
	ok(t, err)
	return p
}

// emptyDistrict makes a district with nothing in it.
func emptyDistrict(t *testing.T, e *env, name string) roster.District {
	t.Helper()
	d := roster.District{Name: name}
	ok(t, e.s.CreateDistrict(e.ctx, &d))
	return d
}

// counts is an import report as "kind: created/updated/retired/removed/unchanged" lines.
func counts(rep store.ImportReport) string {
	var b strings.Builder
	for _, k := range rep.Kinds() {
		fmt.Fprintf(&b, "%s: %d/%d/%d/%d/%d\n", k, rep.Created[k], rep.Updated[k], rep.Retired[k], rep.Removed[k], rep.Unchanged[k])
	}
	return b.String()
}

func wantCounts(t *testing.T, rep store.ImportReport, want string) {
	t.Helper()
	if diff := cmp.Diff(strings.TrimSpace(want), strings.TrimSpace(counts(rep))); diff != "" {
		t.Errorf("import report, created/updated/retired/removed/unchanged (-want +got):\n%s", diff)
	}
}

// standardsBySourcedID returns a framework's standards, all of them, by
// CASE identifier.
func standardsBySourcedID(t *testing.T, e *env, districtID, frameworkID int64) map[string]standards.Standard {
	t.Helper()
	all, err := e.s.AllStandards(e.ctx, districtID, frameworkID)
	ok(t, err)
	out := map[string]standards.Standard{}
	for _, st := range all {
		out[st.SourcedID] = st
	}
	return out
}

func testImportCASE(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "case")
	pkg := parseCASE(t, "fractions-prerequisites-v1p1.json")
	fw := pkg.Framework

	rep, err := s.ImportCASE(ctx, d.ID, pkg, store.ImportOptions{})
	ok(t, err)
	wantCounts(t, rep, fmt.Sprintf(`
scales: 1/0/0/0/0
frameworks: 1/0/0/0/0
standards: %d/0/0/0/0
prerequisites: %d/0/0/0/0
crosswalks: %d/0/0/0/0`, len(fw.Standards), len(fw.Prerequisites), len(fw.Crosswalks)))
	if len(rep.Warnings) == 0 || !strings.Contains(strings.Join(rep.Warnings, "\n"), "isPeerOf") {
		t.Errorf("warnings %q do not pass on the package's note about isPeerOf", rep.Warnings)
	}

	got, err := s.Framework(ctx, d.ID, rep.FrameworkID)
	ok(t, err)
	if got.SourcedID != fw.Framework.SourcedID || got.Title != fw.Framework.Title || got.Kind != standards.Academic {
		t.Errorf("framework %+v, want the package's identifier, title and kind academic", got)
	}
	scales, err := s.Scales(ctx, d.ID)
	ok(t, err)
	if len(scales) != 1 || got.ScaleID != scales[0].ID {
		t.Errorf("framework on scale %d, district scales %+v: want the one four-level scale made for it", got.ScaleID, scales)
	}

	// The hierarchy is the package's: same order, parents and positions.
	all, err := s.AllStandards(ctx, d.ID, rep.FrameworkID)
	ok(t, err)
	bySID := map[int64]string{}
	for _, st := range all {
		bySID[st.ID] = st.SourcedID
	}
	type node struct{ SourcedID, Parent, Code string }
	var want, have []node
	for _, st := range fw.Standards {
		want = append(want, node{st.SourcedID, st.ParentSourcedID, st.Code})
	}
	for _, st := range all {
		parent := ""
		if st.ParentID != nil {
			parent = bySID[*st.ParentID]
		}
		have = append(have, node{st.SourcedID, parent, st.Code})
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("stored hierarchy (-package +stored):\n%s", diff)
	}
	pre, err := s.Prerequisites(ctx, d.ID)
	ok(t, err)
	if len(pre) != len(fw.Prerequisites) {
		t.Errorf("%d prerequisites stored, want %d", len(pre), len(fw.Prerequisites))
	}

	// The same package again changes nothing.
	rep, err = s.ImportCASE(ctx, d.ID, pkg, store.ImportOptions{})
	ok(t, err)
	if rep.Changed() {
		t.Errorf("importing the same package twice changed:\n%s", counts(rep))
	}
	if rep.Unchanged["standards"] != len(fw.Standards) {
		t.Errorf("second import: %d standards unchanged, want %d", rep.Unchanged["standards"], len(fw.Standards))
	}
	if _, err := s.AllStandards(ctx, d.ID, rep.FrameworkID); err != nil {
		t.Fatal(err)
	}
}

// casePeople gives the district a teacher and a student, a course and a
// class, for evidence on imported standards.
func casePeople(t *testing.T, e *env, districtID int64) (teacher, student roster.Person, class roster.Class) {
	t.Helper()
	ctx, s := e.ctx, e.s
	school := roster.School{DistrictID: districtID, Name: "Hill School"}
	ok(t, s.CreateSchool(ctx, &school))
	term := roster.Term{DistrictID: districtID, Title: "2024-25", Type: roster.TermSchoolYear,
		StartDate: time.Date(2024, 8, 26, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC)}
	ok(t, s.CreateTerm(ctx, &term))
	course := roster.Course{DistrictID: districtID, Title: "Math 3"}
	ok(t, s.CreateCourse(ctx, &course))
	class = roster.Class{DistrictID: districtID, SchoolID: school.ID, CourseID: course.ID, TermID: term.ID, Title: "Math 3 - A"}
	ok(t, s.CreateClass(ctx, &class))
	teacher = roster.Person{DistrictID: districtID, GivenName: "Tia", FamilyName: "Moe", Roles: []roster.Role{roster.RoleTeacher}}
	ok(t, s.CreatePerson(ctx, &teacher))
	student = roster.Person{DistrictID: districtID, GivenName: "Sol", FamilyName: "Ray", Roles: []roster.Role{roster.RoleStudent}}
	ok(t, s.CreatePerson(ctx, &student))
	ok(t, s.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: districtID, ClassID: class.ID, PersonID: student.ID, Role: roster.EnrolledStudent}))
	return teacher, student, class
}

// testImportCASENewVersion imports a framework, records evidence on it,
// then imports a new version with an item reworded, one moved, one gone
// and one new: the standards are updated in place, the evidence stays on
// its standards, the gone item is retired, and it comes back with the old
// version.
func testImportCASENewVersion(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "versions")
	v1 := parseCASE(t, "fractions-prerequisites-v1p1.json")
	rep, err := s.ImportCASE(ctx, d.ID, v1, store.ImportOptions{})
	ok(t, err)
	fwID := rep.FrameworkID
	before := standardsBySourcedID(t, e, d.ID, fwID)

	// Leaves of the package: a standard with no children.
	parents := map[string]bool{}
	for _, st := range v1.Framework.Standards {
		parents[st.ParentSourcedID] = true
	}
	var leaves []casepkg.Standard
	for _, st := range v1.Framework.Standards {
		if !parents[st.SourcedID] {
			leaves = append(leaves, st)
		}
	}
	if len(leaves) < 3 {
		t.Fatalf("the test package has %d leaves, want at least 3", len(leaves))
	}
	reworded, gone, moved := leaves[0], leaves[1], leaves[2]

	teacher, student, class := casePeople(t, e, d.ID)
	evs := []evidence.Evidence{
		{DistrictID: d.ID, StudentID: student.ID, ClassID: &class.ID, Kind: evidence.Formative, Title: "Quiz",
			AssessedAt: start.AddDate(0, 0, -3), RecordedBy: teacher.ID,
			Scores: []evidence.Score{{StandardID: before[reworded.SourcedID].ID, Level: lvl(3)}, {StandardID: before[gone.SourcedID].ID, Level: lvl(2)}}},
		{DistrictID: d.ID, StudentID: student.ID, ClassID: &class.ID, Kind: evidence.Formative, Title: "Exit ticket",
			AssessedAt: start.AddDate(0, 0, -2), RecordedBy: teacher.ID,
			Scores: []evidence.Score{{StandardID: before[moved.SourcedID].ID, Level: lvl(4)}}},
	}
	ok(t, s.RecordEvidenceBatch(ctx, evs))
	mastery0, err := s.StudentMastery(ctx, d.ID, student.ID)
	ok(t, err)

	// Version 2.
	v2 := *v1
	v2.Framework = casepkg.Framework{Framework: v1.Framework.Framework, URI: v1.Framework.URI, Crosswalks: v1.Framework.Crosswalks}
	v2.Framework.Framework.Version = "2025"
	newItem := casepkg.Standard{Standard: standards.Standard{SourcedID: "a1000000-0000-4000-8000-0000000000ff", Code: "3.NF.X.9",
		Statement: "A new standard.", Type: "Standard", Position: 99}, ParentSourcedID: reworded.ParentSourcedID}
	// The moved standard goes under the first standard that is not its
	// parent and not a leaf.
	var newParent string
	for _, st := range v1.Framework.Standards {
		if parents[st.SourcedID] && st.SourcedID != moved.ParentSourcedID && st.SourcedID != "" {
			newParent = st.SourcedID
			break
		}
	}
	if newParent == "" {
		t.Fatal("no standard to move under")
	}
	for _, st := range v1.Framework.Standards {
		switch st.SourcedID {
		case gone.SourcedID:
			continue
		case reworded.SourcedID:
			st.Statement = "Reworded: " + st.Statement
		case moved.SourcedID:
			st.ParentSourcedID = newParent
			st.Position = 50
		}
		v2.Framework.Standards = append(v2.Framework.Standards, st)
		if st.SourcedID == reworded.SourcedID {
			v2.Framework.Standards = append(v2.Framework.Standards, newItem)
		}
	}
	for _, p := range v1.Framework.Prerequisites {
		if p.StandardSourcedID != gone.SourcedID && p.PrerequisiteSourcedID != gone.SourcedID {
			v2.Framework.Prerequisites = append(v2.Framework.Prerequisites, p)
		}
	}
	removedPrereqs := len(v1.Framework.Prerequisites) - len(v2.Framework.Prerequisites)

	// A dry run says what would change and changes nothing.
	dry, err := s.ImportCASE(ctx, d.ID, &v2, store.ImportOptions{DryRun: true})
	ok(t, err)
	if !dry.DryRun || dry.Created["standards"] != 1 || dry.Retired["standards"] != 1 {
		t.Errorf("dry run report:\n%s want 1 standard created and 1 retired", counts(dry))
	}
	if diff := cmp.Diff(before, standardsBySourcedID(t, e, d.ID, fwID)); diff != "" {
		t.Errorf("a dry run changed the standards:\n%s", diff)
	}

	rep, err = s.ImportCASE(ctx, d.ID, &v2, store.ImportOptions{})
	ok(t, err)
	n := len(v1.Framework.Standards)
	wantCounts(t, rep, fmt.Sprintf(`
frameworks: 0/1/0/0/0
standards: 1/2/1/0/%d
prerequisites: 0/0/0/%d/%d
crosswalks: 0/0/0/0/%d`, n-3, removedPrereqs, len(v2.Framework.Prerequisites), len(v1.Framework.Crosswalks)))
	after := standardsBySourcedID(t, e, d.ID, fwID)
	for _, sid := range []string{reworded.SourcedID, gone.SourcedID, moved.SourcedID} {
		if after[sid].ID != before[sid].ID {
			t.Errorf("standard %s is %d after the new version, want it updated in place (%d)", sid, after[sid].ID, before[sid].ID)
		}
	}
	if got := after[reworded.SourcedID].Statement; !strings.HasPrefix(got, "Reworded: ") {
		t.Errorf("reworded statement %q", got)
	}
	if !after[gone.SourcedID].Retired {
		t.Errorf("standard %s is gone from the package but not retired", gone.SourcedID)
	}
	if p := after[moved.SourcedID].ParentID; p == nil || *p != after[newParent].ID {
		t.Errorf("moved standard's parent %v, want %d", p, after[newParent].ID)
	}
	if after[newItem.SourcedID].ID == 0 {
		t.Errorf("new item %s not stored", newItem.SourcedID)
	}
	// The evidence still scores the same standards.
	for _, ev := range evs {
		got, err := s.Evidence(ctx, d.ID, ev.ID)
		ok(t, err)
		if diff := cmp.Diff(ev.Scores, got.Scores); diff != "" {
			t.Errorf("evidence %d scores after the new version (-before +after):\n%s", ev.ID, diff)
		}
	}
	// The moved standard's new parent now rolls it up.
	ms, err := s.MasteryOf(ctx, d.ID, student.ID, after[newParent].ID)
	if err != nil || rep.Recomputed == 0 {
		t.Errorf("mastery of the new parent: %v (recomputed %d), want a state rolled up from the moved standard", err, rep.Recomputed)
	} else if ms.EvidenceCount == 0 {
		t.Errorf("new parent's state %+v counts no evidence", ms)
	}
	// The retired standard keeps its mastery.
	if _, err := s.MasteryOf(ctx, d.ID, student.ID, after[gone.SourcedID].ID); err != nil {
		t.Errorf("mastery of the retired standard: %v", err)
	}
	if len(mastery0) == 0 {
		t.Fatal("no mastery recorded before the new version")
	}

	// The old version again brings the retired standard back and retires
	// the new one.
	rep, err = s.ImportCASE(ctx, d.ID, v1, store.ImportOptions{})
	ok(t, err)
	if rep.Retired["standards"] != 1 || rep.Updated["standards"] != 3 {
		t.Errorf("old version again:\n%s want 3 standards updated (one back from retirement), 1 retired", counts(rep))
	}
	again := standardsBySourcedID(t, e, d.ID, fwID)
	if again[gone.SourcedID].Retired || !again[newItem.SourcedID].Retired {
		t.Errorf("after the old version: %s retired %v (want false), %s retired %v (want true)",
			gone.SourcedID, again[gone.SourcedID].Retired, newItem.SourcedID, again[newItem.SourcedID].Retired)
	}
}

// testImportCASERetiredStandard imports a framework, records evidence on
// two children of one standard, then a version without one of them: the
// parent and its ancestors roll up the other child alone, in the same
// import; the retired child keeps its evidence and state but takes no new
// evidence and leaves the course's standards. The old version again brings
// it back into the rollups.
func testImportCASERetiredStandard(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "retired standard")
	v1 := parseCASE(t, "fractions-prerequisites-v1p1.json")
	rep, err := s.ImportCASE(ctx, d.ID, v1, store.ImportOptions{})
	ok(t, err)
	byCode := map[string]standards.Standard{}
	for _, st := range standardsBySourcedID(t, e, d.ID, rep.FrameworkID) {
		byCode[st.Code] = st
	}
	parent, kept, gone := byCode["3.NF.A"], byCode["3.NF.A.1"], byCode["3.NF.A.2"]
	if parent.ID == 0 || kept.ParentID == nil || *kept.ParentID != parent.ID || gone.ParentID == nil || *gone.ParentID != parent.ID {
		t.Fatalf("the test package has no 3.NF.A with children 3.NF.A.1 and 3.NF.A.2: %v", byCode)
	}
	teacher, student, class := casePeople(t, e, d.ID)
	ok(t, s.SetCourseStandards(ctx, d.ID, class.CourseID, []int64{parent.ID, kept.ID, gone.ID}))
	old := evidence.Evidence{DistrictID: d.ID, StudentID: student.ID, ClassID: &class.ID, Kind: evidence.Formative, Title: "Quiz",
		AssessedAt: start.AddDate(0, 0, -3), RecordedBy: teacher.ID,
		Scores: []evidence.Score{{StandardID: kept.ID, Level: lvl(1)}, {StandardID: gone.ID, Level: lvl(4)}}}
	ok(t, s.RecordEvidence(ctx, &old))
	mastery := func(std standards.Standard) store.MasteryState {
		t.Helper()
		ms, err := s.MasteryOf(ctx, d.ID, student.ID, std.ID)
		ok(t, err)
		return ms
	}
	both := mastery(parent)
	keptState, goneState := mastery(kept), mastery(gone)
	if keptState.Value != 1 || goneState.Value != 4 || both.Value == keptState.Value {
		t.Fatalf("before: %s %g, %s %g, %s %g; want 1, 4 and a parent between", kept.Code, keptState.Value, gone.Code, goneState.Value, parent.Code, both.Value)
	}

	v2 := *v1
	v2.Framework.Standards = slices.DeleteFunc(slices.Clone(v1.Framework.Standards), func(st casepkg.Standard) bool { return st.SourcedID == gone.SourcedID })
	v2.Framework.Prerequisites = slices.DeleteFunc(slices.Clone(v1.Framework.Prerequisites), func(p casepkg.Prerequisite) bool {
		return p.StandardSourcedID == gone.SourcedID || p.PrerequisiteSourcedID == gone.SourcedID
	})
	e.takeChanges()
	rep, err = s.ImportCASE(ctx, d.ID, &v2, store.ImportOptions{})
	ok(t, err)
	if rep.Retired["standards"] != 1 || rep.Recomputed == 0 {
		t.Errorf("import without %s:\n%s recomputed %d; want 1 standard retired and states recomputed", gone.Code, counts(rep), rep.Recomputed)
	}
	var announced []int64
	for _, c := range e.takeChanges() {
		announced = append(announced, c.StandardIDs...)
	}
	if !slices.Contains(announced, parent.ID) {
		t.Errorf("changes announced on standards %v, want %d (%s) among them", announced, parent.ID, parent.Code)
	}

	// The parent and every standard above it roll up the kept child alone.
	for id := &parent.ID; id != nil; {
		st, err := s.Standard(ctx, d.ID, *id)
		ok(t, err)
		got := mastery(st)
		if got.Value != keptState.Value || got.EvidenceCount != keptState.EvidenceCount || got.Mastered != keptState.Mastered {
			t.Errorf("%s after %s is retired: value %g from %d pieces of evidence, want %g from %d as %s alone gives",
				st.Code, gone.Code, got.Value, got.EvidenceCount, keptState.Value, keptState.EvidenceCount, kept.Code)
		}
		for _, c := range got.Explanation.Children {
			if c.StandardID == gone.ID {
				t.Errorf("%s's explanation still rolls up the retired %s: %+v", st.Code, gone.Code, got.Explanation.Children)
			}
		}
		id = st.ParentID
	}
	// Rebuilding from the evidence gives the same states.
	incremental := map[int64]store.MasteryState{}
	for _, st := range []standards.Standard{parent, kept, gone} {
		incremental[st.ID] = mastery(st)
	}
	_, err = s.RebuildMastery(ctx, d.ID, nil)
	ok(t, err)
	for _, st := range []standards.Standard{parent, kept, gone} {
		if diff := cmp.Diff(incremental[st.ID].State, mastery(st).State); diff != "" {
			t.Errorf("%s rebuilt differs from the import's recomputation (-import +rebuilt):\n%s", st.Code, diff)
		}
	}

	// The retired standard keeps its evidence and its state...
	if got := mastery(gone); got.Value != goneState.Value || got.EvidenceCount != goneState.EvidenceCount {
		t.Errorf("retired %s: value %g from %d, want %g from %d as before", gone.Code, got.Value, got.EvidenceCount, goneState.Value, goneState.EvidenceCount)
	}
	listed, _, err := s.StudentEvidence(ctx, d.ID, student.ID, store.EvidenceFilter{StandardID: gone.ID})
	ok(t, err)
	if len(listed) != 1 || listed[0].ID != old.ID {
		t.Errorf("evidence on the retired standard: %d records, want evidence %d", len(listed), old.ID)
	}
	// ...takes no new evidence, alone or in a batch...
	fresh := func() evidence.Evidence {
		return evidence.Evidence{DistrictID: d.ID, StudentID: student.ID, ClassID: &class.ID, Kind: evidence.Formative, Title: "Retest",
			AssessedAt: start.AddDate(0, 0, -1), RecordedBy: teacher.ID,
			Scores: []evidence.Score{{StandardID: kept.ID, Level: lvl(3)}, {StandardID: gone.ID, Level: lvl(2)}}}
	}
	ev := fresh()
	wantInvalid(t, s.RecordEvidence(ctx, &ev), -1, "scores[1].standardId", "retired")
	wantInvalid(t, s.RecordEvidenceBatch(ctx, []evidence.Evidence{fresh()}), 0, "scores[1].standardId", "retired")
	if all, _, err := s.StudentEvidence(ctx, d.ID, student.ID, store.EvidenceFilter{}); err != nil || len(all) != 1 {
		t.Errorf("after refused evidence: %d records (%v), want 1", len(all), err)
	}
	// ...and leaves the course's standards, and cannot be put back in them.
	courseStds, err := s.CourseStandards(ctx, d.ID, class.CourseID)
	ok(t, err)
	if diff := cmp.Diff([]string{parent.Code, kept.Code}, codes(courseStds)); diff != "" {
		t.Errorf("course standards with %s retired (-want +got):\n%s", gone.Code, diff)
	}
	matrix, err := s.ClassMastery(ctx, d.ID, class.ID)
	ok(t, err)
	if diff := cmp.Diff([]string{parent.Code, kept.Code}, codes(matrix.Standards)); diff != "" {
		t.Errorf("class matrix standards with %s retired (-want +got):\n%s", gone.Code, diff)
	}
	wantInvalid(t, s.SetCourseStandards(ctx, d.ID, class.CourseID, []int64{gone.ID}), -1, "standardIds[0]", "retired")
	ok(t, s.SetCourseStandards(ctx, d.ID, class.CourseID, []int64{kept.ID, parent.ID}))

	// The old version again brings it back into the rollups and the course.
	rep, err = s.ImportCASE(ctx, d.ID, v1, store.ImportOptions{})
	ok(t, err)
	if got := mastery(parent); got.Value != both.Value || got.EvidenceCount != both.EvidenceCount {
		t.Errorf("%s with %s back: value %g from %d, want %g from %d as before", parent.Code, gone.Code, got.Value, got.EvidenceCount, both.Value, both.EvidenceCount)
	}
	courseStds, err = s.CourseStandards(ctx, d.ID, class.CourseID)
	ok(t, err)
	if diff := cmp.Diff([]string{parent.Code, kept.Code, gone.Code}, codes(courseStds)); diff != "" {
		t.Errorf("course standards with %s back (-want +got):\n%s", gone.Code, diff)
	}
	ev = fresh()
	ok(t, s.RecordEvidence(ctx, &ev))
}

// wantBadInput checks that err is a *badinput.Error with a problem whose
// text contains each of mentions.
func wantBadInput(t *testing.T, err error, mentions ...string) {
	t.Helper()
	var be *badinput.Error
	if !errors.As(err, &be) {
		t.Fatalf("got error %v, want a *badinput.Error", err)
	}
	if !errors.Is(err, problem.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) is false", err)
	}
	for _, p := range be.Problems {
		all := true
		for _, m := range mentions {
			all = all && strings.Contains(p.String(), m)
		}
		if all {
			return
		}
	}
	t.Errorf("no problem of %q mentions all of %q", be.Error(), mentions)
}

func testImportCASERefused(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "refused")
	v1 := parseCASE(t, "fractions-prerequisites-v1p1.json")
	rep, err := s.ImportCASE(ctx, d.ID, v1, store.ImportOptions{})
	ok(t, err)
	before := standardsBySourcedID(t, e, d.ID, rep.FrameworkID)

	t.Run("item of another framework", func(t *testing.T) {
		other := *v1
		other.Framework = v1.Framework
		other.Framework.Framework.SourcedID = "d2000000-0000-4000-8000-000000000000"
		other.Framework.Framework.Title = "Copy"
		_, err := s.ImportCASE(ctx, d.ID, &other, store.ImportOptions{})
		wantBadInput(t, err, v1.Framework.Standards[0].SourcedID, "already standard", "an item belongs to one framework")
		fws, err := s.Frameworks(ctx, d.ID)
		ok(t, err)
		if len(fws) != 1 {
			t.Errorf("%d frameworks after a refused import, want 1", len(fws))
		}
		if diff := cmp.Diff(before, standardsBySourcedID(t, e, d.ID, rep.FrameworkID)); diff != "" {
			t.Errorf("standards after a refused import (-before +after):\n%s", diff)
		}
	})

	t.Run("prerequisite cycle", func(t *testing.T) {
		// Two domains of a generated framework, a and b, and a standard x
		// of another framework with a before x before b. A version that
		// says b precedes a closes the cycle.
		gen, err := casepkg.Parse(bytes.NewReader(generatedCASE(120, 7)), "generated.json")
		ok(t, err)
		rep, err := s.ImportCASE(ctx, d.ID, gen, store.ImportOptions{})
		ok(t, err)
		ids := standardsBySourcedID(t, e, d.ID, rep.FrameworkID)
		a, b := gen.Framework.Standards[0].SourcedID, gen.Framework.Standards[1].SourcedID
		fw, err := s.Framework(ctx, d.ID, rep.FrameworkID)
		ok(t, err)
		other := standards.Framework{DistrictID: d.ID, Title: "Local", Kind: standards.Academic, ScaleID: fw.ScaleID}
		ok(t, s.CreateFramework(ctx, &other))
		x := standards.Standard{DistrictID: d.ID, FrameworkID: other.ID, Code: "X", Statement: "Between."}
		ok(t, s.CreateStandard(ctx, &x))
		ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: d.ID, StandardID: x.ID, PrerequisiteID: ids[a].ID}))
		ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: d.ID, StandardID: ids[b].ID, PrerequisiteID: x.ID}))
		before, err := s.Prerequisites(ctx, d.ID)
		ok(t, err)

		v2 := *gen
		v2.Framework.Prerequisites = append(slices.Clone(gen.Framework.Prerequisites),
			casepkg.Prerequisite{StandardSourcedID: a, PrerequisiteSourcedID: b})
		_, err = s.ImportCASE(ctx, d.ID, &v2, store.ImportOptions{})
		wantBadInput(t, err, "cycle", a, b, "standard "+strconv.FormatInt(x.ID, 10))
		after, err := s.Prerequisites(ctx, d.ID)
		ok(t, err)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("prerequisites after a refused import (-before +after):\n%s", diff)
		}

		// Between two of the package's own standards, the package says
		// what the prerequisites are.
		ok(t, s.AddPrerequisite(ctx, standards.Prerequisite{DistrictID: d.ID, StandardID: ids[b].ID, PrerequisiteID: ids[a].ID}))
		rep, err = s.ImportCASE(ctx, d.ID, gen, store.ImportOptions{})
		ok(t, err)
		if rep.Removed["prerequisites"] != 1 {
			t.Errorf("import over a prerequisite the package does not have:\n%s want it removed", counts(rep))
		}
	})

	t.Run("unknown district", func(t *testing.T) {
		_, err := s.ImportCASE(ctx, d.ID+100, v1, store.ImportOptions{})
		wantKind(t, err, problem.ErrNotFound, "district")
	})
}

// testExportCASE exports imported frameworks and one made in cairn, and
// reads each export back as the same framework.
func testExportCASE(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "export")
	for _, name := range []string{"fractions-prerequisites-v1p1.json", "act-math-ordering-v1p0.json", "utf8-v1p0.json", "smartlevel-v1p0.json", "publisher-fields-v1p1.json"} {
		t.Run(name, func(t *testing.T) {
			in := parseCASE(t, name)
			rep, err := s.ImportCASE(ctx, d.ID, in, store.ImportOptions{})
			ok(t, err)
			pkg, err := exportCASE(ctx, s, d.ID, rep.FrameworkID, casepkg.ExportOptions{})
			ok(t, err)
			var buf bytes.Buffer
			ok(t, pkg.WriteJSON(&buf))
			back, err := casepkg.Parse(&buf, "export.json")
			ok(t, err)
			if back.Version != casepkg.Version11 {
				t.Errorf("export is CASE %s, want 1.1", back.Version)
			}
			if diff := cmp.Diff(in.Framework, back.Framework); diff != "" {
				t.Errorf("framework after import and export (-imported +exported):\n%s", diff)
			}
			// The export is the package as published, apart from what
			// casepkg's round trip lists as normalised: byte for byte
			// the export casepkg makes of the package it parsed.
			e.advance(48 * time.Hour)
			again, err := exportCASE(ctx, s, d.ID, rep.FrameworkID, casepkg.ExportOptions{
				BaseURL: "https://cairn.example.org/ims/case/v1p1", Creator: "Example District"})
			ok(t, err)
			var got bytes.Buffer
			ok(t, again.WriteJSON(&got))
			want, err := os.ReadFile(filepath.Join(caseTestdata, "roundtrip", name))
			ok(t, err)
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("export differs from casepkg's round trip golden file (-want +got):\n%s", diff)
			}
			// Importing the export changes nothing.
			rep, err = s.ImportCASE(ctx, d.ID, back, store.ImportOptions{})
			ok(t, err)
			if rep.Changed() {
				t.Errorf("importing the export changed:\n%s", counts(rep))
			}
		})
	}
	t.Run("made in cairn", func(t *testing.T) {
		x := newDistrict(t, e, "made")
		pkg, err := exportCASE(ctx, s, x.d.ID, x.fw.ID, casepkg.ExportOptions{BaseURL: "https://cairn.example.org/ims/case/v1p1"})
		ok(t, err)
		var buf bytes.Buffer
		ok(t, pkg.WriteJSON(&buf))
		back, err := casepkg.Parse(&buf, "export.json")
		ok(t, err)
		var got []string
		for _, st := range back.Framework.Standards {
			got = append(got, st.Code)
		}
		all, err := s.AllStandards(ctx, x.d.ID, x.fw.ID)
		ok(t, err)
		if diff := cmp.Diff(codes(all), got); diff != "" {
			t.Errorf("exported standards (-stored +exported):\n%s", diff)
		}
		if pkg.CFDocument.Creator != x.d.Name {
			t.Errorf("creator %q, want the district's name %q", pkg.CFDocument.Creator, x.d.Name)
		}
	})
}

func openRoster(t *testing.T, e *env, districtID int64, dir string) *oneroster.Roster {
	t.Helper()
	known, err := e.s.OneRosterKnown(e.ctx, districtID)
	ok(t, err)
	ro, err := oneroster.Open(filepath.Join(onerosterTestdata, dir), oneroster.ReadOptions{Known: oneroster.SnapshotOf(known)})
	ok(t, err)
	return ro
}

func importRoster(t *testing.T, e *env, districtID int64, dir string, opt store.ImportOptions) store.ImportReport {
	t.Helper()
	rep, err := e.s.ImportOneRoster(e.ctx, districtID, openRoster(t, e, districtID, dir), opt)
	ok(t, err)
	return rep
}

func person(t *testing.T, e *env, districtID int64, sourcedID string) roster.Person {
	t.Helper()
	p, err := e.s.PersonBySourcedID(e.ctx, districtID, sourcedID)
	ok(t, err)
	return p
}

// classBySourcedID finds a class of the district, retired or not.
func classBySourcedID(t *testing.T, e *env, districtID int64, sourcedID string) roster.Class {
	t.Helper()
	cs, _, err := e.s.Classes(e.ctx, districtID, store.RosterFilter{IncludeRetired: true, Page: store.Page{Limit: 500}})
	ok(t, err)
	for _, c := range cs {
		if c.SourcedID == sourcedID {
			return c
		}
	}
	t.Fatalf("no class %q", sourcedID)
	return roster.Class{}
}

// enrolled lists a class's enrollments that are not retired as
// "person sourcedId/role", sorted.
func enrolled(t *testing.T, e *env, districtID int64, classSourcedID string) []string {
	t.Helper()
	c := classBySourcedID(t, e, districtID, classSourcedID)
	d, err := e.s.StoredRoster(e.ctx, districtID)
	ok(t, err)
	sid := map[int64]string{}
	for _, p := range d.People {
		sid[p.ID] = p.SourcedID
	}
	var out []string
	for _, en := range d.Enrollments {
		if en.ClassID == c.ID {
			out = append(out, sid[en.PersonID]+"/"+string(en.Role))
		}
	}
	slices.Sort(out)
	return out
}

func testImportOneRosterBulk(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "bulk")
	ro := openRoster(t, e, d.ID, "bulk-v1p2")
	dom := ro.ToDomain()

	// A dry run first: the report, and nothing written.
	dry, err := s.ImportOneRoster(ctx, d.ID, ro, store.ImportOptions{DryRun: true})
	ok(t, err)
	if !dry.DryRun || dry.Created["people"] != len(dom.People) {
		t.Errorf("dry run:\n%s", counts(dry))
	}
	if ps, _, err := s.People(ctx, d.ID, store.PersonFilter{}); err != nil || len(ps) != 0 {
		t.Errorf("a dry run wrote %d people (%v)", len(ps), err)
	}

	var stages sync.Map
	rep, err := s.ImportOneRoster(ctx, d.ID, ro, store.ImportOptions{Progress: func(stage string, done, total int) {
		stages.Store(stage, true)
		if done > total {
			t.Errorf("progress %s: %d done of %d", stage, done, total)
		}
	}})
	ok(t, err)
	wantCounts(t, rep, fmt.Sprintf(`
districts: 0/1/0/0/0
schools: %d/0/0/0/0
terms: %d/0/0/0/0
courses: %d/0/0/0/0
classes: %d/0/0/0/0
people: %d/0/0/0/0
enrollments: %d/0/0/0/0
guardian links: %d/0/0/0/0
demographics: %d/0/0/0/0`, len(dom.Schools), len(dom.Terms), len(dom.Courses), len(dom.Classes), len(dom.People),
		len(dom.Enrollments), len(dom.GuardianLinks), len(dom.Demographics)))
	if diff := cmp.Diff(dry.Created, rep.Created); diff != "" {
		t.Errorf("the dry run's report differs from the import's (-dry +import):\n%s", diff)
	}
	for _, stage := range []string{"loading", "people", "enrollments", "snapshot"} {
		if _, ok := stages.Load(stage); !ok {
			t.Errorf("no progress for stage %q", stage)
		}
	}
	got, err := s.District(ctx, d.ID)
	ok(t, err)
	if got.SourcedID != dom.District.SourcedID {
		t.Errorf("district sourcedId %q, want the district org's %q", got.SourcedID, dom.District.SourcedID)
	}

	// People and their links as ToDomain maps them.
	ana := person(t, e, d.ID, "usr-s1")
	if ana.GivenName != "Annie" || !ana.Has(roster.RoleStudent) || ana.Grade != "09" || len(ana.SchoolIDs) != 1 {
		t.Errorf("usr-s1 = %+v", ana)
	}
	guardians, err := s.Guardians(ctx, d.ID, ana.ID)
	ok(t, err)
	var gids []string
	for _, g := range guardians {
		gids = append(gids, g.SourcedID)
	}
	slices.Sort(gids)
	if diff := cmp.Diff([]string{"usr-g1", "usr-p1"}, gids); diff != "" {
		t.Errorf("usr-s1's guardians (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"usr-prn1/teacher", "usr-s1/student", "usr-s2/student", "usr-t1/teacher"}, enrolled(t, e, d.ID, "cls-alg1-p1")); diff != "" {
		t.Errorf("cls-alg1-p1 (-want +got):\n%s", diff)
	}
	// usr-s1's enrollment ended on 2024-12-20: the class's students of
	// today are usr-s2 alone.
	students, err := s.ClassStudents(ctx, d.ID, classBySourcedID(t, e, d.ID, "cls-alg1-p1").ID)
	ok(t, err)
	if len(students) != 1 || students[0].SourcedID != "usr-s2" {
		t.Errorf("ClassStudents: %+v, want usr-s2 only", students)
	}
	dm, err := s.Demographics(ctx, d.ID, ana.ID)
	ok(t, err)
	if dm.Sex == "" {
		t.Errorf("usr-s1's demographics %+v", dm)
	}

	// The same package again changes nothing.
	rep, err = s.ImportOneRoster(ctx, d.ID, openRoster(t, e, d.ID, "bulk-v1p2"), store.ImportOptions{})
	ok(t, err)
	if rep.Changed() {
		t.Errorf("importing the same package twice changed:\n%s", counts(rep))
	}
	if rep.Unchanged["enrollments"] != len(dom.Enrollments) {
		t.Errorf("second import: %d enrollments unchanged, want %d", rep.Unchanged["enrollments"], len(dom.Enrollments))
	}
}

func testImportOneRosterDelta(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "delta")
	importRoster(t, e, d.ID, "bulk-v1p2", store.ImportOptions{})
	ben := person(t, e, d.ID, "usr-s2")

	rep := importRoster(t, e, d.ID, "delta-v1p2", store.ImportOptions{})
	wantCounts(t, rep, `
people: 1/1/0/0/0
enrollments: 1/0/1/0/0
guardian links: 1/0/0/0/0`)
	got := person(t, e, d.ID, "usr-s2")
	if got.ID != ben.ID || got.GivenName != "Benji" || !slices.Equal(got.Roles, ben.Roles) || !slices.Equal(got.SchoolIDs, ben.SchoolIDs) {
		t.Errorf("usr-s2 after the delta = %+v; want the same person, renamed Benji, roles and schools kept (%v, %v)", got, ben.Roles, ben.SchoolIDs)
	}
	olu := person(t, e, d.ID, "usr-s9")
	if !olu.Has(roster.RoleStudent) {
		t.Errorf("usr-s9 = %+v, want a student", olu)
	}
	// The new student's guardian is in cairn, not in the delta.
	children, err := s.Children(ctx, d.ID, person(t, e, d.ID, "usr-p1").ID)
	ok(t, err)
	var kids []string
	for _, c := range children {
		kids = append(kids, c.SourcedID)
	}
	slices.Sort(kids)
	if diff := cmp.Diff([]string{"usr-s1", "usr-s9"}, kids); diff != "" {
		t.Errorf("usr-p1's children (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"usr-prn1/teacher", "usr-s1/student", "usr-s9/student", "usr-t1/teacher"}, enrolled(t, e, d.ID, "cls-alg1-p1")); diff != "" {
		t.Errorf("cls-alg1-p1 after the delta (-want +got):\n%s", diff)
	}
	if w := strings.Join(rep.Warnings, "\n"); !strings.Contains(w, "tobedeleted") || strings.Contains(w, `"usr-s2"`) {
		t.Errorf("warnings %q: want a word on the roles marked tobedeleted, none on usr-s2 (who keeps their roles)", rep.Warnings)
	}

	// The delta again changes nothing; the bulk package again retires the
	// student the delta added and brings back the enrollment it retired.
	if rep := importRoster(t, e, d.ID, "delta-v1p2", store.ImportOptions{}); rep.Changed() {
		t.Errorf("the same delta twice changed:\n%s", counts(rep))
	}
	rep = importRoster(t, e, d.ID, "bulk-v1p2", store.ImportOptions{})
	if rep.Retired["people"] != 1 || rep.Retired["enrollments"] != 1 || rep.Updated["enrollments"] != 1 || rep.Removed["guardian links"] != 1 {
		t.Errorf("bulk after delta:\n%s want usr-s9 and enr-20 retired, enr-3 back, usr-s9's guardian link removed", counts(rep))
	}
	if diff := cmp.Diff([]string{"usr-prn1/teacher", "usr-s1/student", "usr-s2/student", "usr-t1/teacher"}, enrolled(t, e, d.ID, "cls-alg1-p1")); diff != "" {
		t.Errorf("cls-alg1-p1 after bulk again (-want +got):\n%s", diff)
	}
}

func testImportOneRoster11(t *testing.T, e *env) {
	d := emptyDistrict(t, e, "v11")
	ro := openRoster(t, e, d.ID, "bulk-v1p1")
	dom := ro.ToDomain()
	rep, err := e.s.ImportOneRoster(e.ctx, d.ID, ro, store.ImportOptions{})
	ok(t, err)
	if rep.Created["people"] != len(dom.People) || rep.Created["enrollments"] != len(dom.Enrollments) || rep.Created["guardian links"] != len(dom.GuardianLinks) {
		t.Errorf("1.1 import:\n%s want %d people, %d enrollments, %d guardian links", counts(rep), len(dom.People), len(dom.Enrollments), len(dom.GuardianLinks))
	}
	if rep := importRoster(t, e, d.ID, "bulk-v1p1", store.ImportOptions{}); rep.Changed() {
		t.Errorf("the same 1.1 package twice changed:\n%s", counts(rep))
	}
}

// testImportOneRosterRetire checks that a person a bulk import no longer
// has is retired, not deleted: their evidence and mastery stay, and they
// come back when an import has them again.
func testImportOneRosterRetire(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "retire")
	ro := openRoster(t, e, d.ID, "bulk-v1p2")
	_, err := s.ImportOneRoster(ctx, d.ID, ro, store.ImportOptions{})
	ok(t, err)
	ana := person(t, e, d.ID, "usr-s1")
	teacher := person(t, e, d.ID, "usr-t1")
	class := classBySourcedID(t, e, d.ID, "cls-alg1-p1")
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	ok(t, s.CreateScale(ctx, &scale))
	fw := standards.Framework{DistrictID: d.ID, Title: "Algebra", Kind: standards.Academic, ScaleID: scale.ID}
	ok(t, s.CreateFramework(ctx, &fw))
	std := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Code: "A.1", Statement: "Solve linear equations."}
	ok(t, s.CreateStandard(ctx, &std))
	// Assessed while she was in the class (her enrollment ended on
	// 2024-12-20).
	ev := evidence.Evidence{DistrictID: d.ID, StudentID: ana.ID, ClassID: &class.ID, Kind: evidence.Summative, Title: "Unit test",
		AssessedAt: time.Date(2024, 12, 2, 14, 0, 0, 0, time.UTC), RecordedBy: teacher.ID, Scores: []evidence.Score{{StandardID: std.ID, Level: lvl(3)}}}
	ok(t, s.RecordEvidence(ctx, &ev))

	// The same package without Ana, her role, demographics and enrollments.
	without := *ro
	without.Users = slices.DeleteFunc(slices.Clone(ro.Users), func(u oneroster.User) bool { return u.SourcedID == "usr-s1" })
	without.Roles = slices.DeleteFunc(slices.Clone(ro.Roles), func(r oneroster.Role) bool { return r.UserSourcedID == "usr-s1" })
	without.Demographics = slices.DeleteFunc(slices.Clone(ro.Demographics), func(r oneroster.Demographic) bool { return r.SourcedID == "usr-s1" })
	without.Enrollments = slices.DeleteFunc(slices.Clone(ro.Enrollments), func(r oneroster.Enrollment) bool { return r.UserSourcedID == "usr-s1" })
	for i, u := range without.Users {
		if slices.Contains(u.AgentSourcedIDs, "usr-s1") {
			without.Users[i].AgentSourcedIDs = slices.DeleteFunc(slices.Clone(u.AgentSourcedIDs), func(a string) bool { return a == "usr-s1" })
		}
	}
	rep, err := s.ImportOneRoster(ctx, d.ID, &without, store.ImportOptions{})
	ok(t, err)
	if rep.Retired["people"] != 1 || rep.Retired["enrollments"] != 2 || rep.Removed["demographics"] != 1 || rep.Removed["guardian links"] != 2 {
		t.Errorf("import without usr-s1:\n%s want 1 person and 2 enrollments retired, demographics and 2 guardian links removed", counts(rep))
	}
	// Still there for what points at her.
	if got := person(t, e, d.ID, "usr-s1"); got.ID != ana.ID {
		t.Errorf("usr-s1 is person %d, want %d", got.ID, ana.ID)
	}
	got, err := s.Evidence(ctx, d.ID, ev.ID)
	ok(t, err)
	if got.StudentID != ana.ID {
		t.Errorf("evidence student %d, want %d", got.StudentID, ana.ID)
	}
	if _, err := s.MasteryOf(ctx, d.ID, ana.ID, std.ID); err != nil {
		t.Errorf("mastery of the retired student: %v", err)
	}
	// Out of the roster that is exported.
	if diff := cmp.Diff([]string{"usr-prn1/teacher", "usr-s2/student", "usr-t1/teacher"}, enrolled(t, e, d.ID, "cls-alg1-p1")); diff != "" {
		t.Errorf("cls-alg1-p1 without usr-s1 (-want +got):\n%s", diff)
	}

	// Back again.
	rep, err = s.ImportOneRoster(ctx, d.ID, openRoster(t, e, d.ID, "bulk-v1p2"), store.ImportOptions{})
	ok(t, err)
	if rep.Updated["people"] != 1 || rep.Updated["enrollments"] != 2 || rep.Created["demographics"] != 1 || rep.Created["guardian links"] != 2 {
		t.Errorf("import with usr-s1 again:\n%s", counts(rep))
	}
	if got := person(t, e, d.ID, "usr-s1"); got.ID != ana.ID {
		t.Errorf("usr-s1 came back as person %d, want %d", got.ID, ana.ID)
	}

	// The information system drops an enrollment and makes it again under
	// a new sourcedId: the row is the same, under the new identifier.
	renewed := deepCopyRoster(openRoster(t, e, d.ID, "bulk-v1p2"))
	for i := range renewed.Enrollments {
		if renewed.Enrollments[i].SourcedID == "enr-2" {
			renewed.Enrollments[i].SourcedID = "enr-2-renewed"
		}
	}
	before, err := s.Enrollments(ctx, d.ID, class.ID)
	ok(t, err)
	rep, err = s.ImportOneRoster(ctx, d.ID, renewed, store.ImportOptions{})
	ok(t, err)
	wantCounts(t, rep, `
districts: 0/0/0/0/1
schools: 0/0/0/0/2
terms: 0/0/0/0/4
courses: 0/0/0/0/3
classes: 0/0/0/0/3
people: 0/0/0/0/13
enrollments: 0/1/0/0/8
guardian links: 0/0/0/0/3
demographics: 0/0/0/0/3`)
	after, err := s.Enrollments(ctx, d.ID, class.ID)
	ok(t, err)
	var ids []string
	for i := range after {
		if after[i].SourcedID == "enr-2-renewed" {
			ids = append(ids, fmt.Sprint(after[i].ID))
		}
	}
	for i := range before {
		if before[i].SourcedID == "enr-2" {
			ids = append(ids, fmt.Sprint(before[i].ID))
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] || len(after) != len(before) {
		t.Errorf("enrollment ids %v (renewed, then old); %d enrollments before, %d after: want one row, renamed", ids, len(before), len(after))
	}
}

// rosterLists is what the district's lists hold, as sourcedIds by kind.
func rosterLists(t *testing.T, e *env, districtID int64, includeRetired bool) map[string][]string {
	t.Helper()
	f := store.RosterFilter{IncludeRetired: includeRetired, Page: store.Page{Limit: 500}}
	out := map[string][]string{}
	schools, _, err := e.s.Schools(e.ctx, districtID, f)
	ok(t, err)
	for _, x := range schools {
		out["schools"] = append(out["schools"], x.SourcedID)
	}
	terms, _, err := e.s.Terms(e.ctx, districtID, f)
	ok(t, err)
	for _, x := range terms {
		out["terms"] = append(out["terms"], x.SourcedID)
	}
	courses, _, err := e.s.Courses(e.ctx, districtID, f)
	ok(t, err)
	for _, x := range courses {
		out["courses"] = append(out["courses"], x.SourcedID)
	}
	classes, _, err := e.s.Classes(e.ctx, districtID, f)
	ok(t, err)
	for _, x := range classes {
		out["classes"] = append(out["classes"], x.SourcedID)
	}
	people, _, err := e.s.People(e.ctx, districtID, store.PersonFilter{IncludeRetired: includeRetired, Page: f.Page})
	ok(t, err)
	for _, x := range people {
		out["people"] = append(out["people"], x.SourcedID)
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// testRetiredLeaveLists imports a roster, then one without a school and
// everything in it (a course, a class, its teacher and student and the
// student's relative) and without a grading period: the retired records
// leave the lists, each is still there by id with the time it was
// retired, and a list that asks for retired records has them.
func testRetiredLeaveLists(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "retired lists")
	ro := openRoster(t, e, d.ID, "bulk-v1p2")
	importRoster(t, e, d.ID, "bulk-v1p2", store.ImportOptions{})
	all := rosterLists(t, e, d.ID, false)
	want := map[string][]string{
		"schools": {"org-hs", "org-ms"},
		"terms":   {"as-2025", "as-2025-q1", "as-2025-s1", "as-2025-s2"},
		"courses": {"crs-adv", "crs-alg1", "crs-ela7"},
		"classes": {"cls-alg1-p1", "cls-alg1-p3", "cls-ela7-hr"},
		"people": {"usr-a1", "usr-adm1", "usr-c1", "usr-g1", "usr-p1", "usr-prn1", "usr-r1", "usr-s1", "usr-s2",
			"usr-s3", "usr-sys1", "usr-t1", "usr-t2"},
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Fatalf("lists after the first import (-want +got):\n%s", diff)
	}
	ms, err := s.School(ctx, d.ID, classBySourcedID(t, e, d.ID, "cls-ela7-hr").SchoolID)
	ok(t, err)
	ela := classBySourcedID(t, e, d.ID, "cls-ela7-hr")
	chloe := person(t, e, d.ID, "usr-s3")

	gone := map[string]bool{"org-ms": true, "as-2025-q1": true, "crs-ela7": true, "cls-ela7-hr": true,
		"usr-s3": true, "usr-t2": true, "usr-r1": true}
	without := deepCopyRoster(ro)
	without.Orgs = slices.DeleteFunc(without.Orgs, func(x oneroster.Org) bool { return gone[x.SourcedID] })
	without.AcademicSessions = slices.DeleteFunc(slices.Clone(ro.AcademicSessions), func(x oneroster.AcademicSession) bool { return gone[x.SourcedID] })
	without.Courses = slices.DeleteFunc(slices.Clone(ro.Courses), func(x oneroster.Course) bool { return gone[x.SourcedID] })
	without.Classes = slices.DeleteFunc(without.Classes, func(x oneroster.Class) bool { return gone[x.SourcedID] })
	without.Users = slices.DeleteFunc(without.Users, func(x oneroster.User) bool { return gone[x.SourcedID] })
	without.Roles = slices.DeleteFunc(without.Roles, func(x oneroster.Role) bool { return gone[x.UserSourcedID] || gone[x.OrgSourcedID] })
	without.Demographics = slices.DeleteFunc(slices.Clone(ro.Demographics), func(x oneroster.Demographic) bool { return gone[x.SourcedID] })
	without.Enrollments = slices.DeleteFunc(without.Enrollments, func(x oneroster.Enrollment) bool { return gone[x.ClassSourcedID] })

	before := e.clk.now()
	rep, err := s.ImportOneRoster(ctx, d.ID, without, store.ImportOptions{})
	ok(t, err)
	after := e.clk.now()
	for kind, n := range map[string]int{"schools": 1, "terms": 1, "courses": 1, "classes": 1, "people": 3, "enrollments": 2} {
		if rep.Retired[kind] != n {
			t.Errorf("%s retired: %d, want %d\n%s", kind, rep.Retired[kind], n, counts(rep))
		}
	}

	// The lists leave the retired records out...
	current := map[string][]string{}
	for kind, ids := range want {
		for _, id := range ids {
			if !gone[id] {
				current[kind] = append(current[kind], id)
			}
		}
	}
	if diff := cmp.Diff(current, rosterLists(t, e, d.ID, false)); diff != "" {
		t.Errorf("lists after the import without the middle school (-want +got):\n%s", diff)
	}
	// ...unless asked for them.
	if diff := cmp.Diff(want, rosterLists(t, e, d.ID, true)); diff != "" {
		t.Errorf("lists with retired records (-want +got):\n%s", diff)
	}
	classes, err := s.SchoolClasses(ctx, d.ID, []int64{ms.ID})
	ok(t, err)
	if len(classes) != 0 {
		t.Errorf("the retired school still has %d classes listed", len(classes))
	}

	// Each is still there by id, with the time it was retired.
	retiredAt := map[string]*time.Time{}
	gotSchool, err := s.School(ctx, d.ID, ms.ID)
	ok(t, err)
	retiredAt["school"] = gotSchool.RetiredAt
	gotClass, err := s.Class(ctx, d.ID, ela.ID)
	ok(t, err)
	retiredAt["class"] = gotClass.RetiredAt
	gotCourse, err := s.Course(ctx, d.ID, ela.CourseID)
	ok(t, err)
	retiredAt["course"] = gotCourse.RetiredAt
	gotPerson, err := s.Person(ctx, d.ID, chloe.ID)
	ok(t, err)
	retiredAt["person"] = gotPerson.RetiredAt
	terms, _, err := s.Terms(ctx, d.ID, store.RosterFilter{IncludeRetired: true})
	ok(t, err)
	for _, tr := range terms {
		if tr.SourcedID == "as-2025-q1" {
			got, err := s.Term(ctx, d.ID, tr.ID)
			ok(t, err)
			retiredAt["term"] = got.RetiredAt
		} else if tr.RetiredAt != nil {
			t.Errorf("term %s retired at %v, want not retired", tr.SourcedID, tr.RetiredAt)
		}
	}
	enr, err := s.Enrollments(ctx, d.ID, ela.ID)
	ok(t, err)
	for i, en := range enr {
		retiredAt[fmt.Sprintf("enrollment %d", i)] = en.RetiredAt
	}
	if len(retiredAt) != 7 {
		t.Errorf("%d retired records read back, want 7 (%v)", len(retiredAt), retiredAt)
	}
	for what, at := range retiredAt {
		if at == nil || !at.After(before) || !at.Before(after) || at.Location() != time.UTC {
			t.Errorf("%s retired at %v, want a UTC time between %v and %v", what, at, before, after)
		}
	}
	if got := person(t, e, d.ID, "usr-s1"); got.RetiredAt != nil {
		t.Errorf("usr-s1 retired at %v, want not retired", got.RetiredAt)
	}
	// A retired record changed in cairn stays retired.
	gotSchool.Name = "Lincoln Middle School (closed)"
	ok(t, s.UpdateSchool(ctx, &gotSchool))
	if gotSchool.RetiredAt == nil || !gotSchool.RetiredAt.Equal(*retiredAt["school"]) {
		t.Errorf("school after an update retired at %v, want %v", gotSchool.RetiredAt, retiredAt["school"])
	}

	// The whole roster again brings them all back.
	importRoster(t, e, d.ID, "bulk-v1p2", store.ImportOptions{})
	if diff := cmp.Diff(want, rosterLists(t, e, d.ID, false)); diff != "" {
		t.Errorf("lists after the whole roster again (-want +got):\n%s", diff)
	}
	if got := person(t, e, d.ID, "usr-s3"); got.RetiredAt != nil {
		t.Errorf("usr-s3 back, retired at %v, want nil", got.RetiredAt)
	}
}

func testImportOneRosterRefused(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "refused")
	ro := openRoster(t, e, d.ID, "bulk-v1p2")
	tests := []struct {
		name     string
		change   func(r *oneroster.Roster)
		mentions []string
	}{
		{"same place twice", func(r *oneroster.Roster) {
			dup := r.Enrollments[1]
			dup.SourcedID = "enr-2b"
			r.Enrollments = append(r.Enrollments, dup)
		}, []string{"enrollments.csv", `"enr-2b"`, `"enr-2"`, "already puts this user"}},
		{"username twice", func(r *oneroster.Roster) {
			for i := range r.Users {
				if r.Users[i].SourcedID == "usr-s2" {
					r.Users[i].Username = "ana.lopez"
				}
			}
		}, []string{"users.csv", "username", `"ana.lopez"`}},
		{"class of a department", func(r *oneroster.Roster) {
			for i := range r.Classes {
				if r.Classes[i].SourcedID == "cls-ela7-hr" {
					r.Classes[i].SchoolSourcedID = "org-math"
				}
			}
		}, []string{"classes.csv", "schoolSourcedId", "org-math", "not a school"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := deepCopyRoster(ro)
			tt.change(bad)
			_, err := s.ImportOneRoster(ctx, d.ID, bad, store.ImportOptions{})
			wantBadInput(t, err, tt.mentions...)
			ps, _, err := s.People(ctx, d.ID, store.PersonFilter{IncludeRetired: true})
			ok(t, err)
			schools, _, err := s.Schools(ctx, d.ID, store.RosterFilter{IncludeRetired: true})
			ok(t, err)
			if len(ps)+len(schools) != 0 {
				t.Errorf("a refused import wrote %d people and %d schools", len(ps), len(schools))
			}
		})
	}
}

// editedRoster reads a package of the OneRoster test data with one text of
// one file replaced.
func editedRoster(t *testing.T, e *env, districtID int64, dir, file, old, new string, opt oneroster.ReadOptions) *oneroster.Roster {
	t.Helper()
	src := filepath.Join(onerosterTestdata, dir)
	tmp := t.TempDir()
	entries, err := os.ReadDir(src)
	ok(t, err)
	for _, en := range entries {
		b, err := os.ReadFile(filepath.Join(src, en.Name()))
		ok(t, err)
		if en.Name() == file {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s has no %q", file, old)
			}
			b = bytes.Replace(b, []byte(old), []byte(new), 1)
		}
		ok(t, os.WriteFile(filepath.Join(tmp, en.Name()), b, 0o644))
	}
	known, err := e.s.OneRosterKnown(e.ctx, districtID)
	ok(t, err)
	opt.Known = oneroster.SnapshotOf(known)
	ro, err := oneroster.Open(tmp, opt)
	ok(t, err)
	return ro
}

// testImportOneRosterOdd imports a 1.1 set where a student is enrolled as
// a teacher, as real exports have it: the import goes through, with a
// warning, and the student gains no teacher's place in the class (the
// place that gives a teacher's access to its students).
func testImportOneRosterOdd(t *testing.T, e *env) {
	d := emptyDistrict(t, e, "odd")
	ro := editedRoster(t, e, d.ID, "bulk-v1p1", "enrollments.csv", "enr-3,,,cls-alg1-p1,org-hs,usr-s2,student", "enr-3,,,cls-alg1-p1,org-hs,usr-s2,teacher", oneroster.ReadOptions{})
	rep, err := e.s.ImportOneRoster(e.ctx, d.ID, ro, store.ImportOptions{})
	ok(t, err)
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.HasPrefix(w, `enrollments.csv:4:7: role: user "usr-s2" is enrolled as a teacher`)
	}) {
		t.Errorf("no warning with the line of the odd enrollment: %q", rep.Warnings)
	}
	if diff := cmp.Diff([]string{"usr-s1/student", "usr-t1/teacher"}, enrolled(t, e, d.ID, "cls-alg1-p1")); diff != "" {
		t.Errorf("cls-alg1-p1 (-want +got):\n%s", diff)
	}
	if p := person(t, e, d.ID, "usr-s2"); !slices.Equal(p.Roles, []roster.Role{roster.RoleStudent}) {
		t.Errorf("usr-s2 has roles %v, want only student", p.Roles)
	}
}

// testImportOneRosterPartial imports a set with bad rows, as a partial
// read leaves it: the other rows are applied, and the records of the bad
// rows stay as the last import left them, neither changed nor retired.
func testImportOneRosterPartial(t *testing.T, e *env) {
	d := emptyDistrict(t, e, "partial")
	importRoster(t, e, d.ID, "bulk-v1p2", store.ImportOptions{})
	before := enrolled(t, e, d.ID, "cls-alg1-p3")
	ana := person(t, e, d.ID, "usr-s1")
	// Ana's row loses its given name, and Ben's family name changes.
	ro := editedRoster(t, e, d.ID, "bulk-v1p2", "users.csv", ",Ana,", ",,", oneroster.ReadOptions{Partial: true})
	for i := range ro.Users {
		if ro.Users[i].SourcedID == "usr-s2" {
			ro.Users[i].FamilyName = "Okafor-Reyes"
		}
	}
	if len(ro.Refused) == 0 || !ro.IsHeld(oneroster.Users, "usr-s1") {
		t.Fatalf("the partial read refused %q, held %v", ro.Refused, ro.Held)
	}
	rep, err := e.s.ImportOneRoster(e.ctx, d.ID, ro, store.ImportOptions{})
	ok(t, err)
	if len(rep.Refused) == 0 || !strings.HasPrefix(rep.Refused[0], "users.csv:2:") {
		t.Errorf("report's refused rows: %q", rep.Refused)
	}
	if rep.Retired["people"]+rep.Retired["enrollments"]+rep.Removed["guardian links"]+rep.Removed["demographics"] != 0 || rep.Updated["people"] != 1 {
		t.Errorf("partial import:\n%s want usr-s2 updated, nothing retired or removed", counts(rep))
	}
	if p := person(t, e, d.ID, "usr-s1"); p.GivenName != ana.GivenName || p.RetiredAt != nil {
		t.Errorf("usr-s1 after the partial import: %q, retired %v", p.GivenName, p.RetiredAt)
	}
	if p := person(t, e, d.ID, "usr-s2"); p.FamilyName != "Okafor-Reyes" {
		t.Errorf("usr-s2's family name %q, want the file's", p.FamilyName)
	}
	if diff := cmp.Diff(before, enrolled(t, e, d.ID, "cls-alg1-p3")); diff != "" {
		t.Errorf("enrollments of the class of the held student (-before +after):\n%s", diff)
	}
}

func deepCopyRoster(r *oneroster.Roster) *oneroster.Roster {
	c := *r
	c.Orgs = slices.Clone(r.Orgs)
	c.Classes = slices.Clone(r.Classes)
	c.Users = slices.Clone(r.Users)
	c.Roles = slices.Clone(r.Roles)
	c.Enrollments = slices.Clone(r.Enrollments)
	return &c
}

// testExportOneRoster exports a district made in cairn and districts
// imported from OneRoster 1.1 and 1.2 sets that have every field cairn
// does not hold itself, and imports each export: into the same district a
// dry run reports no change, the import changes nothing and the district
// exports the same files; into a new district (a new database) it gives a
// district that exports the same files, byte for byte.
func testExportOneRoster(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	when := time.Date(2025, 2, 1, 7, 30, 0, 0, time.UTC)
	// Both sets name their district org-district: the 1.2 one, imported
	// first, keeps it, and the other district keeps its own.
	v12 := emptyDistrict(t, e, "from 1.2")
	importRoster(t, e, v12.ID, "roundtrip-v1p2", store.ImportOptions{})
	v11 := emptyDistrict(t, e, "from 1.1")
	importRoster(t, e, v11.ID, "roundtrip-v1p1", store.ImportOptions{})
	made := newDistrict(t, e, "made")
	// Relationships OneRoster has no role for, a district administrator
	// who works in two schools, races in an order of their own.
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: made.d.ID, GuardianID: made.guardian.ID, StudentID: made.alice.ID, Relationship: "mother"}))
	ok(t, s.LinkGuardian(ctx, roster.GuardianLink{DistrictID: made.d.ID, GuardianID: made.guardian.ID, StudentID: made.bob.ID, Relationship: "aunt"}))
	second := roster.School{DistrictID: made.d.ID, Name: "Valley Middle"}
	ok(t, s.CreateSchool(ctx, &second))
	admin := roster.Person{DistrictID: made.d.ID, GivenName: "Ada", FamilyName: "Ruiz", Roles: []roster.Role{roster.RoleDistrictAdmin}, SchoolIDs: []int64{made.school.ID, second.ID}}
	ok(t, s.CreatePerson(ctx, &admin))
	ok(t, s.SetDemographics(ctx, roster.Demographics{DistrictID: made.d.ID, StudentID: made.alice.ID, Races: []string{"white", "asian"}}))

	export := func(s *store.Store, districtID int64) []byte {
		var b bytes.Buffer
		sr, err := s.StoredRoster(ctx, districtID)
		ok(t, err)
		_, err = oneroster.WriteStored(&b, sr, oneroster.WriteOptions{Now: when})
		ok(t, err)
		return b.Bytes()
	}
	read := func(b []byte) *oneroster.Roster {
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		ok(t, err)
		ro, err := oneroster.Read(z, oneroster.ReadOptions{})
		ok(t, err)
		return ro
	}
	for _, tt := range []struct {
		name     string
		district int64
		// has are texts the first export must hold, by file.
		has map[string][]string
	}{
		{"1.1 set", v11.ID, map[string][]string{
			"users.csv": {"usr-s1,active,2024-08-01T10:00:00.000Z,true,ana.lopez,\"{LDAP:alopez},{SIS:100234}\",Ana,López,María,100234,", ",mother,\r\n", ",father,\r\n", ",aunt,\r\n"},
			"roles.csv": {"usr-adm1,secondary,districtAdministrator,,,org-ms,", "usr-adm2,secondary,siteAdministrator,,,org-ms,"},
		}},
		{"1.2 set", v12.ID, map[string][]string{
			"manifest.csv":     {"source.systemCode,org-district"},
			"users.csv":        {"usr-t2,active,2024-08-05T14:28:00.000Z,true,e.smith,{LDAP:esmith},", ",org-district,,stepmother,\r\n"},
			"roles.csv":        {"role-t1a,active,2024-08-04T13:21:00.000Z,usr-t1,primary,teacher,,,org-hs,prof-t1", "role-prn1c,", "role-adm1c,"},
			"userProfiles.csv": {"prof-s1,active,"},
			"demographics.csv": {"usr-s3,active,2024-08-03T12:14:00.000Z,2012-07-30,unspecified,,true,false,,true,true,"},
		}},
		{"made in cairn", made.d.ID, map[string][]string{
			"users.csv":        {"stu-a=mother,"},
			"demographics.csv": {",true,,,true,"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			first := export(s, tt.district)
			texts := zipTexts(t, first)
			for file, wants := range tt.has {
				for _, want := range wants {
					if !strings.Contains(texts[file], want) {
						t.Errorf("%s has no %q:\n%s", file, want, texts[file])
					}
				}
			}
			for file, text := range texts {
				if strings.Contains(text, "\r\n,,,") || strings.Contains(text, ",,2024-08-19,") && file == "users.csv" {
					t.Errorf("%s has rows without status or dateLastModified:\n%s", file, text)
				}
			}

			dry, err := s.ImportOneRoster(ctx, tt.district, read(first), store.ImportOptions{DryRun: true})
			ok(t, err)
			if dry.Changed() || dry.Updated["people"]+dry.Updated["demographics"]+dry.Updated["guardian links"] != 0 {
				t.Errorf("a dry run of the district's own export would change:\n%s", counts(dry))
			}
			rep, err := s.ImportOneRoster(ctx, tt.district, read(first), store.ImportOptions{})
			ok(t, err)
			if rep.Changed() {
				t.Errorf("importing the district's own export changed:\n%s", counts(rep))
			}
			if diff := cmp.Diff(texts, zipTexts(t, export(s, tt.district))); diff != "" {
				t.Errorf("export after importing the district's own export (-before +after):\n%s", diff)
			}

			url := filepath.Join(t.TempDir(), "other.db")
			if s.Engine() == store.Postgres {
				url = pgtest.URL(t)
			}
			other := open(t, url)
			fresh := roster.District{Name: "Fresh"}
			ok(t, other.s.CreateDistrict(ctx, &fresh))
			if _, err := other.s.ImportOneRoster(ctx, fresh.ID, read(first), store.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(texts, zipTexts(t, export(other.s, fresh.ID))); diff != "" {
				t.Errorf("export of the district built from the export (-first +second):\n%s", diff)
			}
		})
	}

	// A record changed in cairn since its import is dated by the export;
	// the others keep the date they came with.
	ben := person(t, e, v12.ID, "usr-s2")
	ben.FamilyName = "Okafor-Reyes"
	ok(t, s.UpdatePerson(ctx, &ben))
	users := zipTexts(t, export(s, v12.ID))["users.csv"]
	for _, want := range []string{"usr-s2,active,2025-02-01T07:30:00.000Z,", "usr-s1,active,2024-08-01T10:00:00.000Z,"} {
		if !strings.Contains(users, want) {
			t.Errorf("users.csv has no %q:\n%s", want, users)
		}
	}
}

// zipTexts returns the files of a zip by name.
func zipTexts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	ok(t, err)
	out := map[string]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		ok(t, err)
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		ok(t, err)
		out[f.Name] = buf.String()
	}
	return out
}

func testExportGradebook(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "grades")
	ok(t, s.RecordEvidenceBatch(ctx, []evidence.Evidence{
		x.ev(x.alice, 3, level(x.s1, 4), level(x.s2, 2)),
		x.ev(x.bob, 2, level(x.s1, 1)),
	}))
	var buf bytes.Buffer
	n, err := exportGradebook(ctx, s, x.d.ID, &buf, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	ok(t, err)
	files := zipTexts(t, buf.Bytes())
	rows := func(name string) [][]string {
		recs, err := csv.NewReader(strings.NewReader(files[name])).ReadAll()
		ok(t, err)
		return recs[1:]
	}
	// The line items are dated by the class's term, not by the export,
	// and exporting later gives the same files.
	for _, li := range rows("lineItems.csv") {
		if li[5] != x.term.StartDate.UTC().Format("2006-01-02T15:04:05.000Z") || li[6] != x.term.EndDate.UTC().Format("2006-01-02T15:04:05.000Z") {
			t.Errorf("line item %s assigned %s, due %s: want the term's %s to %s", li[0], li[5], li[6], x.term.StartDate, x.term.EndDate)
		}
		if len(li[3]) > 90 {
			t.Errorf("line item title of %d bytes: %s", len(li[3]), li[3])
		}
	}
	var later bytes.Buffer
	_, err = exportGradebook(ctx, s, x.d.ID, &later, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	ok(t, err)
	if diff := cmp.Diff(files, zipTexts(t, later.Bytes())); diff != "" {
		t.Errorf("a later export differs (-first +later):\n%s", diff)
	}
	results := rows("results.csv")
	for _, r := range results {
		if i := strings.IndexByte(r[6], '.'); i >= 0 && len(r[6])-i-1 > oneroster.ScorePrecision {
			t.Errorf("score %s has more than %d decimals", r[6], oneroster.ScorePrecision)
		}
	}
	if len(results) != n {
		t.Errorf("%d results written, ExportGradebook says %d", len(results), n)
	}
	// Alice has states on s1, s2, their cluster (mapped to the course);
	// Bob on s1 and the cluster. s3 has no evidence.
	if n != 5 {
		t.Errorf("%d results, want 5:\n%s", n, files["results.csv"])
	}
	pkg, err := exportCASE(ctx, s, x.d.ID, x.fw.ID, casepkg.ExportOptions{})
	ok(t, err)
	items := map[string]string{} // CASE identifier -> code
	for _, it := range pkg.CFItems {
		items[it.Identifier] = it.HumanCodingScheme
	}
	score := map[string]string{} // "student code" -> score/level
	for _, r := range rows("resultLearningObjectiveIds.csv") {
		code, found := items[r[5]]
		if !found {
			t.Errorf("learning objective %q is not an item of the CASE export", r[5])
		}
		result := r[3]
		student := result[strings.LastIndex(result, ".")+1:]
		score[student+" "+code] = r[6] + "/" + r[7]
	}
	alice, bob := "cairn-person-"+strconv.FormatInt(x.alice.ID, 10), "cairn-person-"+strconv.FormatInt(x.bob.ID, 10)
	alice = cmpOr(x.alice.SourcedID, alice)
	want := map[string]string{
		alice + " 6.RP.A.1": "4/Advanced",
		alice + " 6.RP.A.2": "2/Developing",
		bob + " 6.RP.A.1":   "1/Beginning",
	}
	for k, v := range want {
		if score[k] != v {
			t.Errorf("result %s = %q, want %q (all: %v)", k, score[k], v, score)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// writeLargeRoster writes a OneRoster 1.2 bulk package shaped like a large
// district: 40 schools, users (92% students, 4% teachers, 4% guardians),
// a class per teacher, each student in four classes and each class with
// its teacher, each student with a guardian.
func writeLargeRoster(dir string, users, enrollments int) error {
	const schools = 40
	teachers, guardians := users/25, users/25
	students := users - teachers - guardians
	classes := teachers
	write := func(name, header string, n int, row func(w *bufio.Writer, i int)) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header + "\n")
		for i := range n {
			row(w, i)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		return f.Close()
	}
	files := []string{"orgs", "academicSessions", "courses", "classes", "users", "roles", "enrollments"}
	var manifest strings.Builder
	manifest.WriteString("manifest.version,1.0\noneroster.version,1.2\n")
	for _, f := range files {
		fmt.Fprintf(&manifest, "file.%s,bulk\n", f)
	}
	steps := []error{
		write("manifest.csv", "propertyName,value", 1, func(w *bufio.Writer, _ int) { w.WriteString(manifest.String()) }),
		write("orgs.csv", "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId", schools+1, func(w *bufio.Writer, i int) {
			if i == 0 {
				w.WriteString("d,,,Large District,district,LD,\n")
				return
			}
			fmt.Fprintf(w, "s%d,,,School %d,school,S%d,d\n", i-1, i-1, i-1)
		}),
		write("academicSessions.csv", "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear", 1, func(w *bufio.Writer, _ int) {
			w.WriteString("y,,,2024-2025,schoolYear,2024-08-19,2025-06-06,,2025\n")
		}),
		write("courses.csv", "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes", 100, func(w *bufio.Writer, c int) {
			fmt.Fprintf(w, "c%d,,,y,Course %d,C%d,\"09,10\",d,Mathematics,\n", c, c, c)
		}),
		write("classes.csv", "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods", classes, func(w *bufio.Writer, c int) {
			fmt.Fprintf(w, "k%d,,,Class %d,09,c%d,K%d,scheduled,Room %d,s%d,y,Mathematics,,%d\n", c, c, c%100, c, c%300, c%schools, c%8+1)
		}),
		write("users.csv", "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns", users, func(w *bufio.Writer, u int) {
			id, agents, grade := fmt.Sprintf("u%d", u), "", ""
			switch {
			case u < students:
				agents, grade = fmt.Sprintf("g%d", u%guardians), "09"
			case u >= students+teachers:
				id = fmt.Sprintf("g%d", u-students-teachers)
			}
			fmt.Fprintf(w, "%s,,,true,user%d,{SIS:%d},Given%d,Family%d,,%d,user%d@example.org,,,%s,%s,,,,,,s%d,\n", id, u, u, u, u, u, u, agents, grade, u%schools)
		}),
		write("roles.csv", "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId", users, func(w *bufio.Writer, u int) {
			id, role := fmt.Sprintf("u%d", u), "student"
			switch {
			case u >= students+teachers:
				id, role = fmt.Sprintf("g%d", u-students-teachers), "parent"
			case u >= students:
				role = "teacher"
			}
			fmt.Fprintf(w, "r%d,,,%s,primary,%s,,,s%d,\n", u, id, role, u%schools)
		}),
		write("enrollments.csv", "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate", enrollments, func(w *bufio.Writer, e int) {
			if e < classes {
				fmt.Fprintf(w, "e%d,,,k%d,s%d,u%d,teacher,true,2024-08-19,2025-06-06\n", e, e, e%schools, students+e)
				return
			}
			s := (e - classes) % students
			k := ((e-classes)/students*997 + s) % classes
			fmt.Fprintf(w, "e%d,,,k%d,s%d,u%d,student,false,2024-08-19,2025-06-06\n", e, k, k%schools, s)
		}),
	}
	return errors.Join(steps...)
}

// TestImportGeneratedRoster imports a small roster of the large
// benchmark's shape on every engine, twice, so that the generator and the
// benchmark stay right.
func TestImportGeneratedRoster(t *testing.T) {
	dir := t.TempDir()
	ok(t, writeLargeRoster(dir, 2500, 10000))
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			d := emptyDistrict(t, e, "generated")
			ro, err := oneroster.Open(dir, oneroster.ReadOptions{})
			ok(t, err)
			rep, err := e.s.ImportOneRoster(e.ctx, d.ID, ro, store.ImportOptions{})
			ok(t, err)
			if rep.Created["people"] != 2500 || rep.Created["enrollments"] != 10000 || rep.Created["guardian links"] != 2300 {
				t.Errorf("generated roster:\n%s", counts(rep))
			}
			rep, err = e.s.ImportOneRoster(e.ctx, d.ID, ro, store.ImportOptions{})
			ok(t, err)
			if rep.Changed() {
				t.Errorf("second import changed:\n%s", counts(rep))
			}
		})
	}
}

// peakMemory runs f and returns the peak of the live heap (as the last
// garbage collection found it) and of the heap in use, sampled every 10
// ms, and the process's peak resident set (VmHWM), where the system says
// it.
func peakMemory(f func()) (liveMB, heapMB, rssMB float64) {
	var live, heap atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > live.Load() {
				live.Store(v)
			}
			if v := sample[1].Value.Uint64() + sample[2].Value.Uint64(); v > heap.Load() {
				heap.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				rssMB = kb / 1024
			}
		}
	}
	return float64(live.Load()) / (1 << 20), float64(heap.Load()) / (1 << 20), rssMB
}

// importMemoryLimit is the soft memory limit 'cairn import' runs under
// (see cmd/cairn/import.go); the large benchmark runs under it too.
const importMemoryLimit = 384 << 20

// BenchmarkImportOneRosterLarge reads and imports a generated roster of
// 100,000 users and 400,000 enrollments into an empty district, then
// imports it again (nothing changes), on each engine, under the soft
// memory limit of 'cairn import'. It reports the records per second of the
// first import (reading included), the seconds of each, the peak live
// heap, the peak heap in use and the process's peak resident set (run one
// engine per process for a resident set of that engine alone).
//
//	go test ./internal/store -run '^$' -bench 'ImportOneRosterLarge/sqlite' -benchtime 1x
//	go test ./internal/store -run '^$' -bench 'ImportOneRosterLarge/postgres' -benchtime 1x
func BenchmarkImportOneRosterLarge(b *testing.B) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	dir := b.TempDir()
	if err := writeLargeRoster(dir, 100000, 400000); err != nil {
		b.Fatal(err)
	}
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				url := eng.url(b)
				s, err := store.Open(b.Context(), store.Config{URL: url})
				if err != nil {
					b.Fatal(err)
				}
				d := roster.District{Name: "Large"}
				if err := s.CreateDistrict(b.Context(), &d); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				b.StartTimer()
				var first, second time.Duration
				var records int
				live, heap, rss := peakMemory(func() {
					t0 := time.Now()
					ro, err := oneroster.Open(dir, oneroster.ReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					records = len(ro.Orgs) + len(ro.AcademicSessions) + len(ro.Courses) + len(ro.Classes) + len(ro.Users) + len(ro.Roles) + len(ro.Enrollments)
					rep, err := s.ImportOneRoster(b.Context(), d.ID, ro, store.ImportOptions{})
					if err != nil {
						b.Fatal(err)
					}
					first = time.Since(t0)
					if rep.Created["people"] != 100000 || rep.Created["enrollments"] != 400000 {
						b.Fatalf("first import:\n%s", counts(rep))
					}
					t1 := time.Now()
					rep, err = s.ImportOneRoster(b.Context(), d.ID, ro, store.ImportOptions{})
					if err != nil {
						b.Fatal(err)
					}
					second = time.Since(t1)
					if rep.Changed() {
						b.Fatalf("second import changed:\n%s", counts(rep))
					}
				})
				b.StopTimer()
				s.Close()
				b.ReportMetric(float64(records)/first.Seconds(), "records/s")
				b.ReportMetric(first.Seconds(), "s-first")
				b.ReportMetric(second.Seconds(), "s-again")
				b.ReportMetric(live, "MB-peak-live")
				b.ReportMetric(heap, "MB-peak-heap")
				b.ReportMetric(rss, "MB-peak-rss")
				b.StartTimer()
			}
		})
	}
}

// generatedCASE is a CASE 1.1 package of n items shaped like a state's
// standards: 10 domains of 9 clusters each, the rest standards spread over
// the clusters, each preceded by the one before it in its cluster. seed
// changes every identifier, so that two packages do not share items.
func generatedCASE(n int, seed int) []byte {
	const when = "2024-03-01T09:30:00Z"
	id := func(kind byte, i int) string { return fmt.Sprintf("%c%07d-0000-4000-8000-%012d", kind, seed, i) }
	type node struct{ id, parent, code string }
	doc := id('d', 0)
	var nodes []node
	for d := range 10 {
		nodes = append(nodes, node{id('a', len(nodes)), doc, fmt.Sprintf("D%d", d+1)})
	}
	for c := range 90 {
		nodes = append(nodes, node{id('a', len(nodes)), nodes[c%10].id, fmt.Sprintf("%s.C%d", nodes[c%10].code, c/10+1)})
	}
	for s := 0; len(nodes) < n; s++ {
		cl := nodes[10+s%90]
		nodes = append(nodes, node{id('a', len(nodes)), cl.id, fmt.Sprintf("%s.%d", cl.code, s/90+1)})
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"CFDocument":{"identifier":%q,"uri":"https://case.example.org/ims/case/v1p1/CFDocuments/%s","caseVersion":"1.1","creator":"Generated","title":"Generated framework %d","lastChangeDateTime":%q},"CFItems":[`, doc, doc, seed, when)
	for i, nd := range nodes {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n"+`{"identifier":%q,"uri":"https://case.example.org/ims/case/v1p1/CFItems/%s","fullStatement":"Statement of %s.","humanCodingScheme":%q,"CFItemType":"Standard","lastChangeDateTime":%q}`, nd.id, nd.id, nd.code, nd.code, when)
	}
	b.WriteString("],\"CFAssociations\":[")
	a := 0
	assoc := func(typ, o, d string, seq int) {
		if a > 0 {
			b.WriteByte(',')
		}
		s := ""
		if seq > 0 {
			s = fmt.Sprintf(`,"sequenceNumber":%d`, seq)
		}
		fmt.Fprintf(&b, "\n"+`{"identifier":%q,"associationType":%q,"uri":"urn:uuid:%s","originNodeURI":{"title":"o","identifier":%q,"uri":"u"},"destinationNodeURI":{"title":"d","identifier":%q,"uri":"u"},"lastChangeDateTime":%q%s}`, id('c', a), typ, id('c', a), o, d, when, s)
		a++
	}
	last := map[string]string{}
	for i, nd := range nodes {
		assoc("isChildOf", nd.id, nd.parent, i+1)
		if i >= 100 {
			if prev, ok := last[nd.parent]; ok {
				assoc("precedes", prev, nd.id, 0)
			}
			last[nd.parent] = nd.id
		}
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// BenchmarkImportCASE2000 parses and imports a generated 2,000-item
// framework into an empty district on each engine, then imports it again.
//
//	go test ./internal/store -run '^$' -bench ImportCASE2000 -benchtime 5x
func BenchmarkImportCASE2000(b *testing.B) {
	data := generatedCASE(2000, 1)
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			s, err := store.Open(b.Context(), store.Config{URL: eng.url(b)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var again time.Duration
			for b.Loop() {
				b.StopTimer()
				d := roster.District{Name: "Bench"}
				if err := s.CreateDistrict(b.Context(), &d); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				pkg, err := casepkg.Parse(bytes.NewReader(data), "generated.json")
				if err != nil {
					b.Fatal(err)
				}
				rep, err := s.ImportCASE(b.Context(), d.ID, pkg, store.ImportOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Created["standards"] != 2000 {
					b.Fatalf("import:\n%s", counts(rep))
				}
				b.StopTimer()
				t0 := time.Now()
				rep, err = s.ImportCASE(b.Context(), d.ID, pkg, store.ImportOptions{})
				again += time.Since(t0)
				if err != nil || rep.Changed() {
					b.Fatalf("import again: %v\n%s", err, counts(rep))
				}
				b.StartTimer()
			}
			b.ReportMetric(again.Seconds()/float64(b.N), "s-again")
		})
	}
}

// TestImportCASELarge imports a generated 2,000-item framework on every
// engine and logs how long it took.
func TestImportCASELarge(t *testing.T) {
	data := generatedCASE(2000, 2)
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			e := open(t, eng.url(t))
			d := emptyDistrict(t, e, "large")
			t0 := time.Now()
			pkg, err := casepkg.Parse(bytes.NewReader(data), "generated.json")
			ok(t, err)
			rep, err := e.s.ImportCASE(e.ctx, d.ID, pkg, store.ImportOptions{})
			ok(t, err)
			t.Logf("%s: parsed and imported 2,000 items in %v", eng.name, time.Since(t0))
			if rep.Created["standards"] != 2000 || rep.Created["prerequisites"] != 2000-100-90 {
				t.Errorf("import:\n%s", counts(rep))
			}
			all, err := e.s.AllStandards(e.ctx, d.ID, rep.FrameworkID)
			ok(t, err)
			if len(all) != 2000 || all[0].Code != "D1" || all[1].Code != "D1.C1" || all[2].Code != "D1.C1.1" {
				t.Errorf("%d standards, first %v", len(all), codes(all[:min(3, len(all))]))
			}
		})
	}
}

// testExportCASEAsPublished checks that an export keeps each association's
// published identifier, and that lastChangeDateTime is when cairn changed
// a record, not when the export was made.
func testExportCASEAsPublished(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	d := emptyDistrict(t, e, "published")
	in := parseCASE(t, "publisher-fields-v1p1.json")
	rep, err := s.ImportCASE(ctx, d.ID, in, store.ImportOptions{})
	ok(t, err)
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "publisher-fields-v1p1.json:157:21: CFAssociations[9].identifier:") && strings.Contains(w, "repeated exactly")
	}) {
		t.Errorf("warnings %q lack the exact duplicate association with its place", rep.Warnings)
	}
	export := func() []byte {
		t.Helper()
		pkg, err := exportCASE(ctx, s, d.ID, rep.FrameworkID, casepkg.ExportOptions{})
		ok(t, err)
		var buf bytes.Buffer
		ok(t, pkg.WriteJSON(&buf))
		return buf.Bytes()
	}
	first := export()
	for _, id := range []string{"e2000000-0000-4000-8000-0000000b0005", "e2000000-0000-4000-8000-0000000b0006",
		"e2000000-0000-4000-8000-0000000b0007", "e2000000-0000-4000-8000-0000000b0008"} {
		if !bytes.Contains(first, []byte(`"identifier": "`+id+`"`)) {
			t.Errorf("the export lacks association %s as published", id)
		}
	}
	e.advance(30 * 24 * time.Hour)
	if second := export(); !bytes.Equal(first, second) {
		t.Error("exporting an unchanged framework a month later gave a different package")
	}

	// A statement changed in cairn carries the time of the change; the
	// other items keep theirs.
	all, err := s.AllStandards(ctx, d.ID, rep.FrameworkID)
	ok(t, err)
	var st standards.Standard
	for _, x := range all {
		if x.Code == "MS-PS1-2" {
			st = x
		}
	}
	st.Statement = "Analyze data on the properties of substances before and after they interact."
	e.advance(time.Hour)
	changedAt := e.peek().Add(time.Millisecond).UTC().Format(time.RFC3339)
	ok(t, s.UpdateStandard(ctx, &st))
	e.advance(30 * 24 * time.Hour)
	pkg, err := exportCASE(ctx, s, d.ID, rep.FrameworkID, casepkg.ExportOptions{})
	ok(t, err)
	if got := pkg.CFDocument.LastChangeDateTime; got != changedAt {
		t.Errorf("document lastChangeDateTime %s, want the change's %s", got, changedAt)
	}
	for _, it := range pkg.CFItems {
		want := map[string]string{"MS-PS1-2": changedAt, "MS-PS1-1": "2023-06-02T11:00:00+00:00", "PS": "2023-06-01T10:00:00+00:00"}[it.HumanCodingScheme]
		if want != "" && it.LastChangeDateTime != want {
			t.Errorf("item %s: lastChangeDateTime %s, want %s", it.HumanCodingScheme, it.LastChangeDateTime, want)
		}
		if it.HumanCodingScheme == "MS-PS1-2" && (it.Notes == "" || it.CFItemTypeURI == nil || it.ListEnumeration != "b") {
			t.Errorf("item %s lost what cairn does not model: %+v", it.HumanCodingScheme, it)
		}
	}
}

// exportCASE exports a framework of the district as cairn export case
// does: opt.Now defaults to the store's clock, opt.Creator to the
// district's name.
func exportCASE(ctx context.Context, s *store.Store, districtID, frameworkID int64, opt casepkg.ExportOptions) (*casepkg.CFPackage, error) {
	sf, err := s.StoredFramework(ctx, districtID, frameworkID)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = s.Now().UTC().Truncate(time.Microsecond)
	}
	if opt.Creator == "" {
		d, err := s.District(ctx, districtID)
		if err != nil {
			return nil, err
		}
		opt.Creator = d.Name
	}
	return casepkg.ExportStored(sf, opt)
}

// exportGradebook writes the district's mastery as a OneRoster gradebook,
// as cairn export gradebook does, and returns the number of results.
func exportGradebook(ctx context.Context, s *store.Store, districtID int64, w io.Writer, now time.Time) (int, error) {
	m, err := s.MasteryResults(ctx, districtID)
	if err != nil {
		return 0, err
	}
	return oneroster.WriteMasteryGradebook(w, m, now)
}
