package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/demo"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/storetest"
)

// DemoNow is the demo district's today in the page and browser tests: a
// Monday afternoon late in the first semester, with some 22,000 records
// of evidence behind it.
var DemoNow = time.Date(2026, 11, 23, 15, 0, 0, 0, time.Local)

// demoBuilt is the demo district at DemoNow, built once per test binary
// into an SQLite file whose bytes it keeps: loading it takes minutes under
// the race detector, copying it milliseconds.
var demoBuilt = sync.OnceValues(func() (demoImage, error) {
	var d demoImage
	ds, err := demo.Generate(demo.Options{Seed: 1, Now: DemoNow})
	if err != nil {
		return d, err
	}
	d.image, err = storetest.Image(func(path string) error {
		ctx := context.Background()
		st, err := store.Open(ctx, store.Config{URL: path, Now: func() time.Time { return DemoNow }})
		if err != nil {
			return err
		}
		start := time.Now()
		d.sum, err = demo.Load(ctx, st, ds, nil)
		d.took = time.Since(start)
		return errors.Join(err, st.Close())
	})
	return d, err
})

// demoImage is the built demo district: the SQLite file's bytes, what
// demo.Load said of it, and how long that took.
type demoImage struct {
	image []byte
	sum   demo.Summary
	took  time.Duration
}

// OpenDemo opens a copy of the demo district, its own to change, in a
// store whose district's today is DemoNow (signing in keeps the real
// time), and returns it with the summary demo.Load gave: the featured
// people and their sign-ins. The district is built once per test binary,
// for the page tests and the browser tests (package web_test) alike.
func OpenDemo(tb testing.TB) (*store.Store, demo.Summary) {
	tb.Helper()
	d, err := demoBuilt()
	if err != nil {
		tb.Fatalf("building the demo district: %v", err)
	}
	tb.Logf("demo district: %d records of evidence, built once in %s", d.sum.Evidence, d.took.Round(time.Millisecond))
	st, err := store.Open(context.Background(), store.Config{URL: storetest.Write(tb, d.image), Now: func() time.Time { return DemoNow }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, d.sum
}

// demoDistrict is the demo district loaded through internal/demo into a
// fresh SQLite store, served by a Server, with a browser session for each
// of its featured people.
type demoDistrict struct {
	st  *store.Store
	srv *Server
	sum demo.Summary
	// cookie is each featured person's session cookie, by role.
	teacher, student, guardian, admin *http.Cookie
}

func loadDemo(tb testing.TB) *demoDistrict {
	tb.Helper()
	st, sum := OpenDemo(tb)
	srv, err := New(Config{Store: st, DistrictID: sum.DistrictID,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PasswordParams: testPasswordParams})
	if err != nil {
		tb.Fatal(err)
	}
	d := &demoDistrict{st: st, srv: srv, sum: sum}
	d.teacher = newSessionCookie(tb, st, sum.DistrictID, sum.Teacher.ID)
	d.student = newSessionCookie(tb, st, sum.DistrictID, sum.Student.ID)
	d.guardian = newSessionCookie(tb, st, sum.DistrictID, sum.Guardian.ID)
	d.admin = newSessionCookie(tb, st, sum.DistrictID, sum.Admin.ID)
	return d
}

// newSessionCookie starts a session for a person through the store, as
// signing in does, and returns its cookie. The session lasts an hour by
// the store's clock of signing in, whatever the district's today is.
func newSessionCookie(tb testing.TB, st *store.Store, districtID, personID int64) *http.Cookie {
	tb.Helper()
	secret, hash := access.NewSecret()
	err := st.CreateSession(context.Background(), store.Session{TokenHash: hash, PersonID: personID, DistrictID: districtID,
		CSRFSecret: access.NewCSRFSecret(), ExpiresAt: st.WallClock().Add(time.Hour), Method: "password"})
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: secret}
}

// get answers one GET with the cookie.
func (d *demoDistrict) get(tb testing.TB, c *http.Cookie, path string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

// maxPageWeight is the most a page may transfer, HTML, CSS and script
// together, so that it opens quickly over a school's or a phone's weak
// connection.
const maxPageWeight = 100 * 1024

// TestDemoPages renders every page for the people of the demo district
// and checks that each answers, and that each weighs under 100 KB with
// the stylesheet and the script it loads. It also checks the teacher's
// morning: the featured class shows its 28 students with some flagged as
// stalled below a prerequisite.
func TestDemoPages(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district")
	}
	d := loadDemo(t)
	ctx := context.Background()
	sum := d.sum
	class := itoa(sum.Class.ID)
	kids, err := d.st.Children(ctx, sum.DistrictID, sum.Guardian.ID)
	if err != nil || len(kids) < 2 {
		t.Fatalf("the featured guardian's children: %v, %v", kids, err)
	}
	stds, err := d.st.CourseStandards(ctx, sum.DistrictID, sum.Class.CourseID)
	if err != nil || len(stds) < 3 {
		t.Fatalf("course standards: %d, %v", len(stds), err)
	}
	evs, _, err := d.st.StudentEvidence(ctx, sum.DistrictID, sum.Student.ID, store.EvidenceFilter{Page: store.Page{Limit: 1}})
	if err != nil || len(evs) == 0 {
		t.Fatalf("the featured student's evidence: %v", err)
	}
	teacherClasses, err := d.st.PersonClasses(ctx, sum.DistrictID, sum.Teacher.ID)
	if err != nil {
		t.Fatal(err)
	}
	pls, err := d.st.SearchPlaylists(ctx, sum.DistrictID, store.PlaylistQuery{OwnerID: sum.Teacher.ID})
	if err != nil || len(pls) == 0 {
		t.Fatalf("the featured teacher's playlists: %d, %v", len(pls), err)
	}
	var grid strings.Builder
	for _, st := range stds[:maxGridStandards] {
		grid.WriteString("&standard=" + itoa(st.ID))
	}
	pages := []struct {
		who  *http.Cookie
		path string
	}{
		{nil, "/"},
		{nil, "/signin"},
		{d.teacher, "/classes"},
		{d.teacher, "/classes/" + class},
		{d.teacher, "/classes/" + class + "?all=1"},
		{d.teacher, "/classes/" + class + "?sort=stalled&cols=weakest"},
		{d.teacher, "/classes/" + class + "?show=model&sort=s" + itoa(stds[0].ID)},
		{d.teacher, "/classes/" + class + "/record?" + grid.String()[1:]},
		{d.teacher, "/classes/" + class + "/summative"},
		{d.teacher, "/students/" + itoa(sum.Student.ID)},
		{d.teacher, "/students/" + itoa(sum.Student.ID) + "/standards/" + itoa(stds[2].ID)},
		{d.teacher, "/evidence/" + itoa(evs[0].ID)},
		{d.teacher, "/account/tokens"},
		{d.student, "/me"},
		{d.student, "/me/goals"},
		{d.student, "/me/proposals"},
		{d.student, "/evidence/" + itoa(evs[0].ID)},
		{d.teacher, "/classes/" + class + "/proposals"},
		{d.student, "/me/targets/" + itoa(pls[0].StandardID)},
		{d.teacher, "/playlists"},
		{d.teacher, "/playlists?standard=" + itoa(pls[0].StandardID)},
		{d.teacher, "/playlists/" + itoa(pls[0].ID)},
		{d.student, "/students/" + itoa(sum.Student.ID) + "/standards/" + itoa(stds[0].ID)},
		{d.guardian, "/family/" + itoa(kids[0].ID)},
		{d.guardian, "/family/" + itoa(kids[1].ID)},
		{d.admin, "/admin"},
		{d.admin, "/admin/policy"},
		{d.admin, "/admin/summative"},
		{d.admin, "/admin/scales"},
		{d.admin, "/admin/users"},
		{d.admin, "/admin/audit"},
		{d.admin, "/classes"},
		{d.admin, "/playlists"},
	}
	for _, c := range teacherClasses {
		pages = append(pages, struct {
			who  *http.Cookie
			path string
		}{d.teacher, "/classes/" + itoa(c.ID) + "?all=1"})
	}
	// Every class of the district with all its standards, the heaviest
	// heatmaps there are (ELA courses map the most standards).
	all, _, err := d.st.Classes(ctx, sum.DistrictID, store.RosterFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		pages = append(pages, struct {
			who  *http.Cookie
			path string
		}{d.admin, "/classes/" + itoa(c.ID) + "?all=1"})
	}
	assets := 0
	for _, a := range d.srv.pages.assets {
		assets += len(a.body)
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			rec := d.get(t, p.who, p.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			weight := rec.Body.Len() + assets
			t.Logf("%6d bytes of HTML, %6d in all", rec.Body.Len(), weight)
			if weight > maxPageWeight {
				t.Errorf("the page weighs %d bytes with its assets, over %d", weight, maxPageWeight)
			}
		})
	}

	// The model's view of the class: every assessed leaf cell gives the
	// model's chance of mastery instead of the level.
	body := d.get(t, d.teacher, "/classes/"+class+"?show=model").Body.String()
	if !strings.Contains(body, `id="model-legend"`) || !regexp.MustCompile(`<a href="/students/\d+/standards/\d+">\d+%[✓?]?</a>`).MatchString(body) {
		t.Errorf("the class in the model's view shows no percentages:\n%.3000s", body)
	}

	// The teacher's morning.
	body = d.get(t, d.teacher, "/classes/"+class).Body.String()
	if rows := strings.Count(body, `<tr id="student-`); rows != 28 {
		t.Errorf("the featured class shows %d students, want 28", rows)
	}
	if strings.Count(body, `<span class="flag">⚑ stalled:`) == 0 {
		t.Error("no student of the featured class is flagged as stalled")
	}
	// Both schools have a "Math 6, Period 1": a list that spans them names
	// each class's school, and a list within one school does not.
	schools, _, err := d.st.Schools(ctx, sum.DistrictID, store.RosterFilter{})
	if err != nil || len(schools) < 2 {
		t.Fatalf("the demo district's schools: %v, %v", schools, err)
	}
	body = d.get(t, d.admin, "/classes").Body.String()
	all, _, err = d.st.Classes(ctx, sum.DistrictID, store.RosterFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(body, `<li class="card" id="class-`); n != len(all) || !strings.Contains(body, "<h1>Classes</h1>") {
		t.Errorf("the administrator's class list, headed %q, shows %d classes of %d", regexp.MustCompile(`<h1>[^<]*</h1>`).FindString(body), n, len(all))
	}
	for _, sc := range schools {
		if !strings.Contains(body, html.EscapeString(sc.Name)+" · ") {
			t.Errorf("the administrator's class list does not name %s", sc.Name)
		}
	}
	body = d.get(t, d.teacher, "/classes").Body.String()
	if !strings.Contains(body, "<h1>My classes</h1>") {
		t.Error("the teacher's class list is not headed My classes")
	}
	for _, sc := range schools {
		if strings.Contains(body, html.EscapeString(sc.Name)+" · ") {
			t.Errorf("the teacher's class list, all at one school, names %s", sc.Name)
		}
	}
	// The parent on a phone reads Spanish: her profile says so.
	body = d.get(t, d.guardian, "/family/"+itoa(kids[0].ID)).Body.String()
	if !strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, "Qué se espera este año") {
		t.Error("the featured guardian's page is not in Spanish")
	}
	// The standards are English: her page marks them so that her phone
	// reads them in English.
	if !strings.Contains(body, `<h3 lang="en">`) || marked(body, "en") < 3 {
		t.Errorf("the featured guardian's Spanish page marks %d parts as English, want the frameworks and statements marked", marked(body, "en"))
	}
	// Every count of a child's page agrees, for the featured guardian's
	// children and for a child in each later grade (whose record holds
	// last year's standards from a diagnostic).
	checked := map[string]bool{}
	for _, k := range kids {
		childPageAgrees(t, d, d.guardian, k.ID, checked)
	}
	students, _, err := d.st.People(ctx, sum.DistrictID, store.PersonFilter{Role: roster.RoleStudent, Page: store.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for _, grade := range []string{"07", "08"} {
		for _, p := range students {
			gs, err := d.st.Guardians(ctx, sum.DistrictID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Grade != grade || len(gs) == 0 {
				continue
			}
			childPageAgrees(t, d, newSessionCookie(t, d.st, sum.DistrictID, gs[0].ID), p.ID, checked)
			break
		}
	}
	for _, kind := range []string{"course", "shared", "other"} {
		if !checked[kind] {
			t.Errorf("no child page checked has a group of kind %q", kind)
		}
	}
	// The teacher reads the same standards in English, unmarked.
	rec := d.get(t, d.teacher, "/students/"+itoa(sum.Student.ID))
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, `class="standards"`) {
		t.Errorf("the teacher's page on the featured student: status %d, not an English page with standards", rec.Code)
	} else if n := marked(body, "en"); n != 0 {
		t.Errorf("the teacher's English page on the featured student marks %d parts as English", n)
	}
}

// BenchmarkClassHeatmapPage measures the server's time for the featured
// class's heatmap page on the demo district in SQLite (28 students
// against the standards the class has worked on, with the stalls found
// from the prerequisite graph and every student's view written to the
// audit log), through the whole server: session, access check, store,
// audit, template. It reports the 99th percentile as p99-ms; the target
// is under 50 ms.
func BenchmarkClassHeatmapPage(b *testing.B) {
	d := loadDemo(b)
	path := "/classes/" + itoa(d.sum.Class.ID)
	if rec := d.get(b, d.teacher, path); rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	} else {
		b.SetBytes(int64(rec.Body.Len()))
	}
	durations := make([]time.Duration, 0, 1024)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		rec := d.get(b, d.teacher, path)
		durations = append(durations, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.StopTimer()
	reportP99(b, durations)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPagesAreCompressed checks that a browser that takes gzip gets the
// heatmap, its stylesheet and its script compressed, and much smaller.
func TestPagesAreCompressed(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.record(f.students[i], "Quiz", testNow.Add(-time.Hour), map[int64]float64{f.childA: 3, f.childB: 2})
	}
	b := f.signedIn(f.teacher)
	plain := b.get(fmt.Sprintf("/classes/%d", f.class))
	req := httptest.NewRequest("GET", fmt.Sprintf("/classes/%d", f.class), nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	res := b.do(req)
	if res.Header.Get("Content-Encoding") != "gzip" || len(res.Body) >= len(plain.Body)/2 {
		t.Fatalf("Content-Encoding %q, %d bytes against %d", res.Header.Get("Content-Encoding"), len(res.Body), len(plain.Body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	// The pages differ only by their masked form tokens.
	mask := regexp.MustCompile(`name="csrf" value="[^"]*"`)
	if !bytes.Equal(mask.ReplaceAll(got, nil), mask.ReplaceAll(plain.Body, nil)) {
		t.Error("the compressed page is not the page")
	}
	for _, name := range []string{"cairn.css", "cairn.js"} {
		req := httptest.NewRequest("GET", f.srv.pages.urls[name], nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if res := f.serve(req); res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s is not compressed", name)
		}
	}
	req = httptest.NewRequest("GET", fmt.Sprintf("/classes/%d", f.class), nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0, identity")
	if res := b.do(req); res.Header.Get("Content-Encoding") != "" {
		t.Error("compressed for a client that refuses gzip")
	}
}

var (
	headlineRE = regexp.MustCompile(`<p class="big" id="mastered-count" data-worked="(\d+)" data-mastered="(\d+)">`)
	expectRE   = regexp.MustCompile(`<p data-group="([^"]+)" data-standards="(\d+)" data-worked="(\d+)">`)
	groupRE    = regexp.MustCompile(`<section class="standing" data-group="([^"]+)" data-worked="(\d+)" data-mastered="(\d+)">`)
	itemRE     = regexp.MustCompile(`<li data-standard="(\d+)"( data-mastered="true")?>`)
)

// childPageAgrees reads a child's page as their guardian and checks that
// its counts agree: the headline is the sum of the groups of "what is
// expected" and of "where things stand", each standard is listed once,
// the lists hold exactly what the counts say, as the store has it, and no
// heading stands over an empty list. kinds notes the kinds of group seen.
func childPageAgrees(t *testing.T, d *demoDistrict, guardian *http.Cookie, student int64, kinds map[string]bool) {
	t.Helper()
	path := "/family/" + itoa(student)
	rec := d.get(t, guardian, path)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status %d", path, rec.Code)
	}
	body := rec.Body.String()
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	h := headlineRE.FindStringSubmatch(body)
	if h == nil {
		t.Fatalf("%s has no headline count", path)
	}
	worked, mastered := atoi(h[1]), atoi(h[2])
	expected := map[string]int{}
	sum := 0
	for _, m := range expectRE.FindAllStringSubmatch(body, -1) {
		if _, dup := expected[m[1]]; dup {
			t.Errorf("%s: group %s is expected twice", path, m[1])
		}
		expected[m[1]] = atoi(m[3])
		sum += atoi(m[3])
		kinds[strings.SplitN(m[1], "-", 2)[0]] = true
	}
	if sum != worked {
		t.Errorf("%s: what is expected counts %d standards worked on, the headline %d", path, sum, worked)
	}
	i, j := strings.Index(body, `<section id="standing">`), strings.Index(body, `<section id="recent">`)
	if i < 0 || j < i {
		t.Fatalf("%s has no standing section", path)
	}
	standing := body[i:j]
	sumWorked, sumMastered, withWorkingOn := 0, 0, 0
	for _, m := range groupRE.FindAllStringSubmatch(standing, -1) {
		w, ms := atoi(m[2]), atoi(m[3])
		sumWorked += w
		sumMastered += ms
		if w > ms {
			withWorkingOn++
		}
		if expected[m[1]] != w {
			t.Errorf("%s: group %s has %d worked on where it stands, %d in what is expected", path, m[1], w, expected[m[1]])
		}
	}
	if sumWorked != worked || sumMastered != mastered {
		t.Errorf("%s: the groups count %d mastered of %d worked on, the headline %d of %d", path, sumMastered, sumWorked, mastered, worked)
	}
	if n := strings.Count(standing, "Still working on:") + strings.Count(standing, "Todavía trabajando en:"); n != withWorkingOn {
		t.Errorf("%s: %d headings \"still working on\" for %d groups with standards not yet mastered", path, n, withWorkingOn)
	}
	if strings.Contains(standing, `<ul class="timeline"></ul>`) {
		t.Errorf("%s: an empty list stands under a heading", path)
	}
	states, err := d.st.StudentMastery(context.Background(), d.sum.DistrictID, student)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]bool{}
	for _, s := range states {
		state[itoa(s.StandardID)] = s.Mastered
	}
	seen := map[string]bool{}
	listedMastered := 0
	for _, m := range itemRE.FindAllStringSubmatch(standing, -1) {
		if seen[m[1]] {
			t.Errorf("%s: standard %s is listed twice", path, m[1])
		}
		seen[m[1]] = true
		isMastered, ok := state[m[1]]
		if !ok || isMastered != (m[2] != "") {
			t.Errorf("%s: standard %s is listed as mastered=%v; the store has a state %v, mastered %v", path, m[1], m[2] != "", ok, isMastered)
		}
		if m[2] != "" {
			listedMastered++
		}
	}
	if len(seen) != worked || listedMastered != mastered {
		t.Errorf("%s lists %d standards worked on, %d mastered; the headline says %d and %d", path, len(seen), listedMastered, worked, mastered)
	}
}
