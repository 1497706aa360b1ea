package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/mastery"
	"github.com/cairn-learning/cairn/internal/pathways"
	"github.com/cairn-learning/cairn/internal/reports"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/supports"
)

// spanishTemplates are the pages students and families read, with the
// parts every page has: they must be complete in Spanish. Teachers' and
// administrators' pages may fall back to English.
var spanishTemplates = []string{"layout", "error", "landing", "signin", "reset", "tokens", "me", "child", "standard", "evidence", "_student", "_chart", "me_goals", "me_proposals", "_goals", "_proposals"}

// templateKey matches a catalog key a template asks for.
var templateKey = regexp.MustCompile(`\(?\b(?:t|tn)\s+"([^"]+)"`)

// dynamicPrefix matches a key a template builds: (print "prefix." ...).
var dynamicPrefix = regexp.MustCompile(`\(print\s+"([^"]+)"`)

// goKey matches a key Go code asks for.
var goKey = regexp.MustCompile(`pr\.(?:T|N|Lookup)\("([^"]+)"`)

// dynamicKeys lists every key that pages build from a value, by the
// prefix they build it with.
func dynamicKeys() map[string][]string {
	keys := map[string][]string{}
	add := func(prefix string, suffixes ...string) {
		for _, s := range suffixes {
			keys[prefix] = append(keys[prefix], prefix+s)
		}
	}
	for _, r := range []roster.Role{roster.RoleStudent, roster.RoleTeacher, roster.RoleGuardian, roster.RoleCoach, roster.RoleSchoolAdmin, roster.RoleDistrictAdmin} {
		add("role.", string(r))
	}
	for _, k := range evidence.Kinds {
		add("kind.", string(k))
	}
	for _, m := range mastery.Methods {
		add("method.", string(m), string(m)+".about")
	}
	add("rollup.", string(mastery.RollupMean), string(mastery.RollupLowest), string(mastery.RollupAllMastered))
	add("model.verdict.", string(mastery.VerdictMastered), string(mastery.VerdictNotYet), string(mastery.VerdictNeedsEvidence))
	add("policy.mastered_by.", string(mastery.MasteredByMethod), string(mastery.MasteredByModel), string(mastery.MasteredByBoth))
	add("policy.current_mastered_by.", string(mastery.MasteredByMethod), string(mastery.MasteredByModel), string(mastery.MasteredByBoth))
	for _, rel := range []access.Relation{access.Self, access.GuardianOf, access.TeacherOf, access.SchoolStaff, access.CoachAt, access.DistrictAdmin} {
		add("relation.", string(rel))
	}
	for _, a := range access.Actions {
		add("audit.action.", string(a))
	}
	for _, w := range access.Whats {
		add("audit.what.", string(w))
	}
	add("tokens.scope.", access.TokenRead, access.TokenWrite)
	add("tokens.status.", "active", "revoked", "expired")
	for _, st := range pathways.PaceStatuses {
		add("pace.status.", string(st))
		add("pace.family.", string(st))
		add("pace.family.early.", string(st))
		add("pace.me.", string(st))
		add("pace.me.early.", string(st))
	}
	add("pace.admin.error.", "behind_targets", "behind_percent", "ahead_targets")
	// Rules and alerts.
	for _, k := range supports.RuleKinds {
		add("rules.kind.", string(k))
		add("rules.about.", string(k))
		for _, f := range supports.RuleFields(k) {
			add("rules.field.", f)
			add("rules.hint.", f)
		}
	}
	add("tokens.expires.", "30", "90", "365", "never")
	add("admin.", "policy", "scales", "users", "audit", "import", "classes", "policy.about", "scales.about", "users.about", "audit.about", "import.about", "classes.about")
	add("import.kind.", "districts", "schools", "terms", "courses", "classes", "people", "enrollments", "guardian links", "demographics",
		"scales", "frameworks", "standards", "prerequisites", "crosswalks")
	for _, m := range pathways.Modalities {
		add("playlist.modality.", string(m))
	}
	for n := range playlistNotices {
		add("playlist.notice.", n)
	}
	add("playlist.error.", "activityIds", "description", "file", "interests", "language", "link", "minutes", "modality", "note", "q",
		"standardId", "title", "wayToShow", "waysToShow")
	for m := 1; m <= 12; m++ {
		add("date.mon.", fmt.Sprint(m))
		add("date.month.", fmt.Sprint(m))
	}
	for _, l := range standards.DefaultScale().Levels {
		add("level.", strings.ToLower(l.Label), strings.ToLower(l.Label)+".description")
	}
	// Support plans: tiers, kinds and outcomes by name.
	add("supports.tier.", "1", "2", "3")
	for _, k := range supports.Kinds {
		add("supports.kind.", string(k))
		add("supports.plain.", string(k))
	}
	for _, o := range supports.Outcomes {
		add("supports.outcome.", string(o))
	}
	// Outcomes of supports.
	for _, k := range supports.Kinds {
		add("outcomes.kind.", string(k), string(k)+".about")
	}
	for _, d := range reports.Dimensions {
		add("outcomes.dim.", string(d))
		add("outcomes.cat.", reports.Categories(d)...)
	}
	add("outcomes.hidden.", string(reports.TooFew), string(reports.Complementary))
	add("outcomes.left.", "recent", "no_standard", "no_school", "mastered")
	add("outcomes.bound.", string(reports.AtMost), string(reports.AtLeast))
	return keys
}

// TestCatalogsCoverThePages fails when a key a template or a handler
// uses is missing from a catalog: from English always, from Spanish for
// the pages students and families read.
func TestCatalogsCoverThePages(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	dyn := dynamicKeys()
	check := func(where, key string, spanish bool) {
		t.Helper()
		if !c.Has("en", key) {
			t.Errorf("%s uses %q, which the English catalog lacks", where, key)
		}
		if spanish && !c.Has("es", key) {
			t.Errorf("%s uses %q, which the Spanish catalog lacks", where, key)
		}
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, name := range names {
		b, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		spanish := slices.Contains(spanishTemplates, base)
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			check(name, m[1], spanish)
			used[m[1]] = true
		}
		for _, m := range dynamicPrefix.FindAllStringSubmatch(string(b), -1) {
			keys, ok := dyn[m[1]]
			if !ok {
				t.Errorf("%s builds keys from %q, which dynamicKeys does not list", name, m[1])
			}
			for _, k := range keys {
				check(name, k, spanish)
			}
		}
	}
	// Keys handlers ask for: every page a student or a family reads uses
	// some of them, so all must be in Spanish too, but for the
	// administrators' pages.
	gofiles, err := fs.Glob(os.DirFS("."), "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range gofiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		spanish := !strings.HasPrefix(name, "page_admin")
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if strings.HasSuffix(m[1], ".") {
				if _, ok := dyn[m[1]]; !ok {
					t.Errorf("%s builds keys from %q, which dynamicKeys does not list", name, m[1])
				}
				continue
			}
			check(name, m[1], spanish)
		}
	}
	for prefix, keys := range dyn {
		for _, k := range keys {
			check("a key built from "+prefix, k, !strings.HasPrefix(prefix, "method.") && !strings.HasPrefix(prefix, "rollup.") && !strings.HasPrefix(prefix, "admin."))
		}
	}
}

// TestExplainTextMatchesSummary holds the catalog's English explanation
// equal to the mastery engine's own summary, for every method and
// rollup.
func TestExplainTextMatchesSummary(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := c.Printer("en")
	scale := standards.DefaultScale()
	day := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	history := func(values ...float64) []mastery.Observation {
		obs := make([]mastery.Observation, len(values))
		for i, v := range values {
			at := day.AddDate(0, 0, 7*i)
			obs[i] = mastery.Observation{EvidenceID: int64(i + 1), Value: v, AssessedAt: at, RecordedAt: at}
		}
		return obs
	}
	mixed := history(2, 3, 1, 4, 3)
	children := []mastery.Child{
		{StandardID: 1, State: mastery.State{Value: 3.2, Mastered: true, EvidenceCount: 4}},
		{StandardID: 2, State: mastery.State{Value: 2.5, EvidenceCount: 3}},
		{StandardID: 3},
		{StandardID: 4, State: mastery.State{Value: 3.8, Mastered: true, EvidenceCount: 2}},
	}
	states := map[string]mastery.State{
		"no evidence":       mastery.Compute(mastery.Method{Name: mastery.Mean}, scale, nil),
		"one piece":         mastery.Compute(mastery.Method{Name: mastery.DecayingAverage, Weight: 0.65}, scale, history(2.5)),
		"just below cut":    mastery.Compute(mastery.Method{Name: mastery.MostRecent}, scale, history(4, 2.996)),
		"rollup mean":       mastery.Rollup(mastery.RollupMean, scale, children),
		"rollup lowest":     mastery.Rollup(mastery.RollupLowest, scale, children),
		"rollup all":        mastery.Rollup(mastery.RollupAllMastered, scale, children),
		"rollup one of one": mastery.Rollup(mastery.RollupMean, scale, children[:1]),
	}
	for _, m := range mastery.Methods {
		states[string(m)] = mastery.Compute(mastery.Method{Name: m, Weight: 0.625, N: 3}, scale, mixed)
		states[string(m)+" short"] = mastery.Compute(mastery.Method{Name: m, Weight: 0.65, N: 4}, scale, history(3, 1))
	}
	fitted := mastery.Tracer{Params: mastery.BKTParams{Prior: 0.3, Learn: 0.2, Guess: 0.05, Slip: 0.05}, Fitted: true}
	defaults := mastery.Tracer{Params: mastery.DefaultBKTParams()}
	for _, by := range []mastery.MasteredBy{"", mastery.MasteredByModel, mastery.MasteredByBoth} {
		pol := mastery.Policy{Method: mastery.Method{Name: mastery.MostRecent}, MasteredBy: by}
		states["model "+string(by)+" sure"] = pol.Decide(scale, history(4, 4, 4, 4, 4, 4, 2), fitted)
		states["model "+string(by)+" unsure"] = pol.Decide(scale, history(1, 1, 4), defaults)
		states["model "+string(by)+" not yet"] = pol.Decide(scale, history(1, 2, 1, 1, 2, 1), fitted)
		states["model "+string(by)+" one"] = pol.Decide(scale, history(3), defaults)
	}
	for name, st := range states {
		t.Run(name, func(t *testing.T) {
			want := st.Explanation.Summary(scale, st)
			if got := explainText(en, scale, st); got != want {
				t.Errorf("explainText:\n got %q\nwant %q", got, want)
			}
			es := explainText(c.Printer("es"), scale, st)
			if es == want || strings.Contains(es, "[explain") {
				t.Errorf("Spanish explanation %q", es)
			}
		})
	}
}

// TestSpanishPages renders the student's and the guardian's pages in
// Spanish, chosen by the browser and by the person's profile, and checks
// no message falls back to English.
func TestSpanishPages(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var missing []string
	f.srv.catalog.OnMissing = func(lang, key string) {
		mu.Lock()
		defer mu.Unlock()
		missing = append(missing, lang+":"+key)
	}
	defer func() { f.srv.catalog.OnMissing = nil }()
	f.linkFamily()
	f.record(f.students[0], "Quiz", testNow.Add(-48*time.Hour), map[int64]float64{f.childA: 2, f.childB: 1})
	f.record(f.students[0], "Quiz", testNow.Add(-24*time.Hour), map[int64]float64{f.childA: 3})
	wantPage(t, f.signedIn(f.teacher).get(fmt.Sprintf("/students/%d", f.students[0])), http.StatusOK)

	// The browser asks for Spanish.
	student := f.signedIn(f.students[0])
	student.lang = "es-MX,es;q=0.9,en;q=0.5"
	res := student.get("/me")
	body := wantPage(t, res, http.StatusOK)
	for _, want := range []string{`<html lang="es">`, "El camino de Maya", "Mis estándares", "Qué significa cada nivel", "Competente", "Mis evidencias", "Cerrar sesión"} {
		if !strings.Contains(body, want) {
			t.Errorf("/me in Spanish lacks %q", want)
		}
	}
	if res.Header.Get("Content-Language") != "es" {
		t.Errorf("Content-Language %q", res.Header.Get("Content-Language"))
	}
	body = wantPage(t, student.get(fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA)), http.StatusOK)
	if !strings.Contains(body, "Promedio decreciente de 2 evidencias") || !strings.Contains(body, "Dónde está") {
		t.Errorf("the standard page's explanation is not in Spanish:\n%s", body)
	}

	// The standards are written in English: a Spanish page marks them.
	const ratio = "Understand the concept of a ratio and use ratio language."
	if !strings.Contains(body, `<html lang="es">`) {
		t.Error("the standard page is not in Spanish")
	}
	if !strings.Contains(body, `<blockquote id="standard-statement" lang="en">`+ratio) || !strings.Contains(body, `<p class="muted" lang="en">Grade 6 Mathematics</p>`) {
		t.Errorf("the Spanish standard page does not mark the English statement and framework:\n%s", body)
	}
	body = wantPage(t, student.get("/me"), http.StatusOK)
	for _, want := range []string{`<span lang="en">` + ratio + `</span>`, `<h3 lang="en">Grade 6 Mathematics</h3>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/me in Spanish does not mark the English text: lacks %q", want)
		}
	}
	// An English page needs no marks.
	for _, path := range []string{fmt.Sprintf("/students/%d", f.students[0]), fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childA), fmt.Sprintf("/classes/%d", f.class)} {
		body := wantPage(t, f.signedIn(f.teacher).get(path), http.StatusOK)
		if n := marked(body, "en"); n != 0 {
			t.Errorf("%s in English marks %d parts as English", path, n)
		}
	}

	// The guardian's profile says Spanish; the browser says English.
	ctx := context.Background()
	g, err := f.st.Person(ctx, f.district, f.guardian)
	if err != nil {
		t.Fatal(err)
	}
	g.Language = "es"
	if err := f.st.UpdatePerson(ctx, &g); err != nil {
		t.Fatal(err)
	}
	guardian := f.signedIn(f.guardian)
	guardian.lang = "en-US"
	body = wantPage(t, guardian.get(fmt.Sprintf("/family/%d", f.students[0])), http.StatusOK)
	for _, want := range []string{`<html lang="es">`, "Qué se espera este año", "Cómo va", "Próximos pasos", "Qué puede hacer en casa",
		"Quién vio este expediente", "Ana Rivera", "docente", "Primero, Maya necesita dominar esto"} {
		if !strings.Contains(body, want) {
			t.Errorf("the child page in Spanish lacks %q", want)
		}
	}
	// Where Maya stands is told by course, Math 6, whose standards are
	// English.
	for _, want := range []string{`Math 6</h3>`, `Primero, Maya necesita dominar esto: <span lang="en">` + ratio + `</span>`,
		fmt.Sprintf(`<a href="/students/%d/standards/%d" lang="en">`, f.students[0], f.childA)} {
		if !strings.Contains(body, want) {
			t.Errorf("the child page in Spanish does not mark the English text: lacks %q", want)
		}
	}
	for _, p := range []string{"/account/tokens", fmt.Sprintf("/evidence/%d", 1), "/no/such/page"} {
		guardian.get(p)
	}
	wantPage(t, f.browser().get("/signin"), http.StatusOK)
	anon := f.browser()
	anon.lang = "es"
	body = wantPage(t, anon.get("/signin"), http.StatusOK)
	if !strings.Contains(body, "Nombre de usuario") {
		t.Error("the sign-in page is not in Spanish for a Spanish browser")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(missing) > 0 {
		t.Errorf("messages fell back to English or were missing: %v", missing)
	}
}

// marked counts the parts of a page marked as written in lang, leaving
// out the page's own <html lang> and the language switch, whose buttons
// name each language in itself.
func marked(body, lang string) int {
	if i := strings.Index(body, `id="language-form"`); i >= 0 {
		if j := strings.Index(body[i:], "</form>"); j >= 0 {
			body = body[:i] + body[i+j:]
		}
	}
	return strings.Count(body, ` lang="`+lang+`"`) - strings.Count(body, `<html lang="`+lang+`"`)
}

// TestFrameworkLanguage shows a framework written in Spanish: an English
// page marks its text lang="es" wherever it shows it, a Spanish page
// leaves it unmarked.
func TestFrameworkLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fw, err := f.st.Framework(ctx, f.district, f.framework)
	if err != nil {
		t.Fatal(err)
	}
	fw.Title, fw.Language = "Matemáticas de 6.º grado", "es"
	if err := f.st.UpdateFramework(ctx, &fw); err != nil {
		t.Fatal(err)
	}
	st, err := f.st.Standard(ctx, f.district, f.childA)
	if err != nil {
		t.Fatal(err)
	}
	st.Statement = "Comprende el concepto de razón."
	if err := f.st.UpdateStandard(ctx, &st); err != nil {
		t.Fatal(err)
	}
	ev := f.record(f.students[0], "Quiz", testNow.Add(-24*time.Hour), map[int64]float64{f.childA: 3, f.childB: 2})
	teacher := f.signedIn(f.teacher)
	pages := []struct {
		path string
		want []string
	}{
		{fmt.Sprintf("/classes/%d", f.class), []string{`<dd lang="es">Comprende el concepto de razón.</dd>`, fmt.Sprintf(`<th scope="col" data-standard="%d" lang="es">`, f.childA)}},
		{fmt.Sprintf("/students/%d", f.students[0]), []string{`<h3 lang="es">Matemáticas de 6.º grado</h3>`, `<span lang="es">Comprende el concepto de razón.</span>`}},
		{fmt.Sprintf("/students/%d/standards/%d", f.students[0], f.childB), []string{`<blockquote id="standard-statement" lang="es">`, `<span lang="es">Comprende el concepto de razón.</span>`}},
		{fmt.Sprintf("/evidence/%d", ev), []string{`<span lang="es">Comprende el concepto de razón.</span>`}},
		{fmt.Sprintf("/classes/%d/record?standard=%d", f.class, f.childA), []string{`<span class="code" lang="es">6.RP.A.1</span>`, `<span lang="es">6.RP.A.1 Comprende el concepto de razón.</span>`}},
	}
	for _, p := range pages {
		body := wantPage(t, teacher.get(p.path), http.StatusOK)
		if !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("%s is not in English", p.path)
		}
		for _, want := range p.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s in English lacks %s", p.path, want)
			}
		}
		if marked(body, "en") != 0 {
			t.Errorf("%s in English marks English text", p.path)
		}
	}
	teacher.lang = "es"
	for _, p := range pages {
		body := wantPage(t, teacher.get(p.path), http.StatusOK)
		if !strings.Contains(body, `<html lang="es">`) {
			t.Fatalf("%s is not in Spanish", p.path)
		}
		if n := marked(body, "es"); n != 0 {
			t.Errorf("%s in Spanish marks %d parts as Spanish", p.path, n)
		}
	}
}

// TestMessageHTML checks that a message carrying a marked statement
// escapes everything but the mark.
func TestMessageHTML(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	pr := c.Printer("es")
	got := messageHTML(pr, "family.first", []any{"Ana <b>\uE0000\uE000", inLang("es", "en", "Adds & subtracts <fractions>")})
	want := `Primero, Ana &lt;b&gt;0 necesita dominar esto: <span lang="en">Adds &amp; subtracts &lt;fractions&gt;</span>`
	if string(got) != want {
		t.Errorf("messageHTML =\n%s\nwant\n%s", got, want)
	}
	if got := inLang("es", "es-MX", "Suma"); got != "Suma" {
		t.Errorf("inLang of Spanish on a Spanish page = %s, want it unmarked", got)
	}
	if got := langAttr("en", ""); got != "" {
		t.Errorf("langAttr of no language = %q, want nothing", got)
	}
}

func TestLanguageSwitch(t *testing.T) {
	f := newFixture(t)
	// A visitor's choice is kept in a cookie.
	anon := f.browser()
	res := anon.post("/language", url.Values{"lang": {"es"}, "next": {"/signin"}})
	if got := location(t, res); got != "/signin" {
		t.Errorf("switch went to %q", got)
	}
	if body := wantPage(t, anon.get("/signin"), http.StatusOK); !strings.Contains(body, `<html lang="es">`) {
		t.Error("the visitor's choice is not kept")
	}
	// A signed-in person's choice goes to their profile.
	b := f.signedIn(f.students[0])
	location(t, b.post("/language", url.Values{"lang": {"es"}, "next": {"/me"}}))
	p, err := f.st.Person(context.Background(), f.district, f.students[0])
	if err != nil || p.Language != "es" {
		t.Errorf("profile language %q, %v", p.Language, err)
	}
	fresh := f.signedIn(f.students[0]) // another browser, no cookie
	if body := wantPage(t, fresh.get("/me"), http.StatusOK); !strings.Contains(body, `<html lang="es">`) {
		t.Error("the profile's language does not follow the person")
	}
	// An unknown language is refused, and goes nowhere else.
	res = b.post("/language", url.Values{"lang": {"xx"}, "next": {"https://evil.example"}})
	wantPage(t, res, http.StatusUnprocessableEntity)
	res = b.post("/language", url.Values{"lang": {"en"}, "next": {"https://evil.example"}})
	if got := location(t, res); got != "/" {
		t.Errorf("switch with a foreign next went to %q", got)
	}
}
