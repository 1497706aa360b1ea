// Package casepkg reads and writes standards frameworks as CASE packages
// (1EdTech Competencies and Academic Standards Exchange, versions 1.0 and
// 1.1), the form in which states and publishers publish their standards.
//
// Parse (or Fetch, from a CASE server) validates a CFPackage against the
// CASE JSON Schema of its version, embedded in this package, then against
// cairn's own rules, and returns a Framework: the framework, its standards
// in hierarchy order, prerequisites and crosswalks, all keyed by CASE
// identifiers, ready for the store to match against what it already holds.
// Diff says which standards an import would create, update or retire.
// Export writes any framework back as a CASE 1.1 CFPackage that Parse reads
// as the same framework; an imported framework that did not change is
// written as the package it came from, apart from the few normalisations
// docs/interop.md lists (the records as published travel in Framework).
//
// How CASE maps onto cairn:
//
//	CFDocument                      the Framework (SourcedID = identifier)
//	CFItem                          a Standard: humanCodingScheme -> Code,
//	                                fullStatement -> Statement, CFItemType -> Type,
//	                                educationLevel -> EducationLevels
//	isChildOf                       the hierarchy; siblings ordered by sequenceNumber,
//	                                then listEnumeration, then humanCodingScheme
//	                                (numbers compared as numbers), then file order
//	A precedes B                    A is a prerequisite of B
//	isRelatedTo, exactMatchOf       Crosswalks, kept as published
//	precedes to outside             a Crosswalk (the other end is not in the framework)
//	other association types         not acted on; Package.Notes says how many;
//	                                kept as published for export
package casepkg
