package store

import (
	"context"
	"strings"
	"time"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/limits"
	"github.com/cairn-learning/cairn/internal/problem"
)

// Token is a personal access token: an API caller acting as the person
// who made it, with no more rights than theirs and, for a read token,
// fewer. The store keeps only the hash of the token.
type Token struct {
	ID, DistrictID, PersonID int64
	// Name says what the token is for ("gradebook sync").
	Name string
	Hash []byte
	// Scope is access.TokenRead or access.TokenWrite.
	Scope      string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// CreateToken stores a new token for a person of the district and sets its
// ID and CreatedAt.
func (s *Store) CreateToken(ctx context.Context, t *Token) (err error) {
	defer wrap(&err, "CreateToken(person %d)", t.PersonID)
	now := s.wallUTC()
	t.Name = strings.TrimSpace(t.Name)
	var errs problem.Fields
	switch {
	case t.Name == "":
		errs.Add("name", "is required: say what the token is for")
	default:
		if why := limits.TooLong(t.Name, limits.TokenName, "a token's name"); why != "" {
			errs.Add("name", why)
		}
	}
	if t.Scope != access.TokenRead && t.Scope != access.TokenWrite {
		errs.Addf("scope", "%q: want read or write", t.Scope)
	}
	if len(t.Hash) != access.HashLen {
		errs.Addf("hash", "must be the %d-byte hash of the token", access.HashLen)
	}
	if t.ExpiresAt != nil && !t.ExpiresAt.After(now) {
		errs.Add("expiresAt", "must be in the future")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = now, utcMicroPtr(t.ExpiresAt), nil, nil
	return s.inTx(ctx, func(r *runner) error {
		err := r.queryRow(ctx, `
INSERT INTO access_tokens (district_id, person_id, name, token_hash, scope, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.DistrictID, t.PersonID, t.Name, t.Hash, t.Scope, s.ts(now), s.tsOrNull(t.ExpiresAt)).Scan(&t.ID)
		if isUniqueViolation(err) {
			return conflictf("hash", "a token with this secret exists already")
		}
		return personRef(err, "personId", t.DistrictID, t.PersonID)
	})
}

const tokenCols = `t.id, t.district_id, t.person_id, t.name, t.token_hash, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row scanner) (t Token, err error) {
	err = row.Scan(&t.ID, &t.DistrictID, &t.PersonID, &t.Name, &t.Hash, &t.Scope, tsCol{&t.CreatedAt},
		tsPtrCol{&t.ExpiresAt}, tsPtrCol{&t.LastUsedAt}, tsPtrCol{&t.RevokedAt})
	return t, err
}

// TokenByHash returns the token with this hash. A token that was revoked
// or has expired, or whose person's account is disabled, is
// problem.ErrNotFound like one that never existed.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (_ Token, err error) {
	defer wrap(&err, "TokenByHash")
	t, err := scanToken(s.reader().queryRow(ctx, `SELECT `+tokenCols+` FROM access_tokens t
WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = t.person_id AND a.disabled)`, hash, s.ts(s.wallUTC())))
	return t, noRows(err, "access token", "with this secret")
}

// TouchToken records that a token was used now, so that its owner can tell
// a token in use from a forgotten one.
func (s *Store) TouchToken(ctx context.Context, id int64) (err error) {
	defer wrap(&err, "TouchToken(%d)", id)
	return s.inTx(ctx, func(r *runner) error {
		res, err := r.exec(ctx, `UPDATE access_tokens SET last_used_at = $2 WHERE id = $1`, id, s.ts(s.wallUTC()))
		if err != nil {
			return err
		}
		return mustAffect(res, "access token", id)
	})
}

// Tokens lists a person's tokens, revoked and expired ones included, by
// id.
func (s *Store) Tokens(ctx context.Context, personID int64) (out []Token, err error) {
	defer wrap(&err, "Tokens(%d)", personID)
	err = s.reader().each(ctx, `SELECT `+tokenCols+` FROM access_tokens t WHERE t.person_id = $1 ORDER BY t.id`,
		[]any{personID}, func(row scanner) error {
			t, err := scanToken(row)
			out = append(out, t)
			return err
		})
	return out, err
}

// RevokeToken ends a person's token. A token of someone else is
// problem.ErrNotFound; revoking one already revoked does nothing.
func (s *Store) RevokeToken(ctx context.Context, personID, tokenID int64) (err error) {
	defer wrap(&err, "RevokeToken(%d)", tokenID)
	return s.inTx(ctx, func(r *runner) error {
		if ok, err := r.exists(ctx, `SELECT 1 FROM access_tokens WHERE id = $1 AND person_id = $2`, tokenID, personID); err != nil {
			return err
		} else if !ok {
			return problem.NotFound("access token", tokenID)
		}
		_, err := r.exec(ctx, `UPDATE access_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, tokenID, s.ts(s.wallUTC()))
		return err
	})
}

// revokeTokens revokes every token of a person that is not revoked yet.
func (r *runner) revokeTokens(ctx context.Context, personID int64) error {
	_, err := r.exec(ctx, `UPDATE access_tokens SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL`, personID, r.s.ts(r.s.wallUTC()))
	return err
}

// ResetLink is a one-time link that lets a person set their password.
type ResetLink struct {
	ID, DistrictID, PersonID int64
	CreatedAt, ExpiresAt     time.Time
	UsedAt                   *time.Time
}

// CreateResetLink stores a one-time link for a person, by the hash of its
// secret, valid until expires. Older links of the person that are still
// open stop working: only the newest one an administrator gave counts.
func (s *Store) CreateResetLink(ctx context.Context, personID int64, hash []byte, expires time.Time) (err error) {
	defer wrap(&err, "CreateResetLink(person %d)", personID)
	now := s.wallUTC()
	var errs problem.Fields
	if len(hash) != access.HashLen {
		errs.Addf("hash", "must be the %d-byte hash of the link's secret", access.HashLen)
	}
	if !expires.After(now) {
		errs.Add("expires", "must be in the future")
	} else if expires.Sub(now) > access.MaxResetValid {
		errs.Addf("expires", "must be within %v", access.MaxResetValid)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		var districtID int64
		if err := r.queryRow(ctx, `SELECT district_id FROM people WHERE id = $1`, personID).Scan(&districtID); err != nil {
			return noRows(err, "person", personID)
		}
		if _, err := r.exec(ctx, `UPDATE reset_links SET expires_at = $2 WHERE person_id = $1 AND used_at IS NULL AND expires_at > $2`,
			personID, s.ts(now)); err != nil {
			return err
		}
		_, err := r.exec(ctx, `INSERT INTO reset_links (district_id, person_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			districtID, personID, hash, s.ts(now), s.ts(expires))
		if isUniqueViolation(err) {
			return conflictf("hash", "a link with this secret exists already")
		}
		return err
	})
}

const resetCols = `id, district_id, person_id, created_at, expires_at, used_at`

func scanResetLink(row scanner) (l ResetLink, err error) {
	err = row.Scan(&l.ID, &l.DistrictID, &l.PersonID, tsCol{&l.CreatedAt}, tsCol{&l.ExpiresAt}, tsPtrCol{&l.UsedAt})
	return l, err
}

// ResetLink returns the open link with this hash, without using it, so that
// a page can show the form to set a password. A link that was used or has
// expired is problem.ErrNotFound.
func (s *Store) ResetLink(ctx context.Context, hash []byte) (_ ResetLink, err error) {
	defer wrap(&err, "ResetLink")
	l, err := scanResetLink(s.reader().queryRow(ctx, `SELECT `+resetCols+` FROM reset_links
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, hash, s.ts(s.wallUTC())))
	return l, noRows(err, "reset link", "with this secret")
}

// UseResetLink uses up the open link with this hash and returns its person.
// Only the first use succeeds; a used or expired link is
// problem.ErrNotFound.
func (s *Store) UseResetLink(ctx context.Context, hash []byte) (personID int64, err error) {
	defer wrap(&err, "UseResetLink")
	err = s.inTx(ctx, func(r *runner) error {
		l, err := r.useResetLink(ctx, hash)
		personID = l.PersonID
		return err
	})
	return personID, err
}

func (r *runner) useResetLink(ctx context.Context, hash []byte) (ResetLink, error) {
	now := r.s.ts(r.s.wallUTC())
	// One statement finds and marks the link, so that two requests racing
	// with the same link cannot both succeed.
	l, err := scanResetLink(r.queryRow(ctx, `UPDATE reset_links SET used_at = $2
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING `+resetCols, hash, now))
	return l, noRows(err, "reset link", "with this secret")
}

// ResetPassword uses up the open reset link with hash linkHash and, in the
// same transaction, sets the person's password to passwordHash (from
// access.HashPassword), creating their account if needed, ends all their
// sessions and revokes all their personal access tokens: whoever knew the
// old password may have made one, and a token outlives a session. Nothing
// changes when any step fails, so a link is not spent on a password that
// could not be set.
func (s *Store) ResetPassword(ctx context.Context, linkHash []byte, passwordHash string) (a Account, err error) {
	defer wrap(&err, "ResetPassword")
	err = s.inTx(ctx, func(r *runner) error {
		l, err := r.useResetLink(ctx, linkHash)
		if err != nil {
			return err
		}
		if _, err := r.setPassword(ctx, l.DistrictID, l.PersonID, passwordHash); err != nil {
			return err
		}
		if err := r.revokeSessions(ctx, l.PersonID); err != nil {
			return err
		}
		if err := r.revokeTokens(ctx, l.PersonID); err != nil {
			return err
		}
		a, err = scanAccount(r.queryRow(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.person_id = $1`, l.PersonID))
		return err
	})
	return a, err
}
