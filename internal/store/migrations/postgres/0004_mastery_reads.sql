-- Faster mastery recomputation.
--
-- evidence_scores gets the evidence's assessed and recorded times, and an
-- index on (district, student, standard) that holds everything mastery
-- reads, so that the scores of a student on a standard are read from the
-- index alone. Voided evidence is found through a small partial index
-- instead of a lookup of every score's evidence. mastery_states, a
-- materialised view written only from checked evidence, drops its foreign
-- keys, which cost two lookups for each of the several states a piece of
-- evidence updates.

CREATE INDEX evidence_voided ON evidence (district_id, student_id) WHERE void_at IS NOT NULL;

ALTER TABLE evidence_scores ADD COLUMN assessed_at TIMESTAMPTZ, ADD COLUMN recorded_at TIMESTAMPTZ;
-- Filling in copies of the evidence's own times is not a change of what
-- was recorded, so the append-only trigger stands aside for it.
ALTER TABLE evidence_scores DISABLE TRIGGER evidence_scores_append_only;
UPDATE evidence_scores sc SET assessed_at = e.assessed_at, recorded_at = e.recorded_at
FROM evidence e WHERE e.id = sc.evidence_id;
ALTER TABLE evidence_scores ENABLE TRIGGER evidence_scores_append_only;
ALTER TABLE evidence_scores ALTER COLUMN assessed_at SET NOT NULL, ALTER COLUMN recorded_at SET NOT NULL;
DROP INDEX evidence_scores_student;
CREATE INDEX evidence_scores_student ON evidence_scores (district_id, student_id, standard_id)
    INCLUDE (evidence_id, value, assessed_at, recorded_at);

ALTER TABLE mastery_states
    DROP CONSTRAINT IF EXISTS mastery_states_district_id_student_id_fkey,
    DROP CONSTRAINT IF EXISTS mastery_states_district_id_standard_id_fkey;
