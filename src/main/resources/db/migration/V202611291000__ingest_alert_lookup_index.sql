-- No query looks alerts up by (integration_id, fingerprint), yet PostgreSQL without statistics
-- (autovacuum off, or a freshly restored table) chose that index for the per-request lookup of
-- open alerts and then filtered every occurrence of the integration: under a storm each request
-- got slower as history grew. Without it the only index that fits the lookup is the unique
-- (integration_id, open_fingerprint) one, whatever the statistics say.
DROP INDEX ingest_alert_fingerprint;
