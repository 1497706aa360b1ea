package oneroster

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
)

// usersHeader is the header of the 1.2 fixture's users.csv, and a user's
// fields up to givenName (column 7).
const (
	usersHeader = "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns,metadata.district.homeLanguage\n"
	userPrefix  = "usr-x,,,true,x,,"
)

// repeated reads as n copies of b, counting what was read.
type repeated struct {
	b    byte
	n    int64
	read int64
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > r.n-r.read {
		k = r.n - r.read
	}
	p = p[:k]
	if len(p) > 0 {
		p[0] = r.b
		for i := 1; i < len(p); i *= 2 {
			copy(p[i:], p[:i])
		}
	}
	r.read += k
	return int(k), nil
}

// streamFS is the 1.2 fixture with users.csv read from a stream made when
// it is opened: a file of gigabytes that is never held anywhere.
type streamFS struct {
	fstest.MapFS
	users func() io.Reader
}

func (s streamFS) Open(name string) (fs.File, error) {
	if name != "users.csv" {
		return s.MapFS.Open(name)
	}
	return &streamFile{r: s.users()}, nil
}

type streamFile struct{ r io.Reader }

func (f *streamFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *streamFile) Close() error               { return nil }
func (f *streamFile) Stat() (fs.FileInfo, error) { return nil, errors.New("not known") }

// allocated runs f and returns the bytes it allocated on the heap, which
// bounds the memory it could have held.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// onlyProblem returns the one problem of err.
func onlyProblem(t *testing.T, err error) badinput.Problem {
	t.Helper()
	var e *badinput.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want a *badinput.Error", err, err)
	}
	if len(e.Problems) != 1 || e.More != 0 {
		t.Fatalf("problems:\n%s\nwant one", err)
	}
	return e.Problems[0]
}

// TestReadStopsAtLongLine reads a users.csv whose second line is a given
// name of 5 GiB without an end: the reader stops at the line limit, names
// the line and the column, and holds a few megabytes at most.
func TestReadStopsAtLongLine(t *testing.T) {
	for _, tt := range []struct {
		name   string
		prefix string
		want   string
	}{
		{"one line", usersHeader + userPrefix,
			"users.csv:2:7: givenName: the line is longer than the 1 MiB a line may be"},
		// A quoted field may run over lines; the row is bounded as a
		// whole.
		{"a quoted field of many lines", usersHeader + userPrefix + `"`,
			"users.csv:2:7: givenName: the row is longer than the 1 MiB a row may be: a quoted field runs over 16 lines from here"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := &repeated{b: 'a', n: 5 << 30}
			if strings.HasSuffix(tt.prefix, `"`) {
				// 64 KiB lines: no line is long, the row is.
				src.b = '\n'
			}
			fsys := streamFS{MapFS: loadFS(t, "bulk-v1p2"), users: func() io.Reader {
				return io.MultiReader(strings.NewReader(tt.prefix), &lines{src: src})
			}}
			var err error
			alloc := allocated(func() { _, err = Read(fsys, ReadOptions{}) })
			if got := onlyProblem(t, err).String(); got != tt.want {
				t.Errorf("problem\n got: %s\nwant: %s", got, tt.want)
			}
			if max := int64(limits.CSVLineBytes + 256<<10); src.read > max {
				t.Errorf("read %d bytes of the stream, want at most %d", src.read, max)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB reading it, want under 64", alloc>>20)
			}
		})
	}
}

// lines turns a stream of newlines into lines of 64 KiB of 'a' (and a
// stream of anything else into itself).
type lines struct {
	src *repeated
	col int
}

func (l *lines) Read(p []byte) (int, error) {
	n, err := l.src.Read(p)
	if l.src.b != '\n' {
		return n, err
	}
	for i := range p[:n] {
		l.col++
		if l.col < 64<<10 {
			p[i] = 'a'
			continue
		}
		l.col = 0
	}
	return n, err
}

// TestReadRefusesLongFields refuses fields longer than their column's
// limit, naming the file, line, column and limit.
func TestReadRefusesLongFields(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	for _, tt := range []struct {
		name, file, old, new, want string
	}{
		{"given name", "users.csv", ",Benjamin,", "," + long(limits.Name+1) + ",",
			"users.csv:3:7: givenName: longer than the 200 characters a name may have"},
		{"sourcedId", "users.csv", "usr-s2,", "usr-" + long(limits.Identifier) + ",",
			"users.csv:3:1: sourcedId: longer than the 256 characters an identifier or code may have"},
		{"class title", "classes.csv", "cls-ela7-hr,,,", "cls-ela7-hr,,," + long(limits.Title+1),
			`classes.csv:5:4: title: longer than the 200 characters a title may have`},
		{"metadata", "users.csv", "org-hs,she/her,es", "org-hs,she/her," + long(limits.Text+1),
			"users.csv:2:23: metadata.district.homeLanguage: longer than the 10000 characters a metadata field may have"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := loadFS(t, "bulk-v1p2")
			data := string(m[tt.file].Data)
			if !strings.Contains(data, tt.old) {
				t.Fatalf("%s has no %q", tt.file, tt.old)
			}
			m[tt.file] = &fstest.MapFile{Data: []byte(strings.Replace(data, tt.old, tt.new, 1))}
			_, err := Read(m, ReadOptions{})
			var e *badinput.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *badinput.Error", err)
			}
			if got := e.Problems[0].String(); got != tt.want {
				t.Errorf("first problem\n got: %s\nwant: %s\n(all: %v)", got, tt.want, err)
			}
		})
	}
	// At the limit is accepted.
	m := loadFS(t, "bulk-v1p2")
	m["users.csv"] = &fstest.MapFile{Data: bytes.Replace(m["users.csv"].Data, []byte(",Benjamin,"), []byte(","+long(limits.Name)+","), 1)}
	if _, err := Read(m, ReadOptions{}); err != nil {
		t.Errorf("a name of %d characters: %v", limits.Name, err)
	}
}

// TestReadRefusesTooManyRows stops at the row limit.
func TestReadRefusesTooManyRows(t *testing.T) {
	if testing.Short() {
		t.Skip("reads two million rows")
	}
	var b bytes.Buffer
	b.WriteString("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n")
	src := io.MultiReader(&b, &rowRepeater{row: []byte("r,,,usr-x,primary,student,,,org-hs,\n"), n: limits.CSVRows + 10})
	tab := newTable(src, "roles.csv", Roles, Version12, Bulk, &badinput.List{})
	n := 0
	for tab.next() {
		n++
	}
	if n != limits.CSVRows {
		t.Errorf("read %d rows, want %d", n, limits.CSVRows)
	}
	if got, want := tab.probs.Problems()[0].String(), fmt.Sprintf("roles.csv:%d: the file has more than the %d rows a OneRoster file may have", limits.CSVRows+2, limits.CSVRows); got != want {
		t.Errorf("problem\n got: %s\nwant: %s", got, want)
	}
}

type rowRepeater struct {
	row []byte
	n   int
	buf []byte
}

func (r *rowRepeater) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.n > 0 {
		r.buf = append(r.buf, r.row...)
		r.n--
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// deflated1MiB is 1 MiB of 'a' compressed as raw deflate blocks that can
// follow one another: a stream of any multiple of 1 MiB is these bytes
// repeated, then an empty final block.
func deflated1MiB(t testing.TB) []byte {
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("a"), 1<<20))
	fw.Flush()
	return b.Bytes()
}

// bombZip is the fixture as a zip whose users.csv is a header and then
// one line of mib MiB of 'a', deflated: 5 GiB fit in 5 MB.
func bombZip(t testing.TB, mib int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range loadFS(t, "bulk-v1p2") {
		if name == "users.csv" {
			continue
		}
		w, _ := zw.Create(name)
		w.Write(f.Data)
	}
	chunk := deflated1MiB(t)
	var body bytes.Buffer
	fw, _ := flate.NewWriter(&body, flate.NoCompression)
	fw.Write([]byte(usersHeader + userPrefix))
	fw.Flush()
	for range mib {
		body.Write(chunk)
	}
	body.Write([]byte{0x03, 0x00}) // the final block, empty
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "users.csv", Method: zip.Deflate,
		CompressedSize64: uint64(body.Len()), UncompressedSize64: uint64(len(usersHeader)+len(userPrefix)) + uint64(mib)<<20})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadZipRefusesBombs refuses zips that would expand past the limits
// from what their directory says, before decompressing anything.
func TestReadZipRefusesBombs(t *testing.T) {
	randomLine := func(n int) []byte {
		rng := rand.New(rand.NewPCG(1, 2))
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
		}
		return b
	}
	zipOf := func(files map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range loadFS(t, "bulk-v1p2") {
			if _, ok := files[name]; !ok {
				w, _ := zw.Create(name)
				w.Write(data.Data)
			}
		}
		for name, data := range files {
			w, _ := zw.Create(name)
			w.Write(data)
		}
		zw.Close()
		return buf.Bytes()
	}
	manyFiles := map[string][]byte{}
	for i := range limits.ZipEntries {
		manyFiles[fmt.Sprintf("extra/%d.txt", i)] = nil
	}
	for _, tt := range []struct {
		name string
		zip  []byte
		want string
	}{
		{"5 GiB in 5 MB", bombZip(t, 5<<10),
			"users.csv: 5 GiB uncompressed: larger than the 512 MiB a file of a OneRoster package may be"},
		{"100 MiB in 100 KB", bombZip(t, 100),
			"users.csv: expands from 102 KiB to 100 MiB: more than the 100 times its compressed size a file of a zip may expand"},
		{"too many files", zipOf(manyFiles),
			"sis.zip: the zip holds 1010 files: more than the 1000 a OneRoster package may have"},
		// Within every size and ratio, but one line longer than a line
		// may be: the reader stops there.
		{"a 3 MiB line", zipOf(map[string][]byte{"users.csv": append([]byte(usersHeader+userPrefix), randomLine(3<<20)...)}),
			"users.csv:2:7: givenName: the line is longer than the 1 MiB a line may be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = ReadZip(bytes.NewReader(tt.zip), int64(len(tt.zip)), "sis.zip", ReadOptions{}) })
			if got := onlyProblem(t, err).String(); got != tt.want {
				t.Errorf("problem\n got: %s\nwant: %s", got, tt.want)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB reading a %d KB zip, want under 64", alloc>>20, len(tt.zip)>>10)
			}
		})
	}

	// A zip larger than a package may be is not opened.
	err := onlyProblem(t, func() error {
		_, err := ReadZip(unreadable{}, limits.ZipBytes+1<<20, "sis.zip", ReadOptions{})
		return err
	}())
	if want := "sis.zip: the zip file is 65 MiB: larger than the 64 MiB a OneRoster package may be"; err.String() != want {
		t.Errorf("problem\n got: %s\nwant: %s", err, want)
	}
}

// unreadable fails the test's expectation by failing every read.
type unreadable struct{}

func (unreadable) ReadAt([]byte, int64) (int, error) { return 0, errors.New("read") }

// TestReadFolderBounded bounds the files of a package read from a
// folder, which has no zip directory to check first: a file stops at the
// limit of a file, and the files together at the limit of a package.
func TestReadFolderBounded(t *testing.T) {
	read := func(fsys fs.FS, name string) (int64, error) {
		f, err := fsys.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return io.Copy(io.Discard, f)
	}
	huge := streamFS{MapFS: fstest.MapFS{}, users: func() io.Reader { return &repeated{b: 'a', n: 5 << 30} }}
	n, err := read(boundedFS{huge, &budget{}}, "users.csv")
	var le *limitError
	if !errors.As(err, &le) || le.reason != "the file is larger than the 512 MiB a file of a OneRoster package may be" {
		t.Errorf("err = %v, want the limit of a file", err)
	}
	if n > limits.CSVFileBytes+1<<20 {
		t.Errorf("read %d bytes, want at most the limit and a buffer", n)
	}

	b := &budget{}
	for i := 0; ; i++ {
		if i > 3 {
			t.Fatal("three files of 400 MiB were read whole")
		}
		big := streamFS{MapFS: fstest.MapFS{}, users: func() io.Reader { return &repeated{b: 'a', n: 400 << 20} }}
		if _, err := read(boundedFS{big, b}, "users.csv"); err != nil {
			if !errors.As(err, &le) || le.reason != "the package's files are larger than the 1 GiB a OneRoster package may be, together" {
				t.Errorf("err = %v, want the limit of a package", err)
			}
			break
		}
	}
}
