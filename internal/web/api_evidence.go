package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/evidence"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/store"
)

// evidenceInput is a piece of evidence as a client sends it. It is kept
// apart from evidence.Evidence so that what only the server sets (the id,
// when it was recorded, each score's value on the scale, a void) is an
// unknown field here rather than something silently overwritten.
type evidenceInput struct {
	StudentID   int64         `json:"studentId"`
	ClassID     *int64        `json:"classId,omitempty"`
	Kind        evidence.Kind `json:"kind"`
	Title       string        `json:"title,omitempty"`
	Scores      []scoreInput  `json:"scores"`
	AssessedAt  time.Time     `json:"assessedAt"`
	RecordedBy  int64         `json:"recordedBy,omitempty"`
	Attempt     int           `json:"attempt,omitempty"`
	Comment     string        `json:"comment,omitempty"`
	ArtifactURL string        `json:"artifactUrl,omitempty"`
	// OverrideReason records a summative attempt the district's
	// reassessment policy would refuse, and says why; one record at a
	// time, not in a batch.
	OverrideReason string `json:"overrideReason,omitempty"`
}

// scoreInput is one score as a client sends it: a level of the
// standard's scale, or points between minPoints and maxPoints.
type scoreInput struct {
	StandardID int64    `json:"standardId"`
	Level      *float64 `json:"level,omitempty"`
	Points     *float64 `json:"points,omitempty"`
	MinPoints  float64  `json:"minPoints,omitempty"`
	MaxPoints  float64  `json:"maxPoints,omitempty"`
	// ItemID or ItemKey name the item (a reusable question) the score
	// answered: the id cairn gave it, or a key of the client's own.
	ItemID  int64  `json:"itemId,omitempty"`
	ItemKey string `json:"itemKey,omitempty"`
}

func (in evidenceInput) evidence(districtID int64) evidence.Evidence {
	ev := evidence.Evidence{
		DistrictID:  districtID,
		StudentID:   in.StudentID,
		ClassID:     in.ClassID,
		Kind:        in.Kind,
		Title:       in.Title,
		AssessedAt:  in.AssessedAt,
		RecordedBy:  in.RecordedBy,
		Attempt:     in.Attempt,
		Comment:     in.Comment,
		ArtifactURL: in.ArtifactURL,
		Scores:      make([]evidence.Score, len(in.Scores)),
	}
	for i, sc := range in.Scores {
		ev.Scores[i] = evidence.Score{StandardID: sc.StandardID, Level: sc.Level, Points: sc.Points,
			MinPoints: sc.MinPoints, MaxPoints: sc.MaxPoints, ItemID: sc.ItemID, ItemKey: sc.ItemKey}
	}
	return ev
}

func (s *Server) recordEvidence(w http.ResponseWriter, r *http.Request) error {
	var in evidenceInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	by, err := actingPerson(r, "recordedBy", in.RecordedBy)
	if err != nil {
		return err
	}
	in.RecordedBy = by
	// The change is logged with the evidence, in its transaction; a
	// student left out is refused by the store, with nothing to log.
	var audit []store.AuditEntry
	if in.StudentID != 0 {
		entry, err := s.studentChange(r, in.StudentID, access.Evidence)
		if err != nil {
			return asInvalidStudent(err, "studentId", in.StudentID)
		}
		audit = append(audit, entry)
	}
	ev := in.evidence(s.districtOf(r))
	if in.OverrideReason != "" {
		err = s.store.RecordEvidenceOverriding(r.Context(), &ev, store.RetakeOverride{Reason: in.OverrideReason}, audit...)
	} else {
		err = s.store.RecordEvidence(r.Context(), &ev, audit...)
	}
	if err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/v1/evidence/%d", ev.ID), ev)
	return nil
}

// maxBatch is the most records one batch may hold.
const maxBatch = limits.EvidenceBatch

// recordEvidenceBatch writes an array of evidence all or nothing. A
// refusal names the record (its position in the array) and the field.
func (s *Server) recordEvidenceBatch(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, maxBatchBody)
	if err != nil {
		return err
	}
	// Each record is decoded on its own so that a malformed one can be
	// named by its position.
	var raw []json.RawMessage
	if err := unmarshalStrict(body, &raw); err != nil {
		var re *requestError
		if errors.As(err, &re) && len(re.fields) == 0 && !strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
			return malformed("", "the body must be a JSON array of evidence records")
		}
		return err
	}
	switch {
	case len(raw) == 0:
		return problem.Errorf(problem.KindInvalid, "the batch is empty")
	case len(raw) > maxBatch:
		return problem.Errorf(problem.KindInvalid, "the batch holds %d records; send at most %d at a time", len(raw), maxBatch)
	}
	evs := make([]evidence.Evidence, len(raw))
	for i, m := range raw {
		var in evidenceInput
		if err := unmarshalStrict(m, &in); err != nil {
			var re *requestError
			if errors.As(err, &re) {
				rec := i
				re.record = &rec
				re.detail = fmt.Sprintf("record %d: %s", i, re.detail)
			}
			return err
		}
		if in.OverrideReason != "" {
			return problem.InRecord(i, problem.Invalid("overrideReason", "an override is recorded one record at a time, with POST /api/v1/evidence"))
		}
		by, err := actingPerson(r, "recordedBy", in.RecordedBy)
		if err != nil {
			return problem.InRecord(i, err)
		}
		in.RecordedBy = by
		evs[i] = in.evidence(s.districtOf(r))
	}
	audit, err := s.mayRecordFor(r, evs)
	if err != nil {
		return err
	}
	if err := s.store.RecordEvidenceBatch(r.Context(), evs, audit...); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newList(evs, 0))
	return nil
}

// pathEvidence returns the evidence whose id is in the URL's {id}, once
// the actor may do action on its student's evidence; evidence of a
// student they may not see is answered like evidence that does not
// exist.
func (s *Server) pathEvidence(r *http.Request, action access.Action) (evidence.Evidence, error) {
	ev, _, err := s.evidenceAccess(r, action)
	return ev, err
}

// pathEvidenceChange is pathEvidence for a change, which returns the
// audit entry of the change unwritten, for the store's write to record in
// the change's transaction (see studentChange).
func (s *Server) pathEvidenceChange(r *http.Request) (evidence.Evidence, store.AuditEntry, error) {
	return s.evidenceAccess(r, access.Change)
}

// evidenceAccess is pathEvidence and pathEvidenceChange: a view is logged
// at once, a change's entry is returned.
func (s *Server) evidenceAccess(r *http.Request, action access.Action) (evidence.Evidence, store.AuditEntry, error) {
	id, err := pathID(r, "id", "evidence")
	if err != nil {
		return evidence.Evidence{}, store.AuditEntry{}, err
	}
	// What none of the actor's roles may ever do (a guardian voiding) is
	// refused first, the same whether the evidence exists or not.
	if _, err := access.Decide(actorOf(r), action, access.Evidence, access.Relations{}); errors.Is(err, problem.ErrForbidden) {
		return evidence.Evidence{}, store.AuditEntry{}, err
	}
	ev, err := s.store.Evidence(r.Context(), s.districtOf(r), id)
	if err != nil {
		return ev, store.AuditEntry{}, urlRecord(err, "evidence", id)
	}
	var entry store.AuditEntry
	if action == access.Change {
		entry, err = s.studentChange(r, ev.StudentID, access.Evidence)
	} else {
		_, err = s.studentAccess(r, ev.StudentID, action, access.Evidence)
	}
	if err != nil {
		if errors.Is(err, problem.ErrForbidden) {
			return ev, store.AuditEntry{}, err
		}
		return ev, store.AuditEntry{}, urlRecord(asNotFound(err), "evidence", id)
	}
	return ev, entry, nil
}

func (s *Server) getEvidence(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.pathEvidence(r, access.View)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// voidInput says why evidence no longer counts, and who says so.
type voidInput struct {
	Reason string `json:"reason"`
	By     int64  `json:"by,omitempty"`
}

func (s *Server) voidEvidence(w http.ResponseWriter, r *http.Request) error {
	ev, audit, err := s.pathEvidenceChange(r)
	if err != nil {
		return err
	}
	var in voidInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return problem.Invalid("reason", "required: say why the evidence no longer counts")
	}
	if in.By, err = actingPerson(r, "by", in.By); err != nil {
		return err
	}
	audit.Detail = "void of evidence " + strconv.FormatInt(ev.ID, 10)
	if err := s.store.VoidEvidence(r.Context(), s.districtOf(r), ev.ID, in.By, in.Reason, audit); err != nil {
		return err
	}
	ev, err = s.store.Evidence(r.Context(), s.districtOf(r), ev.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

// studentEvidence lists a student's evidence, newest assessed first.
func (s *Server) studentEvidence(w http.ResponseWriter, r *http.Request) error {
	st, err := s.pathStudent(r, access.View, access.Evidence)
	if err != nil {
		return err
	}
	var f store.EvidenceFilter
	if f.Page, err = page(r); err != nil {
		return err
	}
	if f.StandardID, err = queryID(r, "standard"); err != nil {
		return err
	}
	if f.IncludeVoided, err = queryBool(r, "includeVoided"); err != nil {
		return err
	}
	items, next, err := s.store.StudentEvidence(r.Context(), s.districtOf(r), st.ID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

// mayRecordFor checks that the actor may record evidence for the student
// of each record, and returns the audit entries of the change, one per
// student, for the store to write with the batch. A refusal names the
// first record refused; a student the actor may not see reads like one
// that does not exist.
func (s *Server) mayRecordFor(r *http.Request, evs []evidence.Evidence) ([]store.AuditEntry, error) {
	a := actorOf(r)
	var ids []int64
	for _, ev := range evs {
		ids = append(ids, ev.StudentID)
	}
	// One query for the whole batch; a student who does not exist (or is
	// not a student) is missing from the answer.
	related, err := s.store.RelationsToEach(r.Context(), a, ids)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var entries []store.AuditEntry
	for i, ev := range evs {
		if ev.StudentID == 0 || seen[ev.StudentID] {
			continue
		}
		seen[ev.StudentID] = true
		rels, known := related[ev.StudentID]
		rel, derr := access.Decide(a, access.Change, access.Evidence, rels)
		if errors.Is(derr, problem.ErrForbidden) {
			return nil, derr
		}
		if !known || derr != nil {
			// Nothing is written: the store would refuse an unknown
			// student the same way, and a hidden one must read like it.
			return nil, problem.InRecord(i, problem.Invalid("studentId", "no student %d in this district", ev.StudentID))
		}
		entries = append(entries, s.auditEntry(r, ev.StudentID, access.Change, access.Evidence, rel))
	}
	return entries, nil
}

// asInvalidStudent turns the refusal of a student named in a request body
// into the same answer as a student who does not exist.
func asInvalidStudent(err error, field string, id int64) error {
	if errors.Is(err, problem.ErrForbidden) {
		return err
	}
	var re *requestError
	if errors.As(err, &re) && re.status == http.StatusNotFound {
		return problem.Invalid(field, "no student %d in this district", id)
	}
	return err
}

// asNotFound turns a 404 requestError back into problem.ErrNotFound, so
// that it can be renamed for the record in the URL.
func asNotFound(err error) error {
	var re *requestError
	if errors.As(err, &re) && re.status == http.StatusNotFound {
		return problem.ErrNotFound
	}
	return err
}
