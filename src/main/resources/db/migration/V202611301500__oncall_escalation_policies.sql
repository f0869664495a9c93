-- Escalation policies: ordered levels (a JSON list of {delayMinutes, targets: [{type, id}]}),
-- repeated 0 to 9 times; each service points at one policy through oncall_service_policy, which
-- this module owns because the directory knows nothing of paging.
CREATE TABLE oncall_escalation_policy (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    description  TEXT NOT NULL,
    repeat_count INTEGER NOT NULL,
    levels       TEXT NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT oncall_escalation_policy_name_unique UNIQUE (name_key),
    CONSTRAINT oncall_escalation_policy_repeat_check CHECK (repeat_count BETWEEN 0 AND 9)
);

CREATE TABLE oncall_service_policy (
    service_id UUID PRIMARY KEY,
    policy_id  UUID NOT NULL REFERENCES oncall_escalation_policy (id)
);

CREATE INDEX oncall_service_policy_policy ON oncall_service_policy (policy_id);
