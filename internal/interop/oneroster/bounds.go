package oneroster

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/cairn-learning/cairn/internal/limits"
)

// What a package may weigh. A OneRoster package comes from outside, often
// as an upload: every size is checked before it is held in memory, so
// that a small zip that expands to gigabytes, a line without an end or a
// field of a hundred megabytes is refused, naming the limit, instead of
// exhausting the server's memory. The numbers are in internal/limits.

// ReadZip reads a OneRoster package from a zip file of size bytes, named
// name in messages. Before anything is decompressed it refuses a zip
// larger than limits.ZipBytes, with more than limits.ZipEntries files, a
// file that would expand past limits.CSVFileBytes or limits.CompressionRatio
// times its compressed size, or files that together would pass
// limits.PackageBytes; then it reads the package as Read does.
func ReadZip(r io.ReaderAt, size int64, name string, opt ReadOptions) (*Roster, error) {
	if size > limits.ZipBytes {
		return nil, badFile(name, fmt.Sprintf("the zip file is %s: larger than the %s a OneRoster package may be", limits.Bytes(size), limits.Bytes(limits.ZipBytes)))
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, badFile(name, "not a zip file: a OneRoster package is a zip of manifest.csv and the files it lists")
	}
	if err := checkZip(z, name); err != nil {
		return nil, err
	}
	return Read(z, opt)
}

// checkZip checks what the zip's directory says of its files against the
// limits. The sizes it gives are enforced while reading: archive/zip
// refuses a file that decompresses to more than its declared size, and
// Read counts every byte again.
func checkZip(z *zip.Reader, name string) error {
	if n := len(z.File); n > limits.ZipEntries {
		return badFile(name, fmt.Sprintf("the zip holds %d files: more than the %d a OneRoster package may have", n, limits.ZipEntries))
	}
	var total uint64
	for _, f := range z.File {
		size := f.UncompressedSize64
		switch {
		case size > limits.CSVFileBytes:
			return badFile(f.Name, fmt.Sprintf("%s uncompressed: larger than the %s a file of a OneRoster package may be", limits.Bytes(int64(min(size, 1<<62))), limits.Bytes(limits.CSVFileBytes)))
		case size > 1<<20 && size/limits.CompressionRatio > f.CompressedSize64:
			return badFile(f.Name, fmt.Sprintf("expands from %s to %s: more than the %d times its compressed size a file of a zip may expand", limits.Bytes(int64(f.CompressedSize64)), limits.Bytes(int64(size)), limits.CompressionRatio))
		}
		total += size
	}
	if total > limits.PackageBytes {
		return badFile(name, fmt.Sprintf("its files are %s uncompressed: more than the %s a OneRoster package may be", limits.Bytes(int64(min(total, 1<<62))), limits.Bytes(limits.PackageBytes)))
	}
	return nil
}

// limitError is a limit reached while a file is read: where, and which.
type limitError struct {
	line, column int // 0 when not known
	reason       string
}

func (e *limitError) Error() string { return e.reason }

// budget counts the bytes read from all the files of one package.
type budget struct{ read int64 }

// boundedFS opens files that stop with a limitError past
// limits.CSVFileBytes, or when the package's files together pass
// limits.PackageBytes: a folder on disk has no zip directory to check
// first, and a zip's is checked again.
type boundedFS struct {
	fs.FS
	b *budget
}

func (b boundedFS) Open(name string) (fs.File, error) {
	f, err := b.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &boundedFile{File: f, b: b.b}, nil
}

type boundedFile struct {
	fs.File
	b    *budget
	read int64
}

func (f *boundedFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.read += int64(n)
	f.b.read += int64(n)
	switch {
	case f.read > limits.CSVFileBytes:
		return n, &limitError{reason: fmt.Sprintf("the file is larger than the %s a file of a OneRoster package may be", limits.Bytes(limits.CSVFileBytes))}
	case f.b.read > limits.PackageBytes:
		return n, &limitError{reason: fmt.Sprintf("the package's files are larger than the %s a OneRoster package may be, together", limits.Bytes(limits.PackageBytes))}
	}
	return n, err
}

// lineReader passes a CSV file through to encoding/csv, which holds a
// whole line (or a whole row, when a quoted field runs over several lines)
// in memory before it returns anything: it stops with a limitError, naming
// the line and the field, as soon as a line or a row passes
// limits.CSVLineBytes. It follows the quoting as encoding/csv does, to
// know where a row ends and which field it is in.
type lineReader struct {
	r         io.Reader
	line      int // the current line, from 1
	rowLine   int // the line the current row started on
	lineBytes int
	rowBytes  int
	field     int // the current field of the row, from 1
	state     quoteState
	err       error
}

type quoteState uint8

const (
	fieldStart quoteState = iota // at the start of a field
	unquoted                     // in a field that does not start with "
	quoted                       // in a quoted field
	quoteSeen                    // just after a " in a quoted field: its end, or the first of ""
	broken                       // after a misplaced " (encoding/csv drops the rest of the line)
)

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, line: 1, rowLine: 1, field: 1}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.line++
			l.lineBytes = 0
			if l.state == quoted {
				l.rowBytes++
				continue
			}
			l.state, l.field, l.rowBytes, l.rowLine = fieldStart, 1, 0, l.line
			continue
		}
		l.lineBytes++
		l.rowBytes++
		if l.rowBytes > limits.CSVLineBytes {
			reason := fmt.Sprintf("the line is longer than the %s a line may be", limits.Bytes(limits.CSVLineBytes))
			if l.rowLine != l.line {
				reason = fmt.Sprintf("the row is longer than the %s a row may be: a quoted field runs over %d lines from here", limits.Bytes(limits.CSVLineBytes), l.line-l.rowLine+1)
			}
			l.err = &limitError{line: l.rowLine, column: l.field, reason: reason}
			return i, l.err
		}
		switch l.state {
		case fieldStart, unquoted:
			switch c {
			case ',':
				l.state = fieldStart
				l.field++
			case '"':
				if l.state == fieldStart {
					l.state = quoted
				}
			default:
				l.state = unquoted
			}
		case quoted:
			if c == '"' {
				l.state = quoteSeen
			}
		case quoteSeen:
			switch c {
			case '"':
				l.state = quoted
			case ',':
				l.state = fieldStart
				l.field++
			case '\r':
			default:
				l.state = broken
			}
		}
	}
	if err != nil {
		var le *limitError
		if errors.As(err, &le) && le.line == 0 {
			le.line, le.column = l.line, l.field
		}
	}
	return n, err
}

// columnLimit is the most characters a field of the column may hold, and
// what the column holds, for messages. The same limits bound the records
// the store keeps (internal/roster checks them again).
func columnLimit(name string) (int, string) {
	switch {
	case strings.HasPrefix(strings.ToLower(name), "metadata."):
		return limits.Text, "a metadata field"
	}
	switch name {
	case "givenName", "familyName", "middleName", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "name":
		return limits.Name, "a name"
	case "title", "location":
		return limits.Title, "a title"
	case "email":
		return limits.Email, "an email address"
	case "orgSourcedIds", "termSourcedIds", "agentSourcedIds", "grades", "subjects", "subjectCodes", "periods", "userIds":
		return limits.List, "a list"
	case "description", "password", "value":
		return limits.Text, "this field"
	}
	return limits.Identifier, "an identifier or code"
}

// checkLengths refuses the current row's fields that are longer than
// their column's limit. A refused field is blanked (and not reported
// again as blank) and the row's other fields are copied, so that the long
// text is not kept in memory.
func (t *table) checkLengths() {
	clear(t.tooLong)
	long := false
	for i, f := range t.rec {
		lim := fieldLimit{limits.Text, "a field"} // beyond the header
		if i < len(t.limits) {
			lim = t.limits[i]
		}
		if len(f) <= lim.max { // a character is at least one byte
			continue
		}
		if reason := limits.TooLong(f, lim.max, lim.what); reason != "" {
			line, _ := t.r.FieldPos(i)
			t.probs.Addf(t.file, line, i+1, t.columnName(i), "%s", reason)
			t.rec[i] = ""
			t.bad = true
			long = true
			if i < len(t.tooLong) {
				t.tooLong[i] = true
			}
		}
	}
	if long {
		for i, f := range t.rec {
			t.rec[i] = strings.Clone(f)
		}
	}
}

// fieldLimit is one column's limit.
type fieldLimit struct {
	max  int
	what string
}
