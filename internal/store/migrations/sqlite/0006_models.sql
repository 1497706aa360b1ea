-- Knowledge tracing.
--
-- bkt_params holds each standard's Bayesian Knowledge Tracing parameters
-- as last fitted to the district's evidence (`cairn fit`); a standard
-- without a row uses the defaults. mastery_states gains the model's
-- estimate beside the method's value, written in the same statement, and
-- the index that answers class matrices carries it too.

CREATE TABLE bkt_params (
    district_id INTEGER NOT NULL,
    standard_id INTEGER NOT NULL,
    prior       REAL    NOT NULL,
    learn       REAL    NOT NULL,
    guess       REAL    NOT NULL,
    slip        REAL    NOT NULL,
    forget      REAL    NOT NULL,
    responses   INTEGER NOT NULL,
    students    INTEGER NOT NULL,
    log_lik     REAL    NOT NULL,
    notes       TEXT    NOT NULL, -- JSON list of mastery.BKTNote
    fitted_at   INTEGER NOT NULL,
    PRIMARY KEY (district_id, standard_id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
) STRICT;

ALTER TABLE mastery_states ADD COLUMN model_p       REAL;    -- P(mastered); NULL without a model estimate
ALTER TABLE mastery_states ADD COLUMN model_next    REAL;    -- P(next response at mastery)
ALTER TABLE mastery_states ADD COLUMN model_low     REAL;
ALTER TABLE mastery_states ADD COLUMN model_high    REAL;
ALTER TABLE mastery_states ADD COLUMN model_n       INTEGER;
ALTER TABLE mastery_states ADD COLUMN model_verdict TEXT;

DROP INDEX mastery_states_cells;
CREATE INDEX mastery_states_cells ON mastery_states (student_id, standard_id, district_id, value, level, level_label,
    mastered, evidence_count, last_assessed, trend, updated_at, model_p, model_next, model_low, model_high, model_n, model_verdict);
