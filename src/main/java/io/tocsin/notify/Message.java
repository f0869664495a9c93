package io.tocsin.notify;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One message as a channel sends it: the text every channel can show, and the structured parts
 * (incident, action links) that richer channels lay out. {@code idempotencyKey} is the same on
 * every attempt, so a receiver recognises a re-send after a crash.
 */
public record Message(
    UUID id,
    String idempotencyKey,
    Kind kind,
    ContactMethod method,
    String recipientName,
    String subject,
    String text,
    @Nullable IncidentView incident,
    List<Action> actions,
    Instant createdAt) {

  /** Why the message exists. */
  public enum Kind {
    PAGE,
    VERIFICATION,
    TEST,
    SUMMARY,
    SUBSCRIPTION
  }

  /** The incident a message is about, as a person needs it at a glance. */
  public record IncidentView(
      UUID id,
      long number,
      String title,
      String severity,
      String status,
      String serviceName,
      @Nullable String probableCause,
      int firingAlerts,
      String url) {}

  /** A signed link that acts on the incident as the recipient: acknowledge, resolve, escalate. */
  public record Action(String name, String label, String url) {}
}
