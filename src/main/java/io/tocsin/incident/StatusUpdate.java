package io.tocsin.incident;

import java.time.Instant;
import java.util.UUID;

/** What the responders tell stakeholders, in the phases of incident communication. */
public record StatusUpdate(
    UUID id, UUID incidentId, Phase phase, String message, Actor author, Instant createdAt) {

  public enum Phase {
    INVESTIGATING,
    IDENTIFIED,
    MONITORING,
    RESOLVED
  }
}
