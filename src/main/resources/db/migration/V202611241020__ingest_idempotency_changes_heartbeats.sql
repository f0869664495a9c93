-- The first answer to a request that carried an Idempotency-Key, replayed to retries for 24 h.
CREATE TABLE ingest_idempotency (
    integration_id  UUID NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body   TEXT NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (integration_id, idempotency_key)
);

CREATE INDEX ingest_idempotency_created ON ingest_idempotency (created_at);

-- Change events (deploys, config changes): they page nobody, they explain outages.
CREATE TABLE ingest_change_event (
    id             UUID PRIMARY KEY,
    integration_id UUID NOT NULL,
    service_id     UUID NOT NULL,
    summary        TEXT NOT NULL,
    source         TEXT,
    happened_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    received_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    details        TEXT,
    links          TEXT
);

CREATE INDEX ingest_change_event_service ON ingest_change_event (service_id, happened_at);

-- A heartbeat integration's dead-man's switch. deadline_at = last beat + interval + grace; the
-- checker fires HeartbeatMissed for rows past it that have not fired yet.
CREATE TABLE ingest_heartbeat (
    integration_id   UUID PRIMARY KEY,
    service_id       UUID NOT NULL,
    interval_seconds BIGINT NOT NULL,
    grace_seconds    BIGINT NOT NULL,
    last_beat_at     TIMESTAMP WITH TIME ZONE,
    deadline_at      TIMESTAMP WITH TIME ZONE,
    missed           BOOLEAN NOT NULL,
    CONSTRAINT ingest_heartbeat_interval_check CHECK (interval_seconds > 0 AND grace_seconds >= 0)
);

CREATE INDEX ingest_heartbeat_deadline ON ingest_heartbeat (missed, deadline_at);
