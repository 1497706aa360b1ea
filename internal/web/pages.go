package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/i18n"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/standards"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds the parsed page templates, one set per language, and the
// static assets under their content-hashed names.
type pages struct {
	// templates[lang][page] is a page bound to a language's words, so that
	// templates call {{t "key"}} anywhere, inside range blocks too.
	templates map[string]map[string]*template.Template
	assets    map[string]asset  // by hashed name, "cairn.3f2a9c1e.css"
	urls      map[string]string // plain name -> "/static/<hashed name>"
}

type asset struct {
	body        []byte
	contentType string
	// gzipped is the body compressed, nil when that saves nothing.
	gzipped []byte
}

// assetTypes are the content types of the static assets, by extension.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
}

// parsePages parses every page with the layout, once per language of the
// catalog, and hashes the assets. Each page is its own template set so
// that pages can define the same blocks ("title", "main") without
// clashing.
func parsePages(c *i18n.Catalog) (*pages, error) {
	p := &pages{templates: map[string]map[string]*template.Template{}, assets: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		base := path.Base(name)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ct := assetTypes[ext]
		if ct == "" {
			ct = "application/octet-stream"
		}
		a := asset{body: b, contentType: ct}
		if z := gzipBytes(b); len(z) < len(b) {
			a.gzipped = z
		}
		p.assets[hashed] = a
		p.urls[base] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading static assets: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range c.Languages() {
		funcs := templateFuncs(c.Printer(lang.Tag), p.urls)
		set := map[string]*template.Template{}
		for _, name := range names {
			base := strings.TrimSuffix(path.Base(name), ".html")
			if base == "layout" || strings.HasPrefix(base, "_") {
				continue
			}
			files := []string{"templates/layout.html", name}
			partials, _ := fs.Glob(templateFS, "templates/_*.html")
			files = append(files, partials...)
			t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, files...)
			if err != nil {
				return nil, fmt.Errorf("web: parsing page %s: %w", base, err)
			}
			set[base] = t
		}
		p.templates[lang.Tag] = set
	}
	return p, nil
}

// templateFuncs are the functions pages call, bound to one language.
func templateFuncs(pr *i18n.Printer, urls map[string]string) template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) (string, error) {
			u, ok := urls[name]
			if !ok {
				return "", fmt.Errorf("no static asset %q", name)
			}
			return u, nil
		},
		"t":        pr.T,
		"tn":       pr.N,
		"num":      pr.Number,
		"pct":      pr.Percent,
		"date":     pr.Date,
		"sdate":    pr.ShortDate,
		"datetime": pr.DateTime,
		"level":    func(label string) string { return levelLabel(pr, label) },
		"role":     func(r roster.Role) string { return pr.T("role." + string(r)) },
		"kind":     func(k any) string { return pr.T("kind." + fmt.Sprint(k)) },
		"isoDate":  func(t time.Time) string { return t.Format("2006-01-02") },
		"langAttr": func(tag string) template.HTMLAttr { return langAttr(pr.Lang(), tag) },
		"inLang":   func(tag, text string) template.HTML { return inLang(pr.Lang(), tag, text) },
		"thtml":    func(key string, args ...any) template.HTML { return messageHTML(pr, key, args) },
	}
}

// langAttr is the attribute that marks text written in the language tag
// (a framework's) on a page in the language page: ` lang="en"` on a
// Spanish page, nothing when both are the same language or tag is empty.
// Screen readers pronounce marked text in its own language (WCAG 2.1,
// success criterion 3.1.2, Language of Parts); a page's own language needs
// no mark.
func langAttr(page, tag string) template.HTMLAttr {
	if tag == "" || standards.SameLanguage(page, tag) {
		return ""
	}
	return template.HTMLAttr(` lang="` + template.HTMLEscapeString(tag) + `"`)
}

// inLang is text written in the language tag, in a span that marks it
// when the page is in another language (see langAttr), for text that has
// no element of its own.
func inLang(page, tag, text string) template.HTML {
	esc := template.HTMLEscapeString(text)
	if a := langAttr(page, tag); a != "" {
		return template.HTML("<span" + string(a) + ">" + esc + "</span>")
	}
	return template.HTML(esc)
}

// messageHTML is the message key like Printer.T, as HTML: its text and
// arguments escaped, except arguments that are HTML already (from inLang),
// which are placed as they are. It lets a sentence in the page's language
// carry a framework's statement marked with its own language.
func messageHTML(pr *i18n.Printer, key string, args []any) template.HTML {
	// Each HTML argument stands in the message as a private-use character
	// and its index until the message is escaped.
	const mark = "\uE000"
	plain := make([]any, len(args))
	var parts []template.HTML
	for i, a := range args {
		switch v := a.(type) {
		case template.HTML:
			plain[i] = mark + strconv.Itoa(len(parts)) + mark
			parts = append(parts, v)
		case string:
			plain[i] = strings.ReplaceAll(v, mark, "")
		default:
			plain[i] = a
		}
	}
	out := template.HTMLEscapeString(pr.T(key, plain...))
	for i, h := range parts {
		out = strings.Replace(out, mark+strconv.Itoa(i)+mark, string(h), 1)
	}
	return template.HTML(out)
}

// levelLabel translates the label of a level of the default scale
// ("Proficient") when the catalog knows it; a district's own labels are
// shown as the district wrote them.
func levelLabel(pr *i18n.Printer, label string) string {
	if s, ok := pr.Lookup("level." + strings.ToLower(label)); ok {
		return s
	}
	return label
}

// pageBase is what every page's layout shows: the title, who is signed in
// and in what role, the way around, the language switch.
type pageBase struct {
	Title     string
	Lang      string
	Languages []i18n.Language
	// Signed is set when someone is signed in; Who and Roles name them.
	Signed bool
	Who    string
	Roles  string
	Nav    []navLink
	// DistrictLang is the language the district writes its own text in
	// (course, class and school names, evidence titles and comments), for
	// langAttr and inLang; renderPage fills it in.
	DistrictLang string
	// Account are the links of the account menu, beside signing out and
	// the language: what concerns the person's account rather than their
	// work, the same for every role.
	Account []navLink
	// CSRF is the token every form carries.
	CSRF string
	// Here is the address of the page, for forms that come back to it.
	Here string
	Home string
}

// base lets renderPage reach the pageBase embedded in a page's data.
func (b *pageBase) base() *pageBase { return b }

type pageData interface{ base() *pageBase }

// navLink is one link of the header's navigation.
type navLink struct {
	Label, URL string
	Current    bool
}

// newBase fills the layout's part of a page for the request.
func (s *Server) newBase(w http.ResponseWriter, r *http.Request, title string) pageBase {
	st := stateOf(r)
	pr := s.printerOf(r)
	b := pageBase{
		Title:     title,
		Lang:      st.lang,
		Languages: s.catalog.Languages(),
		CSRF:      s.formToken(w, r),
		Here:      r.URL.RequestURI(),
		Home:      "/",
	}
	if a := st.actor; a != nil {
		b.Signed = true
		b.Who = a.Name
		names := make([]string, len(a.Roles))
		for i, role := range a.Roles {
			names[i] = pr.T("role." + string(role))
		}
		b.Roles = strings.Join(names, ", ")
		b.Home = homeOf(*a)
		b.Nav = navFor(*a, pr)
		b.Account = accountLinks(pr)
		for _, links := range [][]navLink{b.Nav, b.Account} {
			for i := range links {
				links[i].Current = r.URL.Path == links[i].URL || strings.HasPrefix(r.URL.Path, links[i].URL+"/")
			}
		}
	}
	return b
}

// homeOf is where a person lands after signing in: the page of their
// main role.
func homeOf(a access.Actor) string {
	switch {
	case a.Has(roster.RoleDistrictAdmin):
		return "/admin"
	case a.Has(roster.RoleTeacher), a.Has(roster.RoleSchoolAdmin), a.Has(roster.RoleCoach):
		return "/classes"
	case a.Has(roster.RoleGuardian):
		return "/family"
	case a.Has(roster.RoleStudent):
		return "/me"
	}
	return "/account/tokens"
}

// seesOthersClasses reports whether a is more than a teacher: a school leader,
// coach or district administrator sees classes they do not teach.
func seesOthersClasses(a access.Actor) bool {
	return !a.Has(roster.RoleTeacher) || a.Has(roster.RoleDistrictAdmin) || a.Has(roster.RoleSchoolAdmin) || a.Has(roster.RoleCoach)
}

// navFor lists the header links of a person's roles: their work. The
// account's own pages are in the account menu (accountLinks).
func navFor(a access.Actor, pr *i18n.Printer) []navLink {
	var nav []navLink
	if a.Has(roster.RoleTeacher) || a.Has(roster.RoleSchoolAdmin) || a.Has(roster.RoleCoach) || a.Has(roster.RoleDistrictAdmin) {
		label := pr.T("nav.classes")
		if seesOthersClasses(a) {
			label = pr.T("nav.classes_all")
		}
		nav = append(nav, navLink{Label: label, URL: "/classes"})
	}
	if slices.ContainsFunc(playlistRoles, a.Has) {
		nav = append(nav, navLink{Label: pr.T("playlist.nav"), URL: "/playlists"})
	}
	// Rules and alerts.
	if slices.ContainsFunc(alertRoles, a.Has) {
		nav = append(nav, navLink{Label: pr.T("alerts.nav"), URL: "/alerts"})
	}
	if a.Has(roster.RoleStudent) {
		nav = append(nav, navLink{Label: pr.T("nav.me"), URL: "/me"})
	}
	if a.Has(roster.RoleGuardian) {
		nav = append(nav, navLink{Label: pr.T("nav.family"), URL: "/family"})
	}
	if a.Has(roster.RoleDistrictAdmin) {
		nav = append(nav, navLink{Label: pr.T("nav.admin"), URL: "/admin"})
	}
	return nav
}

// accountLinks lists the account menu's pages, for every role.
func accountLinks(pr *i18n.Printer) []navLink {
	return []navLink{{Label: pr.T("nav.tokens"), URL: "/account/tokens"}}
}

// renderPage answers with the page name filled with data, in the
// request's language. Pages with a person's data are never stored by
// caches or kept in the browser's history cache.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) error {
	st := stateOf(r)
	set, ok := s.pages.templates[st.lang]
	if !ok {
		set = s.pages.templates[i18n.Default]
	}
	t, ok := set[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if b := data.base(); b.DistrictLang == "" {
		cat, err := s.store.Catalog(r.Context(), s.districtOf(r))
		switch {
		case err == nil:
			b.DistrictLang = cat.Language()
		case name != "error":
			return err
		}
		// An error page is shown without marks rather than not at all.
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("rendering page %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", st.lang)
	h.Set("Vary", "Cookie, Accept-Language, Accept-Encoding")
	if st.actor != nil {
		h.Set("Cache-Control", "no-store")
	} else if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	body := buf.Bytes()
	if buf.Len() > minGzip && acceptsGzip(r) {
		// A class heatmap compresses to a tenth of its size: what a
		// school's shared connection or a phone has to carry. Form tokens
		// are masked afresh in every page, so compression does not leak
		// them (BREACH).
		body = gzipBytes(body)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return nil
}

// minGzip is the size below which a page is sent as it is: compressing
// a small page saves less than it costs.
const minGzip = 1400

// acceptsGzip reports whether the client takes gzip-compressed answers.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		k, v, _ := strings.Cut(strings.TrimSpace(params), "=")
		if strings.TrimSpace(k) == "q" {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
		return true
	}
	return false
}

// gzipBytes compresses b quickly: pages are made per request.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// redirect answers a form post with 303 See Other, so that reloading the
// page that follows does not post the form again.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// errorPage is what an error page shows.
type errorPage struct {
	pageBase
	Status    int
	Heading   string
	Message   string
	RequestID string
}

// writePageError answers a page request that failed with a page that
// says what happened in the person's language and how to go on. Like
// problemFor for the API, it is the one place that decides.
func (s *Server) writePageError(w http.ResponseWriter, r *http.Request, err error) {
	p, internal := problemFor(err)
	if internal {
		s.logFailure(r, err)
	}
	pr := s.printerOf(r)
	var heading, msg string
	var fp *forbiddenPage
	switch {
	case p.Status == http.StatusNotFound:
		heading, msg = pr.T("error.404.title"), pr.T("error.404.body")
	case errors.Is(err, errFormToken):
		heading, msg = pr.T("error.403.title"), pr.T("error.form_expired")
	case errors.As(err, &fp):
		roles := make([]string, len(fp.roles))
		for i, role := range fp.roles {
			roles[i] = pr.T("role." + string(role))
		}
		heading, msg = pr.T("error.403.title"), pr.T("error.403.roles", strings.Join(roles, ", "))
	case p.Status == http.StatusForbidden:
		heading, msg = pr.T("error.403.title"), pr.T("error.403.body")
	case p.Status == http.StatusRequestEntityTooLarge:
		heading, msg = pr.T("error.413.title"), pr.T("error.413.body")
	case p.Status == http.StatusTooManyRequests:
		heading, msg = pr.T("error.429.title"), pr.T("error.429.body")
	case p.Status >= 500:
		heading, msg = pr.T("error.500.title"), pr.T("error.500.body")
	default:
		heading, msg = pr.T("error.400.title"), pr.T("error.400.body")
	}
	data := &errorPage{pageBase: s.newBase(w, r, heading), Status: p.Status, Heading: heading, Message: msg,
		RequestID: requestIDFrom(r.Context())}
	if rerr := s.renderPage(w, r, p.Status, "error", data); rerr != nil {
		s.log.Error("rendering an error page", "request_id", data.RequestID, "err", rerr)
		http.Error(w, http.StatusText(p.Status), p.Status)
	}
}

// staticAsset serves an asset by its hashed name. The name changes with
// the content, so a browser may keep it for a year.
func (s *Server) staticAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	a, ok := s.pages.assets[name]
	if !ok {
		return &requestError{status: http.StatusNotFound, detail: fmt.Sprintf("no static asset %q", name)}
	}
	h := w.Header()
	body := a.body
	h.Set("Content-Type", a.contentType)
	h.Set("Vary", "Accept-Encoding")
	if a.gzipped != nil && acceptsGzip(r) {
		body = a.gzipped
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return nil
}

// notFoundPage is the error of an id in a page's URL that names nothing
// the person may see.
func notFoundPage(what string, id any) error {
	return problem.NotFound(what, id)
}
