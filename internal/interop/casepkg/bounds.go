package casepkg

import (
	"fmt"
	"strconv"

	"github.com/cairn-learning/cairn/internal/limits"
)

// What a package may weigh. A CASE package comes from outside (a file, an
// upload, another server): its size is bounded before it is read, its
// nesting and its number of values before it is decoded (decoding holds
// every value in memory), and its counts and the length of every string
// before it is checked further. The numbers are in internal/limits.

// scanJSON finds where data nests deeper than limits.CASEDepth or passes
// limits.CASEValues values (keys included), without decoding it. It
// returns the offset and the reason, or "" when data is within both.
// Broken JSON is left for the decoder to report.
func scanJSON(data []byte) (int, string) {
	depth, values := 0, 0
	inString, escaped, inScalar := false, false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString, inScalar = true, false
			values++
		case '{', '[':
			depth++
			values++
			inScalar = false
			if depth > limits.CASEDepth {
				return i, fmt.Sprintf("nested more than the %d levels a CASE package may nest", limits.CASEDepth)
			}
		case '}', ']':
			depth--
			inScalar = false
		case ',', ':', ' ', '\t', '\n', '\r':
			inScalar = false
		default:
			if !inScalar {
				inScalar = true
				values++
			}
		}
		if values > limits.CASEValues {
			return i, fmt.Sprintf("more than the %d JSON values (keys, strings, numbers, objects, arrays) a CASE package may have", limits.CASEValues)
		}
	}
	return 0, ""
}

// checkBounds reports lists longer than their limit and strings longer
// than theirs, each at its place in the package.
func checkBounds(root map[string]any, rep *report) {
	for _, c := range []struct {
		list string
		max  int
		what string
	}{
		{"CFItems", limits.CASEItems, "items"},
		{"CFAssociations", limits.CASEAssociations, "associations"},
	} {
		if l, _ := root[c.list].([]any); len(l) > c.max {
			rep.add([]string{c.list}, "", "%d %s: more than the %d a CASE package may have", len(l), c.what, c.max)
		}
	}
	checkStrings(root, nil, "", rep)
}

// checkStrings walks v, found at the pointer at (under key, the name of
// the field that holds it), and reports every string longer than its
// field's limit.
func checkStrings(v any, at []string, key string, rep *report) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok {
				max, what := stringLimit(k)
				if reason := limits.TooLong(s, max, what); reason != "" {
					rep.add(at, k, "%s", reason)
				}
				continue
			}
			checkStrings(e, append(at[:len(at):len(at)], k), k, rep)
		}
	case []any:
		for i, e := range x {
			checkStrings(e, append(at[:len(at):len(at)], strconv.Itoa(i)), key, rep)
		}
	case string:
		max, what := stringLimit(key)
		if reason := limits.TooLong(x, max, what); reason != "" {
			rep.add(at, "", "%s", reason)
		}
	}
}

// stringLimit is the limit of a string held by a field named key (for an
// array, the array's field), and what the field holds, for messages.
func stringLimit(key string) (int, string) {
	switch key {
	case "fullStatement", "title", "abbreviatedStatement", "alternativeLabel":
		return limits.Statement, "a statement or a title"
	case "identifier", "humanCodingScheme", "listEnumeration", "CFItemType", "educationLevel", "associationType",
		"caseVersion", "language", "version", "frameworkType", "adoptionStatus",
		"lastChangeDateTime", "statusStartDate", "statusEndDate", "associationGroupingIdentifier":
		return limits.Identifier, "an identifier, code or date"
	case "uri", "officialSourceURL":
		return limits.URL, "an address"
	case "creator", "publisher":
		return limits.Name, "a name"
	}
	return limits.Text, "a text"
}
