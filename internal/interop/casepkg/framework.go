package casepkg

import (
	"encoding/json"
	"time"

	"github.com/cairn-learning/cairn/internal/standards"
)

// Framework is a CASE framework in cairn's terms, keyed by CASE
// identifiers rather than database ids: the store resolves
// ParentSourcedID, the prerequisites and the crosswalks to ids when it
// imports, and matches standards to those it already has by SourcedID.
type Framework struct {
	// Framework has SourcedID set to the CFDocument identifier; ID,
	// DistrictID and ScaleID are left for the store.
	Framework standards.Framework `json:"framework"`
	// URI is the CFDocument's URI.
	URI string `json:"uri,omitempty"`
	// Standards are the framework's items depth first, each after its
	// parent and among its siblings in order.
	Standards []Standard `json:"standards"`
	// Prerequisites come from precedes associations between items of the
	// framework.
	Prerequisites []Prerequisite `json:"prerequisites,omitempty"`
	// Crosswalks link the framework's items to others: isRelatedTo and
	// exactMatchOf associations, and precedes associations with one end
	// outside the framework.
	Crosswalks []Crosswalk `json:"crosswalks,omitempty"`

	// Document is the CFDocument as published, and Definitions the
	// package's CFDefinitions, kept so that an export gives back what cairn
	// does not model (notes, publisher, adoptionStatus, officialSourceURL,
	// subjectURI, lastChangeDateTime...). Both are empty for a framework
	// made in cairn.
	Document    json.RawMessage `json:"document,omitempty"`
	Definitions json.RawMessage `json:"definitions,omitempty"`
	// Associations are every association of the package as published, in
	// its order (exact duplicates left out), so that an export keeps their
	// identifiers, URIs and what cairn does not model.
	Associations []Association `json:"associations,omitempty"`
	// Changed is when the framework last changed in cairn: the
	// lastChangeDateTime of what an export writes that differs from its
	// published copy or has none. Zero means "not known": Export then
	// uses ExportOptions.Now.
	Changed time.Time `json:"changed,omitzero"`
}

// Association is one CFAssociation as published (see
// standards.Association).
type Association = standards.Association

// Standard is one CFItem. Its SourcedID is the CFItem identifier, Code the
// humanCodingScheme, Statement the fullStatement, Type the CFItemType,
// EducationLevels the educationLevel, Position its 1-based place among its
// siblings. ID, DistrictID, FrameworkID and ParentID are left for the store.
type Standard struct {
	standards.Standard
	// ParentSourcedID is the identifier of the parent item, or "" for an
	// item directly below the framework.
	ParentSourcedID string `json:"parentSourcedId,omitempty"`
	// URI is the CFItem's URI.
	URI string `json:"uri,omitempty"`
	// Item is the CFItem as published, kept so that an export gives back
	// what cairn does not model (language, listEnumeration, notes,
	// abbreviatedStatement, CFItemTypeURI, lastChangeDateTime...); empty
	// for a standard made in cairn.
	Item json.RawMessage `json:"item,omitempty"`
}

// Prerequisite says that the standard PrerequisiteSourcedID must be
// mastered before StandardSourcedID (CASE: the prerequisite precedes the
// standard).
type Prerequisite struct {
	StandardSourcedID     string `json:"standardSourcedId"`
	PrerequisiteSourcedID string `json:"prerequisiteSourcedId"`
}

// Crosswalk is an association kept as published (see
// standards.Crosswalk).
type Crosswalk = standards.Crosswalk

// Node is one end of a crosswalk (see standards.Node).
type Node = standards.Node

// Association types cairn reads.
const (
	IsChildOf    = "isChildOf"
	Precedes     = "precedes"
	IsRelatedTo  = "isRelatedTo"
	ExactMatchOf = "exactMatchOf"
)

// kindExtension is the CFDocument extension in which an export records the
// framework's kind, so that a disposition framework comes back as one.
const kindExtension = "cairnFrameworkKind"
