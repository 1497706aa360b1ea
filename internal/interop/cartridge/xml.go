package cartridge

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/cairn-learning/cairn/internal/limits"
)

// element is one XML element of a cartridge's file, with where it starts,
// so that what is wrong with it can be reported at its line. A manifest is
// read whole into elements (it is bounded by limits.CartridgeManifestBytes
// and limits.CartridgeElements) and then walked: the walk is simpler and
// the positions are kept.
type element struct {
	name     xml.Name
	attr     []xml.Attr
	text     strings.Builder // character data directly inside
	children []*element
	line     int
	column   int
}

// xmlError is a file that is not well-formed XML or passes a limit: where
// and why.
type xmlError struct {
	line, column int
	reason       string
}

func (e *xmlError) Error() string { return e.reason }

// readXML reads one XML document of at most maxBytes into elements. what
// names the file in messages about its size ("a manifest").
func readXML(r io.Reader, maxBytes int64, what string) (*element, error) {
	lr := &io.LimitedReader{R: r, N: maxBytes + 1}
	d := xml.NewDecoder(lr)
	d.Strict = true
	// Exporters write HTML's entities (&nbsp;, &eacute;) in titles as if
	// XML had them; they are read as HTML would.
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	var (
		root  *element
		stack []*element
		count int
	)
	for {
		line, column := d.InputPos()
		tok, err := d.Token()
		if lr.N <= 0 {
			line, column := d.InputPos() // where reading stopped
			return nil, &xmlError{line: line, column: column,
				reason: fmt.Sprintf("larger than the %s %s may be", limits.Bytes(maxBytes), what)}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				l, c := d.InputPos()
				if l != se.Line {
					c = 0
				}
				return nil, &xmlError{line: se.Line, column: c, reason: "not well-formed XML: " + se.Msg}
			}
			return nil, &xmlError{line: line, column: column, reason: "not readable XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > limits.CartridgeElements {
				return nil, &xmlError{line: line, column: column,
					reason: fmt.Sprintf("more than the %d XML elements %s may have", limits.CartridgeElements, what)}
			}
			if len(stack) >= limits.CartridgeDepth {
				return nil, &xmlError{line: line, column: column,
					reason: fmt.Sprintf("nested more than the %d levels %s may nest", limits.CartridgeDepth, what)}
			}
			el := &element{name: t.Name, attr: t.Copy().Attr, line: line, column: column}
			if len(stack) == 0 {
				if root != nil {
					return nil, &xmlError{line: line, column: column, reason: "not well-formed XML: a second root element"}
				}
				root = el
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, el)
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, &xmlError{reason: "empty: no XML element"}
	}
	return root, nil
}

// charsetReader reads the encodings a manifest may declare besides UTF-8
// (an LMS on an old server writes ISO-8859-1 or windows-1252).
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, fmt.Errorf("the encoding %q is not one cairn reads (UTF-8 is)", label)
	}
	return enc.NewDecoder().Reader(input), nil
}

// local reports whether e is named local, in any namespace: the same
// elements come in the namespaces of each version of Common Cartridge (and
// some exporters misspell them), so they are found by local name and the
// version is read from the manifest's own namespace.
func (e *element) is(local string) bool { return e.name.Local == local }

// child is e's first child named local, or nil.
func (e *element) child(local string) *element {
	if e == nil {
		return nil
	}
	for _, c := range e.children {
		if c.is(local) {
			return c
		}
	}
	return nil
}

// all is e's children named local.
func (e *element) all(local string) []*element {
	if e == nil {
		return nil
	}
	var out []*element
	for _, c := range e.children {
		if c.is(local) {
			out = append(out, c)
		}
	}
	return out
}

// find is every element named local under e, at any depth, in document
// order (not under another match).
func (e *element) find(local string) []*element {
	if e == nil {
		return nil
	}
	var out []*element
	var walk func(*element)
	walk = func(n *element) {
		for _, c := range n.children {
			if c.is(local) {
				out = append(out, c)
				continue
			}
			walk(c)
		}
	}
	walk(e)
	return out
}

// get is the value of e's attribute named local, in no namespace or any.
func (e *element) get(local string) string {
	if e == nil {
		return ""
	}
	for _, a := range e.attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// base is e's xml:base, which CC allows on resources and their parent.
func (e *element) base() string {
	if e == nil {
		return ""
	}
	for _, a := range e.attr {
		if a.Name.Local == "base" && (a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			return a.Value
		}
	}
	return ""
}

// value is e's text, with its white space collapsed as titles are shown.
func (e *element) value() string {
	if e == nil {
		return ""
	}
	return strings.Join(strings.Fields(e.text.String()), " ")
}

// langString is the text of a LOM LangString (<title><string
// language="en">...</string></title>), or of e itself when it has no
// string children: the first string in lang when there is one, else the
// first.
func (e *element) langString(lang string) string {
	if e == nil {
		return ""
	}
	strs := e.all("string")
	if len(strs) == 0 {
		return e.value()
	}
	for _, s := range strs {
		if l := s.get("language"); l != "" && lang != "" && strings.EqualFold(l, lang) {
			return s.value()
		}
	}
	return strs[0].value()
}

// looksLikeXML reports whether data starts as an XML document does (after
// a byte order mark and white space): a thin cartridge may come as its
// manifest alone.
func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}
