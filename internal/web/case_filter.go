package web

import (
	"errors"
	"fmt"
	"strings"
)

// caseFilter is the filter of a CASE list request, in the grammar of the
// 1EdTech REST bindings (CASE 1.1 REST/JSON binding, as OneRoster 1.1's
// section 3.5): conditions field<predicate>'value' joined by " AND " or by
// " OR " (one of the two in a filter), the predicates being = != > >= <
// <= and ~ (contains). Values are compared as text; ~ ignores case; a
// list field (subject) matches when one of its values does.
type caseFilter struct {
	or         bool
	conditions []caseCondition
}

type caseCondition struct {
	field, predicate, value string
}

// casePredicates are longest first, so that >= is not read as >.
var casePredicates = []string{"!=", ">=", "<=", "=", ">", "<", "~"}

func parseCASEFilter(s string) (*caseFilter, error) {
	f := &caseFilter{}
	logic := ""
	rest := s
	for {
		c, after, err := parseCASECondition(rest)
		if err != nil {
			return nil, err
		}
		f.conditions = append(f.conditions, c)
		if strings.TrimSpace(after) == "" {
			break
		}
		var op string
		switch {
		case strings.HasPrefix(after, " AND "):
			op = "AND"
		case strings.HasPrefix(after, " OR "):
			op = "OR"
		default:
			return nil, fmt.Errorf("after %s%s'%s', want \" AND \" or \" OR \" and another condition, or the end", c.field, c.predicate, c.value)
		}
		if logic != "" && logic != op {
			return nil, errors.New("a filter joins its conditions with AND or with OR, not both")
		}
		logic = op
		rest = after[len(op)+2:]
	}
	f.or = logic == "OR"
	return f, nil
}

// parseCASECondition reads field<predicate>'value' from the start of s.
func parseCASECondition(s string) (caseCondition, string, error) {
	s = strings.TrimLeft(s, " ")
	i := strings.IndexAny(s, "!=<>~")
	if i <= 0 {
		return caseCondition{}, "", fmt.Errorf("want a condition such as title='Mathematics', not %q", s)
	}
	c := caseCondition{field: strings.TrimSpace(s[:i])}
	if !caseDocumentFields[c.field] {
		return c, "", fmt.Errorf("%q is not a field of a CFDocument", c.field)
	}
	for _, p := range casePredicates {
		if strings.HasPrefix(s[i:], p) {
			c.predicate = p
			break
		}
	}
	if c.predicate == "" {
		return c, "", fmt.Errorf("%q is not a predicate: want = != > >= < <= or ~", s[i:i+1])
	}
	v := s[i+len(c.predicate):]
	if !strings.HasPrefix(v, "'") {
		return c, "", fmt.Errorf("the value after %s%s is written in single quotes", c.field, c.predicate)
	}
	end := strings.IndexByte(v[1:], '\'')
	if end < 0 {
		return c, "", fmt.Errorf("the value after %s%s has no closing quote", c.field, c.predicate)
	}
	c.value = v[1 : 1+end]
	return c, v[2+end:], nil
}

// matches reports whether a document (as its JSON fields) passes the
// filter.
func (f *caseFilter) matches(doc map[string]any) bool {
	for _, c := range f.conditions {
		ok := c.matches(doc[c.field])
		if f.or && ok {
			return true
		}
		if !f.or && !ok {
			return false
		}
	}
	return !f.or
}

func (c caseCondition) matches(v any) bool {
	if list, ok := v.([]any); ok {
		if c.predicate == "!=" {
			// Not equal: none of its values is the one named.
			eq := c
			eq.predicate = "="
			return !eq.matches(v)
		}
		for _, x := range list {
			if c.matches(x) {
				return true
			}
		}
		return false
	}
	got := caseText(v)
	switch c.predicate {
	case "=":
		return got == c.value
	case "!=":
		return got != c.value
	case ">":
		return got > c.value
	case ">=":
		return got >= c.value
	case "<":
		return got < c.value
	case "<=":
		return got <= c.value
	}
	return strings.Contains(strings.ToLower(got), strings.ToLower(c.value))
}
