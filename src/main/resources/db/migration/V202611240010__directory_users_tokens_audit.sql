-- People who use Tocsin, the personal API tokens they act through, and the audit trail of
-- configuration changes and security events. Roles are lower-case text under a CHECK constraint,
-- never a database enum type (DESIGN.md, "Storage").
CREATE TABLE directory_user (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    -- lower-cased email: uniqueness is case-insensitive on both databases without expression indexes
    email_key     TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT directory_user_role_check CHECK (role IN ('admin', 'responder', 'viewer')),
    CONSTRAINT directory_user_email_key_unique UNIQUE (email_key)
);

CREATE TABLE directory_api_token (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES directory_user (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- HMAC-SHA256 of the token under the server secret; the token itself is never stored
    token_hash   TEXT NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT directory_api_token_hash_unique UNIQUE (token_hash)
);

CREATE INDEX directory_api_token_user ON directory_api_token (user_id);

-- One row, written in the transaction that creates the first admin through the setup token, so
-- two concurrent setups cannot both succeed.
CREATE TABLE directory_setup (
    id           INTEGER PRIMARY KEY,
    completed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT directory_setup_single_row CHECK (id = 1)
);

-- Append-only: the API reads it, nothing updates or deletes it. No foreign key to the actor, so
-- the trail outlives deleted users.
CREATE TABLE directory_audit_event (
    id             UUID PRIMARY KEY,
    occurred_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    actor_id       UUID,
    actor_name     TEXT NOT NULL,
    client_address TEXT,
    kind           TEXT NOT NULL,
    target         TEXT,
    summary        TEXT NOT NULL
);

CREATE INDEX directory_audit_event_actor ON directory_audit_event (actor_id);
CREATE INDEX directory_audit_event_kind ON directory_audit_event (kind);
