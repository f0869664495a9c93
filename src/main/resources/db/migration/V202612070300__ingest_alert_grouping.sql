-- The grouping a routing rule gave an alert, as JSON ({"by":"labels","labels":["cluster"]}), kept
-- so that its next occurrence groups the same way; NULL: its integration's grouping.
ALTER TABLE ingest_alert ADD COLUMN grouping TEXT;
