package casepkg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"github.com/cairn-learning/cairn/internal/standards"
)

// converter turns a schema-valid CFPackage into a Framework, recording
// what is wrong with it in rep and what it leaves out in notes.
type converter struct {
	pkg   *CFPackage
	rep   *report
	notes []string
}

// link is the chosen isChildOf association of an item.
type link struct {
	parent string // "" for the document
	seq    *int64
	assoc  int // index of the association, or len(assocs)+item index for items with none
}

func (c *converter) run() Framework {
	p := c.pkg
	doc := p.CFDocument
	docAt := []string{"CFDocument"}
	fw := Framework{
		Framework: standards.Framework{
			SourcedID: doc.Identifier,
			Title:     doc.Title,
			Kind:      kindOf(doc.Extensions),
			Creator:   doc.Creator,
			Version:   doc.Version,
			Subject:   strings.Join(doc.Subject, ", "),
		},
		URI:      doc.URI,
		Document: marshalRecord(published(doc)),
	}
	if d := bytes.TrimSpace(p.CFDefinitions); len(d) > 0 && d[0] == '{' {
		var buf bytes.Buffer
		if json.Compact(&buf, d) == nil {
			fw.Definitions = buf.Bytes()
		}
	}
	if strings.TrimSpace(doc.Title) == "" {
		c.rep.add(docAt, "title", "blank: a framework needs a title")
	}
	if lang, err := languageOf(doc.Language); err != nil {
		c.rep.add(docAt, "language", "%v", err)
	} else {
		fw.Framework.Language = lang
	}

	// Items by identifier.
	index := make(map[string]int, len(p.CFItems))
	for i, it := range p.CFItems {
		at := []string{"CFItems", strconv.Itoa(i)}
		switch first, dup := index[it.Identifier]; {
		case dup:
			c.rep.add(at, "identifier", "the same identifier as CFItems[%d]: identifiers must be unique", first)
			continue
		case it.Identifier == doc.Identifier:
			c.rep.add(at, "identifier", "the same identifier as the CFDocument")
			continue
		}
		index[it.Identifier] = i
		if strings.TrimSpace(it.FullStatement) == "" {
			c.rep.add(at, "fullStatement", "blank: a standard needs a statement")
		}
	}

	// Hierarchy, prerequisites, crosswalks.
	links := make(map[string]link, len(p.CFItems))
	linkAssoc := make(map[string]int)
	type edge struct{ pre, std string }
	var edges []edge
	edgeAssoc := map[edge]int{}
	skipped := map[string]int{}
	var skippedOrder []string
	seenAssoc := map[string]int{}
	assocs, _ := c.rep.tree["CFAssociations"].([]any)
	for i, a := range p.CFAssociations {
		at := []string{"CFAssociations", strconv.Itoa(i)}
		if first, dup := seenAssoc[a.Identifier]; dup {
			// Publishing tools repeat an association now and then; the
			// same association twice says nothing more than once.
			if i < len(assocs) && reflect.DeepEqual(assocs[first], assocs[i]) {
				c.rep.warn(at, "identifier", "the same association as CFAssociations[%d], repeated exactly: kept once", first)
				continue
			}
			c.rep.add(at, "identifier", "the same identifier as CFAssociations[%d]: identifiers must be unique", first)
			continue
		}
		seenAssoc[a.Identifier] = i
		modelled := false
		o, d := a.OriginNodeURI.Identifier, a.DestinationNodeURI.Identifier
		_, oIn := index[o]
		_, dIn := index[d]
		switch a.AssociationType {
		case IsChildOf:
			switch {
			case o == d:
				c.rep.add(at, "destinationNodeURI", "an item cannot be its own parent")
			case !oIn:
				c.notes = append(c.notes, fmt.Sprintf("isChildOf association %s: %s is not an item of this package; left out", a.Identifier, o))
			case d != doc.Identifier && !dIn:
				c.notes = append(c.notes, fmt.Sprintf("isChildOf association %s: the parent %s of %s is neither an item of this package nor its CFDocument; left out", a.Identifier, d, label(p, index, o)))
			default:
				if prev, ok := links[o]; ok {
					c.notes = append(c.notes, fmt.Sprintf("item %s has more than one parent; kept the first (association %s), left out association %s", label(p, index, o), p.CFAssociations[prev.assoc].Identifier, a.Identifier))
					break
				}
				parent := d
				if d == doc.Identifier {
					parent = ""
				}
				links[o] = link{parent: parent, seq: a.SequenceNumber, assoc: i}
				linkAssoc[o] = i
				modelled = true
			}
		case Precedes:
			switch {
			case o == d:
				c.rep.add(at, "destinationNodeURI", "an item cannot precede itself")
			case oIn && dIn:
				e := edge{pre: o, std: d}
				if _, dup := edgeAssoc[e]; !dup {
					edgeAssoc[e] = i
					edges = append(edges, e)
				}
				modelled = true
			default:
				fw.Crosswalks = append(fw.Crosswalks, crosswalk(a))
				modelled = true
			}
		case IsRelatedTo, ExactMatchOf:
			fw.Crosswalks = append(fw.Crosswalks, crosswalk(a))
			modelled = true
		default:
			if skipped[a.AssociationType] == 0 {
				skippedOrder = append(skippedOrder, a.AssociationType)
			}
			skipped[a.AssociationType]++
		}
		fw.Associations = append(fw.Associations, Association{
			Identifier: a.Identifier, Type: a.AssociationType, Origin: o, Destination: d,
			Modelled: modelled, JSON: marshalRecord(publishedAssociation(a)),
		})
	}
	for _, t := range skippedOrder {
		n := skipped[t]
		c.notes = append(c.notes, fmt.Sprintf("%d %s %s not imported: cairn keeps hierarchy (isChildOf), prerequisites (precedes) and crosswalks (isRelatedTo, exactMatchOf)", n, t, plural(n, "association is", "associations are")))
	}

	c.checkHierarchyLoops(links, linkAssoc, index)

	// Children in order, depth first from the framework.
	children := map[string][]string{}
	for i, it := range p.CFItems {
		if index[it.Identifier] != i {
			continue // a duplicate, already reported
		}
		l, ok := links[it.Identifier]
		if !ok {
			l = link{assoc: len(p.CFAssociations) + i}
			links[it.Identifier] = l
		}
		children[l.parent] = append(children[l.parent], it.Identifier)
	}
	for _, kids := range children {
		c.sortSiblings(kids, links, index)
	}
	done := make(map[string]bool, len(index))
	var visit func(parent string)
	visit = func(parent string) {
		for pos, id := range children[parent] {
			if done[id] {
				continue
			}
			done[id] = true
			it := p.CFItems[index[id]]
			fw.Standards = append(fw.Standards, Standard{
				Standard: standards.Standard{
					SourcedID:       id,
					Code:            it.HumanCodingScheme,
					Statement:       it.FullStatement,
					Type:            itemType(it),
					EducationLevels: []string(it.EducationLevel),
					Position:        pos + 1,
				},
				ParentSourcedID: parent,
				URI:             it.URI,
				Item:            marshalRecord(publishedItem(it)),
			})
			visit(id)
		}
	}
	visit("")

	c.checkPrerequisiteCycles(edgesOf(edges, func(e edge) (string, string) { return e.pre, e.std }), func(pre, std string) int { return edgeAssoc[edge{pre, std}] }, index)
	for _, e := range edges {
		fw.Prerequisites = append(fw.Prerequisites, Prerequisite{StandardSourcedID: e.std, PrerequisiteSourcedID: e.pre})
	}
	return fw
}

func edgesOf[E any](es []E, ends func(E) (string, string)) [][2]string {
	out := make([][2]string, len(es))
	for i, e := range es {
		a, b := ends(e)
		out[i] = [2]string{a, b}
	}
	return out
}

// checkHierarchyLoops reports isChildOf associations that put an item
// below itself, and breaks each loop so that the rest can be checked.
func (c *converter) checkHierarchyLoops(links map[string]link, linkAssoc map[string]int, index map[string]int) {
	const (
		unknown = iota
		visiting
		ok
	)
	state := make(map[string]int, len(links))
	for _, it := range c.pkg.CFItems {
		start := it.Identifier
		if state[start] != unknown {
			continue
		}
		var chain []string
		id := start
		for id != "" && state[id] == unknown {
			state[id] = visiting
			chain = append(chain, id)
			id = links[id].parent
		}
		if id != "" && state[id] == visiting {
			// The loop is the part of the chain from id on.
			k := 0
			for chain[k] != id {
				k++
			}
			loop := chain[k:]
			names := make([]string, 0, len(loop)+1)
			for _, x := range loop {
				names = append(names, label(c.pkg, index, x))
			}
			names = append(names, label(c.pkg, index, id))
			last := loop[len(loop)-1]
			c.rep.add([]string{"CFAssociations", strconv.Itoa(linkAssoc[last])}, "destinationNodeURI",
				"isChildOf associations make a loop: %s", strings.Join(names, " is below "))
			l := links[last]
			l.parent = ""
			links[last] = l
		}
		for _, x := range chain {
			state[x] = ok
		}
	}
}

// checkPrerequisiteCycles reports precedes associations that make a
// standard its own prerequisite through a chain.
func (c *converter) checkPrerequisiteCycles(edges [][2]string, assocOf func(pre, std string) int, index map[string]int) {
	next := map[string][]string{}
	indeg := map[string]int{}
	for _, e := range edges {
		next[e[0]] = append(next[e[0]], e[1])
		indeg[e[1]]++
		if _, ok := indeg[e[0]]; !ok {
			indeg[e[0]] = 0
		}
	}
	var queue []string
	for n, d := range indeg {
		if d == 0 {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range next[n] {
			indeg[m]--
			if indeg[m] == 0 {
				queue = append(queue, m)
			}
		}
	}
	var left []string
	for n, d := range indeg {
		if d > 0 {
			left = append(left, n)
		}
	}
	if len(left) == 0 {
		return
	}
	// Every standard left waits on a prerequisite that is also left, so
	// walking back along prerequisites from the first one left (in file
	// order) must come round to a standard already seen: that is a cycle.
	sort.Slice(left, func(i, j int) bool { return index[left[i]] < index[left[j]] })
	prev := map[string][]string{}
	for _, e := range edges {
		if indeg[e[0]] > 0 && indeg[e[1]] > 0 {
			prev[e[1]] = append(prev[e[1]], e[0])
		}
	}
	pos := map[string]int{}
	var back []string
	n := left[0]
	for {
		if k, seen := pos[n]; seen {
			cycle := append(back[k:], n) // walked backwards: each precedes the one before it
			names := make([]string, len(cycle))
			for i, x := range cycle {
				names[len(cycle)-1-i] = label(c.pkg, index, x)
			}
			a := assocOf(cycle[1], cycle[0])
			c.rep.add([]string{"CFAssociations", strconv.Itoa(a)}, "destinationNodeURI",
				"precedes associations make a cycle, so no standard in it could ever be ready: %s", strings.Join(names, " precedes "))
			return
		}
		pos[n] = len(back)
		back = append(back, n)
		n = prev[n][0]
	}
}

// sortSiblings orders the children of one parent: by the sequenceNumber of
// their isChildOf association, then by listEnumeration and by
// humanCodingScheme compared as people number things (L1.2 before L1.10),
// then as the package lists them.
func (c *converter) sortSiblings(ids []string, links map[string]link, index map[string]int) {
	items := c.pkg.CFItems
	sort.SliceStable(ids, func(i, j int) bool {
		a, b := links[ids[i]], links[ids[j]]
		switch {
		case a.seq != nil && b.seq == nil:
			return true
		case a.seq == nil && b.seq != nil:
			return false
		case a.seq != nil && *a.seq != *b.seq:
			return *a.seq < *b.seq
		}
		ia, ib := items[index[ids[i]]], items[index[ids[j]]]
		if r := naturalCompare(ia.ListEnumeration, ib.ListEnumeration); r != 0 {
			return r < 0
		}
		if r := naturalCompare(ia.HumanCodingScheme, ib.HumanCodingScheme); r != 0 {
			return r < 0
		}
		return a.assoc < b.assoc
	})
}

// naturalCompare compares codes with their numbers as numbers: "L1.2" <
// "L1.10". An empty string sorts after any other, so that items without a
// code follow those with one.
func naturalCompare(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			ta, tb := strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(ta) != len(tb) {
				return cmpInt(len(ta), len(tb))
			}
			if ta != tb {
				return strings.Compare(ta, tb)
			}
			if len(na) != len(nb) {
				return cmpInt(len(na), len(nb))
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return cmpInt(int(a[0]), int(b[0]))
		}
		a, b = a[1:], b[1:]
	}
	return cmpInt(len(a), len(b))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func crosswalk(a CFAssociation) Crosswalk {
	return Crosswalk{
		Type:        a.AssociationType,
		Origin:      Node{Identifier: a.OriginNodeURI.Identifier, URI: a.OriginNodeURI.URI, Title: a.OriginNodeURI.Title},
		Destination: Node{Identifier: a.DestinationNodeURI.Identifier, URI: a.DestinationNodeURI.URI, Title: a.DestinationNodeURI.Title},
	}
}

// itemType is the item's CFItemType, or the title of the type it links to.
func itemType(it CFItem) string {
	if it.CFItemType != "" {
		return it.CFItemType
	}
	if it.CFItemTypeURI != nil {
		return it.CFItemTypeURI.Title
	}
	return ""
}

// label names an item for messages: its code, or its identifier.
func label(p *CFPackage, index map[string]int, id string) string {
	if i, ok := index[id]; ok && p.CFItems[i].HumanCodingScheme != "" {
		return p.CFItems[i].HumanCodingScheme
	}
	return id
}

// kindOf reads the framework kind an export recorded; a package from
// anywhere else holds academic standards.
func kindOf(ext json.RawMessage) standards.Kind {
	var m map[string]any
	if len(ext) == 0 || json.Unmarshal(ext, &m) != nil {
		return standards.Academic
	}
	s, _ := m[kindExtension].(string)
	if k, err := standards.ParseKind(s); err == nil {
		return k
	}
	return standards.Academic
}

// languageOf reads a CFDocument's language as a BCP 47 tag. CASE 1.1 asks
// for an ISO 639-2 code ("eng", "spa"); packages also carry ISO 639-1 codes
// and BCP 47 tags ("en", "es-MX"). Each is written the way pages mark
// text: the shortest code of the language, then the script and region
// when given ("eng" is "en", "spa-MX" is "es-MX"). A document that names
// no language is taken to be in standards.DefaultLanguage, English.
func languageOf(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return standards.DefaultLanguage, nil
	}
	tag, err := language.Parse(s)
	base, conf := tag.Base()
	if err != nil || conf != language.Exact {
		return "", fmt.Errorf("%q is not a language code such as \"en\", \"eng\" or \"es-MX\"", s)
	}
	out := base.String()
	if sc, conf := tag.Script(); conf == language.Exact {
		out += "-" + sc.String()
	}
	if r, conf := tag.Region(); conf == language.Exact {
		out += "-" + r.String()
	}
	if _, err := standards.ParseLanguage(out); err != nil {
		return "", fmt.Errorf("%q is not a language code such as \"en\", \"eng\" or \"es-MX\"", s)
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// marshalRecord is a CASE record as kept: compact JSON in the order of its
// struct's fields, so that the same record always gives the same bytes.
func marshalRecord(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil // the records are plain strings, numbers and raw JSON already checked
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// published, publishedItem and publishedAssociation leave out of a record
// what only says which package it is in (CASE 1.0's CFPackageURI and
// CFDocumentURI) and in which version: an export says that by being the
// package, a CASE 1.1 one.
func published(d CFDocument) CFDocument {
	d.CFPackageURI, d.CaseVersion = nil, ""
	return d
}

func publishedItem(it CFItem) CFItem {
	it.CFDocumentURI = nil
	return it
}

func publishedAssociation(a CFAssociation) CFAssociation {
	a.CFDocumentURI = nil
	return a
}
