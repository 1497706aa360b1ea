package i18n

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testCatalog loads catalogs from memory.
func testCatalog(t *testing.T, files map[string]string) (*Catalog, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys["c/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return load(fsys, "c")
}

const (
	enBase = `"language.name": "English", "number.decimal": ".", "number.percent": "{0}%",
"date.long": "{2}-{1}-{0}", "date.short": "{1} {0}", "date.datetime": "{0} {1}",
"date.month.3": "March", "date.mon.3": "Mar"`
	esBase = `"language.name": "Español", "number.decimal": ",", "number.percent": "{0} %",
"date.long": "{0} de {1} de {2}", "date.short": "{0} {1}", "date.datetime": "{0}, {1}",
"date.month.3": "marzo", "date.mon.3": "mar"`
)

func TestEmbeddedCatalogsLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	got := c.Languages()
	want := []Language{{"en", "English"}, {"es", "Español"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	// The formats the printer itself needs are in every catalog.
	for _, l := range got {
		for _, key := range []string{"number.decimal", "number.percent", "date.long", "date.short", "date.datetime"} {
			if !c.Has(l.Tag, key) {
				t.Errorf("%s lacks %s", l.Tag, key)
			}
		}
		for m := 1; m <= 12; m++ {
			for _, key := range []string{"date.month.", "date.mon."} {
				k := key + strconv.Itoa(m)
				if !c.Has(l.Tag, k) {
					t.Errorf("%s lacks %s", l.Tag, k)
				}
			}
		}
	}
}

func TestPlural(t *testing.T) {
	c, err := testCatalog(t, map[string]string{
		"en.json": `{` + enBase + `,
"evidence.count": {"zero": "no evidence yet", "one": "{n} piece of evidence", "other": "{n} pieces of evidence"},
"standards.count": {"one": "{n} standard in {0}", "other": "{n} standards in {0}"}}`,
		"es.json": `{` + esBase + `,
"evidence.count": {"zero": "todavía sin evidencias", "one": "{n} evidencia", "other": "{n} evidencias"}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, key string
		n         int
		args      []any
		want      string
	}{
		{"en", "evidence.count", 0, nil, "no evidence yet"},
		{"en", "evidence.count", 1, nil, "1 piece of evidence"},
		{"en", "evidence.count", 3, nil, "3 pieces of evidence"},
		{"es", "evidence.count", 0, nil, "todavía sin evidencias"},
		{"es", "evidence.count", 1, nil, "1 evidencia"},
		{"es", "evidence.count", 21, nil, "21 evidencias"},
		// No "zero" form: zero takes "other".
		{"en", "standards.count", 0, []any{"Math 6"}, "0 standards in Math 6"},
		{"en", "standards.count", 1, []any{"Math 6"}, "1 standard in Math 6"},
		// Spanish lacks the key: English stands in.
		{"es", "standards.count", 2, []any{"Matemáticas"}, "2 standards in Matemáticas"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.key+" "+strconv.Itoa(tt.n), func(t *testing.T) {
			if got := c.Printer(tt.lang).N(tt.key, tt.n, tt.args...); got != tt.want {
				t.Errorf("N = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMissingKeysAreReported(t *testing.T) {
	c, err := testCatalog(t, map[string]string{
		"en.json": `{` + enBase + `, "only.en": "Only in English", "both": "Both"}`,
		"es.json": `{` + esBase + `, "both": "Ambos"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var missing []string
	c.OnMissing = func(lang, key string) {
		mu.Lock()
		defer mu.Unlock()
		missing = append(missing, lang+":"+key)
	}
	es := c.Printer("es")
	if got := es.T("both"); got != "Ambos" {
		t.Errorf("T(both) = %q", got)
	}
	if got := es.T("only.en"); got != "Only in English" {
		t.Errorf("T(only.en) = %q, want the English fallback", got)
	}
	if got := es.T("nowhere"); got != "[nowhere]" {
		t.Errorf("T(nowhere) = %q, want the key in brackets", got)
	}
	want := []string{"es:only.en", "es:nowhere", "en:nowhere"}
	if diff := cmp.Diff(want, missing); diff != "" {
		t.Errorf("reported (-want +got):\n%s", diff)
	}
	if c.Has("es", "only.en") || !c.Has("en", "only.en") {
		t.Error("Has does not tell the languages apart")
	}
	if got := c.Printer("fr").Lang(); got != "en" {
		t.Errorf("a language without a catalog prints in %q, want en", got)
	}
}

func TestArguments(t *testing.T) {
	c, err := testCatalog(t, map[string]string{
		"en.json": `{` + enBase + `, "greet": "{1}, then {0}; {0} again; {9} stays"}`,
		"es.json": `{` + esBase + `, "greet": "{0} y {1}; {0}; {9}"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	en, es := c.Printer("en"), c.Printer("es")
	if got, want := en.T("greet", "a", "b"), "b, then a; a again; {9} stays"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// An argument that looks like a placeholder is text, not expanded.
	if got, want := en.T("greet", "{1}", "<b>"), "<b>, then {1}; {1} again; {9} stays"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Floats take the language's decimal mark; dates its format.
	if got, want := es.T("greet", 3.456, 2.0), "3,46 y 2; 3,46; {9}"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	day := time.Date(2025, 3, 14, 15, 4, 0, 0, time.UTC)
	for _, tt := range []struct{ got, want string }{
		{en.Date(day), "2025-March-14"},
		{es.Date(day), "14 de marzo de 2025"},
		{es.ShortDate(day), "14 mar"},
		{en.DateTime(day), "2025-March-14 15:04"},
		{es.DateTime(day), "14 de marzo de 2025, 15:04"},
		{en.Number(2.996), "3"},
		{en.Number(-0.001), "0"},
		{es.Number(0.65), "0,65"},
		{en.Percent(0.654), "65%"},
		{es.Percent(0.35), "35 %"},
		{en.Date(time.Time{}), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no English", map[string]string{"es.json": `{` + esBase + `}`}, "no en catalog"},
		{"malformed", map[string]string{"en.json": `{"a": `}, "en.json"},
		{"no name", map[string]string{"en.json": `{"a": "b"}`}, "language.name"},
		{"key English lacks", map[string]string{"en.json": `{` + enBase + `}`, "es.json": `{` + esBase + `, "extra": "x"}`}, `"extra"`},
		{"other placeholders", map[string]string{"en.json": `{` + enBase + `, "k": "{0} of {1}"}`, "es.json": `{` + esBase + `, "k": "{0} de {2}"}`}, "placeholders"},
		{"plural without other", map[string]string{"en.json": `{` + enBase + `, "k": {"one": "{n} thing"}}`}, `"other"`},
		{"unknown plural form", map[string]string{"en.json": `{` + enBase + `, "k": {"few": "x", "other": "y"}}`}, `"few"`},
		{"plural in one language only", map[string]string{"en.json": `{` + enBase + `, "k": {"one": "x", "other": "y"}}`, "es.json": `{` + esBase + `, "k": "z"}`}, "plural"},
		{"neither string nor forms", map[string]string{"en.json": `{` + enBase + `, "k": 3}`}, `"k"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testCatalog(t, tt.files)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %s", err, tt.want)
			}
		})
	}
}

func TestParseAcceptLanguage(t *testing.T) {
	tests := []struct {
		header string
		want   []string
	}{
		{"", []string{}},
		{"es", []string{"es"}},
		{"es-MX,es;q=0.9,en-US;q=0.8,en;q=0.7", []string{"es-MX", "es", "en-US", "en"}},
		{"en;q=0.5, es", []string{"es", "en"}},
		{"fr;q=0, es;q=0.2, *", []string{"es"}},
		{"de;q=abc, es", []string{"es"}},
		{" , ;q=1, pt-BR ; q=0.3", []string{"pt-BR"}},
		{"en;q=0.8, fr;q=0.8, es;q=0.8", []string{"en", "fr", "es"}},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseAcceptLanguage(tt.header)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tags []string
		want string
	}{
		{nil, ""},
		{[]string{"es-MX"}, "es"},
		{[]string{"fr", "ES"}, "es"},
		{[]string{"en_GB", "es"}, "en"},
		{[]string{"so", "hmn"}, ""},
		{[]string{""}, ""},
	}
	for _, tt := range tests {
		if got := c.Match(tt.tags...); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.tags, got, tt.want)
		}
	}
}
