package cartridge

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
)

// manifestVersions are the namespaces of a cartridge's manifest, by
// version, written without their scheme: exporters write http or https.
var manifestVersions = map[string]string{
	"www.imsglobal.org/xsd/imscc/imscp_v1p1":     "1.0",
	"www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": "1.1",
	"www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1": "1.2",
	"www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1": "1.3",
}

// namespaceKey is ns without its scheme, trailing slash or case.
func namespaceKey(ns string) string {
	ns = strings.ToLower(strings.TrimSpace(ns))
	ns = strings.TrimPrefix(ns, "http://")
	ns = strings.TrimPrefix(ns, "https://")
	return strings.TrimSuffix(ns, "/")
}

// resourceKind says what a resource's type is. Types are written per
// version ("imswl_xmlv1p1" to "imswl_xmlv1p3"); some exporters break a
// long type over lines, so white space is dropped first. ok is false for
// a type cairn does not read.
func resourceKind(typ string) (k Kind, ok bool) {
	t := strings.ToLower(strings.Join(strings.Fields(typ), ""))
	switch {
	case t == "webcontent":
		return KindFile, true
	case strings.HasPrefix(t, "imswl_xmlv1p"):
		return KindWebLink, true
	case strings.HasPrefix(t, "imsbasiclti_xmlv1p"):
		return KindLTI, true
	case strings.HasPrefix(t, "imsdt_xmlv1p"):
		return KindDiscussion, true
	case strings.HasPrefix(t, "imsqti_xmlv") && strings.HasSuffix(t, "/assessment"):
		return KindAssessment, true
	case strings.HasPrefix(t, "assignment_xmlv1p"):
		return KindAssignment, true
	case strings.HasPrefix(t, "associatedcontent/") && strings.HasSuffix(t, "/learning-application-resource"):
		// What an outline item opens as a learning application resource
		// is, in the cartridges Canvas exports, an assignment (its page and
		// settings); elsewhere such resources are the files pages depend
		// on, which no item opens.
		return KindAssignment, true
	}
	return "", false
}

// resource is a manifest's resource as read.
type resource struct {
	el         *element
	identifier string
	typ        string
	kind       Kind
	known      bool
	href       string   // the launch file, in the package, or ""
	webHref    string   // the href, when it is a web address instead
	badPath    bool     // an href was refused
	files      []string // every file it lists, in the package
	referenced bool
}

// reader reads one cartridge.
type reader struct {
	c         *Cartridge
	files     fs.FS
	probs     badinput.List
	resources map[string]*resource
	order     []*resource
	entries   int
	full      bool                // limits.CartridgeActivities passed: stop adding
	folded    map[string][]string // the package's files by lower-case path, once needed
}

// Read reads a cartridge from its files (a zip's, or a folder's), the
// package named name in messages. It returns a *badinput.Error listing
// every problem, each with its file and line, when the cartridge cannot
// be read as it is; what it reads differently or leaves out is in the
// Cartridge's Warnings.
func Read(files fs.FS, name string) (*Cartridge, error) {
	f, err := files.Open(ManifestFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, badFile(name, "no imsmanifest.xml at the top of the package: a Common Cartridge describes its content there")
		}
		return nil, badFile(ManifestFile, "cannot be read: "+err.Error())
	}
	defer f.Close()
	return read(f, files, name)
}

// ReadManifest reads a cartridge that is its manifest alone, as a thin
// cartridge (links and LTI links only) may be sent; name names it in
// messages. A file the manifest names is reported missing.
func ReadManifest(r io.Reader, name string) (*Cartridge, error) {
	return read(r, nil, name)
}

func read(manifest io.Reader, files fs.FS, name string) (*Cartridge, error) {
	rd := &reader{c: &Cartridge{Name: name, files: files}, files: files, resources: map[string]*resource{}}
	root, err := readXML(manifest, limits.CartridgeManifestBytes, "a manifest")
	if err != nil {
		var xe *xmlError
		if errors.As(err, &xe) {
			rd.probs.Addf(ManifestFile, xe.line, xe.column, "", "%s", xe.reason)
			return nil, rd.probs.Err()
		}
		return nil, badFile(ManifestFile, err.Error())
	}
	if err := rd.manifest(root); err != nil {
		return nil, err
	}
	if err := rd.probs.Err(); err != nil {
		return nil, err
	}
	rd.c.Warnings, _ = rd.probs.Warnings()
	if _, more := rd.probs.Warnings(); more > 0 {
		rd.c.Warnings = append(rd.c.Warnings, badinput.Problem{Severity: badinput.SeverityWarning, File: ManifestFile,
			Reason: fmt.Sprintf("and %d more warnings", more)})
	}
	return rd.c, nil
}

// badFile is an error about a whole file.
func badFile(file, reason string) error {
	var l badinput.List
	l.Addf(file, 0, 0, "", "%s", reason)
	return l.Err()
}

func (rd *reader) errorf(el *element, field, format string, args ...any) {
	line, col := 0, 0
	if el != nil {
		line, col = el.line, el.column
	}
	rd.probs.Addf(ManifestFile, line, col, field, format, args...)
}

func (rd *reader) warnf(el *element, field, format string, args ...any) {
	line, col := 0, 0
	if el != nil {
		line, col = el.line, el.column
	}
	rd.probs.Warnf(ManifestFile, line, col, field, format, args...)
}

// manifest reads the manifest's root element: its version, metadata,
// resources, then the outline.
func (rd *reader) manifest(root *element) error {
	if !root.is("manifest") {
		rd.errorf(root, "", "the root element is <%s>: a Common Cartridge manifest is a <manifest>", root.name.Local)
		return rd.probs.Err()
	}
	ns := namespaceKey(root.name.Space)
	version, ok := manifestVersions[ns]
	switch {
	case ok:
	case ns == "www.imsglobal.org/xsd/imscp_v1p1" || ns == "www.imsproject.org/xsd/imscp_rootv1p1p2":
		rd.errorf(root, "", "an IMS content package (such as SCORM), not a Common Cartridge: export the course as Common Cartridge 1.1, 1.2 or 1.3")
		return rd.probs.Err()
	default:
		rd.errorf(root, "xmlns", "the namespace %q is not one of Common Cartridge 1.0 to 1.3 (http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1 for 1.3)", root.name.Space)
		return rd.probs.Err()
	}
	rd.c.Version = version
	rd.metadata(root.child("metadata"))

	resources := root.child("resources")
	base := resources.base()
	for _, el := range resources.all("resource") {
		rd.resource(el, base)
	}
	orgs := root.child("organizations")
	if n := len(orgs.all("organization")); n > 1 {
		rd.warnf(orgs, "organizations", "%d organizations: a cartridge has one; only the first is read", n)
	}
	if org := orgs.child("organization"); org != nil {
		rd.items(org, nil, nil)
	}
	// Links no item names are still the teacher's (a thin cartridge may
	// list its links without an outline); other resources no item names
	// are what pages depend on (images, style sheets), not activities.
	for _, r := range rd.order {
		if !r.referenced && (r.kind == KindWebLink || r.kind == KindLTI) {
			rd.entry(r.el, r, r.identifier, "", nil, nil)
		}
	}
	if len(rd.c.Entries) == 0 && rd.probs.Len() == 0 {
		rd.warnf(root, "", "the cartridge holds nothing cairn imports: no link, LTI link, file, assessment or discussion")
	}
	return nil
}

// metadata reads the cartridge's schema, version, title and language.
func (rd *reader) metadata(md *element) {
	schema := md.child("schema").value()
	rd.c.Thin = strings.Contains(strings.ToLower(schema), "thin")
	if v := md.child("schemaversion").value(); v != "" && !strings.HasPrefix(v, rd.c.Version) {
		rd.warnf(md.child("schemaversion"), "schemaversion", "version %s, but the manifest's namespace is that of Common Cartridge %s: read as %s", v, rd.c.Version, rd.c.Version)
	}
	general := md.child("lom").child("general")
	rd.c.Language = general.child("language").value()
	if len(rd.c.Language) > limits.Identifier {
		rd.warnf(general.child("language"), "language", "longer than the %d characters a language tag may have: left out", limits.Identifier)
		rd.c.Language = ""
	}
	title := general.child("title").langString(rd.c.Language)
	if reason := limits.TooLong(title, limits.Title, "a title"); reason != "" {
		rd.errorf(general.child("title"), "title", "the course's title is %s", reason)
		title = ""
	}
	rd.c.Title = title
}

// resource reads one <resource>.
func (rd *reader) resource(el *element, base string) {
	id := el.get("identifier")
	switch {
	case id == "":
		rd.errorf(el, "identifier", "a resource needs an identifier")
		return
	case len(id) > limits.Identifier:
		rd.errorf(el, "identifier", "longer than the %d characters an identifier may have", limits.Identifier)
		return
	case rd.resources[id] != nil:
		rd.errorf(el, "identifier", "resource %q is already defined on line %d", id, rd.resources[id].el.line)
		return
	}
	r := &resource{el: el, identifier: id, typ: el.get("type")}
	r.kind, r.known = resourceKind(r.typ)
	base = joinBase(base, el.base())
	if h := el.get("href"); h != "" {
		switch p, web, ok := rd.packagePath(el, "href", base, h); {
		case web:
			r.webHref = strings.TrimSpace(h)
		case ok:
			r.href = p
		default:
			r.badPath = true
		}
	}
	for _, f := range el.all("file") {
		switch p, web, ok := rd.packagePath(f, "file.href", base, f.get("href")); {
		case web:
			rd.warnf(f, "file.href", "%q is a web address, not a file of the package: left out", f.get("href"))
		case ok:
			r.files = append(r.files, p)
		default:
			r.badPath = true
		}
	}
	rd.resources[id] = r
	rd.order = append(rd.order, r)
}

// joinBase joins an element's xml:base onto its parent's.
func joinBase(parent, base string) string {
	if base == "" {
		return parent
	}
	if parent == "" || strings.HasPrefix(base, "/") {
		return base
	}
	return strings.TrimSuffix(parent, "/") + "/" + base
}

// packagePath turns an href of the manifest into a path in the package:
// its xml:base before it, percent-escapes decoded. An href that leaves
// the package (an absolute path, "..") is refused: the package's files
// are all that a cartridge may name. A web address is not a file of the
// package: web is true, without a problem, for the caller to decide.
func (rd *reader) packagePath(el *element, field, base, href string) (p string, web, ok bool) {
	if href == "" {
		rd.errorf(el, field, "empty: a file needs its path in the package")
		return "", false, false
	}
	if len(href)+len(base) > limits.URL {
		rd.errorf(el, field, "longer than the %d characters a path may have", limits.URL)
		return "", false, false
	}
	if u, err := url.Parse(strings.TrimSpace(href)); err == nil && len(u.Scheme) > 1 {
		return "", true, false
	}
	p = href
	if base != "" && !strings.HasPrefix(href, "/") {
		p = strings.TrimSuffix(base, "/") + "/" + href
	}
	if s, err := url.PathUnescape(p); err == nil {
		p = s
	}
	if reason := unsafePath(p); reason != "" {
		rd.errorf(el, field, "%q %s", href, reason)
		return "", false, false
	}
	return path.Clean(strings.TrimPrefix(p, "./")), false, true
}

// unsafePath says why p is not a path inside a package, or "".
func unsafePath(p string) string {
	switch {
	case strings.ContainsRune(p, 0):
		return "holds a NUL character"
	case strings.Contains(p, `\`):
		return "uses backslashes: paths in a package are written with /"
	case strings.HasPrefix(p, "/"), len(p) > 1 && p[1] == ':':
		return "is an absolute path: a path in a package starts at its top"
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "climbs out of its folder with ..: a path must stay inside the package"
		}
	}
	return ""
}

// items reads the items under el: an item that opens a resource is an
// entry; one that holds items is a folder whose title (and standards)
// its entries carry.
func (rd *reader) items(el *element, folders []string, inherited []*element) {
	for _, it := range el.all("item") {
		title := it.child("title").value()
		if reason := limits.TooLong(title, limits.Title, "a title"); reason != "" {
			rd.errorf(it.child("title"), "item.title", "%s", reason)
			title = ""
		}
		sets := append(inherited[:len(inherited):len(inherited)], it.child("metadata").find("curriculumStandardsMetadataSet")...)
		if ref := it.get("identifierref"); ref != "" {
			r := rd.resources[ref]
			if r == nil {
				rd.errorf(it, "identifierref", "item %q opens resource %q, which the manifest does not define", it.get("identifier"), ref)
			} else {
				r.referenced = true
				rd.entry(it, r, it.get("identifier"), title, folders, sets)
			}
		}
		if len(it.all("item")) > 0 {
			inner := folders
			if title != "" {
				inner = append(folders[:len(folders):len(folders)], title)
			}
			rd.items(it, inner, sets)
		}
	}
}

// entry makes the entry that item it opens in r, with the title the
// item gives (or ""), in folders, with the standards of sets.
func (rd *reader) entry(it *element, r *resource, id, title string, folders []string, sets []*element) {
	if rd.full {
		return
	}
	if !r.known {
		rd.warnf(it, "type", "%q opens resource %q of type %q, which cairn does not read: left out", orFallback(title, id), r.identifier, strings.Join(strings.Fields(r.typ), ""))
		return
	}
	if rd.c.Thin && r.kind != KindWebLink && r.kind != KindLTI {
		rd.warnf(it, "type", "a thin cartridge holds links and LTI links only, but %q is of type %q: read all the same", orFallback(title, id), r.typ)
	}
	rd.entries++
	if rd.entries > limits.CartridgeActivities {
		rd.errorf(it, "", "more than the %d activities a cartridge may bring", limits.CartridgeActivities)
		rd.full = true
		return
	}
	e := Entry{Identifier: id, Resource: r.identifier, Title: title, Folders: folders, Kind: r.kind, Line: it.line}
	switch r.kind {
	case KindWebLink:
		if !rd.webLink(r, &e) {
			return
		}
	case KindLTI:
		if !rd.ltiLink(r, &e) {
			return
		}
	case KindFile:
		if !rd.file(r, &e) {
			return
		}
	case KindAssessment:
		rd.warnf(it, "", "%q is an assessment: kept as an activity with its title; its questions are not imported", orFallback(title, id))
	case KindDiscussion:
		rd.warnf(it, "", "%q is a discussion: kept as an activity with its title; its prompt and posts are not imported", orFallback(title, id))
	case KindAssignment:
		rd.warnf(it, "", "%q is an assignment: kept as an activity with its title; its instructions and attachments are not imported", orFallback(title, id))
	}
	if e.Title == "" {
		e.Title = orFallback(id, r.identifier)
	}
	sets = append(sets[:len(sets):len(sets)], r.el.child("metadata").find("curriculumStandardsMetadataSet")...)
	e.Standards = rd.alignments(it, sets)
	rd.c.Entries = append(rd.c.Entries, e)
}

func orFallback(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// alignments reads the standards of sets, each GUID once, in order.
func (rd *reader) alignments(at *element, sets []*element) []Alignment {
	var out []Alignment
	seen := map[string]bool{}
	for _, set := range sets {
		for _, md := range set.all("curriculumStandardsMetadata") {
			provider := md.get("providerId")
			for _, guids := range md.all("setOfGUIDs") {
				for _, lg := range guids.all("labelledGUID") {
					g := lg.child("GUID")
					guid := g.value()
					switch {
					case guid == "":
						rd.warnf(lg, "GUID", "a labelledGUID without a GUID: left out")
						continue
					case len(guid) > limits.Identifier:
						rd.errorf(g, "GUID", "longer than the %d characters an identifier may have", limits.Identifier)
						continue
					case seen[guid]:
						continue
					}
					label := lg.child("label").value()
					if reason := limits.TooLong(label, limits.Statement, "a label"); reason != "" {
						rd.errorf(lg.child("label"), "label", "%s", reason)
						continue
					}
					if len(out) == limits.CartridgeAlignments {
						rd.errorf(at, "curriculumStandardsMetadataSet", "more than the %d standards an activity may be aligned to", limits.CartridgeAlignments)
						return out
					}
					seen[guid] = true
					out = append(out, Alignment{GUID: guid, Label: label, Provider: clip(provider), Region: clip(guids.get("region")),
						Version: clip(guids.get("version")), Line: g.line})
				}
			}
		}
	}
	return out
}

// clip keeps an attribute that only describes within an identifier's
// length (it is shown, never matched).
func clip(s string) string {
	if len(s) <= limits.Identifier {
		return s
	}
	r := []rune(s)
	if len(r) > limits.Identifier {
		r = r[:limits.Identifier]
	}
	return string(r)
}
