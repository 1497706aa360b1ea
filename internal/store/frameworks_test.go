package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/standards"
	"github.com/cairn-learning/cairn/internal/store"
)

// testFrameworkLanguage checks that a framework keeps the language it is
// written in: English when it names none, in canonical case, refused when
// it is not a language tag, and carried by CASE import and export.
func testFrameworkLanguage(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	x := newDistrict(t, e, "lang")
	id := x.d.ID
	lang := func(fwID int64) string {
		t.Helper()
		f, err := s.Framework(ctx, id, fwID)
		ok(t, err)
		return f.Language
	}
	if x.fw.Language != "en" || lang(x.fw.ID) != "en" {
		t.Errorf("a framework created without a language has %q, stored %q; want en", x.fw.Language, lang(x.fw.ID))
	}

	es := standards.Framework{DistrictID: id, Title: "Matemáticas 6", Kind: standards.Academic, ScaleID: x.scale.ID, Language: "es-mx"}
	ok(t, s.CreateFramework(ctx, &es))
	if got := lang(es.ID); got != "es-MX" {
		t.Errorf("stored language = %q, want es-MX", got)
	}
	all, err := s.Frameworks(ctx, id)
	ok(t, err)
	var listed []string
	for _, f := range all {
		listed = append(listed, f.Language)
	}
	if got := strings.Join(listed, ","); got != "en,es-MX" {
		t.Errorf("Frameworks languages = %s, want en,es-MX", got)
	}

	es.Language = "fr"
	ok(t, s.UpdateFramework(ctx, &es))
	if got := lang(es.ID); got != "fr" {
		t.Errorf("language after update = %q, want fr", got)
	}
	for _, bad := range []string{"Spanish", "en_US", "en-US-x-school"} {
		f := es
		f.Language = bad
		err := s.UpdateFramework(ctx, &f)
		var inv *problem.InvalidError
		if !errors.As(err, &inv) || inv.Fields[0].Field != "language" || !strings.Contains(err.Error(), bad) {
			t.Errorf("UpdateFramework with language %q = %v, want an error naming the field and the value", bad, err)
		}
		n := es
		n.ID, n.Title, n.Language = 0, "New", bad
		if err := s.CreateFramework(ctx, &n); !errors.Is(err, problem.ErrInvalid) {
			t.Errorf("CreateFramework with language %q = %v, want ErrInvalid", bad, err)
		}
	}
	if got := lang(es.ID); got != "fr" {
		t.Errorf("language after refused updates = %q, want fr still", got)
	}
	if all, _ := s.Frameworks(ctx, id); len(all) != 2 {
		t.Errorf("%d frameworks after refused creates, want 2", len(all))
	}

	// CASE: the CFDocument's language in, and out again.
	pkg := parseCASE(t, "fractions-prerequisites-v1p1.json")
	pkg.Framework.Framework.Language = "es"
	rep, err := s.ImportCASE(ctx, id, pkg, store.ImportOptions{})
	ok(t, err)
	if got := lang(rep.FrameworkID); got != "es" {
		t.Errorf("language after CASE import = %q, want es", got)
	}
	out, err := s.StoredFramework(ctx, id, rep.FrameworkID)
	ok(t, err)
	cf, err := casepkg.ExportStored(out, casepkg.ExportOptions{Now: e.clk.now()})
	ok(t, err)
	if cf.CFDocument.Language != "es" {
		t.Errorf("exported CFDocument language = %q, want es", cf.CFDocument.Language)
	}
	pkg.Framework.Framework.Language = "en"
	rep, err = s.ImportCASE(ctx, id, pkg, store.ImportOptions{})
	ok(t, err)
	if rep.Updated["frameworks"] != 1 || lang(rep.FrameworkID) != "en" {
		t.Errorf("re-import in English: %d frameworks updated, language %q; want 1 and en", rep.Updated["frameworks"], lang(rep.FrameworkID))
	}
}
