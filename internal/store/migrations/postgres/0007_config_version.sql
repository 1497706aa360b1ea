-- What every server caches about a district.
--
-- Each server keeps a district's standards hierarchy, scales, model
-- parameters and mastery policies in memory. config_version counts the
-- writes that change any of them; a write transaction compares it with the
-- version its cache was loaded at, so that a change made by another server
-- or by a command such as `cairn fit` or `cairn import` is never
-- computed with the old values.

ALTER TABLE districts ADD COLUMN config_version BIGINT NOT NULL DEFAULT 0;
