// Package limits holds the bounds on everything that comes into cairn from
// outside: the length of each kind of text, the size of request bodies,
// uploads and imported files, and how many records one request or one file
// may hold. The API, the pages, the command line and the importers all use
// these same numbers, so that a record refused by one is refused by all,
// and so that no input, however it is built, can make the server hold more
// than a bounded amount of memory for it.
//
// Text is counted in characters (Unicode code points), as people count it;
// sizes in bytes. Each number is chosen well above what real data needs
// (the reason is beside it) and far below what would strain the server.
package limits

import (
	"fmt"
	"strconv"
	"strings"
)

// The longest text of each kind, in characters.
const (
	// Name bounds a person's given, middle, family or preferred name, and
	// the name of a school, an organisation or a district. The longest
	// names in student information systems are under a hundred
	// characters; every page, list and heatmap row shows names whole.
	Name = 200
	// Title bounds the title of a course, a class, a term, a piece of
	// evidence and a proficiency scale or level: a line in a list or a
	// heading, which the evidence grid has always limited to 200.
	Title = 200
	// Identifier bounds what identifies or codes a record: a OneRoster
	// sourcedId, a CASE identifier, a username, a course or class code, a
	// standard's code, a grade, a type, a relationship. Identifiers are
	// UUIDs (36) or a system's own codes (rarely past 64).
	Identifier = 256
	// ItemKey bounds the key a client gives an item (a reusable question)
	// of its own: an identifier.
	ItemKey = Identifier
	// Email bounds an email address: RFC 5321 allows at most 254.
	Email = 254
	// URL bounds an address: an evidence artifact, a CASE uri. Browsers
	// and servers commonly refuse addresses past 2,048 characters.
	URL = 2048
	// Statement bounds a standard's statement and a framework's title.
	// The longest statements of the Common Core (math) are under 800
	// characters; ten times more leaves room for frameworks that write a
	// paragraph per standard.
	Statement = 10000
	// Text bounds free text that is neither a name nor a statement: a
	// CASE description, notes or any other string of a package, a
	// OneRoster metadata column or description, a district's policy.
	Text = 10000
	// Comment bounds a comment on a piece of evidence: a few paragraphs.
	Comment = 4000
	// Reason bounds why evidence was voided or a policy changed: a
	// sentence or two, kept in the record and the audit log.
	Reason = 1000
	// TokenName bounds the name of a personal access token, shown in a
	// list of tokens.
	TokenName = 100
	// List bounds a OneRoster field that lists sourcedIds or codes
	// (orgSourcedIds, termSourcedIds, agentSourcedIds, grades): a district
	// administrator may belong to every school of a large district, a
	// thousand UUIDs.
	List = 65536
	// PasswordBytes bounds a password, in bytes of UTF-8: far above any
	// passphrase, and small enough that hashing it costs nothing more.
	PasswordBytes = 1024
)

// Request bodies, uploads and what one request may hold.
const (
	// RequestBytes bounds the body of a JSON request or a form: one
	// record, with every text at its limit, is a few tens of kilobytes.
	RequestBytes = 1 << 20
	// BatchBytes bounds the body of a batch of evidence: EvidenceBatch
	// records of a few hundred bytes each, with room for comments.
	BatchBytes = 16 << 20
	// EvidenceBatch bounds the records of one batch of evidence: a term's
	// gradebook for a large class, small enough to write in one
	// transaction.
	EvidenceBatch = 5000
	// Scores bounds the standards one piece of evidence scores: an
	// assessment scores a few, a portfolio a few dozen.
	Scores = 200
	// UploadBytes bounds an upload on the import page: the largest file
	// (ZipBytes) and the form around it.
	UploadBytes = ZipBytes + 1<<20
	// ActivityFileBytes bounds a file a teacher uploads for an activity
	// of a playlist (a worksheet, a handout, slides): a few pages of PDF
	// with pictures are a few megabytes. Files are kept in the database,
	// so each one is small enough to read whole.
	ActivityFileBytes = 10 << 20
	// ActivityUploadBytes bounds the form that uploads an activity's file:
	// the file and the form around it.
	ActivityUploadBytes = ActivityFileBytes + 1<<20
)

// Imported files.
const (
	// ZipBytes bounds a OneRoster zip file as it is stored (compressed).
	// A district of 100,000 people and 400,000 enrollments is 40 MB of
	// CSV and 6 MB zipped, about three times that with UUIDs as
	// sourcedIds.
	ZipBytes = 64 << 20
	// ZipEntries bounds the files in a OneRoster zip: a package has at
	// most fourteen, and a zip made on a Mac doubles them.
	ZipEntries = 1000
	// CSVFileBytes bounds one OneRoster CSV file, uncompressed: the
	// 400,000 enrollments above are 25 MB (75 MB with UUIDs).
	CSVFileBytes = 512 << 20
	// PackageBytes bounds all the files of a OneRoster package,
	// uncompressed, together.
	PackageBytes = 1 << 30
	// CompressionRatio bounds how many times larger than its compressed
	// size a file of a zip may be (checked on files over a megabyte).
	// OneRoster files compress 5 to 8 times; a file that expands more
	// than a hundred times is built to exhaust memory, not to carry a
	// roster.
	CompressionRatio = 100
	// CSVLineBytes bounds one line of a CSV file, and one row when a
	// quoted field runs over several lines. A row with its lists and
	// identifiers and its names and texts at their limits is a third of
	// this; encoding/csv holds a whole row in memory before it returns
	// any of it, so a longer one is refused as it is read.
	CSVLineBytes = 1 << 20
	// CSVRows bounds the rows of one CSV file: five times the enrollments
	// of the district above.
	CSVRows = 2_000_000
	// CASEPackageBytes bounds a CASE package (its JSON text). The largest
	// published frameworks, a state's standards in every subject, are a
	// few tens of megabytes; reading and checking a package takes about
	// ten times its size in memory.
	CASEPackageBytes = 32 << 20
	// CASEDepth bounds how deeply a CASE package's JSON nests. A package
	// nests five levels; extensions a few more.
	CASEDepth = 64
	// CASEValues bounds the JSON values of a CASE package, keys included:
	// a framework has about 66 per item (133,000 for 2,000 items), and
	// each value decoded costs memory beyond its text.
	CASEValues = 3_000_000
	// CASEItems bounds the items (standards, clusters, domains) of one
	// CASE package: a state's standards in every subject are tens of
	// thousands.
	CASEItems = 40_000
	// CASEAssociations bounds the associations of one CASE package: a
	// parent and a few prerequisites or crosswalks per item.
	CASEAssociations = 200_000
)

// Common Cartridge packages: a teacher's course exported from a learning
// management system, with its pages, files and links.
const (
	// CartridgeBytes bounds a Common Cartridge package as it is stored
	// (compressed). A course of links, pages and handouts is a few
	// megabytes; one with its slides and short videos a few hundred. A
	// thin cartridge (links only) is a few kilobytes.
	CartridgeBytes = 256 << 20
	// CartridgeFiles bounds the files in a cartridge's zip: a year's
	// course exported with every page and image is a few thousand.
	CartridgeFiles = 10_000
	// CartridgePackageBytes bounds all the files of a cartridge,
	// uncompressed, together: pages, documents and media compress little.
	CartridgePackageBytes = 1 << 30
	// CartridgeManifestBytes bounds imsmanifest.xml. A manifest holds
	// about half a kilobyte per page or link with its standards; a course
	// at CartridgeActivities is under 5 MiB.
	CartridgeManifestBytes = 8 << 20
	// CartridgeDescriptorBytes bounds the XML file that describes one web
	// link or LTI link: a title, an address and a few properties, a few
	// kilobytes with a tool's extensions.
	CartridgeDescriptorBytes = 1 << 20
	// CartridgeElements bounds the XML elements of a manifest, which is
	// held as a tree while it is read: a few dozen per resource.
	CartridgeElements = 200_000
	// CartridgeDepth bounds how deeply a manifest's XML nests: a course's
	// outline nests modules a few levels, metadata a dozen.
	CartridgeDepth = 64
	// CartridgeActivities bounds the activities (pages, links, files,
	// quizzes) one cartridge may bring: a year's course has a few hundred.
	CartridgeActivities = 5_000
	// CartridgeAlignments bounds the standards one activity of a
	// cartridge may name, as Scores bounds those of a piece of evidence.
	CartridgeAlignments = Scores
	// CartridgeImportBytes bounds the files one import of a cartridge
	// brings into the database together (each one within
	// ActivityFileBytes): they are read into memory and written in one
	// transaction.
	CartridgeImportBytes = 256 << 20
)

// Plans and pathways.
const (
	// PlanTargets bounds the targets of one class pathway or one
	// student's plan: a course maps a few dozen standards, and a plan
	// adds a few of the next course's for a student who goes beyond.
	PlanTargets = 300
	// Interests bounds the interests a student lists, and Interest the
	// length of one ("music", "soccer", "animals").
	Interests = 20
	Interest  = 60
)

// TooLong returns why s is longer than max characters, naming what it is
// ("a name"), or "" when it fits. It counts no further than max+1, so a
// huge text costs no more than a short one.
func TooLong(s string, max int, what string) string {
	if len(s) <= max { // a character is at least one byte
		return ""
	}
	n := 0
	for range s {
		n++
		if n > max {
			return fmt.Sprintf("longer than the %d characters %s may have", max, what)
		}
	}
	return ""
}

// Bytes writes a size for messages in the largest unit it reaches, with
// one decimal below ten: "64 MiB", "1 GiB", "5.3 GiB", "101 KiB".
func Bytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n < u.size {
			continue
		}
		v := float64(n) / float64(u.size)
		if v < 10 {
			return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + " " + u.name
		}
		return strconv.FormatFloat(v, 'f', 0, 64) + " " + u.name
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Clip returns s cut to its first n characters, with "…" when it was
// longer: what a refusal quotes of an input that may be huge.
func Clip(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at] + "…"
		}
		i++
	}
	return s
}
