package oneroster

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
)

// table reads one CSV file a row at a time: the header decides which
// column is which, rows are read into a reused record, and every problem is
// reported with the file, line and column.
type table struct {
	file    string // as the person knows it: "users.csv"
	entity  Entity
	version string
	mode    Mode
	r       *csv.Reader
	cols    map[string]int // column name -> field index
	meta    []int          // indexes of metadata.* columns
	header  []string
	probs   *badinput.List
	rec     []string
	limits  []fieldLimit // each column's, in header order
	tooLong []bool       // the current row's fields refused as too long
	rows    int
	line    int
	bad     bool // the current row has a problem
	// cut says reading stopped before the end of the file (a limit, a
	// broken file): its records are not all known.
	cut     bool
	broken  bool // a CSV syntax error: rows may have run together
	lastErr int  // line of the last CSV syntax error, to stop on one that repeats
}

// newTable reads the header of r. It returns nil when the header is
// unusable (problems reported): the file's rows are then not read.
func newTable(r io.Reader, file string, entity Entity, version string, mode Mode, probs *badinput.List) *table {
	br := bufio.NewReaderSize(newLineReader(r), 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	t := &table{file: file, entity: entity, version: version, mode: mode, r: cr, probs: probs}
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			probs.Addf(file, 0, 0, "", "empty: a OneRoster file starts with a header line naming its columns")
		} else {
			t.syntax(err)
		}
		return nil
	}
	t.header = append([]string(nil), head...)
	t.cols = make(map[string]int, len(head))
	for _, h := range t.header {
		max, what := columnLimit(strings.TrimSpace(h))
		t.limits = append(t.limits, fieldLimit{max, what})
	}
	t.tooLong = make([]bool, len(t.header))
	known := map[string]string{} // lower-case -> proper spelling
	for _, c := range columns[version][entity] {
		known[strings.ToLower(c)] = c
	}
	other := otherVersion(version)
	ok := true
	for i, h := range t.header {
		name := strings.TrimSpace(h)
		if !utf8.ValidString(name) {
			probs.Addf(file, 1, i+1, "", "the header is not valid UTF-8: save the file as UTF-8")
			return nil
		}
		if strings.HasPrefix(strings.ToLower(name), "metadata.") {
			t.meta = append(t.meta, i)
			t.header[i] = name
			continue
		}
		proper, isKnown := known[strings.ToLower(name)]
		switch {
		case isKnown:
			name = proper
		case tolerated[version][entity][name]:
		case name == "":
			probs.Addf(file, 1, i+1, "", "a column without a name")
			ok = false
			continue
		case entity == Users && version == Version12 && (name == "role" || name == "orgSourcedIds"):
			probs.Addf(file, 1, i+1, "", "OneRoster 1.2 users.csv has no %s column: a user's roles and organisations are rows of roles.csv (the manifest says oneroster.version 1.2)", name)
			ok = false
			continue
		case hasColumn(other, entity, name):
			probs.Addf(file, 1, i+1, "", "%q is a column of OneRoster %s %s, not of %s, the version the manifest gives", name, other, file, version)
			ok = false
			continue
		default:
			// The standard names extensions metadata.*, but exports add
			// their own columns: read past them, and say so.
			probs.Warnf(file, 1, i+1, name, "not a column of OneRoster %s %s (extra columns are named metadata.something): ignored", version, file)
			continue
		}
		if first, dup := t.cols[name]; dup {
			probs.Addf(file, 1, i+1, "", "column %s appears twice (first as column %d)", name, first+1)
			ok = false
			continue
		}
		t.cols[name] = i
	}
	need := append([]string(nil), required[version][entity]...)
	if mode == Delta {
		need = append(need, "status", "dateLastModified")
	}
	for _, c := range need {
		if _, has := t.cols[c]; !has {
			why := "an active row needs it"
			if c == "status" || c == "dateLastModified" {
				why = "a delta file needs it"
			}
			probs.Addf(file, 1, 0, "", "missing column %s: %s", c, why)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return t
}

func otherVersion(v string) string {
	if v == Version11 {
		return Version12
	}
	return Version11
}

func hasColumn(version string, e Entity, name string) bool {
	for _, c := range columns[version][e] {
		if c == name {
			return true
		}
	}
	return false
}

// next reads the next row; false at the end of the file.
func (t *table) next() bool {
	for {
		rec, err := t.r.Read()
		if err == nil {
			t.rec = rec
			t.line, _ = t.r.FieldPos(0)
			t.bad = false
			if t.rows++; t.rows > limits.CSVRows {
				t.rowf("the file has more than the %d rows a OneRoster file may have", limits.CSVRows)
				t.cut = true
				return false
			}
			t.checkLengths()
			if len(rec) > len(t.header) {
				t.rowf("the row has %d fields, the header has %d", len(rec), len(t.header))
			}
			for i, f := range rec {
				if !utf8.ValidString(f) {
					t.probs.Addf(t.file, t.line, i+1, t.columnName(i), "not valid UTF-8: save the file as UTF-8")
					t.bad = true
					break
				}
			}
			return true
		}
		if errors.Is(err, io.EOF) {
			return false
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) || pe.Line == t.lastErr {
			t.syntax(err)
			t.cut = true
			return false
		}
		t.lastErr = pe.Line
		t.syntax(err)
	}
}

func (t *table) columnName(i int) string {
	if i >= 0 && i < len(t.header) {
		return strings.TrimSpace(t.header[i])
	}
	return ""
}

// syntax reports a CSV syntax error (broken quoting, mostly) or a limit
// reached while reading.
func (t *table) syntax(err error) {
	var le *limitError
	if errors.As(err, &le) {
		t.probs.Addf(t.file, le.line, le.column, t.columnName(le.column-1), "%s", le.reason)
		t.bad = true
		return
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		reason := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			reason = `a " inside a field that does not start with ": quote the whole field and double the " inside it ("")`
		case errors.Is(pe.Err, csv.ErrQuote):
			reason = `a quoted field is not closed, or a " inside it is not doubled ("")`
		}
		t.probs.Addf(t.file, pe.Line, pe.Column, "", "%s", reason)
		t.bad, t.broken = true, true
		return
	}
	t.probs.Addf(t.file, 0, 0, "", "cannot be read: %v", err)
	t.broken = true
}

// has reports whether the file has column col.
func (t *table) has(col string) bool {
	_, ok := t.cols[col]
	return ok
}

// get returns the value of col in the current row, trimmed; "" when the
// column or the field is missing.
func (t *table) get(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.rec) {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

// pos is where col's field of the current row is: its line (a quoted field
// may start on a later line than the row) and its column number.
func (t *table) pos(col string) (line, column int) {
	i, ok := t.cols[col]
	if !ok {
		return t.line, 0
	}
	if i < len(t.rec) {
		line, _ = t.r.FieldPos(i)
		return line, i + 1
	}
	return t.line, i + 1
}

// errf reports a problem with col's field in the current row, unless the
// field was refused as too long (and blanked) already.
func (t *table) errf(col, format string, args ...any) {
	if i, ok := t.cols[col]; ok && i < len(t.tooLong) && t.tooLong[i] {
		t.bad = true
		return
	}
	line, column := t.pos(col)
	t.probs.Addf(t.file, line, column, col, format, args...)
	t.bad = true
}

// rowf reports a problem with the whole current row.
func (t *table) rowf(format string, args ...any) {
	t.probs.Addf(t.file, t.line, 0, "", format, args...)
	t.bad = true
}

// need returns col's value, reporting it when blank.
func (t *table) need(col string) string {
	v := t.get(col)
	if v == "" {
		t.errf(col, "required, but blank")
	}
	return v
}

// enum returns col's value in its proper spelling; blank is allowed
// unless the column is required.
func (t *table) enum(col string, v *vocabulary, required bool) string {
	s := t.get(col)
	if s == "" {
		if required {
			t.errf(col, "required, but blank (one of %s)", v)
		}
		return ""
	}
	c, ok := v.match(s)
	if !ok {
		t.errf(col, "%q is not one of %s", s, v)
		return s
	}
	return c
}

// boolean reads true or false; blank is nil.
func (t *table) boolean(col string) *bool {
	s := t.get(col)
	if s == "" {
		return nil
	}
	c, ok := booleans.match(s)
	if !ok {
		t.errf(col, "%q is not true or false", s)
		return nil
	}
	if c == "true" {
		return &yes
	}
	return &no
}

var yes, no = true, false

// date reads a YYYY-MM-DD date. A full date and time is accepted for its
// day, as some systems write dates that way.
func (t *table) date(col string, required bool) Date {
	s := t.get(col)
	if s == "" {
		if required {
			t.errf(col, "required, but blank (a date such as 2024-08-26)")
		}
		return 0
	}
	d, err := parseDate(s)
	if err != nil {
		t.errf(col, "%q is not a date: want YYYY-MM-DD, such as 2024-08-26", s)
	}
	return d
}

func parseDate(s string) (Date, error) {
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		if tm, err := parseDateTime(s); err == nil {
			return DateOf(tm), nil
		}
	}
	tm, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, err
	}
	return DateOf(tm), nil
}

// dateTimeLayouts are the forms of dateLastModified seen in exports: ISO
// 8601 with or without fractions of a second and zone, or a plain date.
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"}

func parseDateTime(s string) (time.Time, error) {
	for _, l := range dateTimeLayouts {
		if tm, err := time.Parse(l, s); err == nil {
			return tm.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time", s)
}

// list splits a comma-separated list field ("09,10").
func (t *table) list(col string, in *interner) []string {
	s := t.get(col)
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, in.get(p))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// metadata collects the row's metadata columns that have a value.
func (t *table) metadata() map[string]string {
	var m map[string]string
	for _, i := range t.meta {
		if i >= len(t.rec) {
			continue
		}
		if v := strings.TrimSpace(t.rec[i]); v != "" {
			if m == nil {
				m = make(map[string]string, len(t.meta))
			}
			m[t.header[i]] = v
		}
	}
	return m
}

// interner keeps one copy of values that repeat across many rows (grades,
// subjects, vocabularies), so that a large roster holds each once.
type interner struct{ m map[string]string }

func (in *interner) get(s string) string {
	if in == nil {
		return strings.Clone(s)
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) > 100000 {
		return strings.Clone(s)
	}
	if in.m == nil {
		in.m = map[string]string{}
	}
	v := strings.Clone(s)
	in.m[v] = v
	return v
}
