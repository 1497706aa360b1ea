package casepkg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
)

var exportTime = time.Date(2025, 1, 15, 8, 0, 0, 0, time.UTC)

func exportAndParse(t *testing.T, fw *Framework) (*Package, []byte) {
	t.Helper()
	pkg, err := Export(fw, ExportOptions{Now: exportTime, BaseURL: "https://cairn.example.org/ims/case/v1p1", Creator: "Example District"})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	var buf bytes.Buffer
	if err := pkg.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), buf.Bytes()...)
	p, err := Parse(&buf, "export.json")
	if err != nil {
		t.Fatalf("Parse(Export(...)): %v", err)
	}
	return p, out
}

// TestRoundTrip checks that import, export, import gives the same
// framework, that the export is CASE 1.1, and that exporting twice gives
// the same bytes.
func TestRoundTrip(t *testing.T) {
	for _, tt := range goodPackages {
		t.Run(tt.file, func(t *testing.T) {
			first, err := parseFile(t, filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			second, out1 := exportAndParse(t, &first.Framework)
			if second.Version != Version11 {
				t.Errorf("export read back as CASE %s, want 1.1", second.Version)
			}
			if diff := cmp.Diff(first.Framework, second.Framework); diff != "" {
				t.Errorf("framework after export and import (-first +second):\n%s", diff)
			}
			_, out2 := exportAndParse(t, &second.Framework)
			if !bytes.Equal(out1, out2) {
				t.Error("exporting the re-imported framework gave different bytes")
			}
		})
	}
}

// TestExportFromStore exports a framework as the store holds it: database
// ids, a standard written in cairn (no SourcedID), a retired standard with a
// child, prerequisites inside and outside the framework, a disposition kind.
func TestExportFromStore(t *testing.T) {
	id := func(v int64) *int64 { return &v }
	fw := standards.Framework{ID: 7, DistrictID: 1, SourcedID: "cairn-demo:4cs", Title: "The 4Cs", Kind: standards.Disposition, ScaleID: 2}
	all := []standards.Standard{
		{ID: 10, FrameworkID: 7, SourcedID: "cairn-demo:4cs:CT", Code: "CT", Statement: "Critical thinking", Position: 1},
		{ID: 11, FrameworkID: 7, SourcedID: "cairn-demo:4cs:CT.1", Code: "CT.1", Statement: "Asks questions", ParentID: id(10), Position: 1},
		{ID: 12, FrameworkID: 7, Code: "CT.2", Statement: "Weighs evidence", ParentID: id(10), Position: 2, Retired: true},
		{ID: 13, FrameworkID: 7, Code: "CT.2.a", Statement: "Names a source", ParentID: id(12), Position: 1},
		{ID: 14, FrameworkID: 7, Code: "CO", Statement: "Communication", Position: 2},
	}
	prereqs := []standards.Prerequisite{
		{StandardID: 13, PrerequisiteID: 11},
		{StandardID: 11, PrerequisiteID: 999}, // in another framework: left out
		{StandardID: 12, PrerequisiteID: 11},  // retired: left out
	}
	shape, err := FromStandards(fw, all, prereqs, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, out := exportAndParse(t, shape)
	got := p.Framework
	if got.Framework.Kind != standards.Disposition {
		t.Errorf("Kind = %q after the round trip, want disposition", got.Framework.Kind)
	}
	if got.Framework.Creator != "Example District" {
		t.Errorf("Creator = %q, want the ExportOptions.Creator for a framework without one", got.Framework.Creator)
	}
	var lines []string
	code := map[string]string{}
	for _, s := range got.Standards {
		code[s.SourcedID] = s.Code
	}
	for _, s := range got.Standards {
		lines = append(lines, fmt.Sprintf("%s<%s>@%d", s.Code, code[s.ParentSourcedID], s.Position))
	}
	// CT.2.a moves up to CT, after CT.1 (both had position 1).
	want := []string{"CT<>@1", "CT.1<CT>@1", "CT.2.a<CT>@2", "CO<>@2"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("standards after export (-want +got):\n%s", diff)
	}
	if len(got.Prerequisites) != 1 || code[got.Prerequisites[0].PrerequisiteSourcedID] != "CT.1" || code[got.Prerequisites[0].StandardSourcedID] != "CT.2.a" {
		t.Errorf("prerequisites = %+v, want CT.1 before CT.2.a only", got.Prerequisites)
	}
	// Identifiers that were not UUIDs are derived, the same every time.
	wantDoc := nameUUID(cairnNamespace, "cairn-demo:4cs")
	if got.Framework.SourcedID != wantDoc {
		t.Errorf("CFDocument identifier = %s, want the UUID derived from cairn-demo:4cs (%s)", got.Framework.SourcedID, wantDoc)
	}
	if !bytes.Contains(out, []byte(`"lastChangeDateTime": "2025-01-15T08:00:00Z"`)) {
		t.Error("the export does not carry ExportOptions.Now as lastChangeDateTime")
	}
}

func TestExportNeedsTime(t *testing.T) {
	if _, err := Export(&Framework{}, ExportOptions{}); err == nil {
		t.Error("Export without Now succeeded")
	}
}

func TestNameUUID(t *testing.T) {
	// RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
	got := nameUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")
	if want := "2ed6657d-e927-568b-95e1-2665a8aea6a2"; got != want {
		t.Errorf("nameUUID = %s, want %s", got, want)
	}
}

func TestDiff(t *testing.T) {
	before, err := parseFile(t, "testdata/fractions-prerequisites-v1p1.json")
	if err != nil {
		t.Fatal(err)
	}
	after := before.Framework
	after.Standards = append([]Standard(nil), after.Standards...)
	// Change 3.NF.A.2's statement, drop 4.NF.A.1 (and what refers to it),
	// add a new standard.
	var kept []Standard
	var dropped string
	for _, s := range after.Standards {
		switch s.Code {
		case "3.NF.A.2":
			s.Statement = "Represent fractions on a number line."
		case "4.NF.A.1":
			dropped = s.SourcedID
			continue
		}
		kept = append(kept, s)
	}
	kept = append(kept, Standard{Standard: standards.Standard{SourcedID: "new-1", Code: "4.NF.A.2", Statement: "Compare two fractions.", Position: 1}, ParentSourcedID: kept[len(kept)-1].SourcedID})
	after.Standards = kept
	var prereqs []Prerequisite
	for _, p := range after.Prerequisites {
		if p.StandardSourcedID != dropped {
			prereqs = append(prereqs, p)
		}
	}
	after.Prerequisites = prereqs
	var walks []Crosswalk
	for _, c := range after.Crosswalks {
		if c.Origin.Identifier != dropped {
			walks = append(walks, c)
		}
	}
	after.Crosswalks = walks

	got := Diff(&before.Framework, &after)
	want := Changes{
		Created:              []string{"new-1"},
		Updated:              []string{"a1000000-0000-4000-8000-000000000004"},
		Retired:              []string{"a1000000-0000-4000-8000-000000000007"},
		Unchanged:            5,
		PrerequisitesRemoved: []Prerequisite{{StandardSourcedID: "a1000000-0000-4000-8000-000000000007", PrerequisiteSourcedID: "a1000000-0000-4000-8000-000000000005"}},
		CrosswalksRemoved:    before.Framework.Crosswalks[:1],
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if again := Diff(&after, &after); !again.Empty() || again.Unchanged != len(after.Standards) {
		t.Errorf("Diff of a framework with itself = %+v, want no changes", again)
	}
	if first := Diff(nil, &after); len(first.Created) != len(after.Standards) || !first.FrameworkChanged {
		t.Errorf("Diff from nothing created %d of %d standards", len(first.Created), len(after.Standards))
	}
}

func TestFetch(t *testing.T) {
	body, err := os.ReadFile("testdata/fractions-prerequisites-v1p1.json")
	if err != nil {
		t.Fatal(err)
	}
	var gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAccept = r.Header.Get("Accept")
		switch r.URL.Path {
		case "/case/ims/case/v1p1/CFPackages/d1000000-0000-4000-8000-000000000000":
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		case "/ims/case/v1p0/CFPackages/broken":
			w.Write([]byte(`{"CFDocument": {`))
		case "/ims/case/v1p1/CFPackages/down":
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	p, err := Fetch(ctx, srv.Client(), srv.URL+"/case/ims/case/v1p1/CFPackages/d1000000-0000-4000-8000-000000000000")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if len(p.Framework.Standards) != 7 || p.Version != Version11 {
		t.Errorf("fetched %d standards, CASE %s; want 7, 1.1", len(p.Framework.Standards), p.Version)
	}
	if gotAccept != "application/json" {
		t.Errorf("Accept = %q, want application/json", gotAccept)
	}

	for _, tt := range []struct {
		name, url string
		is        error
		want      string
	}{
		{"not found", srv.URL + "/ims/case/v1p1/CFPackages/nope", problem.ErrNotFound, "the server has no such package"},
		{"server error", srv.URL + "/ims/case/v1p1/CFPackages/down", nil, "503 Service Unavailable"},
		{"bad JSON names the URL, line and column", srv.URL + "/ims/case/v1p0/CFPackages/broken", problem.ErrInvalid, srv.URL + "/ims/case/v1p0/CFPackages/broken:1:17: not valid JSON: the text ends before the package does"},
		{"not a package address", srv.URL + "/ims/case/v1p1/CFDocuments/x", problem.ErrInvalid, "not a CASE package address"},
		{"not http", "ftp://example.org/ims/case/v1p1/CFPackages/x", problem.ErrInvalid, "not an http or https address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fetch(ctx, srv.Client(), tt.url)
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestFetchCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Fetch(ctx, srv.Client(), srv.URL+"/ims/case/v1p1/CFPackages/slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Fetch past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

// TestLanguage checks that the CFDocument's language becomes the
// framework's, written as pages mark text, and that export writes it back
// as published while it is the same language.
func TestLanguage(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "fractions-prerequisites-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	const doc = `"language": "en",` // the CFDocument's comes first
	for _, tt := range []struct{ in, want string }{
		{"en", "en"}, {"eng", "en"}, {"spa", "es"}, {"es-mx", "es-MX"}, {"spa-MX", "es-MX"}, {"fr-CA", "fr-CA"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			in := strings.Replace(string(src), doc, `"language": "`+tt.in+`",`, 1)
			p, err := Parse(strings.NewReader(in), "fractions.json")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Framework.Framework.Language; got != tt.want {
				t.Fatalf("Language = %q, want %q", got, tt.want)
			}
			again, out := exportAndParse(t, &p.Framework)
			if !bytes.Contains(out, []byte(`"language": "`+tt.in+`"`)) {
				t.Errorf("the export does not write language %q as published", tt.in)
			}
			if got := again.Framework.Framework.Language; got != tt.want {
				t.Errorf("Language after export and import = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("none", func(t *testing.T) {
		in := strings.Replace(string(src), doc, "", 1)
		p, err := Parse(strings.NewReader(in), "fractions.json")
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Framework.Framework.Language; got != standards.DefaultLanguage {
			t.Errorf("Language of a document that names none = %q, want %q", got, standards.DefaultLanguage)
		}
	})
	t.Run("diff", func(t *testing.T) {
		p, err := Parse(bytes.NewReader(src), "fractions.json")
		if err != nil {
			t.Fatal(err)
		}
		es := p.Framework
		es.Framework.Language = "es"
		if c := Diff(&p.Framework, &es); !c.FrameworkChanged {
			t.Error("Diff: a new language does not change the framework")
		}
		blank := p.Framework
		blank.Framework.Language = ""
		if c := Diff(&p.Framework, &blank); c.FrameworkChanged {
			t.Error("Diff: no language and English differ")
		}
	})
}
