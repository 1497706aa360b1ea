package store

import (
	"context"
	"fmt"
)

// The audit entries of a change are written in the transaction of the
// change they describe: a write refused for any reason leaves no entry
// saying it was allowed, and an entry that cannot be written rolls the
// change back, so that nothing is changed without its entry. A write
// method takes them as its trailing audit ...AuditEntry; reads keep their
// own way of writing entries (AppendAudit, AppendAudits).

// checkChangeAudit checks the entries a write of district districtID was
// handed. An entry the server built wrongly is the server's fault, not
// the client's: the error carries no kind, so that it is answered as an
// internal error, and the change is not made.
func checkChangeAudit(districtID int64, entries []AuditEntry) error {
	for i, e := range entries {
		if err := checkAudit(e, districtID); err != nil {
			return fmt.Errorf("audit entry %d of the change: %v", i, err)
		}
	}
	return nil
}

// insertChangeAudit writes the entries checked by checkChangeAudit in r's
// transaction, at the store's time.
func (r *runner) insertChangeAudit(ctx context.Context, entries []AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	s := r.s
	at := s.ts(s.nowUTC())
	rows := make([][]any, len(entries))
	for i, e := range entries {
		var student any
		if e.StudentID != 0 {
			student = e.StudentID
		}
		rows[i] = []any{e.DistrictID, e.ActorID, student, string(e.Action), string(e.What), string(e.Relation), e.Allowed, at,
			truncate(e.Route, 200), truncate(e.RequestID, 100), truncate(e.Detail, 1000)}
	}
	err := r.insertRows(ctx, `INSERT INTO audit_log (district_id, actor_id, student_id, action, what, relation, allowed, at, route, request_id, detail) VALUES `, ``, rows)
	if err != nil {
		// Like a bad entry, an actor who is not a person of the district
		// (a foreign key refused) is the server's fault; the driver's
		// error carries no kind.
		return fmt.Errorf("writing the audit entries of the change: %w", err)
	}
	return nil
}
