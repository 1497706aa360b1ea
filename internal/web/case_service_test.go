package web

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
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
		pkgMade, err := f.st.ExportCASE(context.Background(), f.district, f.framework, casepkg.ExportOptions{})
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
		// The service only reads.
		res := f.do("POST", casePrefix+"/CFDocuments", `{}`)
		if res.Status != http.StatusMethodNotAllowed {
			t.Errorf("POST answered %d, want 405", res.Status)
		}
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
		fws, err := f.st.CASEFrameworks(ctx, f.district)
		if err != nil {
			t.Fatal(err)
		}
		var stdID int64
		for _, fw := range fws {
			if fw.Framework.Framework.SourcedID == docID {
				all, err := f.st.AllStandards(ctx, f.district, fw.FrameworkID)
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
