package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
//
// What the client reads comes only from the typed errors' data (kind,
// field, record, message), never from Error(): the context wrapped around
// them on the way up names functions and is for the log.
func problemFor(err error) (p problemDetails, internal bool) {
	var (
		re *requestError
		ie *problem.InvalidError
		pe *problem.Error
		me *http.MaxBytesError
		// bi is a refusal of a file's contents (badinput.Error) that tells
		// its problems as fields.
		bi interface{ Invalid() *problem.InvalidError }
	)
	switch {
	case errors.As(err, &re):
		p = newProblem(re.status, re.detail)
		p.Errors = re.fields
		p.Record = re.record
	case errors.As(err, &me):
		p = newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", me.Limit))
	case errors.As(err, &bi):
		ie := bi.Invalid()
		p = newProblem(http.StatusUnprocessableEntity, ie.Detail())
		p.Errors = ie.Fields
	case errors.As(err, &ie):
		p = newProblem(http.StatusUnprocessableEntity, ie.Detail())
		p.Errors = ie.Fields
		p.Record = recordOf(ie.Record)
	case errors.As(err, &pe) && kindStatus[pe.Kind] != 0:
		p = newProblem(kindStatus[pe.Kind], pe.Detail())
		if pe.Field != "" {
			p.Errors = []problem.Field{{Field: pe.Field, Reason: pe.Message}}
		}
		p.Record = recordOf(pe.Record)
	default:
		// A bare sentinel (fmt.Errorf("...: %w", problem.ErrForbidden))
		// says its kind but nothing meant for people: the answer names the
		// kind only.
		for _, k := range []problem.Kind{problem.KindInvalid, problem.KindNotFound, problem.KindForbidden, problem.KindConflict} {
			if errors.Is(err, k.Err()) {
				return newProblem(kindStatus[k], ""), false
			}
		}
		p = newProblem(http.StatusInternalServerError, "the server failed to answer; the failure is logged under the request id")
		return p, true
	}
	return p, false
}

// kindStatus is the HTTP status of each kind of problem.
var kindStatus = map[problem.Kind]int{
	problem.KindNotFound:  http.StatusNotFound,
	problem.KindInvalid:   http.StatusUnprocessableEntity,
	problem.KindForbidden: http.StatusForbidden,
	problem.KindConflict:  http.StatusConflict,
}

// recordOf is the problem document's record: nil for a single record (-1).
func recordOf(i int) *int {
	if i < 0 {
		return nil
	}
	return &i
}

func newProblem(status int, detail string) problemDetails {
	t, ok := problemTypes[status]
	if !ok {
		t.slug, t.title = strconv.Itoa(status), http.StatusText(status)
	}
	return problemDetails{Type: problemTypeBase + t.slug, Title: t.title, Status: status, Detail: detail}
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
