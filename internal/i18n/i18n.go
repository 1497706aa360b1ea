package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed catalogs/*.json
var catalogFS embed.FS

// Default is the language every catalog falls back to, and the one whose
// catalog must hold every key.
const Default = "en"

// Language is one language the pages are offered in.
type Language struct {
	// Tag is its BCP 47 tag, "es".
	Tag string
	// Name is its name in itself, "Español", as a language switch shows it.
	Name string
}

// message is one catalog entry: a plain text, or plural forms.
type message struct {
	text string
	// forms are the plural forms ("zero", "one", "other") when the message
	// depends on a count; nil for a plain text.
	forms map[string]string
}

// table is one language's messages.
type table struct {
	lang Language
	msgs map[string]message
}

// Catalog holds the messages of every language.
type Catalog struct {
	tables map[string]*table
	langs  []Language
	// OnMissing, when set, is called with the language and the key each
	// time a message is asked for that the language lacks (it then falls
	// back to English), or that English lacks too (lang is then "en").
	// Tests use it to hold pages complete; it must be safe for concurrent
	// use.
	OnMissing func(lang, key string)
}

// placeholder matches {0}, {1}... and {n}.
var placeholder = regexp.MustCompile(`\{(n|[0-9]+)\}`)

// Load reads the embedded catalogs. It fails when a catalog is malformed,
// lacks its language's name (key "language.name"), has a key English does
// not, uses other placeholders than English for a key, or gives a plural
// message without its "other" form.
func Load() (*Catalog, error) {
	return load(catalogFS, "catalogs")
}

func load(fsys fs.FS, dir string) (*Catalog, error) {
	names, err := fs.Glob(fsys, dir+"/*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalog{tables: map[string]*table{}}
	for _, name := range names {
		lang := strings.TrimSuffix(path.Base(name), ".json")
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		t, err := parseTable(lang, b)
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", name, err)
		}
		c.tables[lang] = t
	}
	en, ok := c.tables[Default]
	if !ok {
		return nil, fmt.Errorf("i18n: no %s catalog in %s", Default, dir)
	}
	for lang, t := range c.tables {
		if lang == Default {
			continue
		}
		for key, m := range t.msgs {
			em, ok := en.msgs[key]
			if !ok {
				return nil, fmt.Errorf("i18n: catalog %s has key %q that %s lacks", lang, key, Default)
			}
			if (m.forms == nil) != (em.forms == nil) {
				return nil, fmt.Errorf("i18n: catalog %s: key %q is plural in one language and not in the other", lang, key)
			}
			if got, want := m.placeholders(), em.placeholders(); !slices.Equal(got, want) {
				return nil, fmt.Errorf("i18n: catalog %s: key %q uses placeholders %v, %s uses %v", lang, key, got, Default, want)
			}
		}
	}
	c.langs = append(c.langs, en.lang)
	var others []Language
	for lang, t := range c.tables {
		if lang != Default {
			others = append(others, t.lang)
		}
	}
	slices.SortFunc(others, func(a, b Language) int { return strings.Compare(a.Tag, b.Tag) })
	c.langs = append(c.langs, others...)
	return c, nil
}

// parseTable reads one catalog file.
func parseTable(lang string, b []byte) (*table, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	t := &table{lang: Language{Tag: lang}, msgs: make(map[string]message, len(raw))}
	for key, v := range raw {
		var m message
		if err := json.Unmarshal(v, &m.text); err != nil {
			if err := json.Unmarshal(v, &m.forms); err != nil {
				return nil, fmt.Errorf("key %q is neither a string nor an object of plural forms", key)
			}
			if _, ok := m.forms["other"]; !ok {
				return nil, fmt.Errorf("key %q: a plural message needs its \"other\" form", key)
			}
			for form := range m.forms {
				if form != "zero" && form != "one" && form != "other" {
					return nil, fmt.Errorf("key %q: plural form %q is not one of zero, one, other", key, form)
				}
			}
		}
		t.msgs[key] = m
	}
	name, ok := t.msgs["language.name"]
	if !ok || name.text == "" {
		return nil, fmt.Errorf("no \"language.name\": the language's name in itself")
	}
	t.lang.Name = name.text
	return t, nil
}

// placeholders lists the distinct placeholders a message uses, sorted. A
// plural message's forms together count, so that "zero" may leave {n}
// out.
func (m message) placeholders() []string {
	var out []string
	add := func(s string) {
		for _, p := range placeholder.FindAllString(s, -1) {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	add(m.text)
	for _, f := range m.forms {
		add(f)
	}
	slices.Sort(out)
	return out
}

// Languages lists the languages of the catalog, English first, then by tag.
func (c *Catalog) Languages() []Language { return slices.Clone(c.langs) }

// Keys lists the keys a language's catalog holds, sorted.
func (c *Catalog) Keys(lang string) []string {
	t, ok := c.tables[lang]
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(t.msgs))
	for k := range t.msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether lang's catalog itself holds key (without falling
// back to English).
func (c *Catalog) Has(lang, key string) bool {
	t, ok := c.tables[lang]
	if !ok {
		return false
	}
	_, ok = t.msgs[key]
	return ok
}

// Match returns the first of tags (BCP 47, most preferred first) whose
// language the catalog has, "es-MX" matching "es"; "" when none does.
func (c *Catalog) Match(tags ...string) string {
	for _, tag := range tags {
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		base, _, _ = strings.Cut(base, "_")
		if _, ok := c.tables[base]; ok && base != "" {
			return base
		}
	}
	return ""
}

// Printer returns the printer of lang, or of English when the catalog
// does not have lang.
func (c *Catalog) Printer(lang string) *Printer {
	t, ok := c.tables[lang]
	if !ok {
		t = c.tables[Default]
	}
	return &Printer{c: c, t: t, en: c.tables[Default]}
}

// Printer writes messages in one language.
type Printer struct {
	c     *Catalog
	t, en *table
}

// Lang is the printer's language tag.
func (p *Printer) Lang() string { return p.t.lang.Tag }

// lookup finds key in the printer's language, else in English, reporting
// what it could not find.
func (p *Printer) lookup(key string) (message, bool) {
	if m, ok := p.t.msgs[key]; ok {
		return m, true
	}
	if p.c.OnMissing != nil {
		p.c.OnMissing(p.t.lang.Tag, key)
	}
	if p.t != p.en {
		if m, ok := p.en.msgs[key]; ok {
			return m, true
		}
		if p.c.OnMissing != nil {
			p.c.OnMissing(Default, key)
		}
	}
	return message{}, false
}

// T returns the message key with args in place of {0}, {1}... A key no
// catalog holds comes back as itself in brackets, visible on the page
// rather than silently blank.
func (p *Printer) T(key string, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return "[" + key + "]"
	}
	text := m.text
	if m.forms != nil {
		text = m.forms["other"]
	}
	return p.fill(text, -1, args)
}

// Lookup returns the message key like T when a catalog holds it, in the
// printer's language or else in English, and reports whether one does,
// without reporting a miss: for text that has a translation only
// sometimes, such as the labels of the default proficiency scale.
func (p *Printer) Lookup(key string, args ...any) (string, bool) {
	m, ok := p.t.msgs[key]
	if !ok {
		m, ok = p.en.msgs[key]
	}
	if !ok || m.forms != nil {
		return "", false
	}
	return p.fill(m.text, -1, args), true
}

// N returns the plural message key for the count n: its "zero" form when
// n is 0 and there is one, "one" when the language says n takes the
// singular, else "other"; {n} is the count and {0}, {1}... are args.
func (p *Printer) N(key string, n int, args ...any) string {
	m, ok := p.lookup(key)
	if !ok {
		return "[" + key + "]"
	}
	if m.forms == nil {
		return p.fill(m.text, n, args)
	}
	form := pluralForm(p.t.lang.Tag, n)
	if n == 0 {
		if _, ok := m.forms["zero"]; ok {
			form = "zero"
		}
	}
	text, ok := m.forms[form]
	if !ok {
		text = m.forms["other"]
	}
	return p.fill(text, n, args)
}

// pluralForm is the CLDR cardinal category of an integer n in lang, for
// the languages cairn has: English and Spanish both use "one" for 1 alone
// (Spanish's "many", for round millions, never counts evidence).
func pluralForm(lang string, n int) string {
	if n == 1 || n == -1 {
		return "one"
	}
	return "other"
}

// fill replaces the placeholders of text. Arguments are formatted for the
// printer's language: floats with its decimal mark.
func (p *Printer) fill(text string, n int, args []any) string {
	if !strings.Contains(text, "{") {
		return text
	}
	return placeholder.ReplaceAllStringFunc(text, func(ph string) string {
		v := ph[1 : len(ph)-1]
		if v == "n" {
			return strconv.Itoa(n)
		}
		i, _ := strconv.Atoi(v)
		if i >= len(args) {
			return ph
		}
		return p.format(args[i])
	})
}

// format turns one argument into text.
func (p *Printer) format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return p.Number(x)
	case float32:
		return p.Number(float64(x))
	case time.Time:
		return p.Date(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Number shows x with at most two decimals, trailing zeros dropped, with
// the language's decimal mark ("3.4", "3,4"), as the catalog's
// "number.decimal" says.
func (p *Printer) Number(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Round(x*100)/100+0, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if mark, ok := p.t.msgs["number.decimal"]; ok && mark.text != "." {
		s = strings.Replace(s, ".", mark.text, 1)
	}
	return s
}

// Percent shows a share between 0 and 1 as a whole percentage, "65 %" or
// "65%" as the language writes it.
func (p *Printer) Percent(x float64) string {
	return p.T("number.percent", strconv.Itoa(int(math.Round(x*100))))
}

// Date shows the day of t in the language's long form, "March 14, 2025"
// or "14 de marzo de 2025", with month names from the catalog.
func (p *Printer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.T("date.long", strconv.Itoa(t.Day()), p.T("date.month."+strconv.Itoa(int(t.Month()))), strconv.Itoa(t.Year()))
}

// ShortDate shows the day of t briefly, "Mar 14" or "14 mar", for charts
// and dense tables.
func (p *Printer) ShortDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.T("date.short", strconv.Itoa(t.Day()), p.T("date.mon."+strconv.Itoa(int(t.Month()))))
}

// DateTime shows t as a date and a time of day, "March 14, 2025, 15:04".
func (p *Printer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return p.T("date.datetime", p.Date(t), t.Format("15:04"))
}

// ParseAcceptLanguage returns the language tags of an Accept-Language
// header, most preferred first (by q, then by order), without those of
// q=0 and the wildcard. A malformed part is skipped, not fatal: browsers
// are not to be refused for a header.
func ParseAcceptLanguage(h string) []string {
	type pref struct {
		tag string
		q   float64
		i   int
	}
	var prefs []pref
	for i, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" || len(tag) > 35 {
			continue
		}
		q := 1.0
		for _, prm := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(prm), "=")
			if ok && strings.TrimSpace(k) == "q" {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					q = -1
				} else {
					q = f
				}
			}
		}
		if q <= 0 {
			continue
		}
		prefs = append(prefs, pref{tag, q, i})
	}
	slices.SortStableFunc(prefs, func(a, b pref) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return a.i - b.i
	})
	out := make([]string, len(prefs))
	for i, p := range prefs {
		out[i] = p.tag
	}
	return out
}
