-- The alerts stored before ingest_alert_volume existed, counted the way ingestion counts them now
-- (alertname, else the summary). H2 cannot read JSON text in SQL; its evaluation databases start
-- counting at the upgrade.
INSERT INTO ingest_alert_volume (bucket_at, service_id, alertname, alerts, compacted)
SELECT to_timestamp(floor(extract(epoch FROM first_seen_at) / 600) * 600),
       service_id,
       COALESCE(NULLIF(labels::json ->> 'alertname', ''), LEFT(summary, 200)),
       COUNT(*),
       TRUE
FROM ingest_alert
GROUP BY 1, 2, 3;
