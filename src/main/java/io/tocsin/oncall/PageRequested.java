package io.tocsin.oncall;

import io.tocsin.platform.Severity;
import java.time.Instant;
import java.util.UUID;

/**
 * A person must be told about an incident: published once per (incident, escalation step, user), in
 * the transaction that records the step. {@code level} and {@code round} count from 1; {@code via}
 * says why this person ("schedule 'Primary'", "directly", "reassigned by …").
 */
public record PageRequested(
    UUID pageId,
    UUID userId,
    UUID incidentId,
    long incidentNumber,
    String incidentTitle,
    Severity severity,
    UUID serviceId,
    int step,
    int level,
    int round,
    String via,
    Instant requestedAt) {}
