-- What the PagerDuty and generic formats carry beyond Alertmanager's label sets.
ALTER TABLE ingest_alert ADD COLUMN source TEXT;
ALTER TABLE ingest_alert ADD COLUMN dedup_key TEXT;
ALTER TABLE ingest_alert ADD COLUMN description TEXT;
ALTER TABLE ingest_alert ADD COLUMN details TEXT;
ALTER TABLE ingest_alert ADD COLUMN links TEXT;
ALTER TABLE ingest_alert ADD COLUMN acknowledged_at TIMESTAMP WITH TIME ZONE;
-- The expiry sweep looks for firing alerts whose endsAt has passed.
CREATE INDEX ingest_alert_expiry ON ingest_alert (status, ends_at);
