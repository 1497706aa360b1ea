package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
)

// Account is a person who can sign in.
type Account struct {
	PersonID, DistrictID int64
	// Username is the person's roster username, lower-cased, as it was when
	// the password was last set; it is unique across the deployment.
	Username string
	Disabled bool
	// FailedAttempts counts the wrong passwords in a row since the last
	// success or lock.
	FailedAttempts int
	// LockedUntil is zero when the account is not locked.
	LockedUntil       time.Time
	PasswordChangedAt time.Time
	LastSignInAt      time.Time
	CreatedAt         time.Time
}

// ProviderPassword is the identity provider of a username and password.
const ProviderPassword = "password"

// NormalizeUsername is how usernames are compared: without surrounding
// spaces and in lower case, so that "Ana.Ruiz" signs in as "ana.ruiz".
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// SetPassword stores hash, an argon2id hash from access.HashPassword, as
// the password of a person of the district, creating their account if
// needed. The account's username is the person's roster username,
// lower-cased; a person without one cannot have a password. Setting a
// password clears the failure count and any lock; it does not end the
// person's sessions (ResetPassword does).
func (s *Store) SetPassword(ctx context.Context, districtID, personID int64, hash string) (err error) {
	defer wrap(&err, "SetPassword(%d)", personID)
	return s.inTx(ctx, func(r *runner) error {
		_, err := r.setPassword(ctx, districtID, personID, hash)
		return err
	})
}

func (r *runner) setPassword(ctx context.Context, districtID, personID int64, hash string) (string, error) {
	if !strings.HasPrefix(hash, "$argon2id$") {
		// A guard against storing a password itself by mistake.
		return "", problem.Invalid("password", "must be stored as an argon2id hash from access.HashPassword")
	}
	p, err := r.s.person(ctx, r, districtID, personID)
	if err != nil {
		return "", err
	}
	username := NormalizeUsername(p.Username)
	if username == "" {
		return "", problem.Invalid("username", "person %d has no username: give them one before a password", personID)
	}
	var other int64
	err = r.queryRow(ctx, `SELECT person_id FROM accounts WHERE username = $1 AND person_id <> $2`, username, personID).Scan(&other)
	switch {
	case err == nil:
		return "", conflictf("username", "%q already signs in as person %d", username, other)
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	now := r.s.ts(r.s.wallUTC())
	_, err = r.exec(ctx, `
INSERT INTO accounts (person_id, district_id, username, password_hash, password_changed_at, created_at)
VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (person_id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash,
    password_changed_at = excluded.password_changed_at, failed_attempts = 0, locked_until = NULL`,
		personID, districtID, username, hash, now)
	if err != nil {
		return "", conflictOr(err, "username", username)
	}
	// The password identity follows the username.
	if _, err := r.exec(ctx, `DELETE FROM identities WHERE provider = $1 AND district_id = $2 AND person_id = $3`,
		ProviderPassword, districtID, personID); err != nil {
		return "", err
	}
	_, err = r.exec(ctx, `INSERT INTO identities (provider, subject, district_id, person_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		ProviderPassword, username, districtID, personID, now)
	return username, conflictOr(err, "username", username)
}

const accountCols = `a.person_id, a.district_id, a.username, a.disabled, a.failed_attempts, a.locked_until,
    a.password_changed_at, a.last_sign_in_at, a.created_at`

func scanAccount(row scanner, extra ...any) (a Account, err error) {
	dest := append([]any{&a.PersonID, &a.DistrictID, &a.Username, &a.Disabled, &a.FailedAttempts,
		tsCol{&a.LockedUntil}, tsCol{&a.PasswordChangedAt}, tsCol{&a.LastSignInAt}, tsCol{&a.CreatedAt}}, extra...)
	err = row.Scan(dest...)
	return a, err
}

// AccountByUsername returns the account that signs in as username (in any
// case) and its password hash, "" when it has none.
func (s *Store) AccountByUsername(ctx context.Context, username string) (_ Account, hash string, err error) {
	defer wrap(&err, "AccountByUsername")
	u := NormalizeUsername(username)
	// The account of a person an import has retired is not found: they have
	// left the district, and sign-in gives its one generic message.
	a, err := scanAccount(s.reader().queryRow(ctx, `SELECT `+accountCols+`, a.password_hash FROM accounts a
JOIN people p ON p.id = a.person_id WHERE a.username = $1 AND p.retired_at IS NULL`, u), &hash)
	return a, hash, noRows(err, "account", strconv.Quote(u))
}

// Account returns the account of a person.
func (s *Store) Account(ctx context.Context, personID int64) (_ Account, err error) {
	defer wrap(&err, "Account(%d)", personID)
	a, err := scanAccount(s.reader().queryRow(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.person_id = $1`, personID))
	return a, noRows(err, "account of person", personID)
}

// Accounts lists the district's accounts by person id.
func (s *Store) Accounts(ctx context.Context, districtID int64, p Page) (out []Account, next int64, err error) {
	defer wrap(&err, "Accounts")
	err = s.reader().each(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.district_id = $1 AND a.person_id > $2 ORDER BY a.person_id LIMIT $3`,
		[]any{districtID, p.After, p.limit() + 1}, func(row scanner) error {
			a, err := scanAccount(row)
			out = append(out, a)
			return err
		})
	out, next = pageOf(out, p.limit(), func(a Account) int64 { return a.PersonID })
	return out, next, err
}

// PersonByUsername returns the person of the district whose roster
// username is username, compared without regard to case (only ASCII case on
// SQLite). Two people whose usernames differ only in case make it
// problem.ErrConflict.
func (s *Store) PersonByUsername(ctx context.Context, districtID int64, username string) (_ roster.Person, err error) {
	defer wrap(&err, "PersonByUsername(%q)", username)
	u := strings.TrimSpace(username)
	var found []roster.Person
	err = s.reader().each(ctx, `SELECT `+personCols+` FROM people p WHERE p.district_id = $1 AND p.username <> '' AND lower(p.username) = lower($2) ORDER BY p.id`,
		[]any{districtID, u}, func(row scanner) error {
			p, err := scanPerson(row)
			found = append(found, p)
			return err
		})
	switch {
	case err != nil:
		return roster.Person{}, err
	case len(found) == 0:
		return roster.Person{}, problem.NotFound("person with username", strconv.Quote(u))
	case len(found) > 1:
		return roster.Person{}, conflictf("username", "%q matches people %d and %d, whose usernames differ only in case", u, found[0].ID, found[1].ID)
	}
	return found[0], nil
}

// SetAccountDisabled disables or enables a person's account. Disabling
// it also ends their sessions; their access tokens stop working while it
// is disabled.
func (s *Store) SetAccountDisabled(ctx context.Context, personID int64, disabled bool) (err error) {
	defer wrap(&err, "SetAccountDisabled(%d)", personID)
	return s.inTx(ctx, func(r *runner) error {
		res, err := r.exec(ctx, `UPDATE accounts SET disabled = $2 WHERE person_id = $1`, personID, disabled)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return problem.NotFound("account of person", personID)
		}
		if disabled {
			return r.revokeSessions(ctx, personID)
		}
		return nil
	})
}

// RecordSignInFailure counts a wrong password against a person's account
// and applies the lockout rule access.Lockout{After: after, For: lockFor}:
// the after-th failure in a row locks the account until the time it
// returns (zero when it is not locked).
func (s *Store) RecordSignInFailure(ctx context.Context, personID int64, lockFor time.Duration, after int) (lockedUntil time.Time, err error) {
	defer wrap(&err, "RecordSignInFailure(%d)", personID)
	err = s.inTx(ctx, func(r *runner) error {
		var failures int
		// On PostgreSQL the row is locked until the transaction ends, so that
		// two wrong passwords at once both count; SQLite writes one
		// transaction at a time anyway.
		q := s.pick(`SELECT failed_attempts FROM accounts WHERE person_id = $1`,
			`SELECT failed_attempts FROM accounts WHERE person_id = $1 FOR UPDATE`)
		if err := r.queryRow(ctx, q, personID).Scan(&failures); err != nil {
			return noRows(err, "account of person", personID)
		}
		now := s.wallUTC()
		failures, lockedUntil = access.Lockout{After: after, For: lockFor}.Next(failures, now)
		_, err := r.exec(ctx, `UPDATE accounts SET failed_attempts = $2, locked_until = $3 WHERE person_id = $1`,
			personID, failures, s.tsOrNull(&lockedUntil))
		return err
	})
	return lockedUntil, err
}

// RecordSignInSuccess clears a person's failure count and records when
// they signed in.
func (s *Store) RecordSignInSuccess(ctx context.Context, personID int64) (err error) {
	defer wrap(&err, "RecordSignInSuccess(%d)", personID)
	return s.inTx(ctx, func(r *runner) error {
		res, err := r.exec(ctx, `UPDATE accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = $2 WHERE person_id = $1`,
			personID, s.ts(s.wallUTC()))
		if err != nil {
			return err
		}
		return mustAffect(res, "account of person", personID)
	})
}

// Identity is one way a person proves who they are: a username and
// password, or (later) an OpenID Connect issuer and subject.
type Identity struct {
	Provider, Subject    string
	DistrictID, PersonID int64
	CreatedAt            time.Time
}

// LinkIdentity records that whoever the provider knows as subject is a
// person of the district. A provider and subject name one person only;
// linking it again to someone else is problem.ErrConflict.
func (s *Store) LinkIdentity(ctx context.Context, id Identity) (err error) {
	defer wrap(&err, "LinkIdentity(%q)", id.Provider)
	var errs problem.Fields
	if strings.TrimSpace(id.Provider) == "" {
		errs.Add("provider", "is required")
	}
	if id.Provider == ProviderPassword {
		errs.Add("provider", "password identities follow the account's username: use SetPassword")
	}
	if id.Subject == "" {
		errs.Add("subject", "is required")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.inTx(ctx, func(r *runner) error {
		if err := r.mustExist(ctx, tPeople, "person", id.DistrictID, id.PersonID); err != nil {
			return err
		}
		var other int64
		err := r.queryRow(ctx, `SELECT person_id FROM identities WHERE provider = $1 AND subject = $2`, id.Provider, id.Subject).Scan(&other)
		switch {
		case err == nil && other == id.PersonID:
			return nil
		case err == nil:
			return conflictf("subject", "this %s identity already belongs to person %d", id.Provider, other)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = r.exec(ctx, `INSERT INTO identities (provider, subject, district_id, person_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id.Provider, id.Subject, id.DistrictID, id.PersonID, s.ts(s.wallUTC()))
		return conflictOr(err, "subject", id.Subject)
	})
}

// IdentityBySubject returns the identity a provider knows as subject.
func (s *Store) IdentityBySubject(ctx context.Context, provider, subject string) (id Identity, err error) {
	defer wrap(&err, "IdentityBySubject(%q)", provider)
	err = s.reader().queryRow(ctx, `SELECT provider, subject, district_id, person_id, created_at FROM identities WHERE provider = $1 AND subject = $2`,
		provider, subject).Scan(&id.Provider, &id.Subject, &id.DistrictID, &id.PersonID, tsCol{&id.CreatedAt})
	return id, noRows(err, provider+" identity", strconv.Quote(subject))
}

// Identities lists the ways a person can sign in, by provider.
func (s *Store) Identities(ctx context.Context, districtID, personID int64) (out []Identity, err error) {
	defer wrap(&err, "Identities(%d)", personID)
	err = s.reader().each(ctx, `SELECT provider, subject, district_id, person_id, created_at FROM identities
WHERE district_id = $1 AND person_id = $2 ORDER BY provider, subject`, []any{districtID, personID}, func(row scanner) error {
		var id Identity
		err := row.Scan(&id.Provider, &id.Subject, &id.DistrictID, &id.PersonID, tsCol{&id.CreatedAt})
		out = append(out, id)
		return err
	})
	return out, err
}

// mustAffect returns problem.NotFound when a statement changed no row.
func mustAffect(res sql.Result, what string, id any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return problem.NotFound(what, id)
	}
	return nil
}

// isForeignKeyViolation reports whether err is a foreign key violation on
// either engine: a reference to a row that is not there.
func isForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}

// personRef turns a foreign key violation on a person reference into
// problem.Invalid naming field.
func personRef(err error, field string, districtID, personID int64) error {
	if isForeignKeyViolation(err) {
		return problem.Invalid(field, "no person %d in district %d", personID, districtID)
	}
	return err
}
