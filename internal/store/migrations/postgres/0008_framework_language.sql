-- The language a framework is written in.
--
-- Pages are shown in the reader's language, but a framework's titles and
-- statements stay in the language they were written in. language is the
-- framework's BCP 47 tag ("en", "es-MX"), so that a page in another
-- language can mark its text with lang="..." (WCAG 2.1, success
-- criterion 3.1.2, Language of Parts). Frameworks stored before it was
-- kept are taken to be in English.

ALTER TABLE frameworks ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
