-- Who viewed a student's record, and the language a district writes in.
--
-- A student and their guardians see everyone who read or changed the
-- record in a period (the last 30 days), with how often and when last.
-- The list is one GROUP BY over the student's entries of the period; this
-- index finds them by range, however many entries the student has from
-- before the period or from other people.
--
-- A district's own text (course, class and school names, evidence titles,
-- comments, scale labels) is written in the district's language. language
-- is its BCP 47 tag ("en", "es-MX"), so that a page in another language
-- marks that text with lang="..." (WCAG 2.1, success criterion 3.1.2,
-- Language of Parts). Districts stored before it was kept are taken to
-- write in English.

CREATE INDEX audit_log_student_at ON audit_log (district_id, student_id, at);

ALTER TABLE districts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
