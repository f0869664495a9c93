-- Escalation runs: one per incident, climbing its service's policy. due_at is the durable timer:
-- the next level (next_level of round next_round) is paged when it passes, by whichever node
-- claims the row first (SELECT ... FOR UPDATE SKIP LOCKED). NULL once the run has ended.
CREATE TABLE oncall_escalation (
    incident_id     UUID PRIMARY KEY,
    incident_number BIGINT NOT NULL,
    service_id      UUID NOT NULL,
    policy_id       UUID,
    status          TEXT NOT NULL,
    next_level      INTEGER NOT NULL,
    next_round      INTEGER NOT NULL,
    due_at          TIMESTAMP WITH TIME ZONE,
    steps           INTEGER NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at        TIMESTAMP WITH TIME ZONE,
    end_reason      TEXT,
    CONSTRAINT oncall_escalation_status_check
        CHECK (status IN ('active', 'stopped', 'exhausted', 'no_policy')),
    CONSTRAINT oncall_escalation_due_while_active CHECK ((status = 'active') = (due_at IS NOT NULL))
);

CREATE INDEX oncall_escalation_due ON oncall_escalation (due_at);

-- Every level paged, by the timer or by hand: when it was due, when it ran, and what it could not
-- page. The primary key makes a step happen once even if two nodes were to run it.
CREATE TABLE oncall_escalation_step (
    incident_id UUID NOT NULL REFERENCES oncall_escalation (incident_id),
    step        INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    round       INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    due_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    executed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    problems    TEXT NOT NULL,
    PRIMARY KEY (incident_id, step),
    CONSTRAINT oncall_escalation_step_reason_check
        CHECK (reason IN ('timer', 'escalated', 'reassigned', 'severity_raised'))
);

-- One row per person paged in a step: the PageRequested events, as stored.
CREATE TABLE oncall_page (
    id           UUID PRIMARY KEY,
    incident_id  UUID NOT NULL,
    step         INTEGER NOT NULL,
    user_id      UUID NOT NULL,
    via          TEXT NOT NULL,
    requested_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT oncall_page_once UNIQUE (incident_id, step, user_id),
    FOREIGN KEY (incident_id, step) REFERENCES oncall_escalation_step (incident_id, step)
);

CREATE INDEX oncall_page_user ON oncall_page (user_id, requested_at);

-- Incidents from before escalation runs get a stopped run, so that every incident has one and
-- nobody is paged for an old incident by an upgrade.
INSERT INTO oncall_escalation
    (incident_id, incident_number, service_id, policy_id, status, next_level, next_round, due_at,
     steps, started_at, ended_at, end_reason)
SELECT id, number, service_id, NULL, 'stopped', 0, 0, NULL, 0, opened_at, opened_at,
       'Opened before Tocsin paged by escalation policies.'
FROM incident;
