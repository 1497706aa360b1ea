-- Items and the logistic model kept online.
--
-- An item is a reusable assessment question on one standard whose
-- difficulty a model learns. A score may name the item it answered
-- (evidence_scores.item_id); a client names an item by the id cairn gave
-- it or by a key of its own (items.item_key, unique in the district).
--
-- kt_models holds the district's fitted logistic model (weights shared by
-- every response, with its ability model's parameters); kt_standard_weights
-- each standard's weights; an item's fitted weights are on its row, with
-- the counts of responses recorded since, which order cannot change.
--
-- kt_students and kt_standard_traces are the model's state of each student,
-- overall and per standard, updated in the transaction that records the
-- evidence. last_* is the order key (assessed, recorded, evidence id,
-- position) of the latest response folded in: a response that comes after
-- it is folded in at once; one that does not (backdated, or a void) has the
-- student's responses replayed, so the state is always the fold of the
-- student's responses in the order they count, which is what a rebuild
-- computes.

CREATE TABLE items (
    id               INTEGER PRIMARY KEY,
    district_id      INTEGER NOT NULL REFERENCES districts (id),
    standard_id      INTEGER NOT NULL,
    item_key         TEXT    NOT NULL,
    title            TEXT    NOT NULL DEFAULT '',
    easiness         REAL    NOT NULL DEFAULT 0,
    rating           REAL    NOT NULL DEFAULT 0,
    fitted_responses INTEGER NOT NULL DEFAULT 0,
    responses        INTEGER NOT NULL DEFAULT 0,
    right_count      INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    UNIQUE (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT;
CREATE UNIQUE INDEX items_key ON items (district_id, item_key);
CREATE INDEX items_standard ON items (district_id, standard_id);

ALTER TABLE evidence_scores ADD COLUMN item_id INTEGER REFERENCES items (id);

CREATE TABLE kt_models (
    district_id INTEGER PRIMARY KEY REFERENCES districts (id),
    model       TEXT    NOT NULL, -- mastery.LogisticModel as JSON
    responses   INTEGER NOT NULL,
    fitted_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE kt_standard_weights (
    district_id INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    weights     TEXT    NOT NULL, -- mastery.StandardWeights as JSON, related standards by id
    PRIMARY KEY (district_id, standard_id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT;

CREATE TABLE kt_students (
    district_id   INTEGER NOT NULL,
    student_id    INTEGER NOT NULL,
    trace         TEXT    NOT NULL, -- mastery.StudentTrace as JSON
    last_assessed INTEGER NOT NULL,
    last_recorded INTEGER NOT NULL,
    last_evidence INTEGER NOT NULL,
    last_position INTEGER NOT NULL,
    PRIMARY KEY (district_id, student_id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id)
) STRICT;

CREATE TABLE kt_standard_traces (
    district_id INTEGER NOT NULL,
    student_id  INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    trace       TEXT    NOT NULL, -- mastery.StandardTrace as JSON
    PRIMARY KEY (district_id, student_id, standard_id),
    FOREIGN KEY (district_id, student_id) REFERENCES people (district_id, id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT, WITHOUT ROWID;
