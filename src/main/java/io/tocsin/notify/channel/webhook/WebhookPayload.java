package io.tocsin.notify.channel.webhook;

import io.tocsin.notify.Message;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The webhook body, version 1. Fields are only ever added within a version; a change that breaks
 * receivers gets a new {@code version}.
 */
record WebhookPayload(
    String version,
    UUID id,
    String idempotencyKey,
    String kind,
    Instant sentAt,
    String recipient,
    String subject,
    String text,
    Message.@Nullable IncidentView incident,
    List<Message.Action> actions) {

  static WebhookPayload of(Message message, Instant now) {
    return new WebhookPayload(
        "1",
        message.id(),
        message.idempotencyKey(),
        message.kind().name().toLowerCase(java.util.Locale.ROOT),
        now,
        message.recipientName(),
        message.subject(),
        message.text(),
        message.incident(),
        message.actions());
  }
}
