package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/store"
)

// Limits on request bodies: one record is small; a batch of evidence from
// a gradebook export may be large (internal/limits says why each).
const (
	maxBody      = limits.RequestBytes
	maxBatchBody = limits.BatchBytes
)

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a programming error (an unencodable type, a NaN) gets here;
		// ServeHTTP recovers, logs it with its stack and answers 500.
		panic(fmt.Sprintf("web: encoding a %T answer: %v", v, err))
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeProblem answers with an RFC 9457 problem document.
func writeProblem(w http.ResponseWriter, r *http.Request, p problemDetails) {
	if p.Instance == "" {
		p.Instance = r.URL.Path
	}
	if p.RequestID == "" {
		p.RequestID = requestIDFrom(r.Context())
	}
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"title":"Internal error","status":500}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	w.Write(body)
}

// writeCreated answers 201 with v and, when location is not empty, where
// the new record lives.
func writeCreated(w http.ResponseWriter, location string, v any) {
	if location != "" {
		w.Header().Set("Location", location)
	}
	writeJSON(w, http.StatusCreated, v)
}

// list is the envelope of every list answer. Next is the cursor of the
// following page, to pass back as ?after=; it is absent on the last page.
type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// newList wraps items, never answering null for an empty list.
func newList[T any](items []T, next int64) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != 0 {
		l.Next = strconv.FormatInt(next, 10)
	}
	return l
}

// readBody reads the request body whole, refusing bodies of a type other
// than JSON and bodies over limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, &requestError{status: http.StatusUnsupportedMediaType,
				detail: fmt.Sprintf("the body is %q; send application/json", ct)}
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return nil, err
		}
		return nil, malformed("", "reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, malformed("", "the request body is empty; send a JSON document")
	}
	return b, nil
}

// decodeJSON reads the body into dst. Unknown fields, a second JSON value
// after the first and a body over maxBody are refused; every refusal names
// where the problem is.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	b, err := readBody(w, r, maxBody)
	if err != nil {
		return err
	}
	return unmarshalStrict(b, dst)
}

// unmarshalStrict decodes one JSON value from b into dst, refusing
// unknown fields and trailing data.
func unmarshalStrict(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(b, dec, err)
	}
	if rest := bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		line, col := position(b, len(b)-len(rest))
		return malformed("", "unexpected data after the JSON document at line %d, column %d", line, col)
	}
	return nil
}

// jsonError turns a decoding error into a 400 naming the position or the
// field.
func jsonError(b []byte, dec *json.Decoder, err error) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
		pe *time.ParseError
	)
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte itself.
		line, col := position(b, int(se.Offset)-1)
		return malformed("", "malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(b, len(b))
		return malformed("", "malformed JSON: the document ends early, at line %d, column %d", line, col)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return malformed("", "the body is JSON %s, expected %s", te.Value, jsonTypeName(te.Type))
		}
		return malformed(field, "is JSON %s, expected %s", te.Value, jsonTypeName(te.Type))
	case errors.As(err, &pe):
		return malformed("", "%q is not a date-time in RFC 3339 form, such as 2025-03-14T09:30:00Z", pe.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown fields only in its message.
		name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if uerr != nil {
			name = strings.TrimPrefix(err.Error(), "json: unknown field ")
		}
		return malformed(name, "unknown field %q", name)
	}
	line, col := position(b, int(dec.InputOffset()))
	return malformed("", "malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(err.Error(), "json: "))
}

// jsonTypeName names a Go type the way a JSON client thinks of it.
func jsonTypeName(t reflect.Type) string {
	if t == reflect.TypeFor[time.Time]() {
		return "a date-time string"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "an object"
}

// position turns the index of a byte into its 1-based line and column.
func position(b []byte, off int) (line, col int) {
	off = max(0, min(off, len(b)))
	line = 1 + bytes.Count(b[:off], []byte("\n"))
	col = off - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}

// pathID returns the id in the URL's {name}. An id that is not a positive
// number names nothing, so it is a 404 like an id that does not exist.
func pathID(r *http.Request, name, what string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(what, strconv.Quote(v))
	}
	return id, nil
}

// page reads ?limit= and ?after=.
func page(r *http.Request) (store.Page, error) {
	var p store.Page
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return p, malformed("limit", "%q is not a number from 1 to 500", v)
		}
		p.Limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return p, malformed("after", "%q is not a cursor from a previous page's next", v)
		}
		p.After = n
	}
	return p, nil
}

// rosterFilter reads ?limit=, ?after= and ?includeRetired=.
func rosterFilter(r *http.Request) (store.RosterFilter, error) {
	var f store.RosterFilter
	var err error
	if f.Page, err = page(r); err != nil {
		return f, err
	}
	f.IncludeRetired, err = queryBool(r, "includeRetired")
	return f, err
}

// queryID reads an optional id from the query string; 0 when absent.
func queryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, malformed(name, "%q is not an id", v)
	}
	return n, nil
}

// queryBool reads an optional true/false from the query string.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, malformed(name, "%q is not true or false", v)
	}
	return b, nil
}
