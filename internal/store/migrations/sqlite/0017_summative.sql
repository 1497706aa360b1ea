-- Ready for the summative, and again.
--
-- summative_policy is the district's readiness bar and reassessment
-- policy as JSON (pathways.SummativePolicy); NULL until one is set, when
-- the defaults apply. Each change is recorded with who, when and why.
-- summative_decisions are the teachers' confirmations of a proposal (or
-- declines, with a reason); the latest for a student and standard is the
-- one in force. summative_overrides are the attempts a teacher recorded
-- against the reassessment policy, with the rule broken and the reason.

ALTER TABLE districts ADD COLUMN summative_policy TEXT;

CREATE TABLE summative_policy_changes (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    old_policy  TEXT,
    new_policy  TEXT    NOT NULL,
    changed_by  INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (district_id, changed_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX summative_policy_changes_district ON summative_policy_changes (district_id, id);

CREATE TABLE summative_decisions (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    decision    TEXT    NOT NULL CHECK (decision IN ('confirmed', 'declined')),
    reason      TEXT    NOT NULL DEFAULT '',
    decided_by  INTEGER NOT NULL,
    decided_at  INTEGER NOT NULL,
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, decided_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX summative_decisions_student ON summative_decisions (district_id, student_id, standard_id, id);

CREATE TABLE summative_overrides (
    id            INTEGER PRIMARY KEY,
    district_id   INTEGER NOT NULL,
    evidence_id   INTEGER NOT NULL,
    standard_id   INTEGER NOT NULL,
    rule          TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    overridden_by INTEGER NOT NULL,
    overridden_at INTEGER NOT NULL,
    FOREIGN KEY (district_id, evidence_id) REFERENCES evidence (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, overridden_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX summative_overrides_evidence ON summative_overrides (district_id, evidence_id);
