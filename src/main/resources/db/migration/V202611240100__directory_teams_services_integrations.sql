-- Teams own services; services depend on services (a DAG, checked in code under a lock); every
-- integration belongs to one service and authenticates with keys of which only HMACs are stored.
CREATE TABLE directory_team (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT directory_team_name_unique UNIQUE (name_key)
);

CREATE TABLE directory_team_member (
    team_id   UUID NOT NULL REFERENCES directory_team (id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES directory_user (id) ON DELETE CASCADE,
    team_role TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id),
    CONSTRAINT directory_team_member_role_check CHECK (team_role IN ('member', 'manager'))
);

CREATE INDEX directory_team_member_user ON directory_team_member (user_id);

CREATE TABLE directory_service (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    description   TEXT NOT NULL,
    owner_team_id UUID REFERENCES directory_team (id),
    -- JSON array of URLs and JSON object of labels, as text: portable between H2 and PostgreSQL
    runbook_urls  TEXT NOT NULL,
    labels        TEXT NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT directory_service_name_unique UNIQUE (name_key)
);

CREATE TABLE directory_service_dependency (
    service_id    UUID NOT NULL REFERENCES directory_service (id) ON DELETE CASCADE,
    depends_on_id UUID NOT NULL REFERENCES directory_service (id),
    PRIMARY KEY (service_id, depends_on_id),
    CONSTRAINT directory_service_dependency_not_self CHECK (service_id <> depends_on_id)
);

CREATE INDEX directory_service_dependency_target ON directory_service_dependency (depends_on_id);

CREATE TABLE directory_integration (
    id         UUID PRIMARY KEY,
    service_id UUID NOT NULL REFERENCES directory_service (id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT directory_integration_kind_check
        CHECK (kind IN ('alertmanager', 'pagerduty', 'generic', 'heartbeat'))
);

CREATE INDEX directory_integration_service ON directory_integration (service_id);

CREATE TABLE directory_integration_key (
    id             UUID PRIMARY KEY,
    integration_id UUID NOT NULL REFERENCES directory_integration (id) ON DELETE CASCADE,
    key_hash       TEXT NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    -- set when the key is rotated away: it keeps working until then (the grace period)
    expires_at     TIMESTAMP WITH TIME ZONE,
    CONSTRAINT directory_integration_key_hash_unique UNIQUE (key_hash)
);

CREATE INDEX directory_integration_key_integration ON directory_integration_key (integration_id);

-- The one row every change of service dependencies locks first, so that concurrent edits are
-- checked for cycles one after the other (see ServiceCatalog).
CREATE TABLE directory_dependency_lock (
    id INTEGER PRIMARY KEY,
    CONSTRAINT directory_dependency_lock_single_row CHECK (id = 1)
);

INSERT INTO directory_dependency_lock (id) VALUES (1);
