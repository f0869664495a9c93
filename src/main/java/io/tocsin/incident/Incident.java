package io.tocsin.incident;

import io.tocsin.platform.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An incident as stored. {@code groupKey} is the label values its alerts were grouped by; an
 * incident merged into another is resolved and names it in {@code mergedInto}. An {@code inferred}
 * incident was opened on a dependency that sent no alert, because services that need it failed
 * together; {@code inference} keeps that evidence in words, also once the dependency's own alert
 * confirmed it. {@code splitFrom} names the incident a person split this one out of; a snoozed
 * incident is acknowledged until {@code snoozedUntil}, then open again.
 */
public record Incident(
    UUID id,
    long number,
    String title,
    UUID serviceId,
    String groupKey,
    IncidentStatus status,
    Severity severity,
    boolean severityByHand,
    @Nullable UUID assigneeId,
    UUID probableCauseServiceId,
    @Nullable UUID recurrenceOf,
    @Nullable UUID mergedInto,
    int alertCount,
    int firingCount,
    Instant openedAt,
    @Nullable Instant acknowledgedAt,
    @Nullable Instant resolvedAt,
    @Nullable String resolvedBy,
    Instant updatedAt,
    boolean inferred,
    @Nullable String inference,
    @Nullable UUID splitFrom,
    @Nullable Instant snoozedUntil) {

  /** MTTA of this incident: first acknowledgement (or start of work) minus opening. */
  public @Nullable Duration timeToAcknowledge() {
    return acknowledgedAt == null ? null : Duration.between(openedAt, acknowledgedAt);
  }

  /** MTTR of this incident: resolution minus opening. */
  public @Nullable Duration timeToResolve() {
    return resolvedAt == null ? null : Duration.between(openedAt, resolvedAt);
  }

  public boolean isOpen() {
    return status != IncidentStatus.RESOLVED;
  }

  /**
   * What resolving does, or did, with the alerts that still fire: they are not resolved with the
   * incident, and their next send opens a new one. Null when none fires.
   */
  public @Nullable String stillFiringNotice() {
    if (firingCount == 0) {
      return null;
    }
    String alerts = firingCount == 1 ? "1 alert is" : firingCount + " alerts are";
    String they = firingCount == 1 ? "it" : "they";
    return alerts
        + " still firing; "
        + (isOpen() ? "resolved now, " : "")
        + they
        + " will open a new incident when next sent.";
  }

  /** "#42", as people say it. */
  public String reference() {
    return "#" + number;
  }
}
