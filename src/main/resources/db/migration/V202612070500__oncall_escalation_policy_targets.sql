-- Who each level of an escalation policy pages, one row per target, written with the policy's
-- levels: deleting a schedule asks which policies page it, and searching the levels' JSON text for
-- its id read every policy and also matched a policy whose name or description held the id.
-- V202612070501 fills it for the policies that exist.
CREATE TABLE oncall_escalation_policy_target (
    policy_id   UUID NOT NULL REFERENCES oncall_escalation_policy (id),
    level       INTEGER NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   UUID NOT NULL,
    CONSTRAINT oncall_escalation_policy_target_pk
        PRIMARY KEY (policy_id, level, target_kind, target_id),
    CONSTRAINT oncall_escalation_policy_target_kind_check
        CHECK (target_kind IN ('user', 'schedule'))
);

CREATE INDEX oncall_escalation_policy_target_target
    ON oncall_escalation_policy_target (target_kind, target_id);
