package casepkg

import (
	"bytes"
	"encoding/json"
)

// CFPackage is a CASE package as published: the document, its items, the
// associations between them and the definitions they use. The fields cover
// CASE 1.0 and 1.1; those a version lacks stay empty. CFDefinitions (the
// vocabularies a package uses: concepts, subjects, licences, item types,
// association groupings) are kept as published and not interpreted; CASE
// 1.0 packages may give an empty array for "none".
type CFPackage struct {
	CFDocument     CFDocument        `json:"CFDocument"`
	CFItems        []CFItem          `json:"CFItems,omitempty"`
	CFAssociations []CFAssociation   `json:"CFAssociations,omitempty"`
	CFDefinitions  json.RawMessage   `json:"CFDefinitions,omitempty"`
	CFRubrics      []json.RawMessage `json:"CFRubrics,omitempty"`
	Extensions     json.RawMessage   `json:"extensions,omitempty"`
}

// CFDocument is the root of a framework.
type CFDocument struct {
	Identifier         string          `json:"identifier"`
	URI                string          `json:"uri"`
	FrameworkType      string          `json:"frameworkType,omitempty"` // 1.1
	CaseVersion        string          `json:"caseVersion,omitempty"`   // 1.1: "1.1"
	Creator            string          `json:"creator"`
	Title              string          `json:"title"`
	LastChangeDateTime string          `json:"lastChangeDateTime"`
	OfficialSourceURL  string          `json:"officialSourceURL,omitempty"`
	Publisher          string          `json:"publisher,omitempty"`
	Description        string          `json:"description,omitempty"`
	Subject            StringList      `json:"subject,omitempty"`
	SubjectURI         []LinkURI       `json:"subjectURI,omitempty"`
	Language           string          `json:"language,omitempty"`
	Version            string          `json:"version,omitempty"`
	AdoptionStatus     string          `json:"adoptionStatus,omitempty"`
	StatusStartDate    string          `json:"statusStartDate,omitempty"`
	StatusEndDate      string          `json:"statusEndDate,omitempty"`
	LicenseURI         *LinkURI        `json:"licenseURI,omitempty"`
	Notes              string          `json:"notes,omitempty"`
	Extensions         json.RawMessage `json:"extensions,omitempty"`
	CFPackageURI       *LinkURI        `json:"CFPackageURI,omitempty"` // 1.0 only
}

// CFItem is one statement of a framework: a standard, a cluster, a domain.
type CFItem struct {
	Identifier           string          `json:"identifier"`
	FullStatement        string          `json:"fullStatement"`
	AlternativeLabel     string          `json:"alternativeLabel,omitempty"`
	CFItemType           string          `json:"CFItemType,omitempty"`
	URI                  string          `json:"uri"`
	HumanCodingScheme    string          `json:"humanCodingScheme,omitempty"`
	ListEnumeration      string          `json:"listEnumeration,omitempty"`
	AbbreviatedStatement string          `json:"abbreviatedStatement,omitempty"`
	ConceptKeywords      StringList      `json:"conceptKeywords,omitempty"`
	ConceptKeywordsURI   *LinkURI        `json:"conceptKeywordsURI,omitempty"`
	Notes                string          `json:"notes,omitempty"`
	Subject              StringList      `json:"subject,omitempty"`    // 1.1
	SubjectURI           []LinkURI       `json:"subjectURI,omitempty"` // 1.1
	Language             string          `json:"language,omitempty"`
	EducationLevel       StringList      `json:"educationLevel,omitempty"`
	CFItemTypeURI        *LinkURI        `json:"CFItemTypeURI,omitempty"`
	LicenseURI           *LinkURI        `json:"licenseURI,omitempty"`
	StatusStartDate      string          `json:"statusStartDate,omitempty"`
	StatusEndDate        string          `json:"statusEndDate,omitempty"`
	LastChangeDateTime   string          `json:"lastChangeDateTime"`
	Extensions           json.RawMessage `json:"extensions,omitempty"`
	CFDocumentURI        *LinkURI        `json:"CFDocumentURI,omitempty"` // 1.0 only
}

// CFAssociation links two nodes: an item and its parent (isChildOf), a
// prerequisite and what it precedes (precedes), an item and an equivalent in
// another framework (exactMatchOf, isRelatedTo)...
type CFAssociation struct {
	Identifier               string          `json:"identifier"`
	AssociationType          string          `json:"associationType"`
	SequenceNumber           *int64          `json:"sequenceNumber,omitempty"`
	URI                      string          `json:"uri"`
	OriginNodeURI            LinkGenURI      `json:"originNodeURI"`
	DestinationNodeURI       LinkGenURI      `json:"destinationNodeURI"`
	CFAssociationGroupingURI *LinkURI        `json:"CFAssociationGroupingURI,omitempty"`
	LastChangeDateTime       string          `json:"lastChangeDateTime"`
	Notes                    string          `json:"notes,omitempty"` // 1.1
	Extensions               json.RawMessage `json:"extensions,omitempty"`
	CFDocumentURI            *LinkURI        `json:"CFDocumentURI,omitempty"` // 1.0 only
}

// LinkURI points at another CASE object by identifier and URI.
type LinkURI struct {
	Title      string `json:"title"`
	Identifier string `json:"identifier"`
	URI        string `json:"uri"`
}

// LinkGenURI points at an association's end, which may lie outside CASE.
type LinkGenURI struct {
	Title      string `json:"title"`
	Identifier string `json:"identifier"`
	URI        string `json:"uri"`
	TargetType string `json:"targetType,omitempty"` // 1.1
}

// StringList is a list of strings that CASE 1.0 packages sometimes give as
// a single string or as null.
type StringList []string

// UnmarshalJSON accepts a string, an array of strings or null.
func (s *StringList) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	switch {
	case bytes.Equal(t, []byte("null")):
		*s = nil
		return nil
	case len(t) > 0 && t[0] == '"':
		var one string
		if err := json.Unmarshal(t, &one); err != nil {
			return err
		}
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(t, &many); err != nil {
		return err
	}
	*s = many
	return nil
}
