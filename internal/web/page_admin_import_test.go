package web

import (
	"archive/zip"
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-learning/cairn/internal/store"
)

// onerosterTestdata holds the OneRoster packages of the reader's tests.
const onerosterTestdata = "../interop/oneroster/testdata"

// zipFolder zips the files of a folder, changing each through edit.
func zipFolder(t *testing.T, dir string, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			b = edit(e.Name(), b)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody is a form with fields and, when name is not empty, one
// file.
func multipartBody(t *testing.T, fields url.Values, name string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// upload posts the import form as the page does, with the form token
// unless fields carry one.
func (b *browser) upload(kind, name string, content []byte) response {
	b.f.t.Helper()
	return b.uploadForm(url.Values{"csrf": {b.token()}, "kind": {kind}}, name, content)
}

func (b *browser) uploadForm(fields url.Values, name string, content []byte) response {
	b.f.t.Helper()
	body, ct := multipartBody(b.f.t.(*testing.T), fields, name, content)
	req := httptest.NewRequest("POST", "/admin/import", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var uploadField = regexp.MustCompile(`name="upload" value="([^"]+)"`)

// uploadToken is the token of the "Apply" form of a dry run's page.
func uploadToken(t *testing.T, body string) string {
	t.Helper()
	m := uploadField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page has no Apply form:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// countRow returns a kind's row of the page's table of counts: created,
// updated, retired, removed, unchanged.
func countRow(t *testing.T, body, kind string) string {
	t.Helper()
	m := regexp.MustCompile(`<tr data-kind="` + regexp.QuoteMeta(kind) + `"><th scope="row">[^<]*</th>((?:<td class="num">\d+</td>){5})</tr>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no row %q in the counts:\n%s", kind, body)
	}
	return strings.Join(regexp.MustCompile(`\d+`).FindAllString(m[1], -1), " ")
}

// uploadsLeft lists the files waiting in the upload folder.
func uploadsLeft(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func (f *fixture) peopleCount() int {
	f.t.Helper()
	n := 0
	var after int64
	for {
		ps, next, err := f.st.People(context.Background(), f.district, store.PersonFilter{Page: store.Page{Limit: 500, After: after}})
		if err != nil {
			f.t.Fatal(err)
		}
		n += len(ps)
		if next == 0 {
			return n
		}
		after = next
	}
}

func TestImportPageOneRoster(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.srv.imports.dir = dir
	admin := f.signedIn(f.admin)
	body := wantPage(t, admin.get("/admin"), http.StatusOK)
	if !strings.Contains(body, `href="/admin/import"`) {
		t.Error("the administration page does not link to the import page")
	}
	body = wantPage(t, admin.get("/admin/import"), http.StatusOK)
	if !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `id="kind-oneroster"`) {
		t.Errorf("the import page has no upload form:\n%s", body)
	}
	roster := zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), nil)
	before := f.peopleCount()

	// The dry run: the counts, and nothing written.
	body = wantPage(t, admin.upload(importOneRoster, "sis-export.zip", roster), http.StatusOK)
	for kind, want := range map[string]string{"people": "13 0 0 0 0", "enrollments": "9 0 0 0 0", "classes": "3 0 0 0 0"} {
		if got := countRow(t, body, kind); got != want {
			t.Errorf("dry run: %s %q, want %q", kind, got, want)
		}
	}
	if !strings.Contains(body, `id="import-nothing-written"`) || !strings.Contains(body, "sis-export.zip") || !strings.Contains(body, "OneRoster 1.2") {
		t.Errorf("the dry run's page does not say what it read, or that nothing was written:\n%s", body)
	}
	if !strings.Contains(body, "no role cairn uses (proctor)") {
		t.Error("the dry run's notes are not shown")
	}
	if got := f.peopleCount(); got != before {
		t.Fatalf("after a dry run %d people, want %d", got, before)
	}
	token := uploadToken(t, body)
	if left := uploadsLeft(t, dir); len(left) != 1 {
		t.Errorf("waiting uploads %v, want one", left)
	}

	// Someone else cannot apply it, not even another administrator's
	// session of the same person.
	other := f.signedIn(f.admin)
	wantPage(t, other.post("/admin/import/apply", url.Values{"upload": {token}}), http.StatusConflict)

	// Apply: written, audited, the upload gone.
	body = wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {token}}), http.StatusOK)
	if got := countRow(t, body, "people"); got != "13 0 0 0 0" || !strings.Contains(body, `id="import-done"`) {
		t.Errorf("applied: people %q\n%s", got, body)
	}
	if got := f.peopleCount(); got != before+13 {
		t.Errorf("after the import %d people, want %d", got, before+13)
	}
	if left := uploadsLeft(t, dir); len(left) != 0 {
		t.Errorf("uploads left after applying: %v", left)
	}
	entries, _, err := f.st.SearchAudit(context.Background(), f.district, store.AuditFilter{ActorID: f.admin})
	if err != nil {
		t.Fatal(err)
	}
	var audited bool
	for _, e := range entries {
		if e.What == importWhat && strings.Contains(e.Detail, "sis-export.zip") && strings.Contains(e.Detail, "people +13") {
			audited = true
		}
	}
	if !audited {
		t.Errorf("no audit entry for the import among %+v", entries)
	}
	body = wantPage(t, admin.get("/admin/audit"), http.StatusOK)
	if !strings.Contains(body, "records, by an import") {
		t.Error("the audit log page does not name the import")
	}

	// The same token again: gone. The same file again: nothing to do.
	body = wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {token}}), http.StatusConflict)
	if !strings.Contains(body, `id="import-gone"`) {
		t.Error("a second apply does not say the upload is gone")
	}
	body = wantPage(t, admin.upload(importOneRoster, "sis-export.zip", roster), http.StatusOK)
	if got := countRow(t, body, "people"); got != "0 0 0 0 13" || !strings.Contains(body, `id="import-nothing-to-do"`) || strings.Contains(body, `name="upload"`) {
		t.Errorf("the same file again: people %q\n%s", got, body)
	}
	if left := uploadsLeft(t, dir); len(left) != 0 {
		t.Errorf("an upload with nothing to apply is kept: %v", left)
	}
}

func TestImportPageRefusesBadFiles(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.srv.imports.dir = dir
	admin := f.signedIn(f.admin)
	before := f.peopleCount()

	// A roster with a user without a given name and an enrollment of a
	// class that does not exist.
	bad := zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), func(name string, b []byte) []byte {
		switch name {
		case "users.csv":
			return bytes.Replace(b, []byte(",Benjamin,"), []byte(",,"), 1)
		case "enrollments.csv":
			return bytes.Replace(b, []byte("cls-"), []byte("cls-missing-"), 1)
		}
		return b
	})
	body := wantPage(t, admin.upload(importOneRoster, "bad.zip", bad), http.StatusUnprocessableEntity)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<td class="code">users\.csv:3:7</td><td class="code">givenName</td><td>[^<]+</td>`),
		regexp.MustCompile(`<td class="code">enrollments\.csv:\d+:\d+</td><td class="code">classSourcedId</td><td>[^<]*cls-missing-`),
	} {
		if !want.MatchString(body) {
			t.Errorf("the problems do not match %s:\n%s", want, body)
		}
	}
	if !strings.Contains(body, `id="import-problems-count"`) || strings.Contains(body, `name="upload"`) {
		t.Errorf("a refused file's page has no count of problems, or offers to apply it:\n%s", body)
	}

	// Not a zip; a CASE package with schema errors; a form without a kind
	// or a file.
	body = wantPage(t, admin.upload(importOneRoster, "roster.csv", []byte("sourcedId,name\n")), http.StatusUnprocessableEntity)
	if !strings.Contains(body, "roster.csv") || !strings.Contains(body, "not a zip file") {
		t.Errorf("a file that is not a zip:\n%s", body)
	}
	schema, err := os.ReadFile(filepath.Join(caseTestdata, "bad", "schema-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	body = wantPage(t, admin.upload(importCASE, "state-math.json", schema), http.StatusUnprocessableEntity)
	for _, want := range []string{"state-math.json:8:27", "CFDocument.lastChangeDateTime", "state-math.json:25:21", "is not a UUID"} {
		if !strings.Contains(body, want) {
			t.Errorf("the CASE problems lack %q:\n%s", want, body)
		}
	}
	body = wantPage(t, admin.uploadForm(url.Values{"csrf": {admin.token()}}, "", nil), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `id="kind-error"`) || !strings.Contains(body, `id="file-error"`) {
		t.Errorf("a form without a kind or a file does not say so:\n%s", body)
	}

	if got := f.peopleCount(); got != before {
		t.Errorf("after refused uploads %d people, want %d", got, before)
	}
	if fws, err := f.st.Frameworks(context.Background(), f.district); err != nil || len(fws) != 1 {
		t.Errorf("after a refused CASE package %d frameworks (%v), want the one there was", len(fws), err)
	}
	if left := uploadsLeft(t, dir); len(left) != 0 {
		t.Errorf("refused uploads are kept: %v", left)
	}
}

// TestImportPagePartial uploads a roster with a bad row and an odd one:
// all or nothing refuses it and still lists the warning; the partial
// choice imports the other rows, lists the row left out with its file and
// line, and the warning.
func TestImportPagePartial(t *testing.T) {
	f := newFixture(t)
	f.srv.imports.dir = t.TempDir()
	admin := f.signedIn(f.admin)
	body := wantPage(t, admin.get("/admin/import"), http.StatusOK)
	if !strings.Contains(body, `id="mode-partial"`) || !strings.Contains(body, `id="mode-all" checked`) {
		t.Errorf("the import page offers no choice of all or nothing:\n%s", body)
	}
	roster := zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), func(name string, b []byte) []byte {
		switch name {
		case "users.csv":
			return bytes.Replace(b, []byte(",Benjamin,"), []byte(",,"), 1)
		case "enrollments.csv":
			return bytes.Replace(b, []byte("enr-6,,,cls-alg1-p3,org-hs,usr-s1,student"), []byte("enr-6,,,cls-alg1-p3,org-hs,usr-s1,teacher"), 1)
		}
		return b
	})
	warning := `enrollments.csv:7:7: role: user &#34;usr-s1&#34; is enrolled as a teacher`
	body = wantPage(t, admin.upload(importOneRoster, "sis.zip", roster), http.StatusUnprocessableEntity)
	if !strings.Contains(body, `<td class="code">users.csv:3:7</td>`) || !strings.Contains(body, warning) {
		t.Errorf("all or nothing: the error or the warning is missing:\n%s", body)
	}
	before := f.peopleCount()
	body = wantPage(t, admin.uploadForm(url.Values{"csrf": {admin.token()}, "kind": {importOneRoster}, "partial": {"on"}}, "sis.zip", roster), http.StatusOK)
	for _, want := range []string{`id="import-left-out"`, `<li class="code">users.csv:3:7: givenName: required, but blank</li>`, warning, `id="mode-partial" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("partial dry run lacks %s:\n%s", want, body)
		}
	}
	body = wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {uploadToken(t, body)}}), http.StatusOK)
	if got := countRow(t, body, "people"); got != "12 0 0 0 0" {
		t.Errorf("applied: people %q, want 12 created (all but the one without a given name)", got)
	}
	if got := f.peopleCount(); got != before+12 {
		t.Errorf("after the partial import %d people, want %d", got, before+12)
	}
}

func TestImportPageCASE(t *testing.T) {
	f := newFixture(t)
	f.srv.imports.dir = t.TempDir()
	admin := f.signedIn(f.admin)
	pkg, err := os.ReadFile(filepath.Join(caseTestdata, "fractions-prerequisites-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := wantPage(t, admin.upload(importCASE, "fractions.json", pkg), http.StatusOK)
	if got := countRow(t, body, "standards"); got != "7 0 0 0 0" {
		t.Errorf("dry run: standards %q", got)
	}
	if fws, _ := f.st.Frameworks(context.Background(), f.district); len(fws) != 1 {
		t.Fatalf("after a dry run %d frameworks, want 1", len(fws))
	}
	body = wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {uploadToken(t, body)}}), http.StatusOK)
	if got := countRow(t, body, "prerequisites"); got != "3 0 0 0 0" {
		t.Errorf("applied: prerequisites %q", got)
	}
	fws, err := f.st.Frameworks(context.Background(), f.district)
	if err != nil || len(fws) != 2 || fws[1].Title != "Example Fractions Progression" {
		t.Errorf("after the import: %+v, %v", fws, err)
	}

	// A newer upload of the same person replaces the one waiting.
	first := uploadToken(t, wantPage(t, admin.upload(importOneRoster, "a.zip", zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), nil)), http.StatusOK))
	wantPage(t, admin.upload(importOneRoster, "b.zip", zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), nil)), http.StatusOK)
	wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {first}}), http.StatusConflict)
	if left := uploadsLeft(t, f.srv.imports.dir); len(left) != 1 {
		t.Errorf("waiting uploads %v, want the newer one only", left)
	}

	// An upload waits importUploadTTL, no longer.
	body = wantPage(t, admin.upload(importCASE, "fractions.json", []byte(strings.Replace(string(pkg), "Example Fractions Progression", "Fractions, revised", 1))), http.StatusOK)
	f.clock.advance(importUploadTTL)
	wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {uploadToken(t, body)}}), http.StatusConflict)
	if fws, _ := f.st.Frameworks(context.Background(), f.district); fws[1].Title != "Example Fractions Progression" {
		t.Errorf("an expired upload was applied: %q", fws[1].Title)
	}
}

func TestImportPageRefusals(t *testing.T) {
	f := newFixture(t)
	f.srv.imports.dir = t.TempDir()
	roster := zipFolder(t, filepath.Join(onerosterTestdata, "bulk-v1p2"), nil)
	before := f.peopleCount()

	// A teacher may not import, nor see the page.
	teacher := f.signedIn(f.teacher)
	wantPage(t, teacher.get("/admin/import"), http.StatusForbidden)
	wantPage(t, teacher.upload(importOneRoster, "sis.zip", roster), http.StatusForbidden)
	// The server does not even read a refused person's upload: a
	// student or a teacher cannot make it buffer 64 MB.
	body, ct := multipartBody(t, url.Values{"csrf": {teacher.token()}, "kind": {importOneRoster}}, "big.zip", make([]byte, 4<<20))
	counted := &countingReader{r: body}
	req0 := httptest.NewRequest("POST", "/admin/import", counted)
	req0.Header.Set("Content-Type", ct)
	req0.Header.Set("Sec-Fetch-Site", "same-origin")
	wantPage(t, teacher.do(req0), http.StatusForbidden)
	if counted.n > 64<<10 {
		t.Errorf("the server read %d bytes of a teacher's upload before refusing it", counted.n)
	}

	// A forged post, without the form token or from another site.
	admin := f.signedIn(f.admin)
	page := wantPage(t, admin.uploadForm(url.Values{"kind": {importOneRoster}}, "sis.zip", roster), http.StatusForbidden)
	if !strings.Contains(page, "reload the page") && !strings.Contains(page, "form") {
		t.Errorf("a post without a form token:\n%s", page)
	}
	wantPage(t, admin.uploadForm(url.Values{"kind": {importOneRoster}, "csrf": {"forged"}}, "sis.zip", roster), http.StatusForbidden)
	req := httptest.NewRequest("POST", "/admin/import/apply", strings.NewReader(url.Values{"upload": {"x"}, "csrf": {admin.token()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantPage(t, admin.do(req), http.StatusForbidden)
	if got := f.peopleCount(); got != before {
		t.Errorf("after refused posts %d people, want %d", got, before)
	}
	if left := uploadsLeft(t, f.srv.imports.dir); len(left) != 0 {
		t.Errorf("refused posts left uploads: %v", left)
	}

	// A file over the limit is refused as too large, whatever its form
	// token.
	token := admin.token()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", token)
		mw.WriteField("kind", importOneRoster)
		w, _ := mw.CreateFormFile("file", "huge.zip")
		io.Copy(w, io.LimitReader(zeros{}, maxUploadBody+1))
		mw.Close()
		pw.Close()
	}()
	req = httptest.NewRequest("POST", "/admin/import", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res := admin.do(req)
	io.Copy(io.Discard, pr)
	page = wantPage(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(page, "64 MB") {
		t.Errorf("a file too large:\n%s", page)
	}
}

// countingReader counts what is read from r.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestImportPageSweepsLeftovers shows that the files a stopped server left
// waiting are deleted at the next upload, and only those.
func TestImportPageSweepsLeftovers(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.srv.imports.dir = dir
	write := func(name string, age time.Duration) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("roster"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	write("cairn-import-stale", importUploadTTL+time.Minute)
	write("cairn-import-waiting", time.Minute) // another server's, maybe
	write("notes.txt", 48*time.Hour)
	pkg, err := os.ReadFile(filepath.Join(caseTestdata, "fractions-prerequisites-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantPage(t, f.signedIn(f.admin).upload(importCASE, "fractions.json", pkg), http.StatusOK)
	left := strings.Join(uploadsLeft(t, dir), " ")
	if strings.Contains(left, "stale") || !strings.Contains(left, "cairn-import-waiting") || !strings.Contains(left, "notes.txt") {
		t.Errorf("files left: %s", left)
	}
}

// TestImportPageRemovesExpiredUploads shows that a file left waiting is
// removed when it expires, though nobody uploads or applies anything.
func TestImportPageRemovesExpiredUploads(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.srv.imports.dir = dir
	f.srv.imports.removeAfter = 50 * time.Millisecond
	pkg, err := os.ReadFile(filepath.Join(caseTestdata, "fractions-prerequisites-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantPage(t, f.signedIn(f.admin).upload(importCASE, "fractions.json", pkg), http.StatusOK)
	if left := uploadsLeft(t, dir); len(left) != 1 {
		t.Fatalf("after a dry run %d files wait, want 1: %v", len(left), left)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(uploadsLeft(t, dir)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the expired upload is still there: %v", uploadsLeft(t, dir))
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.srv.imports.mu.Lock()
	n := len(f.srv.imports.pending)
	f.srv.imports.mu.Unlock()
	if n != 0 {
		t.Errorf("%d uploads still pending after expiry", n)
	}
}

// TestImportPageCASEWarning checks that a package holding an association
// repeated exactly is imported, and the page shows the warning with its
// place in the file.
func TestImportPageCASEWarning(t *testing.T) {
	f := newFixture(t)
	f.srv.imports.dir = t.TempDir()
	admin := f.signedIn(f.admin)
	pkg, err := os.ReadFile(filepath.Join(caseTestdata, "publisher-fields-v1p1.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := wantPage(t, admin.upload(importCASE, "science.json", pkg), http.StatusOK)
	const warning = "science.json:157:21: CFAssociations[9].identifier: association &#34;e2000000-0000-4000-8000-0000000b0009&#34; (isPeerOf): the same association as CFAssociations[8], repeated exactly: kept once"
	if !strings.Contains(body, warning) {
		t.Errorf("the dry run does not show the warning %q:\n%s", warning, body)
	}
	body = wantPage(t, admin.post("/admin/import/apply", url.Values{"upload": {uploadToken(t, body)}}), http.StatusOK)
	if got := countRow(t, body, "standards"); got != "4 0 0 0 0" {
		t.Errorf("applied: standards %q", got)
	}
}
