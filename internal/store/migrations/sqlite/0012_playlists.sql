-- Playlists of activities for a standard, and what students choose.
--
-- A playlist belongs to the teacher who made it (owner_id); shared puts it
-- in the library of its school for the school's teachers to find and copy.
-- ways_to_show is the JSON list of the kinds of evidence a student may
-- show mastery with. An activity's uploaded file is kept in
-- activity_files, apart from the activity, so that listing activities
-- never reads the bytes; file_name, file_type and file_size describe it.
-- A student's choice for a standard names the activities they will do
-- (choice_activities) and the way they will show mastery.

CREATE TABLE playlists (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL REFERENCES districts (id),
    standard_id  INTEGER NOT NULL,
    owner_id     INTEGER NOT NULL,
    school_id    INTEGER,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    shared       INTEGER NOT NULL DEFAULT 0,
    copied_from  INTEGER,
    ways_to_show TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, owner_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id)
) STRICT;
CREATE INDEX playlists_standard ON playlists (district_id, standard_id);
CREATE INDEX playlists_owner ON playlists (district_id, owner_id);

CREATE TABLE activities (
    id           INTEGER PRIMARY KEY,
    district_id  INTEGER NOT NULL,
    playlist_id  INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    link         TEXT    NOT NULL DEFAULT '',
    modality     TEXT    NOT NULL,
    minutes      INTEGER NOT NULL DEFAULT 0,
    interests    TEXT    NOT NULL DEFAULT '[]',
    language     TEXT    NOT NULL DEFAULT '',
    assessment   INTEGER NOT NULL DEFAULT 0,
    file_name    TEXT    NOT NULL DEFAULT '',
    file_type    TEXT    NOT NULL DEFAULT '',
    file_size    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, playlist_id) REFERENCES playlists (district_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX activities_playlist ON activities (district_id, playlist_id, position);

CREATE TABLE activity_files (
    district_id INTEGER NOT NULL,
    activity_id INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    PRIMARY KEY (district_id, activity_id),
    FOREIGN KEY (district_id, activity_id) REFERENCES activities (district_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE choices (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    way_to_show TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    chosen_at   INTEGER NOT NULL,
    UNIQUE (district_id, id),
    UNIQUE (district_id, student_id, standard_id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT;

CREATE TABLE choice_activities (
    district_id INTEGER NOT NULL,
    choice_id   INTEGER NOT NULL,
    activity_id INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (district_id, choice_id, activity_id),
    FOREIGN KEY (district_id, choice_id) REFERENCES choices (district_id, id) ON DELETE CASCADE,
    FOREIGN KEY (district_id, activity_id) REFERENCES activities (district_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX choice_activities_activity ON choice_activities (district_id, activity_id);
