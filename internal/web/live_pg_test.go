package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// liveDistrict is the least a heatmap needs, in a store: a class with a
// teacher, a student and a standard of its course.
type liveDistrict struct {
	district, class, teacher, student, standard int64
}

func newLiveDistrict(t testing.TB, st *store.Store) liveDistrict {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var x liveDistrict
	d := roster.District{Name: "Two Rivers", SourcedID: "tr"}
	must(st.CreateDistrict(ctx, &d))
	x.district = d.ID
	sc := roster.School{DistrictID: d.ID, Name: "Two Rivers Middle", SourcedID: "trm"}
	must(st.CreateSchool(ctx, &sc))
	term := roster.Term{DistrictID: d.ID, Title: "2024-25", Type: roster.TermSchoolYear,
		StartDate: time.Date(2024, 8, 26, 0, 0, 0, 0, time.UTC), EndDate: time.Date(2025, 6, 13, 0, 0, 0, 0, time.UTC)}
	must(st.CreateTerm(ctx, &term))
	course := roster.Course{DistrictID: d.ID, SchoolID: &sc.ID, Title: "Math 6", Code: "M6"}
	must(st.CreateCourse(ctx, &course))
	class := roster.Class{DistrictID: d.ID, SchoolID: sc.ID, CourseID: course.ID, TermID: term.ID, Title: "Math 6 (Ito)", Period: "1"}
	must(st.CreateClass(ctx, &class))
	x.class = class.ID
	person := func(given string, role roster.Role) int64 {
		p := roster.Person{DistrictID: d.ID, GivenName: given, FamilyName: "Ito", Roles: []roster.Role{role}, SchoolIDs: []int64{sc.ID}}
		must(st.CreatePerson(ctx, &p))
		return p.ID
	}
	x.teacher = person("Kei", roster.RoleTeacher)
	x.student = person("Rin", roster.RoleStudent)
	must(st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: d.ID, ClassID: class.ID, PersonID: x.teacher, Role: roster.EnrolledTeacher, Primary: true}))
	must(st.CreateEnrollment(ctx, &roster.Enrollment{DistrictID: d.ID, ClassID: class.ID, PersonID: x.student, Role: roster.EnrolledStudent}))
	scale := standards.DefaultScale()
	scale.DistrictID = d.ID
	must(st.CreateScale(ctx, &scale))
	fw := standards.Framework{DistrictID: d.ID, Title: "Grade 6 Mathematics", Kind: standards.Academic, ScaleID: scale.ID}
	must(st.CreateFramework(ctx, &fw))
	std := standards.Standard{DistrictID: d.ID, FrameworkID: fw.ID, Code: "6.RP.A.1", Statement: "Understand the concept of a ratio."}
	must(st.CreateStandard(ctx, &std))
	x.standard = std.ID
	must(st.SetCourseStandards(ctx, d.ID, course.ID, []int64{std.ID}))
	return x
}

// token makes a write token of person in the district.
func (x liveDistrict) token(t testing.TB, st *store.Store, person int64) string {
	t.Helper()
	secret, hash := access.NewAccessToken()
	if err := st.CreateToken(context.Background(), &store.Token{DistrictID: x.district, PersonID: person, Name: "test", Hash: hash, Scope: access.TokenWrite}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestLiveAcrossServers: two cairn servers on one PostgreSQL database; a
// teacher records evidence through server A, and the heatmap open on
// server B hears of it, once, through LISTEN/NOTIFY.
func TestLiveAcrossServers(t *testing.T) {
	url := storetest.Postgres(t)
	now := func() time.Time { return testNow }
	open := func() *store.Store {
		st, err := store.Open(context.Background(), store.Config{URL: url, Now: now, WallClock: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	stA, stB := open(), open()
	x := newLiveDistrict(t, stA)
	token := x.token(t, stA, x.teacher)
	serve := func(st *store.Store) *httptest.Server {
		srv, err := New(Config{Store: st, DistrictID: x.district, Now: now, PasswordParams: testPasswordParams})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		t.Cleanup(srv.StopLive)
		return hs
	}
	a, b := serve(stA), serve(stB)
	heatmap := openLive(t, b.URL, fmt.Sprintf("class=%d", x.class), token)

	record := func() {
		body, _ := json.Marshal(map[string]any{"studentId": x.student, "classId": x.class, "kind": "formative",
			"assessedAt": testNow.Add(-time.Hour).Format(time.RFC3339), "scores": []any{level(x.standard, 3)}})
		req, _ := http.NewRequest("POST", a.URL+"/api/v1/evidence", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("recording through A: status %d", res.StatusCode)
		}
	}
	// B's listening connection opens when its server starts: until it
	// listens, what A sends is not for B. Record until B hears one.
	deadline := time.Now().Add(15 * time.Second)
	var ev liveEvent
	for ev.name == "" && time.Now().Before(deadline) {
		record()
		ev = heatmap.next(time.Second)
	}
	if ev.name != "change" || ev.data != `{"kinds":["mastery"]}` {
		t.Fatalf("heatmap on B: event %+v, want a change of mastery", ev)
	}
	// From now on each write is heard once, within moments.
	for range 3 {
		for heatmap.next(300*time.Millisecond).name != "" {
		}
		start := time.Now()
		record()
		if ev := heatmap.next(5 * time.Second); ev.name != "change" {
			t.Fatalf("heatmap on B: event %+v after a write through A, want a change", ev)
		}
		t.Logf("A's write reached B's heatmap in %v", time.Since(start))
		heatmap.wantNothing("heatmap on B, after the one change")
	}
}
