-- Teachers' notes about a student: comments and behaviour notes, kept
-- beside the student's academics for the staff who act on them
-- (access.Notes). Each is written once, by its author, and audited in
-- its transaction.

CREATE TABLE support_notes (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts (id),
    student_id  INTEGER NOT NULL,
    class_id    INTEGER,
    author_id   INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('comment', 'behaviour')),
    body        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, author_id) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX support_notes_student ON support_notes (district_id, student_id, at);
