package web

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cairn-learning/cairn/internal/interop/casepkg"
)

// The CASE 1.1 service (1EdTech Competencies and Academic Standards
// Exchange, REST binding) lets other systems pull the district's
// frameworks: the list of documents, a whole package, one document, item
// or association by its identifier. It is read-only and public, as state
// CASE servers are: frameworks hold no one's personal data (see
// docs/decisions/0009-public-case-service.md).
//
// Identifiers are those of the CASE export (casepkg.Export): an imported
// framework keeps the identifiers it came with, and one made in cairn gets
// identifiers derived from its records, the same on every export.

// casePrefix is the path of the CASE 1.1 service.
const casePrefix = "/ims/case/v1p1"

// caseRecheck is how long the CASE service answers from the packages it
// has made before it reads the frameworks again to see whether they
// changed: a change shows within this time, and a client crawling a
// framework item by item costs one read of the frameworks per interval,
// not one per item.
const caseRecheck = time.Second

// caseService keeps each district's frameworks as CASE packages.
type caseService struct {
	// mu is held while a district's packages are checked and made, so
	// that concurrent requests make them once.
	mu        sync.Mutex
	districts map[int64]*caseDistrict
}

// caseDistrict is one district's frameworks as CASE packages, as they
// were when checked. It is not changed once made: a newer check makes a
// new one.
type caseDistrict struct {
	checked time.Time
	// frameworks are by framework id; documents are sorted by title.
	frameworks map[int64]*casePackage
	documents  []*casePackage
	// nodes finds documents, items and associations by identifier.
	nodes map[string]caseNode
}

// casePackage is one framework's package and what it was made from.
type casePackage struct {
	// source is a hash of the framework in CASE terms and the creator
	// named when the framework names none: while it stays the same, so
	// does the package, lastChangeDateTime included.
	source [sha256.Size]byte
	pkg    *casepkg.CFPackage
	// failed is why the framework could not be made a package: its
	// document answers 500 (the cause logged), and the district's other
	// frameworks are served as ever.
	failed error
}

// caseKind is what an identifier names.
type caseKind int

const (
	caseDocumentNode caseKind = iota
	caseItemNode
	caseAssociationNode
)

// caseNode is where an identifier is found: a package, and the item or
// association's place in it.
type caseNode struct {
	pkg   *casePackage
	kind  caseKind
	index int
}

// caseDistrict returns the district's packages, checking the frameworks
// again when the last check is older than caseRecheck. Only frameworks
// that changed are exported again.
func (s *Server) caseDistrict(ctx context.Context, districtID int64) (*caseDistrict, error) {
	cs := &s.caseService
	cs.mu.Lock()
	defer cs.mu.Unlock()
	now := s.wall()
	old := cs.districts[districtID]
	if old != nil && now.Sub(old.checked) < caseRecheck && !now.Before(old.checked) {
		return old, nil
	}
	d, err := s.store.District(ctx, districtID)
	if err != nil {
		return nil, err
	}
	fws, err := s.store.StoredFrameworks(ctx, districtID)
	if err != nil {
		return nil, err
	}
	cd := &caseDistrict{checked: now, frameworks: make(map[int64]*casePackage, len(fws)), nodes: map[string]caseNode{}}
	// Frameworks are in id order: should two share an identifier (two
	// frameworks made in cairn with one title and no sourcedId), the
	// older one answers to it.
	add := func(id string, n caseNode) {
		if _, taken := cd.nodes[strings.ToLower(id)]; !taken {
			cd.nodes[strings.ToLower(id)] = n
		}
	}
	for _, sf := range fws {
		f, err := casepkg.FromStored(sf)
		if err != nil {
			// Nothing names it in CASE terms (a hierarchy that loops, a
			// parent in another framework): it is left out, and said, and
			// the district's other frameworks are served as ever.
			s.log.LogAttrs(ctx, slog.LevelError, "a framework left out of the CASE service",
				slog.Int64("framework_id", sf.Framework.ID), slog.String("err", err.Error()))
			continue
		}
		id := sf.Framework.ID
		source, err := caseSource(f, d.Name)
		if err != nil {
			return nil, err
		}
		cp := (*casePackage)(nil)
		if old != nil {
			if prev := old.frameworks[id]; prev != nil && prev.source == source {
				cp = prev
			}
		}
		if cp == nil {
			pkg, err := casepkg.Export(f, casepkg.ExportOptions{Now: now.UTC(), Creator: d.Name})
			cp = &casePackage{source: source, pkg: pkg}
			if err != nil {
				cp = &casePackage{source: source, failed: fmt.Errorf("CASE package of framework %d: %w", id, err)}
				s.log.LogAttrs(ctx, slog.LevelError, "a framework left out of the CASE service",
					slog.Int64("framework_id", id), slog.String("err", cp.failed.Error()))
			}
		}
		cd.frameworks[id] = cp
		if cp.failed != nil {
			add(casepkg.DocumentIdentifier(f), caseNode{pkg: cp, kind: caseDocumentNode})
			continue
		}
		cd.documents = append(cd.documents, cp)
		add(cp.pkg.CFDocument.Identifier, caseNode{pkg: cp, kind: caseDocumentNode})
		for i, it := range cp.pkg.CFItems {
			add(it.Identifier, caseNode{pkg: cp, kind: caseItemNode, index: i})
		}
		for i, a := range cp.pkg.CFAssociations {
			add(a.Identifier, caseNode{pkg: cp, kind: caseAssociationNode, index: i})
		}
	}
	slices.SortStableFunc(cd.documents, func(a, b *casePackage) int {
		da, db := a.pkg.CFDocument, b.pkg.CFDocument
		return cmp.Or(cmp.Compare(strings.ToLower(da.Title), strings.ToLower(db.Title)), cmp.Compare(da.Identifier, db.Identifier))
	})
	if cs.districts == nil {
		cs.districts = map[int64]*caseDistrict{}
	}
	cs.districts[districtID] = cd
	return cd, nil
}

// caseSource hashes what a framework's package is made from.
func caseSource(fw *casepkg.Framework, creator string) ([sha256.Size]byte, error) {
	b, err := json.Marshal(struct {
		Framework *casepkg.Framework
		Creator   string
	}{fw, creator})
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// caseDocumentsJSON is the answer of the documents' list (without
// fields: with it, each document holds only the fields asked for).
type caseDocumentsJSON struct {
	CFDocuments []casepkg.CFDocument `json:"CFDocuments"`
}

// caseStatusJSON is the body of a CASE error answer (imsx_StatusInfo).
type caseStatusJSON struct {
	CodeMajor   string            `json:"imsx_codeMajor"`
	Severity    string            `json:"imsx_severity"`
	Description string            `json:"imsx_description"`
	CodeMinor   caseCodeMinorJSON `json:"imsx_codeMinor"`
}

type caseCodeMinorJSON struct {
	Fields []caseCodeMinorFieldJSON `json:"imsx_codeMinorField"`
}

type caseCodeMinorFieldJSON struct {
	Name  string `json:"imsx_codeMinorFieldName"`
	Value string `json:"imsx_codeMinorFieldValue"`
}

// caseError is a CASE request refused: the status, the field the code
// minor names and its value ("unknownobject", "invalid_uuid"), and what a
// person reading it needs to know.
type caseError struct {
	status      int
	field       string
	minor       string
	description string
}

func (e *caseError) Error() string { return e.description }

// caseHandler answers the failures of a CASE route with imsx_StatusInfo
// bodies, as CASE clients expect, rather than problem documents.
func (s *Server) caseHandler(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err == nil {
			return nil
		}
		s.writeCASEError(w, r, err)
		return nil
	}
}

// caseMinors are the CASE codeMinor values of the failures the rest of the
// server reports, by status: a token sent that is not valid (401), a
// refusal (403), too many requests (429).
var caseMinors = map[int]string{
	http.StatusBadRequest:      "invalid_selection_field",
	http.StatusUnauthorized:    "unauthorisedrequest",
	http.StatusForbidden:       "forbidden",
	http.StatusNotFound:        "unknownobject",
	http.StatusTooManyRequests: "server_busy",
}

// writeCASEError answers a CASE failure with an imsx_StatusInfo body. An
// error that is not a *caseError is answered with the status the rest of
// the server gives it and the CASE codeMinor of that status; an internal
// one is logged and answered 500.
func (s *Server) writeCASEError(w http.ResponseWriter, r *http.Request, err error) {
	var ce *caseError
	if !errors.As(err, &ce) {
		p, internal := problemFor(err)
		minor, known := caseMinors[p.Status]
		if internal || !known {
			if internal {
				s.logFailure(r, err)
			}
			ce = &caseError{status: http.StatusInternalServerError, field: "sourcedId", minor: "internal_server_error",
				description: "the server failed to answer; the failure is logged under request id " + requestIDFrom(r.Context())}
		} else {
			ce = &caseError{status: p.Status, field: "request", minor: minor, description: p.Detail}
		}
	}
	writeJSON(w, ce.status, caseStatusJSON{
		CodeMajor: "failure", Severity: "error", Description: ce.description,
		CodeMinor: caseCodeMinorJSON{Fields: []caseCodeMinorFieldJSON{{Name: ce.field, Value: ce.minor}}},
	})
}

// caseUnrouted is the CASE service's answer to a request no route takes:
// a method other than GET (405, with Allow), or an address that names no
// collection of the service (404). CASE clients read imsx_StatusInfo, so
// these too are answered with it rather than a problem document.
func caseUnrouted(r *http.Request, allow string) *caseError {
	if allow != "" {
		return &caseError{status: http.StatusMethodNotAllowed, field: "method", minor: "forbidden",
			description: fmt.Sprintf("%s is not allowed on %s: the CASE service only reads (allowed: %s)", r.Method, r.URL.Path, allow)}
	}
	return &caseError{status: http.StatusNotFound, field: "path", minor: "unknownobject",
		description: fmt.Sprintf("nothing is at %s: the CASE 1.1 service answers %s/CFDocuments, /CFDocuments/{id}, /CFPackages/{id}, /CFItems/{id} and /CFAssociations/{id}", r.URL.Path, casePrefix)}
}

var caseUUID = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// caseLookup finds the node a route's sourcedId names, of kind want.
func (s *Server) caseLookup(r *http.Request, want caseKind, what string) (caseNode, error) {
	id := r.PathValue("sourcedId")
	if !caseUUID.MatchString(id) {
		return caseNode{}, &caseError{status: http.StatusBadRequest, field: "sourcedId", minor: "invalid_uuid",
			description: fmt.Sprintf("%q is not a UUID: CASE identifiers are 8-4-4-4-12 hexadecimal digits", id)}
	}
	cd, err := s.caseDistrict(r.Context(), s.districtOf(r))
	if err != nil {
		return caseNode{}, err
	}
	n, ok := cd.nodes[strings.ToLower(id)]
	if !ok || n.kind != want {
		return caseNode{}, &caseError{status: http.StatusNotFound, field: "sourcedId", minor: "unknownobject",
			description: fmt.Sprintf("no %s %s on this server", what, id)}
	}
	if n.pkg.failed != nil {
		return caseNode{}, n.pkg.failed
	}
	return n, nil
}

// documentLink points at a package's document.
func (p *casePackage) documentLink() *casepkg.LinkURI {
	d := p.pkg.CFDocument
	return &casepkg.LinkURI{Title: d.Title, Identifier: d.Identifier, URI: d.URI}
}

// caseDocument is a package's document outside its package, as the CASE
// service answers it: with the address of its whole package.
func caseDocument(r *http.Request, p *casePackage) casepkg.CFDocument {
	d := p.pkg.CFDocument
	d.CFPackageURI = &casepkg.LinkURI{Title: d.Title, Identifier: d.Identifier,
		URI: arrivalOf(r).base + casePrefix + "/CFPackages/" + d.Identifier}
	return d
}

// caseDefaultLimit is how many documents a page of the list holds when
// the client does not say, as CASE 1.1 sets it.
const caseDefaultLimit = 100

// caseDocumentFields are the fields of a CFDocument as the service
// answers it, which sort, filter and fields may name.
var caseDocumentFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[casepkg.CFDocument]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}()

// caseListQuery is what a request for the documents' list asks, by the
// CASE 1.1 REST binding's query parameters: limit and offset (paging),
// sort and orderBy (asc or desc), filter, and fields.
type caseListQuery struct {
	limit, offset int
	sort          string
	desc          bool
	filter        *caseFilter
	fields        []string
}

func parseCASEListQuery(r *http.Request) (caseListQuery, error) {
	q := r.URL.Query()
	lq := caseListQuery{limit: caseDefaultLimit, sort: "title"}
	for _, p := range []struct {
		name string
		into *int
		min  int
	}{{"limit", &lq.limit, 1}, {"offset", &lq.offset, 0}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < p.min {
			return lq, &caseError{status: http.StatusBadRequest, field: p.name, minor: "invalid_selection_field",
				description: fmt.Sprintf("%s %q: want a whole number of at least %d", p.name, v, p.min)}
		}
		// Far past any list, and small enough that offset plus limit
		// cannot overflow.
		*p.into = min(n, 1<<31)
	}
	if v := q.Get("sort"); v != "" {
		if !caseDocumentFields[v] {
			return lq, &caseError{status: http.StatusBadRequest, field: "sort", minor: "invalid_sort_field",
				description: fmt.Sprintf("sort %q: not a field of a CFDocument", v)}
		}
		lq.sort = v
	}
	switch v := q.Get("orderBy"); v {
	case "", "asc":
	case "desc":
		lq.desc = true
	default:
		return lq, &caseError{status: http.StatusBadRequest, field: "orderBy", minor: "invalid_sort_field",
			description: fmt.Sprintf("orderBy %q: want asc or desc", v)}
	}
	if v := q.Get("filter"); v != "" {
		f, err := parseCASEFilter(v)
		if err != nil {
			return lq, &caseError{status: http.StatusBadRequest, field: "filter", minor: "invalid_selection_field",
				description: fmt.Sprintf("filter %q: %v", v, err)}
		}
		lq.filter = f
	}
	if v := q.Get("fields"); v != "" {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if !caseDocumentFields[name] {
				return lq, &caseError{status: http.StatusBadRequest, field: "fields", minor: "invalid_selection_field",
					description: fmt.Sprintf("fields: %q is not a field of a CFDocument", name)}
			}
			lq.fields = append(lq.fields, name)
		}
	}
	return lq, nil
}

// caseDocuments lists the frameworks' documents, filtered, sorted (by
// title unless asked otherwise) and limit at a time from offset.
// X-Total-Count gives how many match, and Link the first, previous, next
// and last pages.
func (s *Server) caseDocuments(w http.ResponseWriter, r *http.Request) error {
	lq, err := parseCASEListQuery(r)
	if err != nil {
		return err
	}
	cd, err := s.caseDistrict(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	type row struct {
		doc    casepkg.CFDocument
		fields map[string]any // the document as JSON, for sort, filter and fields
	}
	var rows []row
	for _, p := range cd.documents {
		d := caseDocument(r, p)
		m, err := caseFieldsOf(d)
		if err != nil {
			return err
		}
		if lq.filter == nil || lq.filter.matches(m) {
			rows = append(rows, row{d, m})
		}
	}
	if lq.sort != "title" || lq.desc {
		slices.SortStableFunc(rows, func(a, b row) int {
			c := cmp.Compare(caseText(a.fields[lq.sort]), caseText(b.fields[lq.sort]))
			if lq.desc {
				c = -c
			}
			return c
		})
	}
	var page []any
	for i := lq.offset; i < len(rows) && i-lq.offset < lq.limit; i++ {
		if lq.fields == nil {
			page = append(page, rows[i].doc)
			continue
		}
		sel := make(map[string]any, len(lq.fields))
		for _, f := range lq.fields {
			if v, ok := rows[i].fields[f]; ok {
				sel[f] = v
			}
		}
		page = append(page, sel)
	}
	if page == nil {
		page = []any{}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(rows)))
	if link := caseLinks(r, lq, len(rows)); link != "" {
		w.Header().Set("Link", link)
	}
	writeJSON(w, http.StatusOK, map[string]any{"CFDocuments": page})
	return nil
}

// caseFieldsOf is a document as the JSON object it is answered as.
func caseFieldsOf(d casepkg.CFDocument) (map[string]any, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// caseText is a field's value as text for sorting and filtering: a string
// as it is, a list of strings joined by ", ", anything else as JSON.
func caseText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = caseText(e)
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// caseLinks is the Link header of a page of the documents' list (RFC
// 8288): the first, previous, next and last pages, each the request's own
// address with its offset changed.
func caseLinks(r *http.Request, lq caseListQuery, total int) string {
	at := func(offset int, rel string) string {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(lq.limit))
		q.Set("offset", strconv.Itoa(offset))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, arrivalOf(r).base, r.URL.Path, q.Encode(), rel)
	}
	last := 0
	if total > 0 {
		last = (total - 1) / lq.limit * lq.limit
	}
	links := []string{at(0, "first")}
	if lq.offset > 0 {
		links = append(links, at(max(0, min(lq.offset-lq.limit, last)), "prev"))
	}
	if lq.offset+lq.limit < total {
		links = append(links, at(lq.offset+lq.limit, "next"))
	}
	links = append(links, at(last, "last"))
	return strings.Join(links, ", ")
}

// caseGetDocument answers one framework's document.
func (s *Server) caseGetDocument(w http.ResponseWriter, r *http.Request) error {
	n, err := s.caseLookup(r, caseDocumentNode, "CFDocument")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caseDocument(r, n.pkg))
	return nil
}

// caseGetPackage answers a framework's whole package, as
// 'cairn export case' writes it and 'cairn import case URL' reads it.
func (s *Server) caseGetPackage(w http.ResponseWriter, r *http.Request) error {
	n, err := s.caseLookup(r, caseDocumentNode, "CFPackage")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n.pkg.pkg)
	return nil
}

// caseGetItem answers one item, with the document it belongs to.
func (s *Server) caseGetItem(w http.ResponseWriter, r *http.Request) error {
	n, err := s.caseLookup(r, caseItemNode, "CFItem")
	if err != nil {
		return err
	}
	it := n.pkg.pkg.CFItems[n.index]
	it.CFDocumentURI = n.pkg.documentLink()
	writeJSON(w, http.StatusOK, it)
	return nil
}

// caseGetAssociation answers one association, with the document it
// belongs to.
func (s *Server) caseGetAssociation(w http.ResponseWriter, r *http.Request) error {
	n, err := s.caseLookup(r, caseAssociationNode, "CFAssociation")
	if err != nil {
		return err
	}
	a := n.pkg.pkg.CFAssociations[n.index]
	a.CFDocumentURI = n.pkg.documentLink()
	writeJSON(w, http.StatusOK, a)
	return nil
}
