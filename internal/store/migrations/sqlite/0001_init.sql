-- cairn schema for SQLite.
--
-- Every table but districts carries district_id, and an index leads on it,
-- so that the same schema distributes by district on PostgreSQL later.
-- References within a district are composite (district_id, x_id), so a
-- row can never point into another district. The tables written for every
-- piece of evidence (evidence, evidence_scores, mastery_states) reach
-- districts through those composite references only, saving a lookup a row.
-- Timestamps are INTEGER microseconds since 1970-01-01 UTC.
-- Lists and structured values are JSON text.

CREATE TABLE districts (
    id          INTEGER PRIMARY KEY,
    sourced_id  TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL,
    policy      TEXT,   -- mastery.Policy as JSON; NULL means the default policy
    created_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX districts_sourced_id ON districts (sourced_id) WHERE sourced_id <> '';

CREATE TABLE schools (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    sourced_id  TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL,
    UNIQUE (district_id, id)
) STRICT;
CREATE UNIQUE INDEX schools_sourced_id ON schools (district_id, sourced_id) WHERE sourced_id <> '';

CREATE TABLE terms (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    sourced_id  TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    start_date  INTEGER NOT NULL,
    end_date    INTEGER NOT NULL,
    parent_id   INTEGER,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, parent_id) REFERENCES terms (district_id, id)
) STRICT;
CREATE UNIQUE INDEX terms_sourced_id ON terms (district_id, sourced_id) WHERE sourced_id <> '';

CREATE TABLE courses (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    school_id   INTEGER,
    sourced_id  TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL,
    code        TEXT    NOT NULL DEFAULT '',
    grades      TEXT    NOT NULL DEFAULT '[]',
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id)
) STRICT;
CREATE UNIQUE INDEX courses_sourced_id ON courses (district_id, sourced_id) WHERE sourced_id <> '';

CREATE TABLE classes (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    school_id   INTEGER NOT NULL,
    course_id   INTEGER NOT NULL,
    term_id     INTEGER NOT NULL,
    sourced_id  TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL,
    code        TEXT    NOT NULL DEFAULT '',
    period      TEXT    NOT NULL DEFAULT '',
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id),
    FOREIGN KEY (district_id, course_id) REFERENCES courses (district_id, id),
    FOREIGN KEY (district_id, term_id) REFERENCES terms (district_id, id)
) STRICT;
CREATE UNIQUE INDEX classes_sourced_id ON classes (district_id, sourced_id) WHERE sourced_id <> '';
CREATE INDEX classes_course ON classes (district_id, course_id);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    sourced_id  TEXT    NOT NULL DEFAULT '',
    given_name  TEXT    NOT NULL DEFAULT '',
    family_name TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    username    TEXT    NOT NULL DEFAULT '',
    roles       TEXT    NOT NULL DEFAULT '[]',
    school_ids  TEXT    NOT NULL DEFAULT '[]',
    grade       TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL DEFAULT '',
    UNIQUE (district_id, id)
) STRICT;
CREATE UNIQUE INDEX people_sourced_id ON people (district_id, sourced_id) WHERE sourced_id <> '';
CREATE UNIQUE INDEX people_username ON people (district_id, username) WHERE username <> '';

CREATE TABLE enrollments (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    sourced_id  TEXT    NOT NULL DEFAULT '',
    class_id    INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    role        TEXT    NOT NULL,
    is_primary  INTEGER NOT NULL DEFAULT 0,
    begin_date  INTEGER,
    end_date    INTEGER,
    UNIQUE (district_id, class_id, person_id, role),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT;
CREATE UNIQUE INDEX enrollments_sourced_id ON enrollments (district_id, sourced_id) WHERE sourced_id <> '';
CREATE INDEX enrollments_person ON enrollments (district_id, person_id);

CREATE TABLE guardian_links (
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    guardian_id  INTEGER NOT NULL,
    student_id   INTEGER NOT NULL,
    relationship TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (guardian_id, student_id),
    FOREIGN KEY (district_id, guardian_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX guardian_links_student ON guardian_links (district_id, student_id);

CREATE TABLE demographics (
    district_id                INTEGER NOT NULL REFERENCES districts (id),
    student_id                 INTEGER NOT NULL PRIMARY KEY,
    birth_date                 INTEGER,
    sex                        TEXT    NOT NULL DEFAULT '',
    races                      TEXT    NOT NULL DEFAULT '[]',
    hispanic_or_latino         INTEGER,
    english_learner            INTEGER,
    disability                 INTEGER,
    economically_disadvantaged INTEGER,
    UNIQUE (district_id, student_id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id)
) STRICT;

CREATE TABLE scales (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    name        TEXT    NOT NULL,
    levels      TEXT    NOT NULL, -- []standards.Level as JSON
    mastery_cut REAL    NOT NULL,
    UNIQUE (district_id, id)
) STRICT;

CREATE TABLE frameworks (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    sourced_id  TEXT    NOT NULL DEFAULT '',
    title       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    creator     TEXT    NOT NULL DEFAULT '',
    version     TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL DEFAULT '',
    scale_id    INTEGER NOT NULL,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, scale_id) REFERENCES scales (district_id, id)
) STRICT;
CREATE UNIQUE INDEX frameworks_sourced_id ON frameworks (district_id, sourced_id) WHERE sourced_id <> '';

CREATE TABLE standards (
    id               INTEGER PRIMARY KEY,
    district_id      INTEGER NOT NULL REFERENCES districts (id),
    framework_id     INTEGER NOT NULL,
    sourced_id       TEXT    NOT NULL DEFAULT '',
    code             TEXT    NOT NULL DEFAULT '',
    statement        TEXT    NOT NULL,
    type             TEXT    NOT NULL DEFAULT '',
    education_levels TEXT    NOT NULL DEFAULT '[]',
    parent_id        INTEGER,
    position         INTEGER NOT NULL DEFAULT 0,
    retired          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, framework_id) REFERENCES frameworks (district_id, id),
    FOREIGN KEY (district_id, parent_id) REFERENCES standards (district_id, id)
) STRICT;
CREATE UNIQUE INDEX standards_sourced_id ON standards (district_id, sourced_id) WHERE sourced_id <> '';
CREATE INDEX standards_framework ON standards (district_id, framework_id, id);
CREATE INDEX standards_parent ON standards (district_id, parent_id);

CREATE TABLE prerequisites (
    district_id     INTEGER NOT NULL REFERENCES districts (id),
    standard_id     INTEGER NOT NULL,
    prerequisite_id INTEGER NOT NULL,
    PRIMARY KEY (standard_id, prerequisite_id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, prerequisite_id) REFERENCES standards (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX prerequisites_district ON prerequisites (district_id, prerequisite_id);

CREATE TABLE course_standards (
    district_id INTEGER NOT NULL REFERENCES districts (id),
    course_id   INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    PRIMARY KEY (course_id, standard_id),
    FOREIGN KEY (district_id, course_id) REFERENCES courses (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX course_standards_standard ON course_standards (district_id, standard_id);

CREATE TABLE course_policies (
    district_id INTEGER NOT NULL REFERENCES districts (id),
    course_id   INTEGER NOT NULL PRIMARY KEY,
    policy      TEXT    NOT NULL, -- mastery.Policy as JSON
    UNIQUE (district_id, course_id),
    FOREIGN KEY (district_id, course_id) REFERENCES courses (district_id, id)
) STRICT;

CREATE TABLE policy_changes (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    course_id   INTEGER,
    old_policy  TEXT,
    new_policy  TEXT,
    changed_by  INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    recomputed  INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (district_id, course_id) REFERENCES courses (district_id, id),
    FOREIGN KEY (district_id, changed_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX policy_changes_district ON policy_changes (district_id, id);

-- Evidence is append-only: the only change a row may ever see is being
-- voided, once. The triggers hold that even against hand-written SQL.
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    student_id   INTEGER NOT NULL,
    class_id     INTEGER,
    kind         TEXT    NOT NULL,
    title        TEXT    NOT NULL DEFAULT '',
    assessed_at  INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    recorded_by  INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    comment      TEXT    NOT NULL DEFAULT '',
    artifact_url TEXT    NOT NULL DEFAULT '',
    void_at      INTEGER,
    void_by      INTEGER,
    void_reason  TEXT,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, recorded_by) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, void_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX evidence_student ON evidence (district_id, student_id, assessed_at);

CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'evidence is append-only: it can be voided, never deleted');
END;

CREATE TRIGGER evidence_void_once BEFORE UPDATE ON evidence
WHEN OLD.void_at IS NOT NULL
  OR NEW.void_at IS NULL OR NEW.void_by IS NULL OR NEW.void_reason IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.district_id IS NOT OLD.district_id
  OR NEW.student_id IS NOT OLD.student_id OR NEW.class_id IS NOT OLD.class_id
  OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title
  OR NEW.assessed_at IS NOT OLD.assessed_at OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.attempt IS NOT OLD.attempt
  OR NEW.comment IS NOT OLD.comment OR NEW.artifact_url IS NOT OLD.artifact_url
BEGIN
    SELECT RAISE(ABORT, 'evidence is append-only: the only change allowed is voiding it once');
END;

CREATE TABLE evidence_scores (
    district_id INTEGER NOT NULL,
    evidence_id INTEGER NOT NULL,
    position    INTEGER NOT NULL, -- order of the score within its evidence
    standard_id INTEGER NOT NULL,
    student_id  INTEGER NOT NULL, -- copied from evidence so mastery reads one index
    points      REAL,
    min_points  REAL    NOT NULL DEFAULT 0,
    max_points  REAL    NOT NULL DEFAULT 0,
    level       REAL,
    value       REAL    NOT NULL,
    PRIMARY KEY (evidence_id, standard_id),
    FOREIGN KEY (district_id, evidence_id) REFERENCES evidence (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_scores_student ON evidence_scores (district_id, student_id, standard_id);

CREATE TRIGGER evidence_scores_no_delete BEFORE DELETE ON evidence_scores
BEGIN
    SELECT RAISE(ABORT, 'evidence scores are append-only');
END;

CREATE TRIGGER evidence_scores_no_update BEFORE UPDATE ON evidence_scores
BEGIN
    SELECT RAISE(ABORT, 'evidence scores are append-only');
END;

-- Mastery states are a materialised view of evidence: RebuildMastery can
-- always recompute them.
CREATE TABLE mastery_states (
    district_id    INTEGER NOT NULL,
    student_id     INTEGER NOT NULL,
    standard_id    INTEGER NOT NULL,
    value          REAL    NOT NULL,
    level          REAL    NOT NULL,
    level_label    TEXT    NOT NULL,
    mastered       INTEGER NOT NULL,
    evidence_count INTEGER NOT NULL,
    last_assessed  INTEGER,
    trend          REAL    NOT NULL,
    explanation    TEXT    NOT NULL, -- mastery.Explanation as JSON
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (student_id, standard_id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mastery_states_standard ON mastery_states (district_id, standard_id, student_id);
