package web

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	fws, err := s.store.CASEFrameworks(ctx, districtID)
	if err != nil {
		return nil, err
	}
	cd := &caseDistrict{checked: now, frameworks: make(map[int64]*casePackage, len(fws)), nodes: map[string]caseNode{}}
	for _, f := range fws {
		source, err := caseSource(f.Framework, d.Name)
		if err != nil {
			return nil, err
		}
		cp := (*casePackage)(nil)
		if old != nil {
			if prev := old.frameworks[f.FrameworkID]; prev != nil && prev.source == source {
				cp = prev
			}
		}
		if cp == nil {
			pkg, err := casepkg.Export(f.Framework, casepkg.ExportOptions{Now: now.UTC(), Creator: d.Name})
			if err != nil {
				return nil, fmt.Errorf("CASE package of framework %d: %w", f.FrameworkID, err)
			}
			cp = &casePackage{source: source, pkg: pkg}
		}
		cd.frameworks[f.FrameworkID] = cp
		cd.documents = append(cd.documents, cp)
		// Frameworks are in id order: should two share an identifier (two
		// frameworks made in cairn with one title and no sourcedId), the
		// older one answers to it.
		add := func(id string, n caseNode) {
			if _, taken := cd.nodes[id]; !taken {
				cd.nodes[id] = n
			}
		}
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

// caseDocumentsJSON is the answer of the documents' list.
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
		var ce *caseError
		if !errors.As(err, &ce) {
			s.logFailure(r, err)
			ce = &caseError{status: http.StatusInternalServerError, field: "sourcedId", minor: "internal_server_error",
				description: "the server failed to answer; the failure is logged under request id " + requestIDFrom(r.Context())}
		}
		writeJSON(w, ce.status, caseStatusJSON{
			CodeMajor: "failure", Severity: "error", Description: ce.description,
			CodeMinor: caseCodeMinorJSON{Fields: []caseCodeMinorFieldJSON{{Name: ce.field, Value: ce.minor}}},
		})
		return nil
	}
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

// caseDocuments lists the frameworks' documents by title, limit at a time
// from offset; X-Total-Count gives how many there are.
func (s *Server) caseDocuments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, offset := caseDefaultLimit, 0
	for _, p := range []struct {
		name string
		into *int
		min  int
	}{{"limit", &limit, 1}, {"offset", &offset, 0}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < p.min {
			return &caseError{status: http.StatusBadRequest, field: p.name, minor: "invalid_selection_field",
				description: fmt.Sprintf("%s %q: want a whole number of at least %d", p.name, v, p.min)}
		}
		*p.into = n
	}
	cd, err := s.caseDistrict(r.Context(), s.districtOf(r))
	if err != nil {
		return err
	}
	out := caseDocumentsJSON{CFDocuments: []casepkg.CFDocument{}}
	for i := offset; i < len(cd.documents) && i-offset < limit; i++ {
		out.CFDocuments = append(out.CFDocuments, caseDocument(r, cd.documents[i]))
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(cd.documents)))
	writeJSON(w, http.StatusOK, out)
	return nil
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
