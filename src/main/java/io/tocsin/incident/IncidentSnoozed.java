package io.tocsin.incident;

import java.time.Instant;
import java.util.UUID;

/**
 * A person snoozed an incident: it is acknowledged until {@code until}, then open again and paging
 * from its policy's first level. Escalation sets its run's timer from this.
 */
public record IncidentSnoozed(UUID incidentId, Instant until, Actor actor) {}
