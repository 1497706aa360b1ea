package casepkg

import (
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
}

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
}

// Prerequisite says that the standard PrerequisiteSourcedID must be
// mastered before StandardSourcedID (CASE: the prerequisite precedes the
// standard).
type Prerequisite struct {
	StandardSourcedID     string `json:"standardSourcedId"`
	PrerequisiteSourcedID string `json:"prerequisiteSourcedId"`
}

// Crosswalk is an association kept as published: which node it goes from
// and to, and what it says (isRelatedTo, exactMatchOf, precedes).
type Crosswalk struct {
	Type        string `json:"type"`
	Origin      Node   `json:"origin"`
	Destination Node   `json:"destination"`
}

// Node is one end of an association: an item of this or another framework,
// or something outside CASE.
type Node struct {
	Identifier string `json:"identifier"`
	URI        string `json:"uri,omitempty"`
	Title      string `json:"title,omitempty"`
}

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
