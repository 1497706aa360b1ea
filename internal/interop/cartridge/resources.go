package cartridge

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/cairn-learning/cairn/internal/limits"
)

// descriptor is the XML that describes a link or an LTI link: inline in
// its resource (Common Cartridge 1.3 and thin cartridges allow it), or
// the resource's file. It returns the descriptor's root element and the
// file it is in (the manifest when inline), or false after reporting why
// there is none.
func (rd *reader) descriptor(r *resource, root string) (*element, string, bool) {
	if el := r.el.child(root); el != nil {
		return el, ManifestFile, true
	}
	file := r.href
	if file == "" && len(r.files) > 0 {
		file = r.files[0]
	}
	if file == "" && r.badPath {
		return nil, "", false // reported
	}
	if file == "" {
		rd.errorf(r.el, "file", "resource %q names no file describing it and holds no <%s>", r.identifier, root)
		return nil, "", false
	}
	if rd.files == nil {
		rd.errorf(r.el, "file", "resource %q is described in %s, but the manifest came alone, without the package's files", r.identifier, file)
		return nil, "", false
	}
	file = rd.findFile(r.el, file)
	f, err := rd.files.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			rd.errorf(r.el, "file", "resource %q is described in %s, which is not in the package", r.identifier, file)
		} else {
			rd.errorf(r.el, "file", "resource %q: %s cannot be read: %v", r.identifier, file, err)
		}
		return nil, "", false
	}
	defer f.Close()
	el, err := readXML(f, limits.CartridgeDescriptorBytes, "the file describing a link")
	if err != nil {
		var xe *xmlError
		if errors.As(err, &xe) {
			rd.probs.Addf(file, xe.line, xe.column, "", "%s", xe.reason)
		} else {
			rd.probs.Addf(file, 0, 0, "", "%v", err)
		}
		return nil, "", false
	}
	if !el.is(root) {
		rd.probs.Addf(file, el.line, el.column, "", "the root element is <%s>: resource %q of type %q is described by a <%s>", el.name.Local, r.identifier, r.typ, root)
		return nil, "", false
	}
	return el, file, true
}

// webLink reads a web link's title and address.
func (rd *reader) webLink(r *resource, e *Entry) bool {
	wl, file, ok := rd.descriptor(r, "webLink")
	if !ok {
		return false
	}
	if e.Title == "" {
		e.Title = rd.title(file, wl.child("title"))
	}
	u := wl.child("url")
	return rd.address(file, u, "url.href", strings.TrimSpace(u.get("href")), e)
}

// ltiLink reads an LTI link's title and launch address: the secure one
// when it is given, as LTI consumers do.
func (rd *reader) ltiLink(r *resource, e *Entry) bool {
	lti, file, ok := rd.descriptor(r, "cartridge_basiclti_link")
	if !ok {
		return false
	}
	if e.Title == "" {
		e.Title = rd.title(file, lti.child("title"))
	}
	field, launch := "secure_launch_url", lti.child("secure_launch_url")
	if launch.value() == "" {
		field, launch = "launch_url", lti.child("launch_url")
	}
	return rd.address(file, launch, field, launch.value(), e)
}

// title is a descriptor's title, refused past limits.Title.
func (rd *reader) title(file string, el *element) string {
	t := el.value()
	if reason := limits.TooLong(t, limits.Title, "a title"); reason != "" {
		rd.probs.Addf(file, el.line, el.column, "title", "%s", reason)
		return ""
	}
	return t
}

// address checks a link's address: an http or https address within
// limits.URL. A link elsewhere (mailto:, javascript:, a file on the
// teacher's computer) cannot be opened from cairn: the entry is left out
// with a warning, as the rest of the cartridge is still the teacher's.
func (rd *reader) address(file string, el *element, field, addr string, e *Entry) bool {
	line, col := 0, 0
	if el != nil {
		line, col = el.line, el.column
	}
	if addr == "" {
		rd.probs.Warnf(file, line, col, field, "%q has no address: left out", e.Title)
		return false
	}
	if len(addr) > limits.URL {
		rd.probs.Addf(file, line, col, field, "longer than the %d characters an address may have", limits.URL)
		return false
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		rd.probs.Warnf(file, line, col, field, "%q links to %q, which is not an http(s) address: left out", e.Title, addr)
		return false
	}
	e.URL = addr
	return true
}

// file reads a web content resource: the file it opens (its href, or its
// only file), which must be in the package.
func (rd *reader) file(r *resource, e *Entry) bool {
	file := r.href
	if file == "" && len(r.files) > 0 {
		file = r.files[0]
	}
	switch {
	case file == "" && r.webHref != "":
		// A web address as a web content's href: a link, written as a
		// file by some exporters.
		e.Kind = KindWebLink
		return rd.address(ManifestFile, r.el, "href", r.webHref, e)
	case file == "" && r.badPath:
		return false // reported
	case file == "":
		rd.errorf(r.el, "href", "resource %q names no file to open", r.identifier)
		return false
	}
	if rd.files == nil {
		rd.errorf(r.el, "href", "resource %q opens %s, but the manifest came alone, without the package's files", r.identifier, file)
		return false
	}
	named := file
	file = rd.findFile(r.el, file)
	info, err := fs.Stat(rd.files, file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rd.errorf(r.el, "href", "resource %q opens %s, which is not in the package", r.identifier, file)
		return false
	case err != nil:
		rd.errorf(r.el, "href", "resource %q opens %s, which cannot be read: %v", r.identifier, file, err)
		return false
	case info.IsDir():
		rd.errorf(r.el, "href", "resource %q opens %s, which is a folder, not a file", r.identifier, file)
		return false
	}
	e.File, e.Size = file, info.Size()
	e.MediaType = mediaType(file)
	if e.Title == "" {
		e.Title = path.Base(file)
		if reason := limits.TooLong(e.Title, limits.Title, "a title"); reason != "" {
			rd.errorf(r.el, "href", "the file's name is %s", reason)
			return false
		}
	}
	others, deps := 0, len(r.el.all("dependency"))
	for _, f := range r.files {
		if f != named && f != file {
			others++
		}
	}
	if others > 0 || deps > 0 {
		rd.warnf(r.el, "", "%q: only %s is imported, not the %s it shows or links to", e.Title, file, filesPhrase(others, deps))
	}
	return true
}

func filesPhrase(files, deps int) string {
	var parts []string
	switch {
	case files == 1:
		parts = append(parts, "other file")
	case files > 1:
		parts = append(parts, fmt.Sprintf("%d other files", files))
	}
	switch {
	case deps == 1:
		parts = append(parts, "resource it depends on")
	case deps > 1:
		parts = append(parts, fmt.Sprintf("%d resources it depends on", deps))
	}
	return strings.Join(parts, " and the ")
}

// mediaTypes are the types of the files teachers put in courses, by
// extension. A table of its own, not the system's (mime.TypeByExtension
// reads the machine's tables), so that an import plans the same
// everywhere.
var mediaTypes = map[string]string{
	".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml",
	".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".rtf": "application/rtf",
	".pdf": "application/pdf", ".epub": "application/epub+zip",
	".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".odt": "application/vnd.oasis.opendocument.text",
	".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odp": "application/vnd.oasis.opendocument.presentation", ".key": "application/vnd.apple.keynote",
	".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ods": "application/vnd.oasis.opendocument.spreadsheet",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp",
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime", ".ogv": "video/ogg",
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".ogg": "audio/ogg",
	".zip": "application/zip",
}

// mediaType is the type of a file by its extension, or
// application/octet-stream.
func mediaType(file string) string {
	if t, ok := mediaTypes[strings.ToLower(path.Ext(file))]; ok {
		return t
	}
	return "application/octet-stream"
}

// findFile returns the path of the package's file that p names: p when it
// is there, else the one file whose path differs from p only in case (a
// course made on Windows or macOS names "Images/Map.png" what its zip
// holds as "images/map.png"), with a warning; else p, for the caller to
// report missing.
func (rd *reader) findFile(at *element, p string) string {
	if _, err := fs.Stat(rd.files, p); err == nil {
		return p
	}
	if rd.folded == nil {
		rd.folded = map[string][]string{}
		n := 0
		fs.WalkDir(rd.files, ".", func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if n++; n > limits.CartridgeFiles {
				return fs.SkipAll
			}
			if !d.IsDir() {
				k := strings.ToLower(q)
				rd.folded[k] = append(rd.folded[k], q)
			}
			return nil
		})
	}
	if found := rd.folded[strings.ToLower(p)]; len(found) == 1 {
		rd.warnf(at, "href", "%s is not in the package, but %s is: read as that", p, found[0])
		return found[0]
	}
	return p
}
