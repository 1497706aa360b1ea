package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cairn-learning/cairn/internal/problem"
)

// problemDetails is an RFC 9457 problem document, the body of every error
// answer. Errors and Record are cairn's extensions: the fields that were
// refused and why, and which record of a batch they belong to.
type problemDetails struct {
	Type     string          `json:"type"`
	Title    string          `json:"title"`
	Status   int             `json:"status"`
	Detail   string          `json:"detail,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Errors   []problem.Field `json:"errors,omitempty"`
	// Record is the zero-based position of the refused record in a batch.
	Record *int `json:"record,omitempty"`
	// RequestID is the id of the request in the server's log.
	RequestID string `json:"requestId,omitempty"`
}

// requestError is a fault found in the request itself before it reaches
// the store: malformed JSON, a bad query parameter, an unknown path.
type requestError struct {
	status int
	detail string
	fields problem.Fields
	record *int
}

func (e *requestError) Error() string { return e.detail }

// malformed returns a 400 naming field (may be empty) and why.
func malformed(field, format string, args ...any) error {
	e := &requestError{status: http.StatusBadRequest, detail: fmt.Sprintf(format, args...)}
	if field != "" {
		e.fields = problem.Fields{{Field: field, Reason: e.detail}}
	}
	return e
}

// notFound returns a 404 for an id in the URL.
func notFound(what string, id any) error {
	return &requestError{status: http.StatusNotFound, detail: fmt.Sprintf("no %s %v in this district", what, id)}
}

// problemTypes are the problem types cairn answers with, by status: a
// stable URI a client can switch on, and the title that goes with it.
var problemTypes = map[int]struct{ slug, title string }{
	http.StatusBadRequest:            {"malformed-request", "Malformed request"},
	http.StatusUnauthorized:          {"unauthenticated", "Sign-in required"},
	http.StatusTooManyRequests:       {"too-many-requests", "Too many requests"},
	http.StatusForbidden:             {"forbidden", "Forbidden"},
	http.StatusNotFound:              {"not-found", "Not found"},
	http.StatusMethodNotAllowed:      {"method-not-allowed", "Method not allowed"},
	http.StatusConflict:              {"conflict", "Conflict"},
	http.StatusRequestEntityTooLarge: {"too-large", "Request too large"},
	http.StatusUnsupportedMediaType:  {"unsupported-media-type", "Unsupported media type"},
	http.StatusUnprocessableEntity:   {"invalid", "Invalid input"},
	http.StatusInternalServerError:   {"internal", "Internal error"},
	http.StatusServiceUnavailable:    {"unavailable", "Service unavailable"},
}

// problemTypeBase prefixes every problem type. A tag URI (RFC 4151) names
// the type without promising a page at that address.
const problemTypeBase = "tag:cairn-learning.org,2025:problem:"

// problemFor is the one place that decides how a failure is answered: the
// kinds of internal/problem map to 404, 422, 403 and 409, faults in the
// request to their own status, and anything else to a 500 whose cause is
// logged and never shown. internal reports that last case.
func problemFor(err error) (p problemDetails, internal bool) {
	var (
		re *requestError
		ie *problem.InvalidError
		me *http.MaxBytesError
	)
	switch {
	case errors.As(err, &re):
		p = newProblem(re.status, re.detail)
		p.Errors = re.fields
		p.Record = re.record
	case errors.As(err, &me):
		p = newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", me.Limit))
	case errors.As(err, &ie):
		p = newProblem(http.StatusUnprocessableEntity, invalidDetail(ie))
		p.Errors = ie.Fields
		if ie.Record >= 0 {
			rec := ie.Record
			p.Record = &rec
		}
	case errors.Is(err, problem.ErrInvalid):
		p = newProblem(http.StatusUnprocessableEntity, publicMessage(err, problem.ErrInvalid))
	case errors.Is(err, problem.ErrNotFound):
		p = newProblem(http.StatusNotFound, publicMessage(err, problem.ErrNotFound))
	case errors.Is(err, problem.ErrForbidden):
		p = newProblem(http.StatusForbidden, publicMessage(err, problem.ErrForbidden))
	case errors.Is(err, problem.ErrConflict):
		p = newProblem(http.StatusConflict, publicMessage(err, problem.ErrConflict))
		if m := fieldPrefix.FindStringSubmatch(strings.TrimPrefix(p.Detail, recordPrefix.FindString(p.Detail))); m != nil {
			p.Errors = []problem.Field{{Field: m[1], Reason: m[2]}}
		}
	default:
		p = newProblem(http.StatusInternalServerError, "the server failed to answer; the failure is logged under the request id")
		return p, true
	}
	if p.Record == nil {
		// A batch failure of a kind other than invalid still says which
		// record it concerns (problem.InRecord writes "record N: ...").
		if m := recordPrefix.FindStringSubmatch(p.Detail); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				p.Record = &n
			}
		}
	}
	return p, false
}

func newProblem(status int, detail string) problemDetails {
	t, ok := problemTypes[status]
	if !ok {
		t.slug, t.title = strconv.Itoa(status), http.StatusText(status)
	}
	return problemDetails{Type: problemTypeBase + t.slug, Title: t.title, Status: status, Detail: detail}
}

func invalidDetail(ie *problem.InvalidError) string {
	var b strings.Builder
	if ie.Record >= 0 {
		fmt.Fprintf(&b, "record %d: ", ie.Record)
	}
	for i, f := range ie.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", f.Field, f.Reason)
	}
	return b.String()
}

var (
	// wrapPrefix matches the context problem.Wrap puts in front of a
	// message ("CreateSchool: ", "Class(3): ", "store.Open: "): the names
	// of exported functions, which mean nothing to a client. Field names
	// start in lower case ("sourcedId: ") and are kept.
	wrapPrefix   = regexp.MustCompile(`^(store\.)?[A-Z][A-Za-z0-9_]*(\([^()]*\))?: `)
	recordPrefix = regexp.MustCompile(`^record (\d+): `)
	// fieldPrefix matches a message that starts with the JSON field it is
	// about ("sourcedId: ..."), as conflicts do.
	fieldPrefix = regexp.MustCompile(`^([a-z][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[a-z][A-Za-z0-9_]*(?:\[\d+\])?)*): (.+)$`)
)

// publicMessage turns an error of a known kind into a message for the
// client: the reason, without function names or the kind's own word.
func publicMessage(err, kind error) string {
	msg := err.Error()
	for {
		loc := wrapPrefix.FindStringIndex(msg)
		if loc == nil {
			break
		}
		msg = msg[loc[1]:]
	}
	// Function names may also sit after a "record N: " prefix.
	if m := recordPrefix.FindString(msg); m != "" {
		rest := msg[len(m):]
		for {
			loc := wrapPrefix.FindStringIndex(rest)
			if loc == nil {
				break
			}
			rest = rest[loc[1]:]
		}
		msg = m + rest
	}
	msg = strings.TrimSuffix(msg, ": "+kind.Error())
	if msg == kind.Error() {
		return ""
	}
	return msg
}

// writeError answers with the problem document for err, logging the
// cause of an internal error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p, internal := problemFor(err)
	if internal {
		s.logFailure(r, err)
	}
	writeProblem(w, r, p)
}

// logFailure logs the cause of an internal error, which the client never
// sees.
func (s *Server) logFailure(r *http.Request, err error) {
	{
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away; there is no one to answer.
			s.log.Info("request canceled", "request_id", requestIDFrom(r.Context()), "path", r.URL.Path)
		} else {
			s.log.Error("internal error", "request_id", requestIDFrom(r.Context()),
				"method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
}
