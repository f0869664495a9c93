package io.tocsin.oncall;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An incident's escalation run as stored in {@code oncall_escalation}: where it stands on its
 * policy, and when its next step falls due. {@code nextLevel} and {@code nextRound} count from 0.
 * Each transition returns the run it becomes.
 */
record EscalationRun(
    UUID incidentId,
    long incidentNumber,
    UUID serviceId,
    @Nullable UUID policyId,
    Escalations.Status status,
    int nextLevel,
    int nextRound,
    @Nullable Instant dueAt,
    int steps,
    Instant startedAt,
    @Nullable Instant endedAt,
    @Nullable String endReason) {

  EscalationRun next(int level, int round) {
    return new EscalationRun(
        incidentId,
        incidentNumber,
        serviceId,
        policyId,
        status,
        level,
        round,
        dueAt,
        steps,
        startedAt,
        endedAt,
        endReason);
  }

  EscalationRun waiting(Instant due) {
    return new EscalationRun(
        incidentId,
        incidentNumber,
        serviceId,
        policyId,
        Escalations.Status.ACTIVE,
        nextLevel,
        nextRound,
        due,
        steps,
        startedAt,
        null,
        null);
  }

  EscalationRun ended(Escalations.Status to, Instant at, String why) {
    return new EscalationRun(
        incidentId,
        incidentNumber,
        serviceId,
        policyId,
        to,
        nextLevel,
        nextRound,
        null,
        steps,
        startedAt,
        at,
        why);
  }

  EscalationRun stepped() {
    return new EscalationRun(
        incidentId,
        incidentNumber,
        serviceId,
        policyId,
        status,
        nextLevel,
        nextRound,
        dueAt,
        steps + 1,
        startedAt,
        endedAt,
        endReason);
  }

  EscalationRun withPolicy(UUID policy) {
    return new EscalationRun(
        incidentId,
        incidentNumber,
        serviceId,
        policy,
        status,
        0,
        0,
        dueAt,
        steps,
        startedAt,
        endedAt,
        endReason);
  }
}
