package store

import (
	"context"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Session is a signed-in browser. The cookie holds a random secret; the
// store keeps only its hash (access.NewSecret), so that a copy of the
// database signs nobody in.
type Session struct {
	ID        int64
	TokenHash []byte
	PersonID  int64
	// DistrictID is the district of the person, and so of everything the
	// session may reach.
	DistrictID int64
	// CSRFSecret protects the session's forms (access.CSRFToken).
	CSRFSecret []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
	UserAgent  string
	// Method is how the person signed in: "password", later "oidc".
	Method string
}

// CreateSession stores a new session for a person of the district. It
// sets CreatedAt and LastSeenAt to now; ExpiresAt must be later.
func (s *Store) CreateSession(ctx context.Context, ses Session) (err error) {
	defer wrap(&err, "CreateSession(person %d)", ses.PersonID)
	now := s.wallUTC()
	var errs problem.Fields
	if len(ses.TokenHash) != access.HashLen {
		errs.Addf("tokenHash", "must be the %d-byte hash of the session's secret", access.HashLen)
	}
	if len(ses.CSRFSecret) < 16 {
		errs.Add("csrfSecret", "must be at least 16 random bytes")
	}
	if !ses.ExpiresAt.After(now) {
		errs.Add("expiresAt", "must be in the future")
	}
	if ses.Method == "" {
		errs.Add("method", "is required (how the person signed in)")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		_, err := r.exec(ctx, `
INSERT INTO sessions (district_id, person_id, token_hash, csrf_secret, method, user_agent, created_at, expires_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)`,
			ses.DistrictID, ses.PersonID, ses.TokenHash, ses.CSRFSecret, ses.Method, truncate(ses.UserAgent, 300),
			s.ts(now), s.ts(ses.ExpiresAt))
		if isUniqueViolation(err) {
			return conflictf("tokenHash", "a session with this secret exists already")
		}
		return personRef(err, "personId", ses.DistrictID, ses.PersonID)
	})
}

const sessionCols = `s.id, s.token_hash, s.person_id, s.district_id, s.csrf_secret, s.created_at, s.expires_at,
    s.last_seen_at, s.revoked_at, s.user_agent, s.method`

func scanSession(row scanner) (ses Session, err error) {
	err = row.Scan(&ses.ID, &ses.TokenHash, &ses.PersonID, &ses.DistrictID, &ses.CSRFSecret, tsCol{&ses.CreatedAt},
		tsCol{&ses.ExpiresAt}, tsCol{&ses.LastSeenAt}, tsPtrCol{&ses.RevokedAt}, &ses.UserAgent, &ses.Method)
	return ses, err
}

// notDisabled is the condition that the person of s has no disabled
// account: disabling an account ends its sessions and tokens at once, even
// on a server that has not heard of it.
const notDisabled = ` AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = s.person_id AND a.disabled)`

// SessionByTokenHash returns the session whose secret has this hash. A
// session that was revoked or has expired, or whose account is disabled,
// is problem.ErrNotFound like one that never existed.
func (s *Store) SessionByTokenHash(ctx context.Context, hash []byte) (_ Session, err error) {
	defer wrap(&err, "SessionByTokenHash")
	ses, err := scanSession(s.reader().queryRow(ctx, `SELECT `+sessionCols+` FROM sessions s
WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`+notDisabled, hash, s.ts(s.wallUTC())))
	return ses, noRows(err, "session", "with this secret")
}

// TouchSession records that a session was seen now and moves its expiry
// to expiresAt (access.SessionPolicy.Expiry). A session that was revoked
// or has expired is not brought back: problem.ErrNotFound.
func (s *Store) TouchSession(ctx context.Context, id int64, expiresAt time.Time) (err error) {
	defer wrap(&err, "TouchSession(%d)", id)
	return s.inTx(ctx, func(r *runner) error {
		now := s.ts(s.wallUTC())
		res, err := r.exec(ctx, `UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2`,
			id, now, s.ts(expiresAt))
		if err != nil {
			return err
		}
		return mustAffect(res, "session", id)
	})
}

// RevokeSession ends a session, as signing out does. Ending one that has
// ended already does nothing.
func (s *Store) RevokeSession(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "RevokeSession(%d)", id)
	return s.inTx(ctx, func(r *runner) error {
		if ok, err := r.exists(ctx, `SELECT 1 FROM sessions WHERE id = $1`, id); err != nil {
			return err
		} else if !ok {
			return problem.NotFound("session", id)
		}
		_, err := r.exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, s.ts(s.wallUTC()))
		return err
	})
}

// RevokeSessions ends every session of a person: after a password reset,
// or when they sign out everywhere.
func (s *Store) RevokeSessions(ctx context.Context, personID int64) (err error) {
	defer wrap(&err, "RevokeSessions(%d)", personID)
	return s.inTx(ctx, func(r *runner) error { return r.revokeSessions(ctx, personID) })
}

func (r *runner) revokeSessions(ctx context.Context, personID int64) error {
	_, err := r.exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL`, personID, r.s.ts(r.s.wallUTC()))
	return err
}

// Sessions lists a person's sessions that are still open, newest first, so
// that they can see where they are signed in.
func (s *Store) Sessions(ctx context.Context, districtID, personID int64) (out []Session, err error) {
	defer wrap(&err, "Sessions(%d)", personID)
	err = s.reader().each(ctx, `SELECT `+sessionCols+` FROM sessions s
WHERE s.district_id = $1 AND s.person_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3 ORDER BY s.id DESC`,
		[]any{districtID, personID, s.ts(s.wallUTC())}, func(row scanner) error {
			ses, err := scanSession(row)
			out = append(out, ses)
			return err
		})
	return out, err
}

// PruneSessions deletes the sessions that expired or were revoked before
// the given time, and returns how many. Sessions are not a record anyone
// needs to keep: the audit log is.
func (s *Store) PruneSessions(ctx context.Context, before time.Time) (n int64, err error) {
	defer wrap(&err, "PruneSessions")
	err = s.inTx(ctx, func(r *runner) error {
		res, err := r.exec(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1`, s.ts(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
