package io.tocsin.incident;

import io.tocsin.platform.EnumText;

/**
 * What a timeline entry records. The modules that write to an incident's timeline name the kind
 * with one of these; its {@link #text()} is what the API returns and what the {@code
 * incident_timeline_kind_check} constraint allows, and a test keeps the two lists equal.
 */
public enum TimelineKind {
  /** The incident was opened. */
  OPENED,
  /** A burst of alerts joined the incident. */
  ALERTS_ATTACHED,
  /** A burst of the incident's alerts stopped firing. */
  ALERTS_RESOLVED,
  /** Someone acknowledged the incident. */
  ACKNOWLEDGED,
  /** Someone started working on the incident. */
  IN_PROGRESS,
  /** The incident was resolved, by a person or because all its alerts resolved. */
  RESOLVED,
  /** The incident got an assignee. */
  ASSIGNED,
  /** The incident's severity changed. */
  SEVERITY_CHANGED,
  /** The incident's title changed. */
  TITLE_CHANGED,
  /** This incident was merged into another one. */
  MERGED_INTO,
  /** Another incident was merged into this one. */
  MERGED_FROM,
  /** A person wrote a note. */
  NOTE,
  /** A status update was posted. */
  STATUS_UPDATE,
  /** Someone was paged, by the escalation timer or by hand. */
  PAGED,
  /** The escalation moved to the next level and paged it. */
  ESCALATED,
  /** A person moved the incident to another escalation policy, which paged at once. */
  REASSIGNED,
  /** Someone could not be paged, or a page could not be delivered. */
  PAGING_PROBLEM,
  /** The escalation ran out of levels and repeats with nobody answering. */
  ESCALATION_EXHAUSTED,
  /** Tocsin inferred that this incident's service is the cause of others' failures. */
  CAUSE_INFERRED,
  /** The inferred cause sent its own alert. */
  CAUSE_CONFIRMED,
  /** Paging waits for the service's group delay, in case a cause's incident takes it over. */
  PAGING_HELD,
  /** Paging is held no longer. */
  HOLD_ENDED,
  /** A person took a service's alerts out of this incident into a new one. */
  SPLIT_OUT,
  /** This incident was taken out of another one. */
  SPLIT_FROM,
  /** A person acknowledged the incident for a while: it opens again and pages when that ends. */
  SNOOZED,
  /** A snooze ran out: the incident is open again and pages from the first level. */
  SNOOZE_ENDED,
  /** A person declared the incident by hand, for an outage no alert caught. */
  DECLARED;

  /** The entry that records an incident moving to {@code status}. */
  static TimelineKind reached(IncidentStatus status) {
    switch (status) {
      case ACKNOWLEDGED:
        return ACKNOWLEDGED;
      case IN_PROGRESS:
        return IN_PROGRESS;
      case RESOLVED:
        return RESOLVED;
      default:
        return OPENED;
    }
  }

  public String text() {
    return EnumText.canonical(this);
  }
}
