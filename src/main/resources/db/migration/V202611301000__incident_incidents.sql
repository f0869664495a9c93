-- Incidents and what hangs off them. open_key holds "<service id> <group key>" while the incident
-- is not resolved and NULL afterwards: its unique constraint allows one open incident per service
-- and group key on both databases, whatever the nodes do at once.
CREATE SEQUENCE incident_number;

CREATE TABLE incident (
    id                        UUID PRIMARY KEY,
    number                    BIGINT NOT NULL,
    title                     TEXT NOT NULL,
    service_id                UUID NOT NULL,
    group_key                 TEXT NOT NULL,
    open_key                  TEXT,
    status                    TEXT NOT NULL,
    severity                  TEXT NOT NULL,
    severity_by_hand          BOOLEAN NOT NULL,
    assignee_id               UUID,
    probable_cause_service_id UUID NOT NULL,
    recurrence_of             UUID REFERENCES incident (id),
    merged_into               UUID REFERENCES incident (id),
    alert_count               INTEGER NOT NULL,
    firing_count              INTEGER NOT NULL,
    opened_at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    acknowledged_at           TIMESTAMP WITH TIME ZONE,
    resolved_at               TIMESTAMP WITH TIME ZONE,
    resolved_by               TEXT,
    updated_at                TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT incident_number_unique UNIQUE (number),
    CONSTRAINT incident_open_key_unique UNIQUE (open_key),
    CONSTRAINT incident_status_check
        CHECK (status IN ('open', 'acknowledged', 'in_progress', 'resolved')),
    CONSTRAINT incident_severity_check
        CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    CONSTRAINT incident_open_key_while_open
        CHECK ((status = 'resolved') = (open_key IS NULL)),
    CONSTRAINT incident_counts_check CHECK (firing_count BETWEEN 0 AND alert_count)
);

CREATE INDEX incident_status_service ON incident (status, service_id);
CREATE INDEX incident_group_resolved ON incident (service_id, group_key, resolved_at);
CREATE INDEX incident_opened ON incident (opened_at);

-- The services with alerts on an incident: the affected services, and the probable cause among
-- those still firing.
CREATE TABLE incident_service (
    incident_id    UUID NOT NULL REFERENCES incident (id),
    service_id     UUID NOT NULL,
    alert_count    INTEGER NOT NULL,
    firing_count   INTEGER NOT NULL,
    first_alert_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (incident_id, service_id)
);

-- Each alert occurrence belongs to at most one incident, as the trigger that opened it, grouped
-- into it, a symptom of a dependency's incident, or inhibited by one of its alerts.
CREATE TABLE incident_alert (
    alert_id     UUID PRIMARY KEY,
    incident_id  UUID NOT NULL REFERENCES incident (id),
    service_id   UUID NOT NULL,
    fingerprint  TEXT NOT NULL,
    summary      TEXT NOT NULL,
    severity     TEXT NOT NULL,
    role         TEXT NOT NULL,
    status       TEXT NOT NULL,
    attached_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT incident_alert_role_check
        CHECK (role IN ('trigger', 'grouped', 'symptom', 'inhibited')),
    CONSTRAINT incident_alert_status_check CHECK (status IN ('firing', 'resolved')),
    CONSTRAINT incident_alert_severity_check
        CHECK (severity IN ('critical', 'error', 'warning', 'info'))
);

CREATE INDEX incident_alert_incident ON incident_alert (incident_id, alert_id);

-- Append-only, except that the count and end of a burst summary grow while its burst lasts.
CREATE TABLE incident_timeline (
    id          UUID PRIMARY KEY,
    incident_id UUID NOT NULL REFERENCES incident (id),
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    kind        TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    UUID,
    actor_name  TEXT NOT NULL,
    message     TEXT NOT NULL,
    alert_count INTEGER,
    last_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT incident_timeline_kind_check CHECK (kind IN (
        'opened', 'alerts_attached', 'alerts_resolved', 'acknowledged', 'in_progress', 'resolved',
        'assigned', 'severity_changed', 'title_changed', 'merged_into', 'merged_from', 'note',
        'status_update')),
    CONSTRAINT incident_timeline_actor_check CHECK (actor_kind IN ('user', 'integration', 'tocsin'))
);

CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);

CREATE TABLE incident_status_update (
    id          UUID PRIMARY KEY,
    incident_id UUID NOT NULL REFERENCES incident (id),
    phase       TEXT NOT NULL,
    message     TEXT NOT NULL,
    author_id   UUID,
    author_name TEXT NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT incident_status_update_phase_check
        CHECK (phase IN ('investigating', 'identified', 'monitoring', 'resolved'))
);

CREATE INDEX incident_status_update_incident ON incident_status_update (incident_id, id);

-- Work that changes several incidents at once (correlating a batch of alerts, merging) takes this
-- row first, so that two nodes never both decide that no incident exists yet, and never lock two
-- incidents in opposite orders.
CREATE TABLE incident_lock (
    id INTEGER PRIMARY KEY
);
INSERT INTO incident_lock (id) VALUES (1);
