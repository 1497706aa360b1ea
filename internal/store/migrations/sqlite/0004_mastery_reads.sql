-- Faster mastery recomputation.
--
-- evidence_scores keeps its rows in (district, student, standard) order,
-- with the evidence's assessed and recorded times copied in, so that the
-- scores of a student on a standard are read as one range of one table.
-- Voided evidence is found through a small partial index instead of a
-- lookup of every score's evidence. mastery_states, a materialised view
-- written only from checked evidence, drops its foreign keys, which cost
-- two lookups for each of the several states a piece of evidence updates.
-- SQLite changes keys only by rebuilding a table.

CREATE INDEX evidence_voided ON evidence (district_id, student_id) WHERE void_at IS NOT NULL;

CREATE TABLE evidence_scores_new (
    district_id INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    evidence_id INTEGER NOT NULL,
    position    INTEGER NOT NULL, -- order of the score within its evidence
    assessed_at INTEGER NOT NULL, -- copied from the evidence
    recorded_at INTEGER NOT NULL, -- copied from the evidence
    points      REAL,
    min_points  REAL    NOT NULL DEFAULT 0,
    max_points  REAL    NOT NULL DEFAULT 0,
    level       REAL,
    value       REAL    NOT NULL,
    PRIMARY KEY (district_id, student_id, standard_id, evidence_id),
    FOREIGN KEY (district_id, evidence_id) REFERENCES evidence (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT, WITHOUT ROWID;
INSERT INTO evidence_scores_new
    (district_id, student_id, standard_id, evidence_id, position, assessed_at, recorded_at, points, min_points, max_points, level, value)
SELECT sc.district_id, sc.student_id, sc.standard_id, sc.evidence_id, sc.position, e.assessed_at, e.recorded_at,
       sc.points, sc.min_points, sc.max_points, sc.level, sc.value
FROM evidence_scores sc JOIN evidence e ON e.id = sc.evidence_id;
-- Dropping a table runs no triggers: the append-only rule holds for rows,
-- and every row was copied above.
DROP TABLE evidence_scores;
ALTER TABLE evidence_scores_new RENAME TO evidence_scores;
CREATE UNIQUE INDEX evidence_scores_evidence ON evidence_scores (evidence_id, standard_id);

CREATE TRIGGER evidence_scores_no_delete BEFORE DELETE ON evidence_scores
BEGIN
    SELECT RAISE(ABORT, 'evidence scores are append-only');
END;

CREATE TRIGGER evidence_scores_no_update BEFORE UPDATE ON evidence_scores
BEGIN
    SELECT RAISE(ABORT, 'evidence scores are append-only');
END;

CREATE TABLE mastery_states_new (
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
    PRIMARY KEY (student_id, standard_id)
) STRICT, WITHOUT ROWID;
INSERT INTO mastery_states_new SELECT * FROM mastery_states;
DROP TABLE mastery_states;
ALTER TABLE mastery_states_new RENAME TO mastery_states;
CREATE INDEX mastery_states_standard ON mastery_states (district_id, standard_id, student_id);
