package cartridge

import (
	"io"
	"io/fs"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
)

// ManifestFile is the file at the top of every cartridge that describes
// the rest.
const ManifestFile = "imsmanifest.xml"

// Cartridge is a Common Cartridge package as cairn reads it: the course's
// title and language, and its entries (pages, links, files, quizzes) in
// the order of its outline, each with the standards it is aligned to.
type Cartridge struct {
	// Name is the package as the person knows it ("fractions.imscc").
	Name string
	// Version is the version of Common Cartridge: "1.0" to "1.3".
	Version string
	// Thin is true for a Thin Common Cartridge (links and LTI links only).
	Thin bool
	// Title and Language are the course's, from the manifest's metadata
	// ("" when it has none).
	Title, Language string
	// Entries are what the cartridge holds that a teacher may use as an
	// activity, in outline order, then the links no outline entry names.
	Entries []Entry
	// Warnings are what the cartridge has that is not imported, or is
	// imported differently from how the cartridge has it.
	Warnings []badinput.Problem

	files  fs.FS     // the package's files; nil for a manifest alone
	closer io.Closer // what Open opened, for Close
}

// Kind is what an entry of a cartridge is.
type Kind string

// The kinds of entries. A link, an LTI link or a file becomes an activity
// as it is; an assessment, a discussion or an assignment is kept by its
// title only (its questions or prompt stay in the cartridge).
const (
	KindWebLink    Kind = "weblink"
	KindLTI        Kind = "lti"
	KindFile       Kind = "file"
	KindAssessment Kind = "assessment"
	KindDiscussion Kind = "discussion"
	KindAssignment Kind = "assignment"
)

// Entry is one thing of a cartridge a teacher may use as an activity: an
// item of its outline and the resource the item opens.
type Entry struct {
	// Identifier is the item's identifier in the manifest (the
	// resource's, for a link no item names).
	Identifier string `json:"identifier"`
	// Resource is the identifier of the resource the item opens.
	Resource string `json:"resource"`
	// Title is the item's title, or the link's, or the file's name.
	Title string `json:"title"`
	// Folders are the titles of the outline's folders (modules, weeks)
	// the item is in, outermost first.
	Folders []string `json:"folders,omitempty"`
	Kind    Kind     `json:"kind"`
	// URL is a link's address or an LTI link's launch address.
	URL string `json:"url,omitempty"`
	// File is a file's path in the package, Size its size uncompressed
	// and MediaType its type, from its extension.
	File      string `json:"file,omitempty"`
	Size      int64  `json:"size,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	// Standards are the standards the entry is aligned to: the item's,
	// the resource's and those of the folders it is in, each once.
	Standards []Alignment `json:"standards,omitempty"`
	// Line is where the item (or the resource) is in the manifest.
	Line int `json:"line"`
}

// Alignment is one standard an entry names in its curriculum standards
// metadata: a setOfGUIDs' labelledGUID.
type Alignment struct {
	// GUID names the standard: a CASE item identifier when the provider
	// is a CASE publisher.
	GUID string `json:"guid"`
	// Label is the label given beside it (often the standard's code).
	Label string `json:"label,omitempty"`
	// Provider is the curriculumStandardsMetadata's providerId, Region
	// and Version the setOfGUIDs' region and version: who published the
	// standards, where they apply, which edition.
	Provider string `json:"provider,omitempty"`
	Region   string `json:"region,omitempty"`
	Version  string `json:"version,omitempty"`
	// Line is where the GUID is in the manifest.
	Line int `json:"line"`
}
