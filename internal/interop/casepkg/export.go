package casepkg

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// Now is the lastChangeDateTime written on every record. Required.
	Now time.Time
	// Creator is written when the framework names none (CASE requires a
	// creator).
	Creator string
}

// Export writes fw as a CASE 1.1 CFPackage: the CFDocument, one CFItem per
// standard, an isChildOf association per standard (with its position as
// sequenceNumber), a precedes association per prerequisite, and the
// crosswalks. The result is validated against the CASE 1.1 schema before it
// is returned.
//
// CASE identifiers must be UUIDs. A framework or standard whose SourcedID
// is not one (a framework written in cairn, or imported from elsewhere)
// gets a name-based UUID (version 5) derived from it, the same on every
// export. Association identifiers are derived the same way from what they
// link, so exporting the same framework twice gives the same package.
func Export(fw *Framework, opt ExportOptions) (*CFPackage, error) {
	if opt.Now.IsZero() {
		return nil, errors.New("casepkg.Export: ExportOptions.Now is required")
	}
	when := opt.Now.UTC().Format(time.RFC3339)
	docID := caseID(fw.Framework.SourcedID, "framework:"+fw.Framework.Title)
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
	creator := fw.Framework.Creator
	if creator == "" {
		creator = opt.Creator
	}
	ext, err := json.Marshal(map[string]string{kindExtension: string(kindOrAcademic(fw.Framework.Kind))})
	if err != nil {
		return nil, err
	}
	pkg := &CFPackage{
		CFDocument: CFDocument{
			Identifier:         docID,
			URI:                docURI,
			CaseVersion:        Version11,
			Creator:            creator,
			Title:              fw.Framework.Title,
			LastChangeDateTime: when,
			Version:            fw.Framework.Version,
			Language:           fw.Framework.Lang(),
			Extensions:         ext,
		},
	}
	if fw.Framework.Subject != "" {
		pkg.CFDocument.Subject = StringList{fw.Framework.Subject}
	}
	docLink := LinkGenURI{Title: fw.Framework.Title, Identifier: docID, URI: docURI}

	ids := make(map[string]string, len(fw.Standards)) // SourcedID -> CASE identifier
	links := make(map[string]LinkGenURI, len(fw.Standards))
	for _, s := range fw.Standards {
		id := caseID(s.SourcedID, docID+"/standard:"+s.Code+":"+s.Statement)
		ids[s.SourcedID] = id
		title := s.Code
		if title == "" {
			title = shorten(s.Statement)
		}
		links[s.SourcedID] = LinkGenURI{Title: title, Identifier: id, URI: uri("CFItems", id, s.URI)}
	}
	assoc := func(typ string, origin, dest LinkGenURI, seq *int64) CFAssociation {
		id := nameUUID(docID, typ+"|"+origin.Identifier+"|"+dest.Identifier)
		return CFAssociation{
			Identifier:         id,
			AssociationType:    typ,
			SequenceNumber:     seq,
			URI:                uri("CFAssociations", id, ""),
			OriginNodeURI:      origin,
			DestinationNodeURI: dest,
			LastChangeDateTime: when,
		}
	}
	for _, s := range fw.Standards {
		l := links[s.SourcedID]
		pkg.CFItems = append(pkg.CFItems, CFItem{
			Identifier:         l.Identifier,
			FullStatement:      s.Statement,
			CFItemType:         s.Type,
			URI:                l.URI,
			HumanCodingScheme:  s.Code,
			EducationLevel:     StringList(s.EducationLevels),
			LastChangeDateTime: when,
		})
		parent := docLink
		if s.ParentSourcedID != "" {
			p, ok := links[s.ParentSourcedID]
			if !ok {
				return nil, fmt.Errorf("casepkg.Export: standard %s: parent %s is not in the framework", s.SourcedID, s.ParentSourcedID)
			}
			parent = p
		}
		seq := int64(s.Position)
		pkg.CFAssociations = append(pkg.CFAssociations, assoc(IsChildOf, l, parent, &seq))
	}
	for _, p := range fw.Prerequisites {
		pre, ok1 := links[p.PrerequisiteSourcedID]
		std, ok2 := links[p.StandardSourcedID]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("casepkg.Export: prerequisite %s of %s: both must be standards of the framework", p.PrerequisiteSourcedID, p.StandardSourcedID)
		}
		pkg.CFAssociations = append(pkg.CFAssociations, assoc(Precedes, pre, std, nil))
	}
	for _, c := range fw.Crosswalks {
		node := func(n Node) LinkGenURI {
			if l, ok := links[n.Identifier]; ok {
				return l
			}
			return LinkGenURI{Title: n.Title, Identifier: n.Identifier, URI: n.URI}
		}
		pkg.CFAssociations = append(pkg.CFAssociations, assoc(c.Type, node(c.Origin), node(c.Destination), nil))
	}

	var buf bytes.Buffer
	if err := pkg.WriteJSON(&buf); err != nil {
		return nil, err
	}
	if _, err := Parse(&buf, "export of "+fw.Framework.Title); err != nil {
		return nil, fmt.Errorf("casepkg.Export: the package written does not read back: %w", err)
	}
	return pkg, nil
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
