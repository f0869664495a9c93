-- New alert occurrences counted per 10 minutes, service and alertname, for the dashboard's volume
-- chart and the noisiest-alerts report. Counting a million ingest_alert rows per page view takes
-- seconds, and the alertname sits in JSON text that SQL cannot group by on both databases. Each
-- ingest transaction appends its own counts and never updates a row, so writers in a storm do not
-- wait for each other; readers sum the rows of a range.
CREATE TABLE ingest_alert_volume (
    bucket_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    service_id UUID NOT NULL,
    alertname  TEXT NOT NULL,
    alerts     INTEGER NOT NULL
);

CREATE INDEX ingest_alert_volume_bucket ON ingest_alert_volume (bucket_at);
