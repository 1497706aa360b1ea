-- Knowledge tracing.
--
-- bkt_params holds each standard's Bayesian Knowledge Tracing parameters
-- as last fitted to the district's evidence (`cairn fit`); a standard
-- without a row uses the defaults. mastery_states gains the model's
-- estimate beside the method's value, written in the same statement, and
-- the index that answers class matrices carries it too.

CREATE TABLE bkt_params (
    district_id BIGINT NOT NULL,
    standard_id BIGINT NOT NULL,
    prior       DOUBLE PRECISION NOT NULL,
    learn       DOUBLE PRECISION NOT NULL,
    guess       DOUBLE PRECISION NOT NULL,
    slip        DOUBLE PRECISION NOT NULL,
    forget      DOUBLE PRECISION NOT NULL,
    responses   INTEGER NOT NULL,
    students    INTEGER NOT NULL,
    log_lik     DOUBLE PRECISION NOT NULL,
    notes       TEXT    NOT NULL, -- JSON list of mastery.BKTNote
    fitted_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (district_id, standard_id),
    FOREIGN KEY (district_id, standard_id) REFERENCES standards (district_id, id)
);

ALTER TABLE mastery_states
    ADD COLUMN model_p       DOUBLE PRECISION, -- P(mastered); NULL without a model estimate
    ADD COLUMN model_next    DOUBLE PRECISION, -- P(next response at mastery)
    ADD COLUMN model_low     DOUBLE PRECISION,
    ADD COLUMN model_high    DOUBLE PRECISION,
    ADD COLUMN model_n       INTEGER,
    ADD COLUMN model_verdict TEXT;

DROP INDEX mastery_states_cells;
CREATE INDEX mastery_states_cells ON mastery_states (student_id, standard_id)
    INCLUDE (district_id, value, level, level_label, mastered, evidence_count, last_assessed, trend, updated_at,
             model_p, model_next, model_low, model_high, model_n, model_verdict);
