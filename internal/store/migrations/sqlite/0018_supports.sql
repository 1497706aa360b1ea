-- Support plans: help for one student, with its tier (1-3), its kind,
-- the standards it works on, who gives it, when, its goal and, once
-- closed, its outcome. Days (starts_on, ends_on) are midnight UTC.
-- Every change is audited in its transaction.

CREATE TABLE support_plans (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    student_id   INTEGER NOT NULL,
    class_id     INTEGER,
    tier         INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),
    kind         TEXT    NOT NULL CHECK (kind IN ('reteach', 'tutoring', 'extension', 'referral')),
    provider_id  INTEGER NOT NULL,
    schedule     TEXT    NOT NULL DEFAULT '',
    starts_on    INTEGER NOT NULL,
    ends_on      INTEGER,
    goal         TEXT    NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    outcome      TEXT    NOT NULL DEFAULT '' CHECK (outcome IN ('', 'met', 'partly_met', 'not_met', 'discontinued')),
    outcome_note TEXT    NOT NULL DEFAULT '',
    closed_at    INTEGER,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, provider_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, created_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX support_plans_student ON support_plans (district_id, student_id, starts_on);
CREATE INDEX support_plans_class ON support_plans (district_id, class_id, starts_on);

CREATE TABLE support_plan_standards (
    district_id  INTEGER NOT NULL,
    plan_id      INTEGER NOT NULL,
    standard_id  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, standard_id),
    FOREIGN KEY (district_id, plan_id) REFERENCES support_plans (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT;
