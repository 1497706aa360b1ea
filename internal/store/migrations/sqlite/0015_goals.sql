-- A student's voice and goals.
--
-- A proposal is an activity a student proposes for a target (a standard
-- in one of their classes) for a teacher to approve or send back with a
-- comment; proposal_steps keeps every step, the words of each proposal
-- and the comment of each decision, so that a revised proposal does not
-- lose what was said before. A goal is what a student sets after an
-- assessment (evidence_id), with its reflection when it is due and the
-- teachers' comments. Every change is audited in its transaction.

CREATE TABLE proposals (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    student_id   INTEGER NOT NULL,
    class_id     INTEGER NOT NULL,
    standard_id  INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    plan         TEXT    NOT NULL,
    link         TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL CHECK (state IN ('proposed', 'approved', 'returned')),
    proposed_at  INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   INTEGER,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, decided_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX proposals_student ON proposals (district_id, student_id, proposed_at);
CREATE INDEX proposals_class ON proposals (district_id, class_id, state);

CREATE TABLE proposal_steps (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    proposal_id  INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    by_id        INTEGER NOT NULL,
    action       TEXT    NOT NULL CHECK (action IN ('proposed', 'approved', 'returned')),
    title        TEXT    NOT NULL DEFAULT '',
    plan         TEXT    NOT NULL DEFAULT '',
    link         TEXT    NOT NULL DEFAULT '',
    comment      TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (district_id, proposal_id) REFERENCES proposals (district_id, id),
    FOREIGN KEY (district_id, by_id) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX proposal_steps_proposal ON proposal_steps (district_id, proposal_id, id);

CREATE TABLE goals (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    student_id   INTEGER NOT NULL,
    evidence_id  INTEGER,
    what         TEXT    NOT NULL,
    due_on       INTEGER NOT NULL,
    plan         TEXT    NOT NULL,
    need         TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL CHECK (state IN ('open', 'met', 'not_met')),
    set_at       INTEGER NOT NULL,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, evidence_id) REFERENCES evidence (district_id, id)
) STRICT;
CREATE INDEX goals_student ON goals (district_id, student_id, due_on);

CREATE TABLE goal_reflections (
    district_id  INTEGER NOT NULL,
    goal_id      INTEGER NOT NULL PRIMARY KEY,
    met          INTEGER NOT NULL,
    happened     TEXT    NOT NULL,
    learned      TEXT    NOT NULL,
    next         TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL,
    FOREIGN KEY (district_id, goal_id) REFERENCES goals (district_id, id)
) STRICT;

CREATE TABLE goal_comments (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    goal_id      INTEGER NOT NULL,
    by_id        INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    FOREIGN KEY (district_id, goal_id) REFERENCES goals (district_id, id),
    FOREIGN KEY (district_id, by_id) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX goal_comments_goal ON goal_comments (district_id, goal_id, id);
