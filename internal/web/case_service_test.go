package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// caseTestdata holds the CASE packages of the parser's tests.
const caseTestdata = "../interop/casepkg/testdata"

// importCASEFile imports a CASE package of the parser's tests into the
// fixture's district through the store, and returns what was parsed.
func (f *fixture) importCASEFile(name string) *casepkg.Package {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(caseTestdata, name))
	if err != nil {
		f.t.Fatal(err)
	}
	pkg, err := casepkg.Parse(bytes.NewReader(b), name)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.st.ImportCASE(context.Background(), f.district, pkg, store.ImportOptions{}); err != nil {
		f.t.Fatal(err)
	}
	return pkg
}

// wantCASEError checks a CASE failure: its status and the imsx_StatusInfo
// body with its code minor.
func wantCASEError(t *testing.T, res response, status int, field, minor string) caseStatusJSON {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	var st caseStatusJSON
	res.json(t, &st)
	if st.CodeMajor != "failure" || st.Severity != "error" || st.Description == "" ||
		len(st.CodeMinor.Fields) != 1 || st.CodeMinor.Fields[0] != (caseCodeMinorFieldJSON{Name: field, Value: minor}) {
		t.Errorf("CASE status %+v, want failure/error with %s %s", st, field, minor)
	}
	return st
}

func TestCASEService(t *testing.T) {
	f := newFixture(t)
	fractions := f.importCASEFile("fractions-prerequisites-v1p1.json")
	ordering := f.importCASEFile("act-math-ordering-v1p0.json")
	anon := f.as("") // the service is public
	docID := fractions.CFPackage.CFDocument.Identifier

	t.Run("documents", func(t *testing.T) {
		res := anon.do("GET", casePrefix+"/CFDocuments", nil)
		wantStatus(t, res, http.StatusOK)
		var docs caseDocumentsJSON
		res.json(t, &docs)
		var titles []string
		for _, d := range docs.CFDocuments {
			titles = append(titles, d.Title)
			if d.CFPackageURI == nil || !strings.HasSuffix(d.CFPackageURI.URI, casePrefix+"/CFPackages/"+d.Identifier) {
				t.Errorf("%s: CFPackageURI %+v", d.Title, d.CFPackageURI)
			}
		}
		want := []string{ordering.Framework.Framework.Title, fractions.Framework.Framework.Title, "Grade 6 Mathematics"}
		if diff := cmp.Diff(want, titles); diff != "" {
			t.Errorf("documents by title (-want +got):\n%s", diff)
		}
		if got := res.Header.Get("X-Total-Count"); got != "3" {
			t.Errorf("X-Total-Count %q, want 3", got)
		}

		res = anon.do("GET", casePrefix+"/CFDocuments?limit=1&offset=1", nil)
		wantStatus(t, res, http.StatusOK)
		res.json(t, &docs)
		if len(docs.CFDocuments) != 1 || docs.CFDocuments[0].Identifier != docID {
			t.Errorf("second page of one: %+v, want the fractions document", docs.CFDocuments)
		}
		res = anon.do("GET", casePrefix+"/CFDocuments?offset=5", nil)
		wantStatus(t, res, http.StatusOK)
		res.json(t, &docs)
		if docs.CFDocuments == nil || len(docs.CFDocuments) != 0 {
			t.Errorf("past the end: %+v, want an empty list", docs.CFDocuments)
		}
		wantCASEError(t, anon.do("GET", casePrefix+"/CFDocuments?limit=0", nil), http.StatusBadRequest, "limit", "invalid_selection_field")
		wantCASEError(t, anon.do("GET", casePrefix+"/CFDocuments?offset=x", nil), http.StatusBadRequest, "offset", "invalid_selection_field")

		res = anon.do("GET", casePrefix+"/CFDocuments/"+docID, nil)
		wantStatus(t, res, http.StatusOK)
		var doc casepkg.CFDocument
		res.json(t, &doc)
		if doc.Identifier != docID || doc.Title != fractions.Framework.Framework.Title || doc.CFPackageURI == nil {
			t.Errorf("document %+v", doc)
		}
	})

	t.Run("package round trip", func(t *testing.T) {
		for _, in := range []*casepkg.Package{fractions, ordering} {
			id := in.CFPackage.CFDocument.Identifier
			res := anon.do("GET", casePrefix+"/CFPackages/"+id, nil)
			wantStatus(t, res, http.StatusOK)
			back, err := casepkg.Parse(bytes.NewReader(res.Body), "served.json")
			if err != nil {
				t.Fatalf("the served package does not parse: %v", err)
			}
			if back.Version != casepkg.Version11 {
				t.Errorf("served as CASE %s, want 1.1", back.Version)
			}
			if diff := cmp.Diff(in.Framework, back.Framework); diff != "" {
				t.Errorf("%s after import and serving (-imported +served):\n%s", in.Name, diff)
			}
		}
		// An identifier is found whatever the case of its letters.
		wantStatus(t, anon.do("GET", casePrefix+"/CFPackages/"+strings.ToUpper(docID), nil), http.StatusOK)
	})

	t.Run("item and association", func(t *testing.T) {
		want := fractions.CFPackage.CFItems[0]
		res := anon.do("GET", casePrefix+"/CFItems/"+want.Identifier, nil)
		wantStatus(t, res, http.StatusOK)
		var it casepkg.CFItem
		res.json(t, &it)
		if it.Identifier != want.Identifier || it.FullStatement != want.FullStatement || it.HumanCodingScheme != want.HumanCodingScheme {
			t.Errorf("item %+v, want %+v", it, want)
		}
		if it.CFDocumentURI == nil || it.CFDocumentURI.Identifier != docID || it.CFDocumentURI.Title != fractions.Framework.Framework.Title {
			t.Errorf("item's CFDocumentURI %+v, want the fractions document", it.CFDocumentURI)
		}

		// A precedes association, as the package served has it.
		var pkg casepkg.CFPackage
		anon.do("GET", casePrefix+"/CFPackages/"+docID, nil).json(t, &pkg)
		var assoc casepkg.CFAssociation
		for _, a := range pkg.CFAssociations {
			if a.AssociationType == casepkg.Precedes {
				assoc = a
				break
			}
		}
		if assoc.Identifier == "" {
			t.Fatal("the served package has no precedes association")
		}
		res = anon.do("GET", casePrefix+"/CFAssociations/"+assoc.Identifier, nil)
		wantStatus(t, res, http.StatusOK)
		var got casepkg.CFAssociation
		res.json(t, &got)
		if got.AssociationType != casepkg.Precedes || got.OriginNodeURI != assoc.OriginNodeURI || got.DestinationNodeURI != assoc.DestinationNodeURI {
			t.Errorf("association %+v, want %+v", got, assoc)
		}
		if got.CFDocumentURI == nil || got.CFDocumentURI.Identifier != docID {
			t.Errorf("association's CFDocumentURI %+v", got.CFDocumentURI)
		}

		// A framework made in cairn answers to the identifiers its export
		// derives.
		pkgMade, err := exportStoredCASE(context.Background(), f.st, f.district, f.framework, casepkg.ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range pkgMade.CFItems {
			res := anon.do("GET", casePrefix+"/CFItems/"+it.Identifier, nil)
			wantStatus(t, res, http.StatusOK)
			var got casepkg.CFItem
			res.json(t, &got)
			if got.HumanCodingScheme != it.HumanCodingScheme || got.CFDocumentURI.Identifier != pkgMade.CFDocument.Identifier {
				t.Errorf("item %s: %+v", it.Identifier, got)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		const unknown = "00000000-0000-4000-8000-000000000000"
		for _, kind := range []string{"CFDocuments", "CFPackages", "CFItems", "CFAssociations"} {
			wantCASEError(t, anon.do("GET", casePrefix+"/"+kind+"/"+unknown, nil), http.StatusNotFound, "sourcedId", "unknownobject")
			st := wantCASEError(t, anon.do("GET", casePrefix+"/"+kind+"/not-a-uuid", nil), http.StatusBadRequest, "sourcedId", "invalid_uuid")
			if !strings.Contains(st.Description, "not-a-uuid") {
				t.Errorf("%s: description %q does not name the identifier", kind, st.Description)
			}
		}
		// An identifier of one kind of object is not another's.
		item := fractions.CFPackage.CFItems[0].Identifier
		wantCASEError(t, anon.do("GET", casePrefix+"/CFAssociations/"+item, nil), http.StatusNotFound, "sourcedId", "unknownobject")
		wantCASEError(t, anon.do("GET", casePrefix+"/CFPackages/"+item, nil), http.StatusNotFound, "sourcedId", "unknownobject")
		// The service only reads, and says so as CASE does, as it says
		// what is not there.
		res := f.do("POST", casePrefix+"/CFDocuments", `{}`)
		wantCASEError(t, res, http.StatusMethodNotAllowed, "method", "forbidden")
		if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") {
			t.Errorf("405 with Allow %q", allow)
		}
		wantCASEError(t, anon.do("DELETE", casePrefix+"/CFItems/"+item, nil), http.StatusMethodNotAllowed, "method", "forbidden")
		for _, path := range []string{casePrefix + "/CFRubrics/" + unknown, casePrefix + "/CFDocument", "/ims/case/v1p0/CFDocuments", "/ims/case/"} {
			wantCASEError(t, anon.do("GET", path, nil), http.StatusNotFound, "path", "unknownobject")
		}
		// The service needs no token, but one sent must be good.
		wantCASEError(t, f.as("cairn_pat_not-a-token").do("GET", casePrefix+"/CFDocuments", nil), http.StatusUnauthorized, "request", "unauthorisedrequest")
	})

	t.Run("changes show", func(t *testing.T) {
		ctx := context.Background()
		item := fractions.CFPackage.CFItems[0]
		get := func() casepkg.CFItem {
			t.Helper()
			var it casepkg.CFItem
			res := anon.do("GET", casePrefix+"/CFItems/"+item.Identifier, nil)
			wantStatus(t, res, http.StatusOK)
			res.json(t, &it)
			return it
		}
		var before casepkg.CFPackage
		anon.do("GET", casePrefix+"/CFPackages/"+ordering.CFPackage.CFDocument.Identifier, nil).json(t, &before)
		fws, err := f.st.StoredFrameworks(ctx, f.district)
		if err != nil {
			t.Fatal(err)
		}
		var stdID int64
		for _, fw := range fws {
			if fw.Framework.SourcedID == docID {
				all, err := f.st.AllStandards(ctx, f.district, fw.Framework.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, st := range all {
					if st.SourcedID == item.Identifier {
						stdID = st.ID
					}
				}
			}
		}
		st, err := f.st.Standard(ctx, f.district, stdID)
		if err != nil {
			t.Fatal(err)
		}
		st.Statement = "Understand fractions as numbers, restated."
		if err := f.st.UpdateStandard(ctx, &st); err != nil {
			t.Fatal(err)
		}
		// Within caseRecheck the service answers from what it made.
		if got := get(); got.FullStatement != item.FullStatement {
			t.Errorf("within %v the item reads %q", caseRecheck, got.FullStatement)
		}
		f.clock.advance(caseRecheck)
		got := get()
		if got.FullStatement != st.Statement {
			t.Errorf("after %v the item reads %q, want %q", caseRecheck, got.FullStatement, st.Statement)
		}
		if got.LastChangeDateTime == item.LastChangeDateTime || got.LastChangeDateTime == "" {
			t.Errorf("the changed item's lastChangeDateTime %q", got.LastChangeDateTime)
		}
		// A framework that did not change keeps its package, times and all.
		var after casepkg.CFPackage
		anon.do("GET", casePrefix+"/CFPackages/"+ordering.CFPackage.CFDocument.Identifier, nil).json(t, &after)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("an unchanged framework's package changed:\n%s", diff)
		}
	})

	t.Run("district of the caller", func(t *testing.T) {
		// A token of the district reads the same documents.
		res := f.do("GET", casePrefix+"/CFDocuments", nil)
		wantStatus(t, res, http.StatusOK)
		if got := res.Header.Get("X-Total-Count"); got != "3" {
			t.Errorf("with a token: %s documents, want 3", got)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
	})
}

// TestCASEServiceList checks the documents' list parameters of the CASE
// 1.1 REST binding: sort and orderBy, filter, fields, and the paging
// headers.
func TestCASEServiceList(t *testing.T) {
	f := newFixture(t)
	f.importCASEFile("fractions-prerequisites-v1p1.json")
	f.importCASEFile("act-math-ordering-v1p0.json")
	f.importCASEFile("publisher-fields-v1p1.json")
	anon := f.as("")
	titles := func(res response) []string {
		t.Helper()
		wantStatus(t, res, http.StatusOK)
		var docs caseDocumentsJSON
		res.json(t, &docs)
		out := []string{}
		for _, d := range docs.CFDocuments {
			out = append(out, d.Title)
		}
		return out
	}
	const (
		act       = "ACT Holistic Framework, Math"
		fractions = "Example Fractions Progression"
		science   = "Example Science Standards"
		grade6    = "Grade 6 Mathematics"
	)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{act, fractions, science, grade6}},
		{"?orderBy=desc", []string{grade6, science, fractions, act}},
		{"?sort=creator", []string{act, grade6, science, fractions}},
		{"?sort=lastChangeDateTime&orderBy=desc", []string{grade6, fractions, science, act}},
		{"?filter=" + url.QueryEscape("title~'example'"), []string{fractions, science}},
		{"?filter=" + url.QueryEscape("title~'example' AND adoptionStatus='Implemented'"), []string{science}},
		{"?filter=" + url.QueryEscape("publisher='Example State' OR subject='Engineering'"), []string{fractions, science}},
		{"?filter=" + url.QueryEscape("subject!='Science'"), []string{act, fractions, grade6}},
		{"?filter=" + url.QueryEscape("lastChangeDateTime<'2020-01-01'"), []string{act}},
	} {
		if diff := cmp.Diff(tt.want, titles(anon.do("GET", casePrefix+"/CFDocuments"+tt.query, nil))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}

	// fields answers only the fields asked for.
	res := anon.do("GET", casePrefix+"/CFDocuments?fields=identifier,title&filter="+url.QueryEscape("title='"+science+"'"), nil)
	wantStatus(t, res, http.StatusOK)
	var sel struct{ CFDocuments []map[string]any }
	res.json(t, &sel)
	want := []map[string]any{{"identifier": "e2000000-0000-4000-8000-000000000000", "title": science}}
	if diff := cmp.Diff(want, sel.CFDocuments); diff != "" {
		t.Errorf("fields=identifier,title (-want +got):\n%s", diff)
	}

	// Refused, never ignored.
	for _, tt := range []struct{ query, field, minor string }{
		{"?sort=colour", "sort", "invalid_sort_field"},
		{"?orderBy=sideways", "orderBy", "invalid_sort_field"},
		{"?filter=" + url.QueryEscape("colour='red'"), "filter", "invalid_selection_field"},
		{"?filter=" + url.QueryEscape("title=Math"), "filter", "invalid_selection_field"},
		{"?filter=" + url.QueryEscape("title='a' AND title='b' OR title='c'"), "filter", "invalid_selection_field"},
		{"?filter=" + url.QueryEscape("title^'a'"), "filter", "invalid_selection_field"},
		{"?fields=title,colour", "fields", "invalid_selection_field"},
	} {
		wantCASEError(t, anon.do("GET", casePrefix+"/CFDocuments"+tt.query, nil), http.StatusBadRequest, tt.field, tt.minor)
	}

	// Paging: X-Total-Count counts what the filter lets through, Link
	// gives the other pages with the request's own parameters.
	res = anon.do("GET", casePrefix+"/CFDocuments?limit=1&offset=1&filter="+url.QueryEscape("title~'a'"), nil)
	wantStatus(t, res, http.StatusOK)
	if got := res.Header.Get("X-Total-Count"); got != "4" {
		t.Errorf("X-Total-Count %q, want 4", got)
	}
	links := map[string]string{}
	for _, l := range strings.Split(res.Header.Get("Link"), ", ") {
		target, rel, ok := strings.Cut(l, "; rel=")
		if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
			t.Fatalf("Link %q is not target; rel=...", l)
		}
		u, err := url.Parse(strings.Trim(target, "<>"))
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != casePrefix+"/CFDocuments" || u.Query().Get("filter") != "title~'a'" || u.Query().Get("limit") != "1" {
			t.Errorf("Link %s: %s", rel, u)
		}
		links[strings.Trim(rel, `"`)] = u.Query().Get("offset")
	}
	if diff := cmp.Diff(map[string]string{"first": "0", "prev": "0", "next": "2", "last": "3"}, links); diff != "" {
		t.Errorf("Link offsets (-want +got):\n%s", diff)
	}
	res = anon.do("GET", casePrefix+"/CFDocuments", nil)
	if link := res.Header.Get("Link"); strings.Contains(link, `rel="next"`) || strings.Contains(link, `rel="prev"`) {
		t.Errorf("one page of everything: Link %q names a next or previous page", link)
	}
}

// TestCASEServiceAsPublished checks that every association answers to
// its published identifier, two of one type between the same two items
// included, and that a framework whose package cannot be made answers
// 500 for itself alone.
func TestCASEServiceAsPublished(t *testing.T) {
	f := newFixture(t)
	pub := f.importCASEFile("publisher-fields-v1p1.json")
	anon := f.as("")
	for _, a := range pub.CFPackage.CFAssociations {
		res := anon.do("GET", casePrefix+"/CFAssociations/"+a.Identifier, nil)
		wantStatus(t, res, http.StatusOK)
		var got casepkg.CFAssociation
		res.json(t, &got)
		if got.Identifier != a.Identifier || got.URI != a.URI || got.Notes != a.Notes || got.LastChangeDateTime != a.LastChangeDateTime {
			t.Errorf("association %s answered as %+v", a.Identifier, got)
		}
	}

	// A framework whose export fails: a standard with the framework's own
	// identifier.
	ctx := context.Background()
	bad := standards.Framework{DistrictID: f.district, SourcedID: "broken-frame", Title: "Broken", Kind: standards.Academic, ScaleID: f.scale}
	if err := f.st.CreateFramework(ctx, &bad); err != nil {
		t.Fatal(err)
	}
	st := standards.Standard{DistrictID: f.district, FrameworkID: bad.ID, SourcedID: "broken-frame", Code: "B.1", Statement: "Same identifier as its framework"}
	if err := f.st.CreateStandard(ctx, &st); err != nil {
		t.Fatal(err)
	}
	sf, err := f.st.StoredFramework(ctx, f.district, bad.ID)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := casepkg.FromStored(sf)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(caseRecheck)
	res := anon.do("GET", casePrefix+"/CFDocuments", nil)
	wantStatus(t, res, http.StatusOK)
	if got := res.Header.Get("X-Total-Count"); got != "2" {
		t.Errorf("X-Total-Count %q, want 2: the broken framework left out, the others listed", got)
	}
	for _, path := range []string{"/CFPackages/" + pub.CFPackage.CFDocument.Identifier, "/CFItems/" + pub.CFPackage.CFItems[0].Identifier,
		"/CFDocuments/" + pub.CFPackage.CFDocument.Identifier} {
		wantStatus(t, anon.do("GET", casePrefix+path, nil), http.StatusOK)
	}
	wantCASEError(t, anon.do("GET", casePrefix+"/CFPackages/"+casepkg.DocumentIdentifier(fw), nil), http.StatusInternalServerError, "sourcedId", "internal_server_error")
	if !strings.Contains(f.logs.String(), "a framework left out of the CASE service") {
		t.Error("the broken framework is not logged")
	}
}

// exportStoredCASE exports a framework of the district as cairn export
// case does: opt.Now defaults to the store's clock, opt.Creator to the
// district's name.
func exportStoredCASE(ctx context.Context, st *store.Store, districtID, frameworkID int64, opt casepkg.ExportOptions) (*casepkg.CFPackage, error) {
	sf, err := st.StoredFramework(ctx, districtID, frameworkID)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = st.Now().UTC().Truncate(time.Microsecond)
	}
	if opt.Creator == "" {
		d, err := st.District(ctx, districtID)
		if err != nil {
			return nil, err
		}
		opt.Creator = d.Name
	}
	return casepkg.ExportStored(sf, opt)
}
