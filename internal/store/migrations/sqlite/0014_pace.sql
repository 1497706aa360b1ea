-- Pace: the district's bars between ahead, on track and behind, and every
-- change of them.
--
-- pace is pathways.PaceThresholds as JSON; NULL means the defaults. Each
-- change is kept with who made it, when and why, as mastery policy changes
-- are, so that a family told "behind" in March can be shown which bar said
-- so.

ALTER TABLE districts ADD COLUMN pace TEXT;

CREATE TABLE pace_changes (
    id             INTEGER PRIMARY KEY,
    district_id    INTEGER NOT NULL REFERENCES districts (id),
    old_thresholds TEXT,
    new_thresholds TEXT    NOT NULL,
    changed_by     INTEGER NOT NULL,
    changed_at     INTEGER NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    FOREIGN KEY (district_id, changed_by) REFERENCES people (district_id, id)
) STRICT;
CREATE INDEX pace_changes_district ON pace_changes (district_id, id);
