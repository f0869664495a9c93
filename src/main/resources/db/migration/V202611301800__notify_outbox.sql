-- How people are reached: each contact method is verified (a code sent through it, typed back)
-- before anything but verification and test messages goes through it. settings is JSON: the
-- webhook's signing secret, ntfy's topic and token, and the like.
CREATE TABLE notify_contact_method (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL,
    type              TEXT NOT NULL,
    name              TEXT NOT NULL,
    target            TEXT NOT NULL,
    settings          TEXT NOT NULL,
    verified_at       TIMESTAMP WITH TIME ZONE,
    code_hash         TEXT,
    code_expires_at   TIMESTAMP WITH TIME ZONE,
    code_attempts     INTEGER NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT notify_contact_method_type_check
        CHECK (type IN ('email', 'webhook', 'slack', 'teams', 'ntfy'))
);

CREATE INDEX notify_contact_method_user ON notify_contact_method (user_id);

-- A user's notification rules: for high- and low-urgency pages, which method after how long.
CREATE TABLE notify_rule (
    user_id           UUID NOT NULL,
    urgency           TEXT NOT NULL,
    position          INTEGER NOT NULL,
    contact_method_id UUID NOT NULL REFERENCES notify_contact_method (id) ON DELETE CASCADE,
    delay_minutes     INTEGER NOT NULL,
    PRIMARY KEY (user_id, urgency, position),
    CONSTRAINT notify_rule_urgency_check CHECK (urgency IN ('high', 'low')),
    CONSTRAINT notify_rule_delay_check CHECK (delay_minutes BETWEEN 0 AND 1440)
);

-- The outbox: every message to send, written in the transaction that decided to send it. Workers
-- of each channel claim due rows (status pending, or sending with an expired lease: the node that
-- claimed it died) with FOR UPDATE SKIP LOCKED. dedup_key makes "one message per user, page and
-- rule step" a constraint, not a check. A page over the person's rate limit is folded into the
-- pending summary message of that person and channel (summary_id) instead of being sent.
CREATE TABLE notify_message (
    id                UUID PRIMARY KEY,
    dedup_key         TEXT NOT NULL,
    kind              TEXT NOT NULL,
    user_id           UUID NOT NULL,
    contact_method_id UUID NOT NULL,
    channel           TEXT NOT NULL,
    incident_id       UUID,
    page_id           UUID,
    rule_position     INTEGER,
    content           TEXT NOT NULL,
    status            TEXT NOT NULL,
    requested_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    due_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    next_attempt_at   TIMESTAMP WITH TIME ZONE,
    attempts          INTEGER NOT NULL,
    last_error        TEXT,
    delivered_at      TIMESTAMP WITH TIME ZONE,
    summary_id        UUID,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT notify_message_dedup UNIQUE (dedup_key),
    CONSTRAINT notify_message_kind_check
        CHECK (kind IN ('page', 'verification', 'test', 'summary', 'subscription')),
    CONSTRAINT notify_message_status_check
        CHECK (status IN ('pending', 'sending', 'delivered', 'cancelled', 'dead', 'summarized')),
    CONSTRAINT notify_message_waiting_check
        CHECK ((status IN ('pending', 'sending')) = (next_attempt_at IS NOT NULL))
);

CREATE INDEX notify_message_next ON notify_message (channel, next_attempt_at);
CREATE INDEX notify_message_method ON notify_message (contact_method_id, status, due_at);
CREATE INDEX notify_message_incident ON notify_message (incident_id);
CREATE INDEX notify_message_status ON notify_message (status, updated_at);
CREATE INDEX notify_message_recent ON notify_message (user_id, channel, delivered_at);
CREATE INDEX notify_message_summary ON notify_message (summary_id);

-- Every delivery attempt and its result: the delivery log.
CREATE TABLE notify_attempt (
    message_id  UUID NOT NULL REFERENCES notify_message (id),
    attempt     INTEGER NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    PRIMARY KEY (message_id, attempt),
    CONSTRAINT notify_attempt_outcome_check
        CHECK (outcome IN ('delivered', 'retryable', 'permanent'))
);

-- Action links used: a link works once.
CREATE TABLE notify_action_use (
    message_id UUID NOT NULL,
    action     TEXT NOT NULL,
    used_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (message_id, action)
);
