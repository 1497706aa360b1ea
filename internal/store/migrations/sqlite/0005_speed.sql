-- Faster class matrices.
--
-- A mastery state's row holds its explanation, often longer than a page,
-- so reading the values of a class's cells from the table walks many
-- pages and their overflow chains. This index holds every column but the
-- explanation, in primary key order, so the matrix (and the rollups, which
-- read their children's values) are answered from the index alone.

CREATE INDEX mastery_states_cells ON mastery_states (student_id, standard_id, district_id, value, level, level_label,
    mastered, evidence_count, last_assessed, trend, updated_at);
