-- Flexible groups and the schedule of a class's day. A group is saved for
-- one day (midnight UTC) and dissolves when the day passes, when a teacher
-- dissolves it (ended = 'dissolved') or when the day's groups are saved
-- again (ended = 'replaced'); rows are never deleted, so the history
-- stays. The setup is the class's time blocks, the adults available and
-- the largest group one adult leads; a saved schedule keeps a copy of its
-- block's label and times, so that it reads the same after the blocks
-- change. Every change is audited in its transaction.

CREATE TABLE class_groups (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    class_id     INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('reteach', 'extend', 'interest', 'playlist')),
    standard_id  INTEGER,
    name         TEXT    NOT NULL,
    saved_by     INTEGER NOT NULL,
    saved_at     INTEGER NOT NULL,
    dissolved_at INTEGER,
    dissolved_by INTEGER,
    ended        TEXT    NOT NULL DEFAULT '' CHECK (ended IN ('', 'dissolved', 'replaced')),
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, saved_by) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, dissolved_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX class_groups_day ON class_groups (district_id, class_id, day);

CREATE TABLE class_group_members (
    district_id  INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    student_id   INTEGER NOT NULL,
    PRIMARY KEY (group_id, student_id),
    FOREIGN KEY (district_id, group_id) REFERENCES class_groups (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id)
) STRICT;

CREATE TABLE class_schedule_setups (
    district_id    INTEGER NOT NULL,
    class_id       INTEGER NOT NULL,
    max_group_size INTEGER NOT NULL CHECK (max_group_size BETWEEN 1 AND 40),
    updated_by     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (district_id, class_id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, updated_by) REFERENCES people (district_id, id)
) STRICT;

CREATE TABLE class_time_blocks (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    class_id     INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    label        TEXT    NOT NULL,
    starts_at    TEXT    NOT NULL,
    ends_at      TEXT    NOT NULL,
    UNIQUE (district_id, class_id, position),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id)
) STRICT;

CREATE TABLE class_schedule_adults (
    district_id  INTEGER NOT NULL,
    class_id     INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('teacher', 'co_teacher', 'aide')),
    PRIMARY KEY (district_id, class_id, person_id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id)
) STRICT;

CREATE TABLE class_schedule_slots (
    district_id  INTEGER NOT NULL,
    class_id     INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    block_label  TEXT    NOT NULL,
    block_start  TEXT    NOT NULL,
    block_end    TEXT    NOT NULL,
    person_id    INTEGER NOT NULL,
    saved_by     INTEGER NOT NULL,
    saved_at     INTEGER NOT NULL,
    PRIMARY KEY (group_id, block_start),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, group_id) REFERENCES class_groups (district_id, id),
    FOREIGN KEY (district_id, person_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, saved_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX class_schedule_slots_day ON class_schedule_slots (district_id, class_id, day);
