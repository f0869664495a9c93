package io.tocsin.notify.api;

import io.tocsin.notify.Outbox;
import io.tocsin.platform.EnumText;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Messages as the delivery log and the dead-letter list show them. */
final class DeliveryViews {

  private DeliveryViews() {}

  record MessageView(
      UUID id,
      String kind,
      UUID userId,
      UUID contactMethodId,
      String channel,
      @Nullable UUID incidentId,
      @Nullable Integer ruleStep,
      String status,
      int attempts,
      @Nullable String lastError,
      Instant requestedAt,
      Instant dueAt,
      @Nullable Instant nextAttemptAt,
      @Nullable Instant deliveredAt,
      Map<String, String> content,
      @Nullable List<Outbox.Attempt> attemptLog) {}

  static MessageView of(Outbox.Delivery delivery, @Nullable List<Outbox.Attempt> attempts) {
    return new MessageView(
        delivery.id(),
        EnumText.canonical(delivery.kind()),
        delivery.userId(),
        delivery.contactMethodId(),
        delivery.channel().text(),
        delivery.incidentId(),
        delivery.ruleStep(),
        EnumText.canonical(delivery.status()),
        delivery.attempts(),
        delivery.lastError(),
        delivery.requestedAt(),
        delivery.dueAt(),
        delivery.nextAttemptAt(),
        delivery.deliveredAt(),
        delivery.content(),
        attempts);
  }
}
