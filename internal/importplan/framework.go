package importplan

import "github.com/cairn-learning/cairn/internal/standards"

// CASEStandard is a standard with what CASE published of it: its URI and
// its CFItem as published.
type CASEStandard struct {
	standards.Standard
	URI  string
	Item []byte
}

// FrameworkSnapshot is what a district holds that a CASE import of one
// framework is planned against.
type FrameworkSnapshot struct {
	// DistrictID is the district imported into.
	DistrictID int64
	// Exists says whether the district has the framework (by its CASE
	// identifier); then Framework is it as stored, with its URI and its
	// CFDocument and CFDefinitions as published, Crosswalks and
	// Associations are its own.
	Exists       bool
	Framework    standards.Framework
	URI          string
	Document     []byte
	Definitions  []byte
	Crosswalks   []standards.Crosswalk
	Associations []standards.Association
	// ScaleID is the proficiency scale a new framework gets: the one the
	// import asks for, or the district's first; 0 when the district has
	// none, and the plan creates one.
	ScaleID int64
	// Standards are the district's standards that have a CASE identifier,
	// whatever their framework: an identifier is unique in the district.
	Standards []CASEStandard
	// Prerequisites are every prerequisite of the district.
	Prerequisites []standards.Prerequisite
	// IDs gives the ids of new scales, frameworks and standards.
	IDs IDs
}

// FrameworkPlan is what a CASE import writes, in the order the store
// applies it.
type FrameworkPlan struct {
	Counts
	// NewScale, when not nil, is created (with its ID) for a new
	// framework: the district had no scale.
	NewScale *standards.Scale
	// Framework is the framework as it is after the import, with its ID;
	// Create says to create it, Update to write its fields (the scale of
	// a framework that existed stays). URI, Document and Definitions are
	// written with it.
	Framework      standards.Framework
	Create, Update bool
	URI            string
	Document       []byte
	Definitions    []byte
	// Standards are the standards to create or change, parents before
	// children, with their ids.
	Standards []CASEStandard
	// Retire are the standards the package no longer has.
	Retire []int64
	// PrerequisitesRemoved and PrerequisitesAdded are the prerequisite
	// edges to delete and add.
	PrerequisitesRemoved, PrerequisitesAdded []standards.Prerequisite
	// Crosswalks, when ReplaceCrosswalks, replace the framework's.
	ReplaceCrosswalks bool
	Crosswalks        []standards.Crosswalk
	// Associations, when ReplaceAssociations, replace the framework's as
	// published.
	ReplaceAssociations bool
	Associations        []standards.Association
	// Touch says the framework changed: its changed_at is set.
	Touch bool
	// Affected are the standards whose rollups change, sorted: the store
	// recomputes mastery on them.
	Affected []int64
}
