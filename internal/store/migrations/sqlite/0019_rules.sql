-- The district's rules and the alerts they raise. A rule is one per kind
-- (internal/supports RuleKinds); a district without a row for a kind has
-- its default (supports.DefaultRules). Alerts name their rule by kind.
-- One alert is open per rule x student x standard x teacher: a firing
-- while one is open adds nothing (alerts_open).

CREATE TABLE support_rules (
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('below_cut', 'no_evidence', 'pace_behind', 'probability_falling', 'stalled', 'behaviour_note')),
    enabled      INTEGER NOT NULL,
    params       TEXT    NOT NULL,
    updated_by   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (district_id, kind),
    FOREIGN KEY (district_id, updated_by) REFERENCES people (district_id, id)
) STRICT;

-- Every change of a rule, with who made it and why.
CREATE TABLE support_rule_changes (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    kind         TEXT    NOT NULL,
    changed_by   INTEGER NOT NULL,
    changed_at   INTEGER NOT NULL,
    old_enabled  INTEGER NOT NULL,
    old_params   TEXT    NOT NULL,
    new_enabled  INTEGER NOT NULL,
    new_params   TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (district_id, changed_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX support_rule_changes_district ON support_rule_changes (district_id, changed_at);

CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    district_id   INTEGER NOT NULL REFERENCES districts (id),
    kind          TEXT    NOT NULL,
    student_id    INTEGER NOT NULL,
    standard_id   INTEGER,
    class_id      INTEGER,
    teacher_id    INTEGER NOT NULL,
    reason        TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    raised_at     INTEGER NOT NULL,
    dismissed_at  INTEGER,
    dismissed_by  INTEGER,
    dismiss_note  TEXT    NOT NULL DEFAULT '',
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, teacher_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, dismissed_by) REFERENCES people (district_id, id)
) STRICT;
CREATE UNIQUE INDEX alerts_open ON alerts (district_id, kind, student_id, coalesce(standard_id, 0), teacher_id) WHERE dismissed_at IS NULL;
CREATE INDEX alerts_teacher ON alerts (district_id, teacher_id, raised_at);
CREATE INDEX alerts_student ON alerts (district_id, student_id, raised_at);
