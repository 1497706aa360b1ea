-- Cheaper mastery state writes.
--
-- Recording a piece of evidence rewrites the states of its standards and
-- of their ancestors. mastery_states_cells copied every column but the
-- explanation into an index, so every rewrite changed an indexed column:
-- PostgreSQL then writes a new entry in each of the table's three indexes
-- for each rewritten state. Without it no rewrite changes an indexed
-- column, and with room left in each page (fillfactor) a rewrite is a
-- heap-only update that writes no index at all. The class matrix and the
-- rollups read their cells through the primary key instead: on a table
-- rewritten this often an index-only scan visits the rows anyway, because
-- their pages are seldom all-visible.

DROP INDEX mastery_states_cells;
ALTER TABLE mastery_states SET (fillfactor = 70);
