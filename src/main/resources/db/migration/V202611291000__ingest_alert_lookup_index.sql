-- The per-request lookup of open alerts must use an index whatever the statistics say. With the
-- pair (integration_id, open_fingerprint), PostgreSQL without statistics (autovacuum off, a table
-- just restored) used only integration_id and filtered every occurrence of the integration, and
-- H2 never used the IN list on the second column: each request got slower as history grew. One
-- column holding both, unique, is looked up by equality on both databases.
ALTER TABLE ingest_alert ADD COLUMN open_key TEXT;
UPDATE ingest_alert SET open_key = CAST(integration_id AS VARCHAR(36)) || ' ' || open_fingerprint
    WHERE open_fingerprint IS NOT NULL;
ALTER TABLE ingest_alert DROP CONSTRAINT ingest_alert_open_unique;
ALTER TABLE ingest_alert DROP COLUMN open_fingerprint;
ALTER TABLE ingest_alert ADD CONSTRAINT ingest_alert_open_key_unique UNIQUE (open_key);

-- Every index on a column that a re-send changes (ends_at) makes each refresh rewrite all indexes
-- instead of updating the row in place. The expiry sweep, the firing gauge and the Alertmanager
-- read all start from the few firing alerts: one index on (status, service_id) serves them, and
-- nothing looks alerts up by (integration_id, fingerprint).
DROP INDEX ingest_alert_fingerprint;
DROP INDEX ingest_alert_expiry;
DROP INDEX ingest_alert_service_status;
CREATE INDEX ingest_alert_firing ON ingest_alert (status, service_id);
