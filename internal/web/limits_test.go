package web

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// wantField checks that a refusal names field with reason.
func wantField(t *testing.T, res response, status int, field, reason string) {
	t.Helper()
	wantStatus(t, res, status)
	p := res.problem(t)
	if !slices.Contains(p.Errors, problem.Field{Field: field, Reason: reason}) {
		t.Errorf("problem %+v does not name %s: %s", p, field, reason)
	}
}

// TestTextLimitsEverywhere gives the API and the evidence grid the same
// bounds: a title of a megabyte is refused by both, naming the limit, and
// a title of 200 characters (400 bytes) is accepted by both.
func TestTextLimitsEverywhere(t *testing.T) {
	f := newFixture(t)
	day := testNow.Add(-48 * time.Hour)
	count := func() int {
		n := 0
		for _, s := range f.students {
			evs, _, err := f.st.StudentEvidence(context.Background(), f.district, s, store.EvidenceFilter{IncludeVoided: true})
			if err != nil {
				t.Fatal(err)
			}
			n += len(evs)
		}
		return n
	}
	const titleRefused = "longer than the 200 characters a title may have"

	// The API.
	withTitle := func(title string) map[string]any {
		b := f.evidenceBody(f.students[0], day, level(f.childA, 3))
		b["title"] = title
		return b
	}
	wantField(t, f.do("POST", "/api/v1/evidence", withTitle(strings.Repeat("x", 1000000))), http.StatusUnprocessableEntity, "title", titleRefused)
	wantField(t, f.do("POST", "/api/v1/evidence", withTitle(strings.Repeat("é", limits.Title+1))), http.StatusUnprocessableEntity, "title", titleRefused)
	long := withTitle("Exit ticket")
	long["comment"] = strings.Repeat("c", limits.Comment+1)
	wantField(t, f.do("POST", "/api/v1/evidence", long), http.StatusUnprocessableEntity, "comment", "longer than the 4000 characters a comment may have")
	batch := []map[string]any{withTitle("Exit ticket"), withTitle(strings.Repeat("x", 100000))}
	res := f.do("POST", "/api/v1/evidence/batch", batch)
	wantField(t, res, http.StatusUnprocessableEntity, "title", titleRefused)
	if p := res.problem(t); p.Record == nil || *p.Record != 1 {
		t.Errorf("the batch's refusal names record %v, want 1", p.Record)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d evidence written by refused requests", n)
	}
	res = f.do("POST", "/api/v1/evidence", withTitle(strings.Repeat("é", limits.Title)))
	wantStatus(t, res, http.StatusCreated)
	var ev struct{ ID int64 }
	res.json(t, &ev)
	wantField(t, f.do("POST", fmt.Sprintf("/api/v1/evidence/%d/void", ev.ID), map[string]any{"reason": strings.Repeat("r", limits.Reason+1)}),
		http.StatusUnprocessableEntity, "reason", "longer than the 1000 characters a reason may have")
	wantField(t, f.do("POST", "/api/v1/people", map[string]any{"givenName": strings.Repeat("n", 100000), "familyName": "Lee", "roles": []string{"student"}}),
		http.StatusUnprocessableEntity, "givenName", "longer than the 200 characters a name may have")
	wantField(t, f.do("POST", "/api/v1/schools", map[string]any{"name": strings.Repeat("n", limits.Name+1)}),
		http.StatusUnprocessableEntity, "name", "longer than the 200 characters a name may have")
	// A body past the limit is not read.
	res = f.do("POST", "/api/v1/evidence", withTitle(strings.Repeat("x", limits.RequestBytes)))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if n := count(); n != 1 {
		t.Fatalf("%d evidence, want the one accepted", n)
	}

	// The grid: the same title refused, the same title accepted.
	b := f.signedIn(f.teacher)
	post := func(title string) response {
		return b.post(fmt.Sprintf("/classes/%d/record", f.class), url.Values{"title": {title}, "kind": {"formative"}, "assessed": {"2025-03-13"},
			"standard": {fmt.Sprint(f.childA)}, cellName(f.students[1], f.childA): {"3"}})
	}
	body := wantPage(t, post(strings.Repeat("x", 1000000)), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="title-error"`) || !strings.Contains(body, "under 200 characters") {
		t.Errorf("the grid does not refuse a title of a megabyte beside the title")
	}
	if n := count(); n != 1 {
		t.Fatalf("%d evidence after a refused grid, want 1", n)
	}
	if res := post(strings.Repeat("é", limits.Title)); res.Status != http.StatusSeeOther {
		t.Errorf("a title of 200 characters: status %d, want the grid recorded", res.Status)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d evidence after a grid, want 2", n)
	}
}

// bombZip is the 1.2 fixture as a zip whose users.csv is deflated from
// raw blocks: its header and a user's first fields, then mib MiB of 'a'
// without a line end.
func bombZip(t *testing.T, mib int) []byte {
	t.Helper()
	const start = "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns,metadata.district.homeLanguage\nusr-x,,,true,x,,"
	var chunk, users bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte("a"), 1<<20))
	fw.Flush()
	head, _ := flate.NewWriter(&users, flate.NoCompression)
	head.Write([]byte(start))
	head.Flush()
	for range mib {
		users.Write(chunk.Bytes())
	}
	users.Write([]byte{0x03, 0x00}) // the final block, empty
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	dir := filepath.Join(onerosterTestdata, "bulk-v1p2")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "users.csv" {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		w, _ := zw.Create(e.Name())
		w.Write(b)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "users.csv", Method: zip.Deflate, CompressedSize64: uint64(users.Len()), UncompressedSize64: uint64(len(start)) + uint64(mib)<<20})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(users.Bytes())
	zw.Close()
	return buf.Bytes()
}

// TestImportPageRefusesBombs uploads files built to exhaust memory to
// /admin/import: each is refused with the limit, the file, line and
// column, nothing is written, and the server holds little memory.
func TestImportPageRefusesBombs(t *testing.T) {
	f := newFixture(t)
	f.srv.imports.dir = t.TempDir()
	admin := f.signedIn(f.admin)
	before := f.peopleCount()
	rng := rand.New(rand.NewPCG(5, 6))
	letters := make([]byte, 3<<20)
	for i := range letters {
		letters[i] = 'a' + byte(rng.IntN(26))
	}
	for _, tt := range []struct {
		name string
		zip  []byte
		want *regexp.Regexp
	}{
		{"a 5 GiB line in a 5 MB zip", bombZip(t, 5<<10),
			regexp.MustCompile(`<td class="code">users\.csv</td><td class="code"></td><td>5 GiB uncompressed: larger than the 512 MiB a file of a OneRoster package may be</td>`)},
		{"a 3 MiB line", zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), func(name string, b []byte) []byte {
			if name == "users.csv" {
				return bytes.Replace(b, []byte(",Benjamin,"), append(append([]byte(","), letters...), ','), 1)
			}
			return b
		}), regexp.MustCompile(`<td class="code">users\.csv:3:7</td><td class="code">givenName</td><td>the line is longer than the 1 MiB a line may be</td>`)},
		{"a given name of 201 characters", zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), func(name string, b []byte) []byte {
			if name == "users.csv" {
				return bytes.Replace(b, []byte(",Benjamin,"), []byte(","+strings.Repeat("B", limits.Name+1)+","), 1)
			}
			return b
		}), regexp.MustCompile(`<td class="code">users\.csv:3:7</td><td class="code">givenName</td><td>longer than the 200 characters a name may have</td>`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			body := wantPage(t, admin.upload(importOneRoster, "sis.zip", tt.zip), http.StatusUnprocessableEntity)
			runtime.ReadMemStats(&m1)
			if !tt.want.MatchString(body) {
				t.Errorf("the page does not match %s:\n%s", tt.want, body)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 256<<20 {
				t.Errorf("the server allocated %d MB for a %d KB upload, want under 256", alloc>>20, len(tt.zip)>>10)
			}
			if got := f.peopleCount(); got != before {
				t.Errorf("after a refused upload %d people, want %d", got, before)
			}
		})
	}

	// A CASE package nested 100,000 levels deep is refused before it is
	// decoded.
	nested := `{"CFDocument":{"identifier":"d0000000-0000-4000-8000-000000000000","extensions":{"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}}`
	body := wantPage(t, admin.upload(importCASE, "nested.json", []byte(nested)), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `<td class="code">nested.json:1:`) || !strings.Contains(body, "nested more than the 64 levels a CASE package may nest") {
		t.Errorf("the page does not refuse a package nested 100,000 deep:\n%s", body)
	}
	if fws, err := f.st.Frameworks(context.Background(), f.district); err != nil || len(fws) != 1 {
		t.Errorf("after a refused CASE package %d frameworks (%v), want the one there was", len(fws), err)
	}
}
