package casepkg

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// ExportOptions say how to write a framework as a CASE package.
type ExportOptions struct {
	// BaseURL is the CASE API address URIs are built from, such as
	// "https://cairn.example.org/ims/case/v1p1"; a node whose URI is
	// unknown gets BaseURL + "/CFItems/" + identifier. Without a BaseURL
	// such nodes get "urn:uuid:" + identifier.
	BaseURL string
	// Now is the lastChangeDateTime of records made or changed in cairn
	// when the framework does not say when it changed (Framework.Changed).
	// One of the two is required.
	Now time.Time
	// Creator is written when the framework names none (CASE requires a
	// creator).
	Creator string
}

// Export writes fw as a CASE 1.1 CFPackage: the CFDocument, one CFItem per
// standard, an isChildOf association per standard (with its position as
// sequenceNumber where the order needs saying), a precedes association per
// prerequisite, and the crosswalks. The result is validated against the
// CASE 1.1 schema and read back before it is returned.
//
// A framework imported from CASE gives back what it was published with:
// each record starts from its published copy (Framework.Document and
// Definitions, Standard.Item, Framework.Associations), cairn's fields are
// written over it, and a record whose fields did not change keeps its
// identifier, URI and lastChangeDateTime. A record made or changed in
// cairn has Framework.Changed as its lastChangeDateTime. Associations
// cairn does not act on (other types, an item's second parent) go back as
// published.
//
// CASE identifiers must be UUIDs. A framework or standard whose SourcedID
// is not one (a framework written in cairn, or imported from elsewhere)
// gets a name-based UUID (version 5) derived from it, the same on every
// export. An association made in cairn gets one derived from what it
// links, so exporting the same framework twice gives the same package.
func Export(fw *Framework, opt ExportOptions) (*CFPackage, error) {
	changed := fw.Changed
	if changed.IsZero() {
		changed = opt.Now
	}
	if changed.IsZero() {
		return nil, errors.New("casepkg.Export: ExportOptions.Now is required when the framework does not say when it changed")
	}
	when := changed.UTC().Format(time.RFC3339)
	docID := DocumentIdentifier(fw)
	uri := func(kind, id, known string) string {
		switch {
		case known != "":
			return known
		case opt.BaseURL != "":
			return strings.TrimRight(opt.BaseURL, "/") + "/" + kind + "/" + id
		}
		return "urn:uuid:" + id
	}
	docURI := uri("CFDocuments", docID, fw.URI)

	doc, same, err := exportDocument(fw, docID, docURI, opt.Creator)
	if err != nil {
		return nil, err
	}
	anyChanged := !same // the package differs from the one published
	pkg := &CFPackage{CFDocument: doc, CFDefinitions: fw.Definitions}
	docLink := LinkGenURI{Title: fw.Framework.Title, Identifier: docID, URI: docURI}

	ids := make(map[string]string, len(fw.Standards)) // SourcedID -> CASE identifier
	links := make(map[string]LinkGenURI, len(fw.Standards))
	byLower := make(map[string]string, len(fw.Standards)+1) // identifier as published, lower-cased -> CASE identifier
	byLower[strings.ToLower(fw.Framework.SourcedID)] = docID
	taken := map[string]bool{docID: true}
	for _, s := range fw.Standards {
		id := caseID(s.SourcedID, docID+"/standard:"+s.Code+":"+s.Statement)
		ids[s.SourcedID] = id
		byLower[strings.ToLower(s.SourcedID)] = id
		taken[id] = true
		title := s.Code
		if title == "" {
			title = shorten(s.Statement)
		}
		links[s.SourcedID] = LinkGenURI{Title: title, Identifier: id, URI: uri("CFItems", id, s.URI)}
	}
	for _, s := range fw.Standards {
		it, same, err := exportItem(s, links[s.SourcedID])
		if err != nil {
			return nil, err
		}
		if !same {
			it.LastChangeDateTime = when
			anyChanged = true
		}
		pkg.CFItems = append(pkg.CFItems, it)
	}

	// What cairn holds, as associations: each standard's parent, each
	// prerequisite, each crosswalk. Each is matched to a published
	// association saying the same, which it then is; the rest are new.
	type want struct {
		typ         string
		origin      LinkGenURI
		destination LinkGenURI
		seq         *int64
		standard    string // the SourcedID of the standard an isChildOf places
		published   int    // index in fw.Associations, or -1
	}
	key := func(typ, o, d string) string { return typ + "|" + strings.ToLower(o) + "|" + strings.ToLower(d) }
	free := map[string][]int{}
	for i, a := range fw.Associations {
		taken[strings.ToLower(a.Identifier)] = true
		if a.Modelled {
			k := key(a.Type, a.Origin, a.Destination)
			free[k] = append(free[k], i)
		}
	}
	var wants []want
	add := func(w want, o, d string) {
		w.published = -1
		k := key(w.typ, o, d)
		if q := free[k]; len(q) > 0 {
			w.published, free[k] = q[0], q[1:]
		}
		wants = append(wants, w)
	}
	for _, s := range fw.Standards {
		parent, parentID := docLink, fw.Framework.SourcedID
		if s.ParentSourcedID != "" {
			p, ok := links[s.ParentSourcedID]
			if !ok {
				return nil, fmt.Errorf("casepkg.Export: standard %s: parent %s is not in the framework", s.SourcedID, s.ParentSourcedID)
			}
			parent, parentID = p, s.ParentSourcedID
		}
		seq := int64(s.Position)
		add(want{typ: IsChildOf, origin: links[s.SourcedID], destination: parent, seq: &seq, standard: s.SourcedID}, s.SourcedID, parentID)
	}
	for _, p := range fw.Prerequisites {
		pre, ok1 := links[p.PrerequisiteSourcedID]
		std, ok2 := links[p.StandardSourcedID]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("casepkg.Export: prerequisite %s of %s: both must be standards of the framework", p.PrerequisiteSourcedID, p.StandardSourcedID)
		}
		add(want{typ: Precedes, origin: pre, destination: std}, p.PrerequisiteSourcedID, p.StandardSourcedID)
	}
	for _, c := range fw.Crosswalks {
		node := func(n Node) LinkGenURI {
			if l, ok := links[n.Identifier]; ok {
				return l
			}
			return LinkGenURI{Title: n.Title, Identifier: n.Identifier, URI: n.URI}
		}
		add(want{typ: c.Type, origin: node(c.Origin), destination: node(c.Destination)}, c.Origin.Identifier, c.Destination.Identifier)
	}

	matched := make(map[int]int, len(wants)) // fw.Associations index -> wants index
	newParent := map[string]bool{}           // lower-cased SourcedIDs of standards whose parent link is new
	for wi, w := range wants {
		if w.published >= 0 {
			matched[w.published] = wi
		} else if w.typ == IsChildOf {
			newParent[strings.ToLower(w.standard)] = true
		}
	}
	holds := map[string]bool{} // the prerequisites cairn holds, by key
	for _, p := range fw.Prerequisites {
		holds[key(Precedes, p.PrerequisiteSourcedID, p.StandardSourcedID)] = true
	}
	childOf := map[string]int{} // SourcedID -> index of its isChildOf in pkg.CFAssociations
	for i, pa := range fw.Associations {
		wi, ok := matched[i]
		switch {
		case ok:
		case pa.Modelled && holds[key(pa.Type, pa.Origin, pa.Destination)]:
			// A second precedes between the same two standards: the
			// prerequisite it states is still held.
		case pa.Modelled:
			anyChanged = true // cairn no longer holds what it says
			continue
		case pa.Type == IsChildOf && newParent[strings.ToLower(pa.Origin)]:
			// A second parent would come before the parent cairn gave
			// the standard, and be read as the parent.
			anyChanged = true
			continue
		}
		var a CFAssociation
		if err := json.Unmarshal(pa.JSON, &a); err != nil {
			return nil, fmt.Errorf("casepkg.Export: association %s as published: %w", pa.Identifier, err)
		}
		a.CFDocumentURI = nil
		for _, end := range []*LinkGenURI{&a.OriginNodeURI, &a.DestinationNodeURI} {
			if id, ok := byLower[strings.ToLower(end.Identifier)]; ok {
				end.Identifier = id
			}
		}
		if ok && wants[wi].typ == IsChildOf {
			childOf[wants[wi].standard] = len(pkg.CFAssociations)
		}
		pkg.CFAssociations = append(pkg.CFAssociations, a)
	}
	for _, w := range wants {
		if w.published >= 0 {
			continue
		}
		anyChanged = true
		name := w.typ + "|" + w.origin.Identifier + "|" + w.destination.Identifier
		id := nameUUID(docID, name)
		for n := 2; taken[id]; n++ {
			id = nameUUID(docID, fmt.Sprintf("%s|%d", name, n))
		}
		taken[id] = true
		if w.typ == IsChildOf {
			childOf[w.standard] = len(pkg.CFAssociations)
		}
		pkg.CFAssociations = append(pkg.CFAssociations, CFAssociation{
			Identifier:         id,
			AssociationType:    w.typ,
			SequenceNumber:     w.seq,
			URI:                uri("CFAssociations", id, ""),
			OriginNodeURI:      w.origin,
			DestinationNodeURI: w.destination,
			LastChangeDateTime: when,
		})
	}

	// The order of siblings is cairn's: where the package read back would
	// order a standard's siblings differently (cairn moved one, or the
	// published sequenceNumbers no longer say it), the parent's children
	// get their positions as sequenceNumber.
	if anyChanged {
		pkg.CFDocument.LastChangeDateTime = when
	}
	back, err := readBack(pkg, fw.Framework.Title)
	if err != nil {
		return nil, err
	}
	if fix := misordered(fw, ids, back); len(fix) > 0 {
		pkg.CFDocument.LastChangeDateTime = when
		rank := map[string]int64{}
		for _, s := range fw.Standards {
			rank[s.ParentSourcedID]++
			if !fix[s.ParentSourcedID] {
				continue
			}
			a := &pkg.CFAssociations[childOf[s.SourcedID]]
			if seq := rank[s.ParentSourcedID]; a.SequenceNumber == nil || *a.SequenceNumber != seq {
				a.SequenceNumber = &seq
				a.LastChangeDateTime = when
			}
		}
		if back, err = readBack(pkg, fw.Framework.Title); err != nil {
			return nil, err
		}
		if fix := misordered(fw, ids, back); len(fix) > 0 {
			return nil, fmt.Errorf("casepkg.Export: the package written does not read back in the framework's order")
		}
	}
	return pkg, nil
}

// DocumentIdentifier is the CFDocument identifier Export gives fw, so that
// a CASE service can answer for a framework whose export failed.
func DocumentIdentifier(fw *Framework) string {
	return caseID(fw.Framework.SourcedID, "framework:"+fw.Framework.Title)
}

// readBack writes pkg and parses it, as a check that it is a CASE 1.1
// package cairn reads.
func readBack(pkg *CFPackage, title string) (*Package, error) {
	var buf bytes.Buffer
	if err := pkg.WriteJSON(&buf); err != nil {
		return nil, err
	}
	p, err := Parse(&buf, "export of "+title)
	if err != nil {
		return nil, fmt.Errorf("casepkg.Export: the package written does not read back: %w", err)
	}
	return p, nil
}

// misordered returns the parents (by SourcedID, "" for the framework)
// whose children the package read back lists otherwise than fw does.
func misordered(fw *Framework, ids map[string]string, back *Package) map[string]bool {
	want := map[string][]string{}
	for _, s := range fw.Standards {
		want[s.ParentSourcedID] = append(want[s.ParentSourcedID], ids[s.SourcedID])
	}
	sourced := make(map[string]string, len(ids)) // CASE identifier -> SourcedID
	for sid, id := range ids {
		sourced[id] = sid
	}
	got := map[string][]string{}
	for _, s := range back.Framework.Standards {
		parent := ""
		if s.ParentSourcedID != "" {
			parent = sourced[s.ParentSourcedID]
		}
		got[parent] = append(got[parent], s.SourcedID)
	}
	fix := map[string]bool{}
	for parent, kids := range want {
		if !slices.Equal(kids, got[parent]) {
			fix[parent] = true
		}
	}
	return fix
}

// exportDocument is the CFDocument of fw: its published copy, if any, with
// cairn's fields written over it, and whether it says what the published
// copy says. Its lastChangeDateTime is the published one; Export sets it
// when anything in the package changed.
func exportDocument(fw *Framework, docID, docURI, defaultCreator string) (CFDocument, bool, error) {
	var doc CFDocument
	if len(fw.Document) > 0 {
		if err := json.Unmarshal(fw.Document, &doc); err != nil {
			return doc, false, fmt.Errorf("casepkg.Export: the CFDocument as published: %w", err)
		}
	}
	published := len(fw.Document) > 0
	f := fw.Framework
	// Written as a CASE 1.1 document, with CASE's lower-case identifier:
	// that is no change.
	doc.Identifier, doc.URI, doc.CaseVersion, doc.CFPackageURI = docID, docURI, Version11, nil
	before := marshalRecord(doc)
	doc.Title, doc.Version = f.Title, f.Version
	switch {
	case f.Creator != "":
		doc.Creator = f.Creator
	case doc.Creator == "":
		doc.Creator = defaultCreator
	}
	if lang, err := languageOf(doc.Language); !published || err != nil || lang != f.Lang() {
		doc.Language = f.Lang()
	}
	if strings.Join(doc.Subject, ", ") != f.Subject {
		doc.Subject = nil
		if f.Subject != "" {
			doc.Subject = StringList{f.Subject}
		}
	}
	ext := map[string]any{}
	if len(doc.Extensions) > 0 {
		if err := json.Unmarshal(doc.Extensions, &ext); err != nil {
			return doc, false, fmt.Errorf("casepkg.Export: the CFDocument's extensions: %w", err)
		}
	}
	kind := string(kindOrAcademic(f.Kind))
	if _, had := ext[kindExtension]; had || !published || kind != string(standards.Academic) {
		ext[kindExtension] = kind
	}
	if len(ext) > 0 {
		b, err := json.Marshal(ext)
		if err != nil {
			return doc, false, err
		}
		if !bytes.Equal(bytes.TrimSpace(doc.Extensions), b) {
			// Compacted only when it changes, so that published
			// extensions stay byte for byte.
			doc.Extensions = b
		}
	}
	return doc, published && bytes.Equal(before, marshalRecord(doc)), nil
}

// exportItem is the CFItem of standard s: its published copy, if any, with
// cairn's fields written over it, and whether it says what the published
// copy says.
func exportItem(s Standard, l LinkGenURI) (CFItem, bool, error) {
	var it CFItem
	if len(s.Item) > 0 {
		if err := json.Unmarshal(s.Item, &it); err != nil {
			return it, false, fmt.Errorf("casepkg.Export: standard %s as published: %w", s.SourcedID, err)
		}
	}
	it.CFDocumentURI = nil
	before := marshalRecord(it)
	it.Identifier, it.URI = l.Identifier, l.URI
	it.FullStatement, it.HumanCodingScheme = s.Statement, s.Code
	if itemType(it) != s.Type {
		it.CFItemType, it.CFItemTypeURI = s.Type, nil
	}
	if !slices.Equal([]string(it.EducationLevel), s.EducationLevels) {
		it.EducationLevel = StringList(s.EducationLevels)
	}
	// The identifier and URI are written as CASE wants them (lower case,
	// an address for a node that had none): that is no change.
	var pub CFItem
	_ = json.Unmarshal(before, &pub)
	pub.Identifier, pub.URI = it.Identifier, it.URI
	same := len(s.Item) > 0 && bytes.Equal(marshalRecord(pub), marshalRecord(it))
	return it, same, nil
}

// WriteJSON writes the package as indented JSON.
func (p *CFPackage) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// FromStandards gathers a framework as the store holds it (database ids)
// into the shape Export writes. all is every standard of the framework;
// retired standards are left out and their children moved up to the
// nearest standard that is not retired. prereqs may hold edges of the whole
// district: those between two standards of this framework are kept.
func FromStandards(fw standards.Framework, all []standards.Standard, prereqs []standards.Prerequisite, crosswalks []Crosswalk) (*Framework, error) {
	byID := make(map[int64]standards.Standard, len(all))
	for _, s := range all {
		byID[s.ID] = s
	}
	sourced := func(s standards.Standard) string {
		if s.SourcedID != "" {
			return s.SourcedID
		}
		return fmt.Sprintf("cairn:standard:%d", s.ID)
	}
	// The nearest ancestor that is exported, following ParentID.
	parentOf := func(s standards.Standard) (string, error) {
		seen := map[int64]bool{s.ID: true}
		for s.ParentID != nil {
			p, ok := byID[*s.ParentID]
			if !ok {
				return "", fmt.Errorf("casepkg.FromStandards: standard %d: parent %d is not in framework %d", s.ID, *s.ParentID, fw.ID)
			}
			if seen[p.ID] {
				return "", fmt.Errorf("casepkg.FromStandards: standard %d: the hierarchy loops", s.ID)
			}
			seen[p.ID] = true
			if !p.Retired {
				return sourced(p), nil
			}
			s = p
		}
		return "", nil
	}
	out := &Framework{Framework: fw}
	for _, s := range all {
		if s.Retired {
			continue
		}
		parent, err := parentOf(s)
		if err != nil {
			return nil, err
		}
		st := s
		st.SourcedID = sourced(s)
		st.ID, st.DistrictID, st.FrameworkID, st.ParentID = 0, 0, 0, nil
		out.Standards = append(out.Standards, Standard{Standard: st, ParentSourcedID: parent})
	}
	out.Framework.ID, out.Framework.DistrictID, out.Framework.ScaleID = 0, 0, 0
	for _, p := range prereqs {
		a, okA := byID[p.StandardID]
		b, okB := byID[p.PrerequisiteID]
		if !okA || !okB || a.Retired || b.Retired {
			continue
		}
		out.Prerequisites = append(out.Prerequisites, Prerequisite{StandardSourcedID: sourced(a), PrerequisiteSourcedID: sourced(b)})
	}
	out.Crosswalks = append(out.Crosswalks, crosswalks...)
	return out, nil
}

func kindOrAcademic(k standards.Kind) standards.Kind {
	if k == "" {
		return standards.Academic
	}
	return k
}

func shorten(s string) string {
	r := []rune(s)
	if len(r) <= 60 {
		return s
	}
	return string(r[:59]) + "…"
}

// caseID returns sourcedID when it is already a UUID (lower-cased, as CASE
// wants), else a UUID derived from it, or from fallback when it is empty.
func caseID(sourcedID, fallback string) string {
	if isUUID(sourcedID) {
		return strings.ToLower(sourcedID)
	}
	if sourcedID == "" {
		sourcedID = fallback
	}
	return nameUUID(cairnNamespace, sourcedID)
}

// cairnNamespace is the UUID namespace of identifiers cairn derives.
const cairnNamespace = "3a1c9d2e-6f4b-5c8a-9e7d-0b2f4a6c8e10"

// nameUUID is the name-based (version 5, SHA-1) UUID of name in namespace
// ns (RFC 9562, section 5.5).
func nameUUID(ns, name string) string {
	nsb, err := hex.DecodeString(strings.ReplaceAll(ns, "-", ""))
	if err != nil || len(nsb) != 16 {
		nsb = make([]byte, 16)
	}
	h := sha1.New()
	h.Write(nsb)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
