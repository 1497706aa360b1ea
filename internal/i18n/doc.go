// Package i18n holds the words of cairn's pages in every language they are
// offered in, and picks the language a person reads.
//
// Messages live in embedded JSON catalogs, one per language
// (catalogs/en.json, catalogs/es.json), keyed by a dotted name
// ("guardian.expected.title"). A message is either a string or, when it
// depends on a count, an object of plural forms:
//
//	"evidence.count": {"zero": "no evidence yet", "one": "{n} piece of evidence", "other": "{n} pieces of evidence"}
//
// Arguments are written {0}, {1}... in the order they are given; a plural
// message's count is {n}. Messages are plain text: pages escape them, so a
// translation can never inject markup.
//
// English is complete by rule: Load refuses a catalog that has a key
// English lacks, or whose placeholders differ from the English message, so
// a translation cannot drift from what the pages pass. A key a language
// lacks falls back to English, and the fallback is reported to the
// catalog's OnMissing hook so that tests can hold a page's language
// complete.
package i18n
