-- Every alert received, one row per occurrence. open_fingerprint holds the fingerprint while the
-- alert fires and NULL once it is resolved: the unique constraint on it allows at most one firing
-- alert per (integration, fingerprint), also against concurrent senders, on both databases (a
-- partial unique index would do the same on PostgreSQL only).
CREATE TABLE ingest_alert (
    id               UUID PRIMARY KEY,
    integration_id   UUID NOT NULL,
    service_id       UUID NOT NULL,
    fingerprint      TEXT NOT NULL,
    open_fingerprint TEXT,
    status           TEXT NOT NULL,
    severity         TEXT NOT NULL,
    summary          TEXT NOT NULL,
    labels           TEXT NOT NULL,
    annotations      TEXT NOT NULL,
    generator_url    TEXT,
    starts_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at          TIMESTAMP WITH TIME ZONE,
    first_seen_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    times_seen       INTEGER NOT NULL,
    CONSTRAINT ingest_alert_status_check CHECK (status IN ('firing', 'resolved')),
    CONSTRAINT ingest_alert_severity_check CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    CONSTRAINT ingest_alert_open_unique UNIQUE (integration_id, open_fingerprint)
);

CREATE INDEX ingest_alert_service_status ON ingest_alert (service_id, status);
CREATE INDEX ingest_alert_fingerprint ON ingest_alert (integration_id, fingerprint);
