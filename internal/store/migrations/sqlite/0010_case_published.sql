-- CASE records as published, so that an export gives back what a
-- framework's publisher wrote.
--
-- cairn models a CASE package as a framework, standards, prerequisites and
-- crosswalks; a package says more (notes, publisher, adoptionStatus,
-- listEnumeration, CFItemTypeURI, CFDefinitions, each record's
-- lastChangeDateTime, each association's identifier and URI). An imported
-- framework keeps its CFDocument (case_document) and CFDefinitions
-- (case_definitions), each standard its CFItem (case_item), as compact
-- JSON, and case_associations holds every association of the package in
-- its order. They are empty for what was made in cairn.
--
-- changed_at is when cairn last changed the framework (made it, imported
-- a package that changed it, changed a standard or prerequisite of it):
-- the lastChangeDateTime an export gives what differs from its published
-- copy, so that an export of an unchanged framework is the same on every
-- day. Frameworks stored before it was kept take the time of this
-- migration.

ALTER TABLE frameworks ADD COLUMN case_document TEXT NOT NULL DEFAULT '';
ALTER TABLE frameworks ADD COLUMN case_definitions TEXT NOT NULL DEFAULT '';
ALTER TABLE frameworks ADD COLUMN changed_at INTEGER;
UPDATE frameworks SET changed_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER);
ALTER TABLE standards ADD COLUMN case_item TEXT NOT NULL DEFAULT '';

CREATE TABLE case_associations (
    district_id    INTEGER NOT NULL REFERENCES districts (id),
    framework_id   INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    identifier     TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    origin_id      TEXT    NOT NULL,
    destination_id TEXT    NOT NULL,
    modelled       INTEGER NOT NULL,
    published      TEXT    NOT NULL,
    PRIMARY KEY (framework_id, position),
    FOREIGN KEY (district_id, framework_id) REFERENCES frameworks (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_associations_district ON case_associations (district_id, framework_id);
