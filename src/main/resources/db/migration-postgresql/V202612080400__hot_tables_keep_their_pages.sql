-- A vacuum that finds empty pages at the end of a table gives them back to the file system, and to
-- do so it takes the table's ACCESS EXCLUSIVE lock, which every insert and update then waits for.
-- The publication queue empties its last pages every time correlation catches up, and the incident
-- tables rewrite their few rows thousands of times a minute: under 1,000 alerts a second, each such
-- vacuum stopped ingestion for 100-150 ms. These tables refill their pages within seconds, so they
-- keep them; autovacuum, where it runs, honours the setting as Tocsin's own upkeep does.
ALTER TABLE ingest_alert SET (vacuum_truncate = false);
ALTER TABLE ingest_alert_volume SET (vacuum_truncate = false);
ALTER TABLE platform_event_publication SET (vacuum_truncate = false);
ALTER TABLE incident SET (vacuum_truncate = false);
ALTER TABLE incident_alert SET (vacuum_truncate = false);
ALTER TABLE incident_service SET (vacuum_truncate = false);
ALTER TABLE incident_timeline SET (vacuum_truncate = false);
ALTER TABLE correlate_muted_alert SET (vacuum_truncate = false);
ALTER TABLE notify_message SET (vacuum_truncate = false);
