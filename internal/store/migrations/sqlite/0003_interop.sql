-- Standards and roster exchange (CASE, OneRoster), for SQLite.
--
-- Imports update records in place, matched by sourced_id, and never delete
-- what evidence may point at: a person, class, course, term, school or
-- enrollment that a later import no longer has is retired (retired_at
-- set), and comes back to life if an import brings it again.

-- The CASE URIs of imported frameworks and standards, kept so that an
-- export hands the same URIs back.
ALTER TABLE frameworks ADD COLUMN uri TEXT NOT NULL DEFAULT '';
ALTER TABLE standards ADD COLUMN uri TEXT NOT NULL DEFAULT '';

ALTER TABLE schools ADD COLUMN retired_at INTEGER;
ALTER TABLE terms ADD COLUMN retired_at INTEGER;
ALTER TABLE courses ADD COLUMN retired_at INTEGER;
ALTER TABLE classes ADD COLUMN retired_at INTEGER;
ALTER TABLE people ADD COLUMN retired_at INTEGER;
ALTER TABLE enrollments ADD COLUMN retired_at INTEGER;

-- Crosswalks are CASE associations a framework's standards have with
-- standards elsewhere (isRelatedTo, exactMatchOf, precedes across
-- frameworks), kept as published so that an export gives them back.
CREATE TABLE crosswalks (
    district_id        INTEGER NOT NULL REFERENCES districts (id),
    framework_id       INTEGER NOT NULL,
    position           INTEGER NOT NULL,
    type               TEXT    NOT NULL,
    origin_id          TEXT    NOT NULL,
    origin_uri         TEXT    NOT NULL DEFAULT '',
    origin_title       TEXT    NOT NULL DEFAULT '',
    destination_id     TEXT    NOT NULL,
    destination_uri    TEXT    NOT NULL DEFAULT '',
    destination_title  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (framework_id, position),
    FOREIGN KEY (district_id, framework_id) REFERENCES frameworks (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX crosswalks_district ON crosswalks (district_id, framework_id);

-- What the last OneRoster imports brought, record by record: the file's
-- entity ("users"), the sourcedId and a hash of the row's content. A bulk
-- file retires what an earlier import brought and it no longer has;
-- records made in cairn itself are never retired by an import. The hash is
-- the 64-bit FNV-1a of oneroster.Snapshot, stored as a signed integer.
CREATE TABLE oneroster_records (
    district_id INTEGER NOT NULL REFERENCES districts (id),
    entity      TEXT    NOT NULL,
    sourced_id  TEXT    NOT NULL,
    hash        INTEGER NOT NULL,
    PRIMARY KEY (district_id, entity, sourced_id)
) STRICT, WITHOUT ROWID;
