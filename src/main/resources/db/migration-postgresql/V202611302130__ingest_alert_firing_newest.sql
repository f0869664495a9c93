-- The newest firing alerts, for the views that examine a bounded sample of them (the silence
-- preview and what each silence mutes): a backward scan of this index reads only firing rows, where
-- the (status, service_id) index would make PostgreSQL sort every firing alert first. H2 has no
-- partial indexes; its evaluation databases are small enough to sort.
CREATE INDEX ingest_alert_firing_newest ON ingest_alert (id) WHERE status = 'firing';
