package standards

import "encoding/json"

// What a framework imported from CASE keeps as published, beside its
// standards: the store holds these for each framework, and the CASE
// package (internal/interop/casepkg) reads and writes them.

// Association is one CFAssociation as published, with the parts an
// export matches it by: its type and the identifiers of its ends.
type Association struct {
	Identifier  string `json:"identifier"`
	Type        string `json:"type"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	// Modelled says that cairn acted on it: the parent link it chose for
	// an item, a prerequisite, a crosswalk. An export keeps a modelled
	// association only while cairn still holds what it says; the others
	// (a second parent, types cairn does not read) go back as published.
	Modelled bool `json:"modelled,omitempty"`
	// JSON is the CFAssociation as published.
	JSON json.RawMessage `json:"json"`
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
