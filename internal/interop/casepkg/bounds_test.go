package casepkg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairn-learning/cairn/internal/interop/badinput"
	"github.com/cairn-learning/cairn/internal/limits"
)

// docJSON is a CFDocument that passes every check.
const docJSON = `{"identifier":"d0000000-0000-4000-8000-000000000000","uri":"https://example.org/u","creator":"c","title":"t","lastChangeDateTime":"2024-01-01T00:00:00Z"}`

// itemJSON is an item with the statement given.
func itemJSON(i int, statement string) string {
	return fmt.Sprintf(`{"identifier":"a0000000-0000-4000-8000-%012d","uri":"https://example.org/u","fullStatement":%q,"lastChangeDateTime":"2024-01-01T00:00:00Z"}`, i, statement)
}

// allocatedBy runs f and returns the bytes it allocated on the heap, which
// bounds the memory it could have held.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// counted counts what is read from r.
type counted struct {
	r io.Reader
	n int64
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestParseRefusesBombs refuses packages built to exhaust memory, each
// with the limit it passes and where, holding little memory to do it.
func TestParseRefusesBombs(t *testing.T) {
	nested := `{"CFDocument":` + strings.TrimSuffix(docJSON, "}") + `,"extensions":{"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}}`
	zeros := strings.Repeat("0,", limits.CASEValues)
	manyValues := `{"CFDocument":` + strings.TrimSuffix(docJSON, "}") + `,"extensions":{"x":[` + zeros + `0]}}}`
	var items strings.Builder
	for i := range limits.CASEItems + 1 {
		if i > 0 {
			items.WriteByte(',')
		}
		items.WriteString(itemJSON(i, "s"))
	}
	for _, tt := range []struct {
		name string
		data string
		want string
	}{
		{"a statement of 10,001 characters", `{"CFDocument":` + docJSON + `,"CFItems":[` + "\n" + itemJSON(1, strings.Repeat("é", limits.Statement+1)) + `]}`,
			`bomb.json:2:100: CFItems[0].fullStatement: item "a0000000-0000-4000-8000-000000000001": longer than the 10000 characters a statement or a title may have`},
		{"a publisher of 201 characters", `{"CFDocument":` + strings.Replace(docJSON, `"c"`, `"c","publisher":"`+strings.Repeat("p", limits.Name+1)+`"`, 1) + `}`,
			`bomb.json:1:124: CFDocument.publisher: CFDocument "d0000000-0000-4000-8000-000000000000": longer than the 200 characters a name may have`},
		{"nested 100,000 deep", nested,
			"bomb.json:1:247: nested more than the 64 levels a CASE package may nest"},
		{"three million values", manyValues,
			fmt.Sprintf("bomb.json:1:%d: more than the 3000000 JSON values (keys, strings, numbers, objects, arrays) a CASE package may have", 4000153+2*(limits.CASEValues-2_000_000))},
		{"40,001 items", `{"CFDocument":` + docJSON + `,"CFItems":[` + items.String() + `]}`,
			"bomb.json:1:179: CFItems: 40001 items: more than the 40000 a CASE package may have"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := allocatedBy(func() { _, err = Parse(strings.NewReader(tt.data), "bomb.json") })
			var e *badinput.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *badinput.Error", err)
			}
			if got := e.Problems[0].String(); got != tt.want || len(e.Problems) != 1 {
				t.Errorf("problem\n got: %s\nwant: %s\n(all: %v)", got, tt.want, err)
			}
			// The tree of the items is decoded before it is counted
			// (about 20 times the text); the rest are refused before
			// decoding.
			max := uint64(8*len(tt.data) + 16<<20)
			if strings.HasSuffix(tt.name, "items") {
				max = uint64(32 * len(tt.data))
			}
			if alloc > max {
				t.Errorf("allocated %d MB for a %d MB package, want under %d", alloc>>20, len(tt.data)>>20, max>>20)
			}
		})
	}

	// A package larger than a package may be is read no further than the
	// limit: a 5 GiB statement costs what 32 MiB does.
	src := &counted{r: io.MultiReader(strings.NewReader(`{"CFDocument":`+docJSON+`,"CFItems":[{"fullStatement":"`), zeroStatement{})}
	var err error
	alloc := allocatedBy(func() { _, err = Parse(src, "big.json") })
	if got, want := fmt.Sprint(err), "big.json: larger than the 32 MiB a CASE package may be"; got != want {
		t.Errorf("err = %s, want %s", got, want)
	}
	if src.n > limits.CASEPackageBytes+64<<10 {
		t.Errorf("read %d bytes of the package, want at most the limit", src.n)
	}
	if alloc > 160<<20 {
		t.Errorf("allocated %d MB reading it, want under 160", alloc>>20)
	}
}

// zeroStatement reads as an endless run of '0'.
type zeroStatement struct{}

func (zeroStatement) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestParseAcceptsAtTheLimits accepts a statement and an identifier of
// exactly their limit.
func TestParseAcceptsAtTheLimits(t *testing.T) {
	data := `{"CFDocument":` + docJSON + `,"CFItems":[` + itemJSON(1, strings.Repeat("é", limits.Statement)) + `]}`
	if _, err := Parse(strings.NewReader(data), "ok.json"); err != nil {
		t.Fatalf("a statement of %d characters: %v", limits.Statement, err)
	}
}

// TestFetchBounded stops reading a server that sends more than a package
// may be: at once when it says so, at the limit when it does not.
func TestFetchBounded(t *testing.T) {
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/says") {
			w.Header().Set("Content-Length", strconv.Itoa(5<<30))
		}
		n, _ := io.Copy(w, io.MultiReader(strings.NewReader(`{"CFDocument":{"title":"`), io.LimitReader(zeroStatement{}, 5<<30)))
		sent.Add(n)
	}))
	defer srv.Close()
	for _, tt := range []struct{ path, want string }{
		{"/ims/case/v1p1/CFPackages/says", "/ims/case/v1p1/CFPackages/says: the server sends 5 GiB: larger than the 32 MiB a CASE package may be"},
		{"/ims/case/v1p1/CFPackages/streams", "/ims/case/v1p1/CFPackages/streams: larger than the 32 MiB a CASE package may be"},
	} {
		sent.Store(0)
		_, err := Fetch(context.Background(), srv.Client(), srv.URL+tt.path)
		if got := fmt.Sprint(err); got != srv.URL+tt.want {
			t.Errorf("err = %s, want %s", got, srv.URL+tt.want)
		}
		srv.CloseClientConnections()
	}
	if n := sent.Load(); n > limits.CASEPackageBytes+16<<20 {
		t.Errorf("the server sent %d MB before the client stopped", n>>20)
	}
}
