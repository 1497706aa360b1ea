-- Class pathways and students' plans.
--
-- A class pathway is the teacher's ordered targets for the class's term,
-- each with the date by which students should be introduced to it. A
-- student's plan in a class starts from the pathway and is adjusted with
-- them: plans records that the student has one (even an empty one), and
-- plan_targets its targets in order, with who put each there and how
-- (origin 'pathway' or 'teacher'). beyond marks a standard of another
-- course that a teacher added so that the student goes beyond this one.
-- student_interests are what a student says they like, matched with the
-- interest tags of activities when cairn recommends what to do next.

CREATE TABLE pathway_targets (
    district_id   BIGINT  NOT NULL REFERENCES districts (id),
    class_id      BIGINT  NOT NULL,
    standard_id   BIGINT  NOT NULL,
    position      BIGINT  NOT NULL,
    introduce_by  TIMESTAMPTZ,
    PRIMARY KEY (class_id, standard_id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
);
CREATE INDEX pathway_targets_standard ON pathway_targets (district_id, standard_id);

CREATE TABLE plans (
    district_id BIGINT  NOT NULL REFERENCES districts (id),
    student_id  BIGINT  NOT NULL,
    class_id    BIGINT  NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  BIGINT,
    PRIMARY KEY (student_id, class_id),
    UNIQUE (district_id, student_id, class_id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, class_id) REFERENCES classes (district_id, id),
    FOREIGN KEY (district_id, updated_by) REFERENCES people (district_id, id)
);
CREATE INDEX plans_class ON plans (district_id, class_id);

CREATE TABLE plan_targets (
    district_id BIGINT  NOT NULL REFERENCES districts (id),
    student_id  BIGINT  NOT NULL,
    class_id    BIGINT  NOT NULL,
    standard_id BIGINT  NOT NULL,
    position    BIGINT  NOT NULL,
    due         TIMESTAMPTZ,
    origin      TEXT    NOT NULL CHECK (origin IN ('pathway', 'teacher')),
    added_by    BIGINT,
    beyond      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (student_id, class_id, standard_id),
    FOREIGN KEY (district_id, student_id, class_id) REFERENCES plans (district_id, student_id, class_id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id),
    FOREIGN KEY (district_id, added_by) REFERENCES people (district_id, id)
);
CREATE INDEX plan_targets_standard ON plan_targets (district_id, standard_id);
CREATE INDEX plan_targets_class ON plan_targets (district_id, class_id, student_id, position);

CREATE TABLE student_interests (
    district_id BIGINT  NOT NULL REFERENCES districts (id),
    student_id  BIGINT  NOT NULL,
    interest    TEXT    NOT NULL,
    position    BIGINT  NOT NULL,
    PRIMARY KEY (student_id, interest),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id)
);
