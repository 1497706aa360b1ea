package casepkg

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goodPackages are the valid packages in testdata: three real CASE 1.0
// packages from OpenSALT and two CASE 1.1 packages written for these
// tests.
var goodPackages = []struct {
	file    string
	version string
}{
	{"act-math-ordering-v1p0.json", Version10},
	{"smartlevel-v1p0.json", Version10},
	{"utf8-v1p0.json", Version10},
	{"fractions-prerequisites-v1p1.json", Version11},
	{"publisher-fields-v1p1.json", Version11},
}

func parseFile(t testing.TB, path string) (*Package, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f, filepath.Base(path))
}

// summary is what the golden files hold: the framework as cairn imports it.
type summary struct {
	Version   string    `json:"version"`
	Notes     []string  `json:"notes,omitempty"`
	Framework Framework `json:"framework"`
}

func TestParseGolden(t *testing.T) {
	for _, tt := range goodPackages {
		t.Run(tt.file, func(t *testing.T) {
			p, err := parseFile(t, filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Version != tt.version {
				t.Errorf("Version = %q, want %q", p.Version, tt.version)
			}
			got, err := json.MarshalIndent(summary{p.Version, p.Notes, p.Framework}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tt.file, ".json")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("framework differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestParseOrdering checks the ordering rule on the ACT package, whose
// associations list the level-1 items out of order and carry no
// sequenceNumber: the codes, compared as numbers, decide.
func TestParseOrdering(t *testing.T) {
	p, err := parseFile(t, "testdata/act-math-ordering-v1p0.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Framework.Standards {
		if strings.HasPrefix(s.Code, "H.A.MATH.GM.PF.2DFP.L1.") {
			got = append(got, strings.TrimPrefix(s.Code, "H.A.MATH.GM.PF.2DFP.L1."))
		}
	}
	var want []string
	for i := 1; i <= 24; i++ {
		want = append(want, fmt.Sprint(i))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("level-1 order (-want +got):\n%s", diff)
	}
}

func TestParseFractions(t *testing.T) {
	p, err := parseFile(t, "testdata/fractions-prerequisites-v1p1.json")
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	var order []string
	for _, s := range p.Framework.Standards {
		code[s.SourcedID] = s.Code
		order = append(order, fmt.Sprintf("%s@%d", s.Code, s.Position))
	}
	wantOrder := []string{"3.NF@1", "3.NF.A@1", "3.NF.A.1@1", "3.NF.A.2@2", "3.NF.A.3@3", "4.NF@2", "4.NF.A.1@1"}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("hierarchy order from sequenceNumber (-want +got):\n%s", diff)
	}
	var prereqs []string
	for _, e := range p.Framework.Prerequisites {
		prereqs = append(prereqs, code[e.PrerequisiteSourcedID]+" before "+code[e.StandardSourcedID])
	}
	wantPrereqs := []string{"3.NF.A.1 before 3.NF.A.2", "3.NF.A.2 before 3.NF.A.3", "3.NF.A.3 before 4.NF.A.1"}
	if diff := cmp.Diff(wantPrereqs, prereqs); diff != "" {
		t.Errorf("prerequisites (-want +got):\n%s", diff)
	}
	var walks []string
	for _, c := range p.Framework.Crosswalks {
		walks = append(walks, c.Origin.Title+" "+c.Type+" "+c.Destination.Title)
	}
	wantWalks := []string{
		"4.NF.A.1 exactMatchOf CCSS.MATH.CONTENT.4.NF.A.1",
		"2.G.A.3 precedes 3.NF.A.1",
		"3.NF.A.2 isRelatedTo Fractions on a number line (lesson)",
	}
	if diff := cmp.Diff(wantWalks, walks); diff != "" {
		t.Errorf("crosswalks (-want +got):\n%s", diff)
	}
	wantNotes := []string{"1 isPeerOf association is not imported: cairn keeps hierarchy (isChildOf), prerequisites (precedes) and crosswalks (isRelatedTo, exactMatchOf)"}
	if diff := cmp.Diff(wantNotes, p.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if got := p.Framework.Framework.Kind; got != standards.Academic {
		t.Errorf("Kind = %q, want academic", got)
	}
}

// TestParseBad checks the exact message for each kind of bad package: the
// file, line and column of the offending JSON value, the field, the item
// and the reason.
func TestParseBad(t *testing.T) {
	for _, tt := range []struct {
		file string
		want string
	}{
		{"empty.json", "empty.json:1:1: empty: a CASE package is a JSON object with a CFDocument"},
		{"syntax.json", "syntax.json:4:28: not valid JSON: invalid character ',' looking for beginning of object key string"},
		{"truncated.json", "truncated.json:4:1: not valid JSON: the text ends before the package does"},
		{"two-packages.json", "two-packages.json:2:1: more text after the end of the package"},
		{"not-object.json", "not-object.json:1:1: a CASE package is a JSON object with a CFDocument, not an array"},
		{"no-document.json", "no-document.json:1:1: CFDocument: required, but missing"},
		{"wrong-version.json", `wrong-version.json:5:20: CFDocument.caseVersion: CFDocument "d2000000-0000-4000-8000-000000000000": "2.0" is not a CASE version cairn reads: it reads 1.1 (caseVersion "1.1") and 1.0 (no caseVersion)`},
		{"schema-v1p1.json", strings.Join([]string{
			`schema-v1p1.json:8:27: CFDocument.lastChangeDateTime: CFDocument "d2000000-0000-4000-8000-000000000000": "yesterday" is not a date and time such as 2024-05-01T12:00:00Z`,
			`schema-v1p1.json:18:5: CFItems[1].fullStatement: item "a2000000-0000-4000-8000-000000000002" (B.2): required, but missing`,
			`schema-v1p1.json:25:21: CFItems[2].identifier: item "item-three" (B.3): "item-three" is not a UUID (8-4-4-4-12 hexadecimal digits)`,
			`schema-v1p1.json:37:16: CFItems[3].grade: item "a2000000-0000-4000-8000-000000000004" (B.4): not a field CASE 1.1 allows here`,
			`schema-v1p1.json:43:26: CFAssociations[0].associationType: association "c2000000-0000-4000-8000-000000000001" (isChildof): "isChildof" is not one of isChildOf, isPeerOf, isPartOf, exactMatchOf, precedes, isRelatedTo, replacedBy, exemplar, hasSkillLevel, isTranslationOf, nor an extension of the form ext:name`,
			`schema-v1p1.json:72:25: CFAssociations[1].sequenceNumber: association "c2000000-0000-4000-8000-000000000002" (isChildOf): is a string, want an integer`,
		}, "\n")},
		{"duplicate-item.json", `duplicate-item.json:26:21: CFItems[2].identifier: item "a2000000-0000-4000-8000-000000000001" (B.1 again): the same identifier as CFItems[0]: identifiers must be unique`},
		{"bad-language.json", `bad-language.json:8:17: CFDocument.language: CFDocument "d2000000-0000-4000-8000-000000000000": "English" is not a language code such as "en", "eng" or "es-MX"`},
		{"blank-statement.json", `blank-statement.json:14:24: CFItems[0].fullStatement: item "a2000000-0000-4000-8000-000000000001" (B.1): blank: a standard needs a statement`},
		{"self-parent.json", `self-parent.json:29:29: CFAssociations[0].destinationNodeURI: association "c2000000-0000-4000-8000-000000000001" (isChildOf): an item cannot be its own parent`},
		{"hierarchy-loop.json", `hierarchy-loop.json:75:29: CFAssociations[2].destinationNodeURI: association "c2000000-0000-4000-8000-000000000003" (isChildOf): isChildOf associations make a loop: B.2 is below B.3 is below B.2`},
		{"precedes-cycle.json", `precedes-cycle.json:98:29: CFAssociations[3].destinationNodeURI: association "c2000000-0000-4000-8000-000000000004" (precedes): precedes associations make a cycle, so no standard in it could ever be ready: B.1 precedes B.2 precedes B.3 precedes B.1`},
	} {
		t.Run(tt.file, func(t *testing.T) {
			p, err := parseFile(t, filepath.Join("testdata", "bad", tt.file))
			if err == nil {
				t.Fatalf("Parse accepted a bad package: %d standards", len(p.Framework.Standards))
			}
			if !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// TestParseManyProblems checks that a package wrong everywhere gives the
// first 100 problems and a count of the rest.
func TestParseManyProblems(t *testing.T) {
	var items []string
	for i := 0; i < 150; i++ {
		items = append(items, fmt.Sprintf(`{"identifier":"a3000000-0000-4000-8000-%012d","uri":"u","lastChangeDateTime":"2024-01-01T00:00:00Z"}`, i))
	}
	doc := `{"CFDocument":{"identifier":"d3000000-0000-4000-8000-000000000000","uri":"u","caseVersion":"1.1","creator":"c","title":"t","lastChangeDateTime":"2024-01-01T00:00:00Z"},"CFItems":[` +
		strings.Join(items, ",\n") + "]}"
	_, err := Parse(strings.NewReader(doc), "many.json")
	var e *badinput.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *badinput.Error", err)
	}
	if len(e.Problems) != badinput.DefaultLimit || e.More != 50 {
		t.Errorf("got %d problems and %d more, want %d and 50", len(e.Problems), e.More, badinput.DefaultLimit)
	}
	if want := "many.json:2:1: CFItems[1].fullStatement: item \"a3000000-0000-4000-8000-000000000001\": required, but missing"; e.Problems[1].String() != want {
		t.Errorf("second problem\n got: %s\nwant: %s", e.Problems[1], want)
	}
	if !strings.HasSuffix(err.Error(), "\nand 50 more problems") {
		t.Errorf("error does not end with the count of the rest: ...%s", err.Error()[len(err.Error())-40:])
	}
}

func TestDetectVersion(t *testing.T) {
	for _, tt := range []struct {
		name, doc, want string
	}{
		{"caseVersion", `{"CFDocument":{"caseVersion":"1.1","uri":"https://x/ims/case/v1p0/CFDocuments/1"}}`, Version11},
		{"CFPackageURI", `{"CFDocument":{"CFPackageURI":{}}}`, Version10},
		{"definitions array", `{"CFDocument":{},"CFDefinitions":[]}`, Version10},
		{"CFDocumentURI on an item", `{"CFDocument":{},"CFItems":[{"CFDocumentURI":{}}]}`, Version10},
		{"v1p0 address", `{"CFDocument":{"uri":"https://x/ims/case/v1p0/CFDocuments/1"}}`, Version10},
		{"v1p1 address", `{"CFDocument":{"uri":"https://x/ims/case/v1p1/CFDocuments/1"}}`, Version11},
		{"nothing said", `{"CFDocument":{"uri":"urn:x"}}`, Version10},
		// CASE 1.0 as OpenSALT serves it under its own addresses: no
		// CFPackageURI, no CFDocumentURI, CFDefinitions as an object.
		{"1.0 without CFPackageURI", `{"CFDocument":{"uri":"https://opensalt.net/uri/d1"},"CFDefinitions":{"CFConcepts":[]},
			"CFItems":[{"uri":"https://opensalt.net/uri/i1"}],"CFAssociations":[{"uri":"https://opensalt.net/uri/a1","originNodeURI":{},"destinationNodeURI":{}}]}`, Version10},
		{"frameworkType", `{"CFDocument":{"frameworkType":"Standards","CFPackageURI":{}}}`, Version11},
		{"item subject", `{"CFDocument":{},"CFItems":[{"subject":["Math"]}]}`, Version11},
		{"association notes", `{"CFDocument":{},"CFAssociations":[{"notes":"n"}]}`, Version11},
		{"targetType", `{"CFDocument":{},"CFAssociations":[{"originNodeURI":{"targetType":"CFItem"}}]}`, Version11},
		{"package extensions", `{"CFDocument":{},"extensions":{}}`, Version11},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var root map[string]any
			if err := json.Unmarshal([]byte(tt.doc), &root); err != nil {
				t.Fatal(err)
			}
			if got := detectVersion(root, "f.json"); got != tt.want {
				t.Errorf("detectVersion = %s, want %s", got, tt.want)
			}
		})
	}
	// The name (a fetched URL) decides when the document does not.
	var root map[string]any
	json.Unmarshal([]byte(`{"CFDocument":{}}`), &root)
	if got := detectVersion(root, "https://x/ims/case/v1p0/CFPackages/1"); got != Version10 {
		t.Errorf("detectVersion from a v1p0 URL = %s, want 1.0", got)
	}
}

func TestNaturalCompare(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"L1.2", "L1.10", -1},
		{"L1.10", "L1.9", 1},
		{"3.NF.A.1", "3.NF.A.1", 0},
		{"a", "", -1},
		{"", "a", 1},
		{"07", "7", 1},
		{"RL.6.1", "RL.6.1a", -1},
		{"B", "a", -1},
	} {
		if got := naturalCompare(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestEmbeddedSchemasMatchShared checks that the schemas embedded in the
// binary are the published files, unchanged.
func TestEmbeddedSchemasMatchShared(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "case")
	if _, err := os.Stat(dir); err != nil {
		testenv.Skip(t, "the shared data folder is absent: "+dir)
	}
	for embedded, shared := range map[string]string{
		"schema/case-v1p1-cfpackage.json": "1edtech-case-v1p1-cfpackage-jsonschema.json",
		"schema/case-v1p0-cfpackage.json": "opensalt-case-v1p0-cfpackage-schema.json",
	} {
		a, err := schemaFiles.ReadFile(embedded)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, shared))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the published %s", embedded, shared)
		}
	}
}
