-- The transactional outbox behind Spring Modulith's event publication registry: one row per event
-- and transactional listener, written in the publishing transaction and deleted once the listener
-- has completed. Rows that stay are delivered again (platform.events.EventRedelivery).
CREATE TABLE platform_event_publication (
    id                     UUID PRIMARY KEY,
    listener_id            TEXT NOT NULL,
    event_type             TEXT NOT NULL,
    serialized_event       TEXT NOT NULL,
    -- SHA-256 of serialized_event: completing by (listener, event) finds its row through an index
    -- instead of comparing whole documents
    event_hash             TEXT NOT NULL,
    publication_date       TIMESTAMP WITH TIME ZONE NOT NULL,
    status                 TEXT NOT NULL,
    completion_attempts    INTEGER NOT NULL,
    last_resubmission_date TIMESTAMP WITH TIME ZONE,
    CONSTRAINT platform_event_publication_status_check
        CHECK (status IN ('published', 'processing', 'failed', 'resubmitted'))
);

CREATE INDEX platform_event_publication_listener_event
    ON platform_event_publication (listener_id, event_hash);
CREATE INDEX platform_event_publication_status
    ON platform_event_publication (status, publication_date);
