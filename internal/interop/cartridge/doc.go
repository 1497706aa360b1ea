// Package cartridge reads a teacher's existing activities, with the
// standards they are aligned to, from an IMS Common Cartridge (1.0 to 1.3)
// or a Thin Common Cartridge 1.3: the package every learning management
// system exports a course as, a zip (.imscc) holding imsmanifest.xml and
// the files it names.
//
// Read (or Open, ReadZip, ReadManifest) checks the package against the
// bounds in internal/limits, reads the manifest's outline (organizations
// and items, with the titles of the folders they are in) and the
// resources the items open, and returns a Cartridge: its Entries in
// outline order. Plan turns those into playlists, one per standard,
// given how the district's standards are found by CASE identifier.
//
// How Common Cartridge maps onto cairn:
//
//	web link (imswl_xmlv1pN)           an activity opening its url
//	LTI link (imsbasiclti_xmlv1pN)     an activity opening its (secure) launch url
//	web content (webcontent)           an activity with the file the resource
//	                                   opens, taken from the package
//	assessment, discussion, assignment an activity with the title only; a
//	                                   warning says what is not imported
//	other resource types               left out, with a warning
//	curriculumStandardsMetadataSet     the standards (CASE item identifiers in
//	                                   setOfGUIDs/labelledGUID/GUID) of the
//	                                   item, of its folders and of its resource
//
// A manifest that is not well-formed XML, a file it names that the
// package lacks, or a bound passed refuses the cartridge with a
// *badinput.Error naming the file, line and limit. What a teacher can
// import without (an unknown resource type, a link that is not http(s), a
// standard the district does not have) is a warning.
package cartridge
