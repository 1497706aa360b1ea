package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cairn-learning/cairn/internal/standards"
)

func TestScalesAndFrameworks(t *testing.T) {
	f := newFixture(t)
	scale := map[string]any{"name": "Three levels", "masteryCut": 2, "levels": []map[string]any{
		{"value": 1, "label": "Not yet"}, {"value": 2, "label": "Meets"}, {"value": 3, "label": "Exceeds"}}}
	res := f.do("POST", "/api/v1/scales", scale)
	wantStatus(t, res, http.StatusCreated)
	scaleID := idOf(t, res)
	if got, want := res.Header.Get("Location"), fmt.Sprintf("/api/v1/scales/%d", scaleID); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	res = f.do("GET", fmt.Sprintf("/api/v1/scales/%d", scaleID), nil)
	wantStatus(t, res, http.StatusOK)
	var sc standards.Scale
	res.json(t, &sc)
	if sc.Name != "Three levels" || len(sc.Levels) != 3 || sc.MasteryCut != 2 {
		t.Errorf("scale = %+v", sc)
	}
	res = f.do("GET", "/api/v1/scales", nil)
	var scales list[standards.Scale]
	res.json(t, &scales)
	if len(scales.Items) != 2 {
		t.Errorf("%d scales, want 2", len(scales.Items))
	}

	res = f.do("POST", "/api/v1/frameworks", map[string]any{"title": "The 4Cs", "kind": "disposition", "scaleId": scaleID})
	wantStatus(t, res, http.StatusCreated)
	fwID := idOf(t, res)
	res = f.do("PATCH", fmt.Sprintf("/api/v1/frameworks/%d", fwID), map[string]any{"version": "2025"})
	wantStatus(t, res, http.StatusOK)
	var fw standards.Framework
	res.json(t, &fw)
	if fw.Version != "2025" || fw.Title != "The 4Cs" || fw.Kind != standards.Disposition {
		t.Errorf("patched framework = %+v", fw)
	}
	if fw.Language != "en" {
		t.Errorf("a framework created without a language has %q, want en", fw.Language)
	}
	res = f.do("PATCH", fmt.Sprintf("/api/v1/frameworks/%d", fwID), map[string]any{"language": "es-mx"})
	wantStatus(t, res, http.StatusOK)
	res = f.do("GET", fmt.Sprintf("/api/v1/frameworks/%d", fwID), nil)
	wantStatus(t, res, http.StatusOK)
	fw = standards.Framework{}
	res.json(t, &fw)
	if fw.Language != "es-MX" || fw.Version != "2025" {
		t.Errorf("framework after a PATCH of its language = %+v, want language es-MX and the rest kept", fw)
	}
	res = f.do("PATCH", fmt.Sprintf("/api/v1/frameworks/%d", fwID), map[string]any{"language": "Spanish"})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if p := res.problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "language" {
		t.Errorf("PATCH with language Spanish: problem %+v, want one error on language", p)
	}
	res = f.do("POST", "/api/v1/frameworks", map[string]any{"title": "Ciencias", "kind": "academic", "scaleId": scaleID, "language": "es"})
	wantStatus(t, res, http.StatusCreated)
	fw = standards.Framework{}
	res.json(t, &fw)
	if fw.Language != "es" {
		t.Errorf("created framework language = %q, want es", fw.Language)
	}
	res = f.do("GET", "/api/v1/frameworks", nil)
	var fws list[standards.Framework]
	res.json(t, &fws)
	if len(fws.Items) != 3 {
		t.Errorf("%d frameworks, want 3", len(fws.Items))
	}
}

func TestStandards(t *testing.T) {
	f := newFixture(t)
	res := f.do("POST", "/api/v1/standards", map[string]any{"frameworkId": f.framework, "code": "6.RP.A.3",
		"statement": "Use ratio and rate reasoning to solve problems.", "parentId": f.parent, "position": 2})
	wantStatus(t, res, http.StatusCreated)
	c := idOf(t, res)
	path := fmt.Sprintf("/api/v1/standards/%d", c)
	if got := res.Header.Get("Location"); got != path {
		t.Errorf("Location = %q, want %q", got, path)
	}

	res = f.do("GET", path, nil)
	wantStatus(t, res, http.StatusOK)
	var created standards.Standard
	res.json(t, &created)
	if created.ParentID == nil || *created.ParentID != f.parent || created.FrameworkID != f.framework {
		t.Errorf("standard = %+v", created)
	}

	res = f.do("PATCH", path, map[string]any{"educationLevels": []string{"06"}})
	wantStatus(t, res, http.StatusOK)
	var st standards.Standard
	res.json(t, &st)
	if diff := cmp.Diff([]string{"06"}, st.EducationLevels); diff != "" || st.Code != "6.RP.A.3" {
		t.Errorf("patched standard = %+v", st)
	}

	res = f.do("GET", fmt.Sprintf("/api/v1/frameworks/%d/standards?order=hierarchy", f.framework), nil)
	wantStatus(t, res, http.StatusOK)
	var tree list[standards.Standard]
	res.json(t, &tree)
	var codes []string
	for _, s := range tree.Items {
		codes = append(codes, s.Code)
	}
	if diff := cmp.Diff([]string{"6.RP.A", "6.RP.A.1", "6.RP.A.2", "6.RP.A.3"}, codes); diff != "" {
		t.Errorf("hierarchy order (-want +got):\n%s", diff)
	}
	res = f.do("GET", fmt.Sprintf("/api/v1/frameworks/%d/standards?limit=3", f.framework), nil)
	wantStatus(t, res, http.StatusOK)
	var pg list[standards.Standard]
	res.json(t, &pg)
	if len(pg.Items) != 3 || pg.Next == "" {
		t.Errorf("first page: %d items, next %q; want 3 and a cursor", len(pg.Items), pg.Next)
	}

	// Prerequisites: the fixture made 6.RP.A.1 a prerequisite of 6.RP.A.2.
	res = f.do("POST", path+"/prerequisites", map[string]any{"prerequisiteId": f.childB})
	wantStatus(t, res, http.StatusCreated)
	var pre standards.Prerequisite
	res.json(t, &pre)
	if pre != (standards.Prerequisite{DistrictID: f.district, StandardID: c, PrerequisiteID: f.childB}) {
		t.Errorf("prerequisite = %+v", pre)
	}
	res = f.do("GET", fmt.Sprintf("/api/v1/standards/%d/prerequisites", f.childB), nil)
	wantStatus(t, res, http.StatusOK)
	var pres list[standards.Standard]
	res.json(t, &pres)
	if len(pres.Items) != 1 || pres.Items[0].ID != f.childA {
		t.Errorf("prerequisites of 6.RP.A.2 = %+v, want 6.RP.A.1", pres.Items)
	}

	// Course standards: replace and read back in hierarchy order.
	cpath := fmt.Sprintf("/api/v1/courses/%d/standards", f.course)
	res = f.do("PUT", cpath, map[string]any{"standardIds": []int64{c, f.childA}})
	wantStatus(t, res, http.StatusOK)
	res = f.do("GET", cpath, nil)
	wantStatus(t, res, http.StatusOK)
	var cs list[standards.Standard]
	res.json(t, &cs)
	var ids []int64
	for _, s := range cs.Items {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]int64{f.childA, c}, ids); diff != "" {
		t.Errorf("course standards (-want +got):\n%s", diff)
	}
}
