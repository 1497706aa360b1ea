-- Faster class matrices.
--
-- A mastery state's row holds its explanation, which makes rows long;
-- this index holds every other column in primary key order, so the matrix
-- (and the rollups, which read their children's values) can be answered
-- from the index alone.

CREATE INDEX mastery_states_cells ON mastery_states (student_id, standard_id)
    INCLUDE (district_id, value, level, level_label, mastered, evidence_count, last_assessed, trend, updated_at);
