package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-learning/cairn/internal/demo"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
	"github.com/cairn-learning/cairn/internal/testenv"
	"github.com/cairn-learning/cairn/internal/web"
)

// The browser tests drive Debian's Chromium, headless, through the pages
// of the demo district as its teacher, guardian, student, administrator
// and a visitor use them. On every page they reach they run axe-core's
// WCAG 2.1 A and AA rules, weigh what the page transferred, check that
// nothing scrolls sideways at 360 px, and keep screenshots (the whole
// page at 1280 px, the first screen at 360 px) in a folder they print.

// browserNow is the demo district's today in the browser tests: a
// Monday afternoon late in the first semester (web.DemoNow).
var browserNow = web.DemoNow

// maxTransfer is the most one page may transfer, HTML, CSS and script
// together: it must open quickly on a school's shared connection or a
// phone.
const maxTransfer = 100 * 1024

// axeRun runs axe-core's rules (RUN_ONLY is replaced by which) and
// returns the violations, the rules that passed and those axe could not
// decide alone (which a person has to look at).
const axeRun = `axe.run(document, {runOnly: RUN_ONLY}).then(r => ({
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, count: v.nodes.length,
		targets: v.nodes.slice(0, 4).map(n => n.target.join(' '))
	})),
	passed: r.passes.length,
	ran: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
	incomplete: r.incomplete.map(v => v.id + ' on ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') +
		(v.nodes.length > 3 ? ' and ' + (v.nodes.length - 3) + ' more' : ''))
}))`

// pageFacts is what the tests read from every page once it has loaded.
const pageFacts = `(() => {
	const size = e => e.transferSize > 0 ? e.transferSize : e.encodedBodySize;
	const nav = performance.getEntriesByType('navigation')[0];
	let bytes = nav ? size(nav) : 0;
	for (const e of performance.getEntriesByType('resource')) bytes += size(e);
	const h1 = document.querySelector('h1');
	return {
		lang: document.documentElement.lang,
		title: document.title,
		h1: h1 ? h1.textContent.trim() : '',
		bytes: bytes,
		resources: performance.getEntriesByType('resource').length,
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth
	};
})()`

// tooWide lists the elements that reach past 360 px and are not inside
// a box that scrolls on its own: what makes a page scroll sideways on a
// phone.
const tooWide = `[...document.body.querySelectorAll('*')].filter(e => {
	if (e.getBoundingClientRect().right <= 360.5) return false;
	for (let a = e.parentElement; a; a = a.parentElement) {
		if (getComputedStyle(a).overflowX !== 'visible') return false;
	}
	return ![...e.children].some(c => c.getBoundingClientRect().right > 360.5);
}).slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
	(e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
	' (to ' + Math.round(e.getBoundingClientRect().right) + ' px)')`

// chartTextPx is the size the smallest words of the page's charts are
// drawn at, in CSS pixels (99 when there is no chart).
const chartTextPx = `Math.min(99, ...[...document.querySelectorAll('svg.chart')].flatMap(svg => {
	const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
	return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
}))`

// cutOff lists the charts and the cells of students' standards tables
// that reach past the window's right edge, even inside a box that scrolls
// on its own: a phone must show them whole, a chart scaled to the width
// and a table reflowed.
const cutOff = `[...document.querySelectorAll('svg.chart, figure.chart-box, table.standards th, table.standards td')].filter(e => {
	const r = e.getBoundingClientRect();
	return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
}).slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
	' (' + Math.round(e.getBoundingClientRect().left) + ' to ' + Math.round(e.getBoundingClientRect().right) + ' px)')`

// facts is what pageFacts returns.
type facts struct {
	Lang, Title, H1         string
	Bytes                   int
	Resources               int
	ScrollWidth, InnerWidth int
}

// wcag21AA selects axe-core's rules of WCAG 2.0 and 2.1, levels A and AA.
const wcag21AA = `{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}`

type axeResult struct {
	Violations []violation
	Passed     int
	// Ran counts the rules that ran, those that found nothing to check
	// included.
	Ran        int
	Incomplete []string
}

type violation struct {
	ID, Impact, Help string
	Count            int
	Targets          []string
}

// TestBrowser builds the demo district, serves it on a loopback port and
// goes through its pages in one Chromium as a visitor, the featured
// teacher, guardian and student, and the district administrator.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through the demo district")
	}
	chromium := findChromium(t)
	axe := readAxe(t)
	start := time.Now()
	s := startDemo(t)
	t.Logf("demo district loaded and served at %s in %s", s.base, time.Since(start).Round(time.Millisecond))
	b := startBrowser(t, chromium, axe, s.base)
	defer func() { t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond)) }()

	t.Run("visitor", func(t *testing.T) { visitor(t, s, b) })
	t.Run("teacher", func(t *testing.T) { teacher(t, s, b) })
	t.Run("guardian", func(t *testing.T) { guardian(t, s, b) })
	t.Run("student", func(t *testing.T) { student(t, s, b) })
	t.Run("admin", func(t *testing.T) { admin(t, s, b) })
}

// visitor is someone who has not signed in: the front page, the sign-in
// form and its errors, a page that does not exist.
func visitor(t *testing.T, s *site, b *browser) {
	p := b.person(t, "visitor")
	p.open("/", 200)
	p.check("landing")
	axeCatches(t, p)
	p.open("/signin", 200)
	p.check("signin")
	p.submit("signin-submit", 422)
	if n := jsEval[int](p, `document.querySelectorAll('[aria-invalid="true"]').length`); n != 2 {
		t.Errorf("an empty sign-in form marks %d fields invalid, want 2", n)
	}
	p.check("signin-errors")
	p.open("/no/such/page", 404)
	p.check("404-visitor")
}

// axeCatches checks the checker: once an image without a text
// alternative and pale grey words are added to a page, axe-core reports
// both.
func axeCatches(t *testing.T, p *person) {
	t.Helper()
	jsEval[chromedp.Void](p, `(() => {
		const img = document.createElement('img');
		img.src = '/static/missing.png';
		const faint = document.createElement('p');
		faint.textContent = 'Faint words nobody can read';
		faint.style.color = '#c8c8c8';
		document.querySelector('main').append(img, faint);
	})()`)
	var found []string
	for _, v := range p.runAxe("visitor, landing with faults", wcag21AA).Violations {
		found = append(found, v.ID)
	}
	for _, want := range []string{"image-alt", "color-contrast"} {
		if !slices.Contains(found, want) {
			t.Errorf("axe-core did not report %s on a page made to fail it; it reported %v", want, found)
		}
	}
}

// teacher signs in, opens the featured class's heatmap, records evidence
// from the keyboard and sees the cell change, then reads a student, a
// standard and a piece of evidence, and meets the refusals.
func teacher(t *testing.T, s *site, b *browser) {
	p := b.person(t, "teacher")
	p.signIn(s.login("Teacher"))
	if got := p.path(); got != "/classes" {
		t.Fatalf("the teacher lands on %s, want /classes", got)
	}
	p.check("classes")

	class := s.sum.Class.ID
	p.click(fmt.Sprintf("#class-%d h2 a", class), 200)
	if got, want := p.path(), fmt.Sprintf("/classes/%d", class); got != want {
		t.Fatalf("the class link leads to %s, want %s", got, want)
	}
	p.check("heatmap")
	// The same class as the model sees it, then back to the levels.
	p.click(`nav a[href*="show=model"]`, 200)
	if n := jsEval[int](p, `[...document.querySelectorAll('#heatmap td a')].filter(a => /^\d+%/.test(a.textContent)).length`); n == 0 {
		t.Error("the model's view of the heatmap shows no percentages")
	}
	p.check("heatmap-model")
	p.open(fmt.Sprintf("/classes/%d", class), 200)
	students, err := s.st.ClassStudents(context.Background(), s.sum.DistrictID, class)
	if err != nil {
		t.Fatal(err)
	}
	if n := jsEval[int](p, `document.querySelectorAll('#heatmap tbody tr[data-student]').length`); n != len(students) {
		t.Errorf("the featured class's heatmap has %d students, want %d", n, len(students))
	}

	// The cell of the first student on the first standard shown.
	studentID := jsEval[string](p, `document.querySelector('#heatmap tbody tr[data-student]').dataset.student`)
	standardID := jsEval[string](p, `document.querySelector('#heatmap thead th[data-standard]').dataset.standard`)
	before := p.cell(studentID, standardID)
	if before == "" {
		t.Fatalf("no heatmap cell for student %s, standard %s", studentID, standardID)
	}
	// A level at the other end of the scale moves any value.
	level := "4"
	if strings.HasPrefix(before, "3") || strings.HasPrefix(before, "4") {
		level = "1"
	}

	// The grid: choose the standard, type the level, submit.
	p.click("#record-link", 200)
	p.check("record")
	p.click("#standards-picker summary", 0)
	for _, box := range jsEval[[]string](p, `[...document.querySelectorAll('#choose-form input[name=standard]:checked')].map(b => b.value)`) {
		if box != standardID {
			p.click(`#choose-form input[value="`+box+`"]`, 0)
		}
	}
	if !jsEval[bool](p, `document.querySelector('#choose-form input[value="`+standardID+`"]').checked`) {
		p.click(`#choose-form input[value="`+standardID+`"]`, 0)
	}
	p.click("#choose-submit", 200)
	gridURL := p.location()
	field := "c" + studentID + "_" + standardID

	// A level the scale does not have is refused beside its field, with
	// what was typed kept.
	p.keys("#title", "Exit ticket: ratios")
	p.keys("#"+field, "9")
	p.submit("record-submit", 422)
	if !jsEval[bool](p, `document.getElementById('`+field+`').getAttribute('aria-invalid') === 'true'`) {
		t.Errorf("the field with 9 is not marked invalid")
	}
	p.check("record-errors")

	after := before
	for try := 1; try <= 3 && after == before; try++ {
		if try > 1 {
			p.open(gridURL, 200)
			p.keys("#title", "Exit ticket: ratios, again")
		}
		p.clear("#" + field)
		p.keys("#"+field, level)
		p.submit("record-submit", 200)
		if got, want := p.path(), fmt.Sprintf("/classes/%d", class); got != want {
			t.Fatalf("recording leads to %s, want %s", got, want)
		}
		if !p.has("#recorded-notice") {
			t.Errorf("no notice that the evidence was recorded")
		}
		after = p.cell(studentID, standardID)
		t.Logf("recorded %s (try %d): cell %q -> %q", level, try, before, after)
	}
	if after == before {
		t.Errorf("after recording %s three times the cell still reads %q", level, after)
	}
	p.check("heatmap-recorded")
	// Live updates: the heatmap open in a second tab follows the grid.
	teacherLive(t, s, p, gridURL, studentID, standardID)

	// The student, a standard, a piece of evidence.
	p.click(`#heatmap tr[data-student="`+studentID+`"] th a`, 200)
	if got, want := p.path(), "/students/"+studentID; got != want {
		t.Fatalf("the student's name leads to %s, want %s", got, want)
	}
	p.check("student-profile")
	p.click(`#standard-`+standardID+` th a`, 200)
	p.check("standard")
	p.click(`#evidence .timeline li a`, 200)
	if !strings.HasPrefix(p.path(), "/evidence/") {
		t.Fatalf("the evidence link leads to %s", p.path())
	}
	p.check("evidence")
	readyTeacher(t, s, p)

	teacherProposals(t, s, p)
	teacherPlans(t, s, p)
	teacherPace(t, s, p)
	// Flexible groups and the schedule (browser_groups_test.go).
	teacherGroups(t, s, p)
	teacherSupports(t, s, p) // support plans and notes (browser_supports_test.go)
	// Rules and alerts.
	teacherAlerts(t, s, p)
	p.accountMenu("tokens")
	p.open("/admin", 403)
	p.check("403")
	p.open("/students/999999999", 404)
	p.check("404")
	teacherPlaylists(t, s, p)
}

// guardian signs in, sees their child (in Spanish, their language), is
// refused another child's page by URL exactly as a missing one, and
// switches the pages to English.
func guardian(t *testing.T, s *site, b *browser) {
	ctx := context.Background()
	p := b.person(t, "guardian")
	p.signIn(s.login("Guardian"))
	kids, err := s.st.Children(ctx, s.sum.DistrictID, s.sum.Guardian.ID)
	if err != nil || len(kids) == 0 {
		t.Fatalf("the featured guardian's children: %v, %v", kids, err)
	}
	path := p.path()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/family/"), 10, 64)
	if err != nil || !slices.ContainsFunc(kids, func(k roster.Person) bool { return k.ID == id }) {
		t.Fatalf("the guardian lands on %s, not a child's page", path)
	}
	f := p.facts()
	if f.Lang != "es" {
		t.Errorf("the guardian, who prefers Spanish, reads lang=%q", f.Lang)
	}
	if i := slices.IndexFunc(kids, func(k roster.Person) bool { return k.ID == id }); f.H1 != kids[i].Name() {
		t.Errorf("the child's page is headed %q, want %q", f.H1, kids[i].Name())
	}
	// The featured student, one of the children, by the switch between
	// them.
	path = fmt.Sprintf("/family/%d", s.sum.Student.ID)
	if p.path() != path {
		p.click(`#child-switch a[href="`+path+`"]`, 200)
	}
	if h1 := p.facts().H1; h1 != s.sum.Student.Name() {
		t.Errorf("the featured child's page is headed %q, want %q", h1, s.sum.Student.Name())
	}
	if !strings.Contains(p.text("main"), "Qué se espera este año") {
		t.Errorf("the child's page is not in Spanish")
	}
	// The district writes in English: its course names and evidence
	// titles are marked so on the Spanish page.
	if n := jsEval[int](p, `document.querySelectorAll('#expected [lang="en"], #recent [lang="en"]').length`); n == 0 {
		t.Errorf("the Spanish child page marks no course name or evidence title as English")
	}
	p.viewersFit("child-es")
	p.check("child-es")
	p.open(jsEval[string](p, `document.querySelector('#standing a[href*="/standards/"]').getAttribute('href')`), 200)
	p.check("standard-es")
	if p.has("#evidence .timeline li a") {
		p.click("#evidence .timeline li a", 200)
		p.check("evidence-es")
	}

	// A classmate of the featured student who is not the guardian's child.
	classmates, err := s.st.ClassStudents(ctx, s.sum.DistrictID, s.sum.Class.ID)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(classmates, func(c roster.Person) bool {
		return !slices.ContainsFunc(kids, func(k roster.Person) bool { return k.ID == c.ID })
	})
	if i < 0 {
		t.Fatal("every student of the featured class is the guardian's child")
	}
	other := classmates[i]
	s.otherChild = other.ID
	p.open("/family/999999999", 404)
	missing := p.text("main")
	p.open(fmt.Sprintf("/family/%d", other.ID), 404)
	if hidden := p.text("main"); hidden != missing {
		t.Errorf("another child's page reads\n%q\na missing one\n%q", hidden, missing)
	}
	if strings.Contains(p.text("body"), other.FamilyName) {
		t.Errorf("the refusal names the other child")
	}
	p.check("404-es")
	entries, _, err := s.st.SearchAudit(ctx, s.sum.DistrictID, store.AuditFilter{ActorID: s.sum.Guardian.ID, StudentID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	refused := false
	for _, e := range entries {
		if e.Allowed {
			t.Errorf("the audit log says the guardian saw student %d: %+v", other.ID, e)
		}
		refused = refused || !e.Allowed && e.Route == "GET /family/{id}"
	}
	if !refused {
		t.Errorf("the guardian's attempt on student %d is not in the audit log: %+v", other.ID, entries)
	}

	// The language switch in the header.
	p.open(path, 200)
	p.click("#account-menu summary", 0)
	p.click(`#language-form button[value="en"]`, 200)
	if f := p.facts(); f.Lang != "en" || !strings.Contains(p.text("main"), "What is expected this year") {
		t.Errorf("after choosing English: lang=%q, h1 %q", f.Lang, f.H1)
	}
	p.check("child")
	guardianGoals(t, s, p)
	guardianNext(t, s, p)
	guardianPace(t, s, p)
	guardianSupports(t, s, p) // support plans (browser_supports_test.go)
}

// student signs in, sees their growth chart, and switches the pages to
// Spanish with the switch in the header.
func student(t *testing.T, s *site, b *browser) {
	p := b.person(t, "student")
	p.signIn(s.login("Student"))
	if got := p.path(); got != "/me" {
		t.Fatalf("the student lands on %s, want /me", got)
	}
	if n := jsEval[int](p, `document.querySelectorAll('main svg.chart circle.dot').length`); n < 2 {
		t.Errorf("the growth chart has %d points, want at least 2", n)
	}
	if !jsEval[bool](p, `(() => { const r = document.querySelector('main svg.chart').getBoundingClientRect(); return r.width > 200 && r.height > 100; })()`) {
		t.Errorf("the growth chart is not drawn at a readable size")
	}
	if who := jsEval[[]string](p, `[...document.querySelectorAll('#viewers-table tbody th')].map(th => th.textContent)`); !slices.Contains(who, s.sum.Student.Name()+" (you)") {
		t.Errorf("the student's list of who looked at their record is %q, without the student", who)
	}
	p.viewersFit("me")
	p.check("me")
	p.click("#account-menu summary", 0)
	p.click("#language-form button[value=\"es\"]", 200)
	f := p.facts()
	if f.Lang != "es" {
		t.Errorf("after choosing Spanish the page says lang=%q", f.Lang)
	}
	if main := p.text("main"); !strings.Contains(main, "Mi crecimiento") || !strings.Contains(f.H1, "El camino de") {
		t.Errorf("after choosing Spanish the page reads %q, %q", f.H1, main[:min(len(main), 200)])
	}
	if p.path() != "/me" {
		t.Errorf("the language switch leads to %s, want back to /me", p.path())
	}
	p.check("me-es")
	p.click("#next-list a, .framework .timeline a", 200)
	p.check("standard-es")
	if p.has("#evidence .timeline li a") {
		p.click("#evidence .timeline li a", 200)
		p.check("evidence-es")
	}
	p.accountMenu("tokens-es")
	studentGoals(t, s, p)
	studentPlaylists(t, s, p)
	studentPath(t, s, p)
	studentSupports(t, s, p) // support plans (browser_supports_test.go)
}

// admin signs in and reads the district's pages, the guardian's refused
// attempt in the audit log among them, and makes a reset link that a
// visitor then opens.
func admin(t *testing.T, s *site, b *browser) {
	p := b.person(t, "admin")
	p.signIn(s.login("District admin"))
	if got := p.path(); got != "/admin" {
		t.Fatalf("the administrator lands on %s, want /admin", got)
	}
	p.check("admin")
	p.open("/admin/policy", 200)
	p.check("policy")
	p.open("/admin/scales", 200)
	p.check("scales")
	p.open("/admin/users", 200)
	p.check("users")
	// Rules and alerts.
	adminRules(t, s, p)

	// The guardian's look at another child's page is in the log, refused
	// (when the guardian's part ran before: go test -run picks parts).
	if s.otherChild != 0 {
		auditRefusal(t, s, p)
	}
	p.open("/classes", 200)
	p.check("classes-admin")
	adminSupports(t, s, p) // the school's supports (browser_supports_test.go)

	// Outcomes of supports (browser_outcomes_test.go).
	adminOutcomes(t, s, p)

	// A reset link for the coach, opened by someone not signed in.
	coach := s.login("Coach")
	p.open("/admin/users?role=coach", 200)
	p.click(`#users-table tr[data-person] button[id^="reset-"]`, 201)
	link := jsEval[string](p, `document.getElementById('reset-url').value`)
	p.check("users-reset-link")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/reset/") {
		t.Fatalf("the reset link %q", link)
	}
	v := b.person(t, "visitor")
	v.open(u.Path, 200)
	if !strings.Contains(v.text("main"), coach.Username) {
		t.Errorf("the reset page does not name the account %s", coach.Username)
	}
	v.check("reset")

	// Importing a CASE package by upload: the form, its errors, the dry
	// run, then the import.
	p.open("/admin", 200)
	p.click(`#admin-links a[href="/admin/import"]`, 200)
	p.check("import")
	p.submit("import-check", 422)
	p.check("import-errors")
	p.click("#kind-case", 0)
	file, err := filepath.Abs(filepath.Join("..", "interop", "casepkg", "testdata", "fractions-prerequisites-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.CSS("#import-file-input"), []string{file})); err != nil {
		t.Fatalf("choosing the file to upload: %v", err)
	}
	p.submit("import-check", 200)
	if !p.has("#import-apply") {
		t.Fatalf("the dry run offers no Apply button: %s", p.text("main"))
	}
	p.check("import-dry-run")
	p.submit("import-apply", 200)
	if !p.has("#import-done") {
		t.Errorf("the import does not say it is done: %s", p.text("main"))
	}
	p.check("import-applied")
}

// auditRefusal finds the guardian's refused look at another child's page
// on the administrator's page of the audit log.
func auditRefusal(t *testing.T, s *site, p *person) {
	t.Helper()
	p.open(fmt.Sprintf("/admin/audit?actor=%d&allowed=no", s.sum.Guardian.ID), 200)
	if !p.has(fmt.Sprintf(`#audit-table tr.refused a[href="/admin/audit?student=%d"]`, s.otherChild)) {
		t.Errorf("the audit page does not show the guardian's refused attempt on student %d", s.otherChild)
	}
	p.check("audit")
}

// site is the demo district served on a loopback port.
type site struct {
	base string
	st   *store.Store
	sum  demo.Summary
	// otherChild is the student whose page the guardian was refused.
	otherChild int64
}

// login returns the demo account of a role, as the demo prints it.
func (s *site) login(role string) demo.SignIn {
	for _, si := range s.sum.SignIns {
		if si.Role == role {
			return si
		}
	}
	panic("the demo has no account for " + role)
}

// startDemo opens a copy of the demo district (web.OpenDemo) and serves
// it on a random loopback port.
func startDemo(t *testing.T) *site {
	t.Helper()
	st, sum := web.OpenDemo(t)
	logs := &syncBuffer{}
	srv, err := web.New(web.Config{Store: st, DistrictID: sum.DistrictID,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv) // 127.0.0.1, a port of the system's choosing
	t.Cleanup(func() {
		ts.Close()
		if t.Failed() && logs.Len() > 0 {
			t.Logf("server log:\n%s", logs)
		}
	})
	return &site{base: ts.URL, st: st, sum: sum}
}

// syncBuffer is a buffer the server's handlers write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// findChromium returns the path of the system's Chromium, or skips.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Skip(t, "no Chromium on this machine: install Debian's chromium (apt-get install chromium), as .ci/run does")
	return ""
}

// readAxe returns the text of axe-core's axe.min.js, or skips.
func readAxe(t *testing.T) string {
	t.Helper()
	var places []string
	if p := os.Getenv("CAIRN_AXE_JS"); p != "" {
		places = append(places, p)
	}
	if root, err := moduleRoot(); err == nil {
		places = append(places, filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		places = append(places, filepath.Join(home, ".cache", "cairn", "node_modules", "axe-core", "axe.min.js"))
	}
	for _, p := range places {
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	testenv.Skip(t, fmt.Sprintf("axe-core is missing (looked in %s): run `npm install --prefix ~/.cache/cairn axe-core@4`, or set CAIRN_AXE_JS to its axe.min.js",
		strings.Join(places, ", ")))
	return ""
}

// moduleRoot is the folder of go.mod above the test's folder.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", os.ErrNotExist
		}
		dir = up
	}
}

// browser is one headless Chromium; each person gets a browser context
// of their own in it, with their own cookies.
type browser struct {
	ctx   context.Context
	base  string
	axe   string
	shots string
	mu    sync.Mutex
	seq   int
	// spent is the time taken by each kind of check, for the log.
	spent map[string]time.Duration
	// heaviest is the page that transferred the most, and how much.
	heaviest      string
	heaviestBytes int
}

// took adds the time since start to the kind of check.
func (b *browser) took(kind string, start time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.spent[kind] += time.Since(start)
}

func startBrowser(t *testing.T, path, axe, base string) *browser {
	t.Helper()
	// Some of these are among chromedp's defaults: they are spelled out,
	// since each keeps the browser from reaching the network or failing
	// in a container, whatever the defaults become.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.Headless,
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // the tests may run as root, in a container
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	shots, err := os.MkdirTemp("", "cairn-browser-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots of every page: %s", shots)
	fmt.Fprintf(os.Stderr, "cairn browser tests: screenshots in %s\n", shots)
	b := &browser{ctx: ctx, base: base, axe: axe, shots: shots, spent: map[string]time.Duration{}}
	t.Cleanup(func() {
		t.Logf("time in axe-core %s (loading it %s), screenshots %s; the heaviest page, %s, transferred %d bytes",
			b.spent["axe"].Round(time.Millisecond), b.spent["axe-load"].Round(time.Millisecond), b.spent["screenshot"].Round(time.Millisecond),
			b.heaviest, b.heaviestBytes)
	})
	return b
}

// person is one person's tab, in a browser context of their own.
type person struct {
	t   *testing.T
	b   *browser
	who string
	ctx context.Context
	// roles is the header's line of the person's roles, by language.
	roles map[string]string
}

func (b *browser) person(t *testing.T, who string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab for %s: %v", who, err)
	}
	return &person{t: t, b: b, who: who, ctx: ctx, roles: map[string]string{}}
}

// url is the address of a path on the site, or an address as it is.
func (p *person) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return p.b.base + path
}

// open goes to the page at path and wants the status.
func (p *person) open(path string, status int64) {
	p.t.Helper()
	res, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(p.url(path)))
	if err != nil {
		p.t.Fatalf("%s opening %s: %v", p.who, path, err)
	}
	if res.Status != status {
		p.t.Fatalf("%s opening %s: status %d, want %d", p.who, path, res.Status, status)
	}
}

// click clicks the element and, unless status is 0, waits for the page
// it leads to and wants its status.
func (p *person) click(sel string, status int64) {
	p.t.Helper()
	if status == 0 {
		if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			p.t.Fatalf("%s clicking %s on %s: %v", p.who, sel, p.path(), err)
		}
		return
	}
	from := p.path()
	res, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("%s clicking %s on %s: %v", p.who, sel, from, err)
	}
	if res.Status != status {
		p.t.Fatalf("%s clicking %s on %s: status %d, want %d", p.who, sel, from, res.Status, status)
	}
}

// submit presses the form's submit button and wants the status of the
// page that follows.
func (p *person) submit(id string, status int64) {
	p.t.Helper()
	p.click("#"+id, status)
}

// keys types text into the field from the keyboard.
func (p *person) keys(sel, text string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		p.t.Fatalf("%s typing into %s: %v", p.who, sel, err)
	}
}

// clear empties the field.
func (p *person) clear(sel string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Clear(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("%s clearing %s: %v", p.who, sel, err)
	}
}

// signIn fills the sign-in form from the keyboard and submits it.
func (p *person) signIn(si demo.SignIn) {
	p.t.Helper()
	p.open("/signin", 200)
	p.keys("#username", si.Username)
	p.keys("#password", si.Password)
	p.submit("signin-submit", 200)
	if who := p.text("#who-name"); who != si.Name {
		p.t.Fatalf("signed in as %q, want %q", who, si.Name)
	}
}

// accountMenu opens the account menu from the keyboard, checks the page
// with it open (at both widths), and follows its first link, the access
// tokens, with the Enter key; name names the tokens page's checks.
func (p *person) accountMenu(name string) {
	p.t.Helper()
	if nav := jsEval[[]string](p, `[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))`); slices.Contains(nav, "/account/tokens") {
		p.t.Errorf("%s: the main navigation offers access tokens: %v", p.who, nav)
	}
	if jsEval[bool](p, `document.getElementById('account-menu').open`) {
		p.t.Fatalf("%s: the account menu is open before it is asked for", p.who)
	}
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.CSS("#account-menu summary")), chromedp.KeyEvent("\r")); err != nil {
		p.t.Fatalf("%s opening the account menu: %v", p.who, err)
	}
	if !jsEval[bool](p, `document.getElementById('account-menu').open`) {
		p.t.Fatalf("%s: Enter on the account menu does not open it", p.who)
	}
	for _, sel := range []string{`#account-links a[href="/account/tokens"]`, "#language-form", "#signout-form"} {
		if !jsEval[bool](p, `(e => !!e && e.getClientRects().length > 0)(document.querySelector(`+strconv.Quote(sel)+`))`) {
			p.t.Errorf("%s: the open account menu does not show %s", p.who, sel)
		}
	}
	p.check("account-menu")
	if err := chromedp.Do(p.ctx, chromedp.Focus(chromedp.CSS(`#account-links a[href="/account/tokens"]`))); err != nil {
		p.t.Fatal(err)
	}
	res, err := chromedp.RunResponse(p.ctx, chromedp.KeyEvent("\r"))
	if err != nil || res.Status != 200 || p.path() != "/account/tokens" {
		p.t.Fatalf("%s following the menu's tokens link: %v, at %s", p.who, err, p.path())
	}
	p.check(name)
}

// viewersFit checks that the table of who looked at a record fits a
// phone's 360 px as it is, every column in view, without a box that
// scrolls it.
func (p *person) viewersFit(name string) {
	p.t.Helper()
	if !p.has("#viewers-table") {
		p.t.Errorf("%s, %s: no table of who looked at the record", p.who, name)
		return
	}
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		p.t.Fatal(err)
	}
	defer func() {
		if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			p.t.Fatal(err)
		}
	}()
	got := jsEval[struct {
		Right, Width float64
		Scrolls      bool
	}](p, `(() => {
		const t = document.getElementById('viewers-table');
		let scrolls = false;
		for (let a = t.parentElement; a; a = a.parentElement) scrolls = scrolls || getComputedStyle(a).overflowX !== 'visible';
		const last = [...t.querySelectorAll('tr > :last-child')].reduce((m, c) => Math.max(m, c.getBoundingClientRect().right), 0);
		return {right: last, width: document.documentElement.clientWidth, scrolls: scrolls};
	})()`)
	if got.Scrolls || got.Right > got.Width {
		p.t.Errorf("%s at 360 px, %s: the table of who looked reaches %.0f px in %.0f (in a box that scrolls: %v)", p.who, name, got.Right, got.Width, got.Scrolls)
	}
}

// location is the page's address.
func (p *person) location() string {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return loc
}

// path is the path of the page's address.
func (p *person) path() string {
	p.t.Helper()
	u, err := url.Parse(p.location())
	if err != nil {
		p.t.Fatal(err)
	}
	return u.Path
}

// has reports whether an element matches sel.
func (p *person) has(sel string) bool {
	return jsEval[bool](p, `document.querySelector(`+strconv.Quote(sel)+`) !== null`)
}

// text is the visible text of the first element matching sel.
func (p *person) text(sel string) string {
	return jsEval[string](p, `(e => e ? e.innerText.trim() : '')(document.querySelector(`+strconv.Quote(sel)+`))`)
}

// cell is the text of the heatmap's cell of a student on a standard, ""
// when the heatmap has none.
func (p *person) cell(student, standard string) string {
	return jsEval[string](p, fmt.Sprintf(`(() => {
		const cols = [...document.querySelectorAll('#heatmap thead th[data-standard]')].map(th => th.dataset.standard);
		const i = cols.indexOf(%q);
		const row = document.querySelector('#heatmap tbody tr[data-student="' + %q + '"]');
		return i < 0 || !row ? '' : row.querySelectorAll('td')[i].textContent.trim();
	})()`, standard, student))
}

func (p *person) facts() facts {
	return jsEval[facts](p, pageFacts)
}

// jsEval evaluates a script in the person's page and decodes its value.
func jsEval[T any](p *person, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("%s on %s: evaluating %.80q: %v", p.who, p.location(), js, err)
	}
	return v
}

// check runs every check on the page the person is on, as it is now: in
// the browser's 1280 by 900 px window, then in a phone's 360 by 740 px.
func (p *person) check(name string) {
	p.t.Helper()
	f := p.facts()
	where := fmt.Sprintf("%s, %s (%s)", p.who, name, p.path())
	if f.Bytes >= maxTransfer {
		p.t.Errorf("%s transferred %d bytes in %d requests, want under %d", where, f.Bytes, f.Resources+1, maxTransfer)
	}
	if f.Bytes == 0 {
		p.t.Errorf("%s: the page's size could not be measured", where)
	}
	p.b.mu.Lock()
	if f.Bytes > p.b.heaviestBytes {
		p.b.heaviest, p.b.heaviestBytes = where, f.Bytes
	}
	p.b.mu.Unlock()
	if title, _ := strings.CutSuffix(f.Title, " · cairn"); strings.TrimSpace(title) == "" || title == f.Title {
		p.t.Errorf("%s: the page is titled %q, want what it shows and then \" · cairn\"", where, f.Title)
	}
	if p.has("#who-role") {
		// The header names the person's roles the same way on every page
		// (a page's data must not hide the layout's).
		role := p.text("#who-role")
		if first, ok := p.roles[f.Lang]; ok && role != first {
			p.t.Errorf("%s: the header gives the roles as %q, on earlier pages %q", where, role, first)
		} else if !ok {
			p.roles[f.Lang] = role
		}
	}
	if f.InnerWidth != 1280 {
		p.t.Errorf("%s: the window is %d px wide, want 1280", where, f.InnerWidth)
	}
	if f.ScrollWidth > f.InnerWidth {
		p.t.Errorf("%s scrolls sideways: %d px of content in a %d px window", where, f.ScrollWidth, f.InnerWidth)
	}
	p.axe(where)
	p.screenshot(name)
	p.narrow(name)
}

// narrow sees the page in a phone's 360 by 740 px: nothing may scroll
// sideways (a wide table scrolls inside its own box), charts and a
// student's standards are not cut off, even inside such a box, the words
// of charts stay readable, and boxes that scroll on their own, which
// appear at this width, can be reached from the keyboard (axe-core's
// other rules do not depend on the width, and ran at 1280 px).
func (p *person) narrow(name string) {
	p.t.Helper()
	where := fmt.Sprintf("%s at 360 px, %s (%s)", p.who, name, p.path())
	if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
		p.t.Fatal(err)
	}
	defer func() {
		// Back to the window's 1280 by 900 px, as a desktop (clearing
		// the override would keep the phone's size).
		if err := chromedp.Do(p.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			p.t.Fatal(err)
		}
	}()
	f := p.facts()
	if f.ScrollWidth > f.InnerWidth || f.InnerWidth != 360 {
		p.t.Errorf("%s: %d px of content in a %d px window; too wide: %s",
			where, f.ScrollWidth, f.InnerWidth, strings.Join(jsEval[[]string](p, tooWide), ", "))
	}
	if cut := jsEval[[]string](p, cutOff); len(cut) > 0 {
		p.t.Errorf("%s: cut off at the window's edge: %s", where, strings.Join(cut, ", "))
	}
	if px := jsEval[float64](p, chartTextPx); px < 10 {
		p.t.Errorf("%s: a chart's words are drawn %.1f px high, want at least 10", where, px)
	}
	p.axeRules(where, "scrollable-region-focusable")
	p.screenshotView(name + "-360")
}

// axe runs axe-core's WCAG 2.1 A and AA rules on the page. The script
// goes in through the DevTools protocol, which the pages' Content
// Security Policy (no inline script) does not govern.
func (p *person) axe(where string) {
	p.t.Helper()
	p.report(where, p.runAxe(where, wcag21AA))
}

// axeRules runs some of axe-core's rules on the page.
func (p *person) axeRules(where string, rules ...string) {
	p.t.Helper()
	ids, _ := json.Marshal(rules)
	p.report(where, p.runAxe(where, `{type: 'rule', values: `+string(ids)+`}`))
}

// report fails the test with each violation axe-core found.
func (p *person) report(where string, res axeResult) {
	p.t.Helper()
	if res.Ran == 0 {
		p.t.Errorf("%s: no axe-core rule ran", where)
	}
	p.t.Logf("%s: %d axe rules passed, %d failed; to look at: %s", where, res.Passed, len(res.Violations), strings.Join(res.Incomplete, ", "))
	for _, v := range res.Violations {
		p.t.Errorf("%s: axe %s (%s): %s, on %d elements: %s", where, v.ID, v.Impact, v.Help, v.Count, strings.Join(v.Targets, " | "))
	}
}

// runAxe loads axe-core into the page, unless it is there already, and
// runs it.
func (p *person) runAxe(where, runOnly string) axeResult {
	p.t.Helper()
	defer p.b.took("axe", time.Now())
	if !jsEval[bool](p, `typeof axe === 'object'`) {
		start := time.Now()
		if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](p.b.axe+"\n;0")); err != nil {
			p.t.Fatalf("%s: loading axe-core: %v", where, err)
		}
		p.b.took("axe-load", start)
	}
	res, err := chromedp.Run(p.ctx, chromedp.Evaluate[axeResult](strings.Replace(axeRun, "RUN_ONLY", runOnly, 1), chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: running axe-core: %v", where, err)
	}
	return res
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// screenshot keeps a full-page PNG of the page.
func (p *person) screenshot(name string) {
	p.t.Helper()
	defer p.b.took("screenshot", time.Now())
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("%s: screenshot of %s: %v", p.who, name, err)
	}
	p.save(name, png)
}

// save writes a screenshot into the folder, numbered in the order taken.
func (p *person) save(name string, png []byte) {
	p.t.Helper()
	p.b.mu.Lock()
	p.b.seq++
	n := p.b.seq
	p.b.mu.Unlock()
	file := filepath.Join(p.b.shots, fmt.Sprintf("%02d-%s-%s.png", n, p.who, unsafeName.ReplaceAllString(name, "-")))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// screenshotView keeps a PNG of what the window shows.
func (p *person) screenshotView(name string) {
	p.t.Helper()
	defer p.b.took("screenshot", time.Now())
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot of %s: %v", p.who, name, err)
	}
	p.save(name, png)
}
