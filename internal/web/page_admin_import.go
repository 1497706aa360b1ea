package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/interop/casepkg"
	"github.com/cairn-learning/cairn/internal/interop/oneroster"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// Importing by upload: an administrator uploads a CASE package or a
// OneRoster zip, reads what importing it would change (a dry run), and
// applies that same file with one more click. The file waits in between
// in a temporary file under a random token that only the person and the
// browser session that uploaded it can use, for importUploadTTL.

// maxUploadBody is the largest upload: a whole district's roster as a zip,
// or a state's standards as a CASE package.
const maxUploadBody = limits.UploadBytes

// uploadMemory is how much of an upload is held in memory while the form
// is read; the rest goes to a temporary file.
const uploadMemory = 8 << 20

// importUploadTTL is how long an upload waits for "Apply".
const importUploadTTL = 30 * time.Minute

// The kinds of file the page imports.
const (
	importCASE      = "case"
	importOneRoster = "oneroster"
)

// importResource is what importing a kind of file changes.
var importResource = map[string]access.Resource{importCASE: access.Standards, importOneRoster: access.Roster}

// importUploads keeps the uploads waiting to be applied, one per person
// at most: a new upload replaces the person's previous one.
type importUploads struct {
	mu      sync.Mutex
	pending map[string]*importUpload // by token
	// dir holds the files; "" means the system's temporary folder.
	dir string
	// removeAfter is when a waiting file is removed even if nothing else
	// happens; 0 means importUploadTTL (tests shorten it).
	removeAfter time.Duration
}

// sweep removes upload files older than importUploadTTL from dir: those a
// server left when it stopped. Any server's upload that old has expired.
// Their age is by the wall clock, which dates the files.
func (u *importUploads) sweep() {
	dir := u.dir
	if dir == "" {
		dir = os.TempDir()
	}
	names, _ := filepath.Glob(filepath.Join(dir, "cairn-import-*"))
	for _, name := range names {
		if st, err := os.Stat(name); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > importUploadTTL {
			os.Remove(name)
		}
	}
}

// importUpload is one uploaded file waiting to be applied.
type importUpload struct {
	token string
	// path is the temporary file holding the bytes uploaded.
	path string
	kind string
	// partial says to import a roster's rows without errors and list the
	// others, instead of refusing the whole file.
	partial bool
	// name is the file's name on the uploader's computer, which reports
	// of problems give.
	name string
	// Who may apply it: the person, in the district, from the session that
	// uploaded it (0 for an access token).
	districtID, personID, sessionID int64
	expires                         time.Time
}

// owner says who an upload is for: the request's actor and session.
func uploadOwner(r *http.Request) (districtID, personID, sessionID int64) {
	a := actorOf(r)
	if sess := stateOf(r).session; sess != nil {
		sessionID = sess.id
	}
	return a.DistrictID, a.PersonID, sessionID
}

// put keeps up under a new token, replacing the person's older upload and
// dropping those that have expired.
func (u *importUploads) put(up *importUpload, now time.Time) error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	up.token = base64.RawURLEncoding.EncodeToString(b)
	up.expires = now.Add(importUploadTTL)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending == nil {
		u.pending = map[string]*importUpload{}
	}
	// Files a stopped server left are found by their age on disk; the
	// server's own are removed when they expire (below).
	u.sweep()
	for token, old := range u.pending {
		if !now.Before(old.expires) || (old.districtID == up.districtID && old.personID == up.personID) {
			os.Remove(old.path)
			delete(u.pending, token)
		}
	}
	u.pending[up.token] = up
	after := u.removeAfter
	if after <= 0 {
		after = importUploadTTL
	}
	time.AfterFunc(after, func() { u.expire(up.token, up) })
	return nil
}

// expire removes an upload left waiting until it expired.
func (u *importUploads) expire(token string, up *importUpload) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending[token] == up {
		os.Remove(up.path)
		delete(u.pending, token)
	}
}

// take removes and returns the upload under token if the request's person
// and session uploaded it and it has not expired; the caller removes its
// file when done.
func (u *importUploads) take(r *http.Request, token string, now time.Time) (*importUpload, bool) {
	district, person, session := uploadOwner(r)
	u.mu.Lock()
	defer u.mu.Unlock()
	up, ok := u.pending[token]
	if !ok || up.districtID != district || up.personID != person || up.sessionID != session {
		return nil, false
	}
	delete(u.pending, token)
	if !now.Before(up.expires) {
		os.Remove(up.path)
		return nil, false
	}
	return up, true
}

// adminImportPage is the import page: the upload form, and after an
// upload the report of its dry run or of its import.
type adminImportPage struct {
	pageBase
	Kinds   []option
	Kind    string
	Partial bool
	Errors  map[string]string
	// Gone says an "Apply" came for an upload that has expired or was
	// applied already.
	Gone   bool
	Report *importReportView
}

// importReportView is what an import did or would do, or why it was
// refused.
type importReportView struct {
	// File is the uploaded file's name; Source says what it holds
	// ("CASE 1.1 framework ...").
	File, Source string
	DryRun       bool
	Applied      bool
	Changed      bool
	Rows         []importRow
	Warnings     []string
	MoreWarnings int
	// Refused are the rows a partial import leaves out, with their file
	// and line.
	Refused      []string
	MoreRefused  int
	Recomputed   int
	Problems     []importProblem
	MoreProblems int
	// ProblemCount is every problem found, listed or not.
	ProblemCount int
	// Token is the upload's, for the "Apply" form of a dry run.
	Token string
}

type importRow struct {
	// Kind is the store's name of the kind of record ("guardian links");
	// Label says it in the page's language.
	Kind, Label                                   string
	Created, Updated, Retired, Removed, Unchanged int
}

// labelKinds names the report's kinds of record in the page's language.
func (s *Server) labelKinds(r *http.Request, rep *importReportView) {
	pr := s.printerOf(r)
	for i, row := range rep.Rows {
		rep.Rows[i].Label = row.Kind
		if l, ok := pr.Lookup("import.kind." + row.Kind); ok {
			rep.Rows[i].Label = l
		}
	}
}

type importProblem struct {
	Location, Field, Reason string
}

// maxImportWarnings is how many of a report's warnings the page lists.
const maxImportWarnings = 50

func (s *Server) newImportPage(w http.ResponseWriter, r *http.Request) *adminImportPage {
	pr := s.printerOf(r)
	return &adminImportPage{pageBase: s.newBase(w, r, pr.T("import.title")), Errors: map[string]string{},
		Kinds: []option{{importCASE, pr.T("import.kind_case")}, {importOneRoster, pr.T("import.kind_oneroster")}}}
}

// adminImportForm shows the upload form.
func (s *Server) adminImportForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPage(w, r, http.StatusOK, "admin_import", s.newImportPage(w, r))
}

// adminImportCheck takes an upload and shows what importing it would
// change, with a button to apply it, or every problem the file has.
func (s *Server) adminImportCheck(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err
		}
		if !errors.Is(err, http.ErrNotMultipart) {
			return malformed("file", "reading the upload: %v", err)
		}
	}
	pr := s.printerOf(r)
	data := s.newImportPage(w, r)
	data.Kind = r.FormValue("kind")
	data.Partial = r.FormValue("partial") != ""
	if _, ok := importResource[data.Kind]; !ok {
		data.Errors["kind"] = pr.T("import.error.kind")
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		data.Errors["file"] = pr.T("import.error.file")
	} else {
		defer file.Close()
	}
	if len(data.Errors) > 0 {
		return s.renderPage(w, r, http.StatusUnprocessableEntity, "admin_import", data)
	}
	if err := access.Allow(actorOf(r), access.Change, importResource[data.Kind], access.Scope{}); err != nil {
		return err
	}
	up := &importUpload{kind: data.Kind, partial: data.Partial, name: filepath.Base(header.Filename)}
	up.districtID, up.personID, up.sessionID = uploadOwner(r)
	if up.path, err = s.saveUpload(file); err != nil {
		return err
	}
	rep, err := s.runImport(r.Context(), up, true)
	if err != nil {
		os.Remove(up.path)
		return s.importRefused(w, r, data, up, err)
	}
	if rep.Changed {
		if err := s.imports.put(up, s.wall()); err != nil {
			os.Remove(up.path)
			return err
		}
		rep.Token = up.token
	} else {
		os.Remove(up.path) // nothing to apply
	}
	s.labelKinds(r, rep)
	data.Report = rep
	w.Header().Set("Cache-Control", "no-store")
	return s.renderPage(w, r, http.StatusOK, "admin_import", data)
}

// adminImportApply imports an upload whose dry run the administrator has
// read, and shows what it did.
func (s *Server) adminImportApply(w http.ResponseWriter, r *http.Request) error {
	data := s.newImportPage(w, r)
	up, ok := s.imports.take(r, r.PostFormValue("upload"), s.wall())
	if !ok {
		data.Gone = true
		return s.renderPage(w, r, http.StatusConflict, "admin_import", data)
	}
	defer os.Remove(up.path)
	data.Kind, data.Partial = up.kind, up.partial
	a := actorOf(r)
	if err := access.Allow(a, access.Change, importResource[up.kind], access.Scope{}); err != nil {
		return err
	}
	rep, err := s.runImport(r.Context(), up, false)
	if err != nil {
		// The database may have changed since the dry run; the import
		// then wrote nothing.
		return s.importRefused(w, r, data, up, err)
	}
	s.labelKinds(r, rep)
	data.Report = rep
	ctx := r.Context()
	err = s.store.AppendAudit(ctx, store.AuditEntry{
		DistrictID: a.DistrictID, ActorID: a.PersonID, Action: access.Change, What: importWhat,
		Relation: access.DistrictAdmin, Allowed: true, Route: stateOf(r).route, RequestID: requestIDFrom(ctx),
		Detail: importSummary(rep),
	})
	if err != nil {
		s.log.Error("auditing an import", "request_id", requestIDFrom(ctx), "err", err)
	}
	s.log.Info("import applied", "request_id", requestIDFrom(ctx), "by", a.PersonID, "file", up.name, "summary", importSummary(rep))
	w.Header().Set("Cache-Control", "no-store")
	return s.renderPage(w, r, http.StatusOK, "admin_import", data)
}

// importWhat is what the audit log says an import changed.
const importWhat access.What = "import"

// importSummary is an import in one line, for the audit log.
func importSummary(rep *importReportView) string {
	var parts []string
	for _, row := range rep.Rows {
		if n := row.Created + row.Updated + row.Retired + row.Removed; n > 0 {
			parts = append(parts, fmt.Sprintf("%s +%d ~%d -%d x%d", row.Kind, row.Created, row.Updated, row.Retired, row.Removed))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing changed")
	}
	return rep.File + " (" + rep.Source + "): " + strings.Join(parts, ", ")
}

// importRefused shows the problems of a file that cannot be imported.
// Errors that are not about the file are returned as they are.
func (s *Server) importRefused(w http.ResponseWriter, r *http.Request, data *adminImportPage, up *importUpload, err error) error {
	var be *badinput.Error
	if !errors.As(err, &be) {
		return err
	}
	rep := &importReportView{File: up.name}
	for _, p := range be.Problems {
		rep.Problems = append(rep.Problems, importProblem{Location: p.Location(), Field: p.Field, Reason: p.Reason})
	}
	rep.MoreProblems = be.More
	rep.ProblemCount = len(be.Problems) + be.More
	for _, p := range be.Warnings {
		rep.Warnings = append(rep.Warnings, p.String())
	}
	rep.MoreWarnings = be.MoreWarnings
	data.Report = rep
	w.Header().Set("Cache-Control", "no-store")
	return s.renderPage(w, r, http.StatusUnprocessableEntity, "admin_import", data)
}

// saveUpload copies an uploaded file to a temporary file of its own and
// returns its path.
func (s *Server) saveUpload(src io.Reader) (string, error) {
	f, err := os.CreateTemp(s.imports.dir, "cairn-import-*")
	if err != nil {
		return "", fmt.Errorf("keeping an upload: %w", err)
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("keeping an upload: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("keeping an upload: %w", err)
	}
	return f.Name(), nil
}

// runImport reads an upload and imports it into its district, or in a dry
// run works out what importing it would change.
func (s *Server) runImport(ctx context.Context, up *importUpload, dryRun bool) (*importReportView, error) {
	f, err := os.Open(up.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opt := store.ImportOptions{DryRun: dryRun}
	view := &importReportView{File: up.name, DryRun: dryRun, Applied: !dryRun}
	var rep store.ImportReport
	switch up.kind {
	case importCASE:
		pkg, err := casepkg.Parse(f, up.name)
		if err != nil {
			return nil, err
		}
		if rep, err = s.store.ImportCASE(ctx, up.districtID, pkg, opt); err != nil {
			return nil, err
		}
		view.Source = fmt.Sprintf("CASE %s: %s", pkg.Version, pkg.Framework.Framework.Title)
	case importOneRoster:
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		// A delta may refer to records imported before.
		known, err := s.store.OneRosterKnown(ctx, up.districtID)
		if err != nil {
			return nil, err
		}
		ro, err := oneroster.ReadZip(f, st.Size(), up.name, oneroster.ReadOptions{Known: oneroster.SnapshotOf(known), Partial: up.partial})
		if err != nil {
			return nil, err
		}
		if rep, err = s.store.ImportOneRoster(ctx, up.districtID, ro, opt); err != nil {
			return nil, err
		}
		view.Source = "OneRoster " + ro.Version
	default:
		return nil, problem.Errorf(problem.KindInvalid, "import kind %q", up.kind)
	}
	for _, k := range rep.Kinds() {
		view.Rows = append(view.Rows, importRow{Kind: k, Created: rep.Created[k], Updated: rep.Updated[k],
			Retired: rep.Retired[k], Removed: rep.Removed[k], Unchanged: rep.Unchanged[k]})
	}
	view.Changed = rep.Changed()
	view.Recomputed = rep.Recomputed
	view.Warnings, view.MoreWarnings = firstOf(rep.Warnings)
	view.Refused, view.MoreRefused = firstOf(rep.Refused)
	return view, nil
}

// firstOf returns the first maxImportWarnings lines, and how many more
// there are.
func firstOf(lines []string) ([]string, int) {
	if len(lines) > maxImportWarnings {
		return lines[:maxImportWarnings], len(lines) - maxImportWarnings
	}
	return lines, 0
}
