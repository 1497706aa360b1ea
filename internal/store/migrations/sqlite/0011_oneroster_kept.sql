-- The OneRoster records as imported.
--
-- cairn keeps what it uses of a roster (names, roles, schools, classes,
-- enrollments) in its own tables; a student information system's export
-- has more: identifiers, userIds, user profiles, the sourcedIds of role
-- rows, metadata, the date each record last changed. record is the JSON
-- of the record as the import that last changed it read it, so that an
-- export gives those back and an export imported again changes nothing.
-- Records imported before it was kept have '' and are exported from what
-- cairn holds, as before.

ALTER TABLE oneroster_records ADD COLUMN record TEXT NOT NULL DEFAULT '';
