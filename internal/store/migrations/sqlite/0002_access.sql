-- Sign-in, sessions, personal access tokens, one-time reset links and the
-- audit log, for SQLite.
--
-- No secret is stored as it is: passwords as argon2id hashes (PHC strings),
-- session cookies, access tokens and reset links as the SHA-256 of their
-- 32 random bytes. Every row carries district_id, like the rest of the
-- schema, and points at its person through (district_id, person_id).

-- An account is a person who can sign in. The username is the person's
-- roster username, lower-cased, and unique across the whole deployment so
-- that the sign-in form needs no district.
CREATE TABLE accounts (
    person_id           INTEGER PRIMARY KEY,
    district_id         INTEGER NOT NULL,
    username            TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL DEFAULT '', -- '' = no password (sign-in through another identity only)
    disabled            INTEGER NOT NULL DEFAULT 0,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,  -- wrong passwords in a row
    locked_until        INTEGER,
    password_changed_at INTEGER,
    last_sign_in_at     INTEGER,
    created_at          INTEGER NOT NULL,
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT;
CREATE UNIQUE INDEX accounts_username ON accounts (username);
CREATE INDEX accounts_district ON accounts (district_id, person_id);

-- The ways a person can prove who they are: ('password', username) today;
-- an OpenID Connect issuer and its subject claim later. Sessions do not
-- care which one was used beyond recording its name.
CREATE TABLE identities (
    provider    TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    district_id INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (provider, subject),
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX identities_person ON identities (district_id, person_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    token_hash   BLOB    NOT NULL,
    csrf_secret  BLOB    NOT NULL,
    method       TEXT    NOT NULL, -- how the person signed in: 'password', later 'oidc'
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at   INTEGER,
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT;
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);
CREATE INDEX sessions_person ON sessions (district_id, person_id);

CREATE TABLE access_tokens (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT;
CREATE UNIQUE INDEX access_tokens_hash ON access_tokens (token_hash);
CREATE INDEX access_tokens_person ON access_tokens (district_id, person_id);

-- One-time links an administrator gives a person to set their password.
CREATE TABLE reset_links (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    token_hash  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT;
CREATE UNIQUE INDEX reset_links_hash ON reset_links (token_hash);
CREATE INDEX reset_links_person ON reset_links (district_id, person_id);

-- Every read or change of a student's record: who, what, when, and on
-- which relation. The student is not a reference: a refused attempt may
-- name an id that does not exist, and that is worth keeping too.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    student_id  INTEGER,
    action      TEXT    NOT NULL,
    what        TEXT    NOT NULL,
    relation    TEXT    NOT NULL DEFAULT '',
    allowed     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    route       TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (district_id, actor_id) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX audit_log_district ON audit_log (district_id, id);
CREATE INDEX audit_log_student ON audit_log (district_id, student_id, id);
CREATE INDEX audit_log_actor ON audit_log (district_id, actor_id, id);

-- The audit log is append-only, even against hand-written SQL.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
