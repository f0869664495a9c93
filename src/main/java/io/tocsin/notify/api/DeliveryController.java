package io.tocsin.notify.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.incident.Incidents;
import io.tocsin.notify.DeadLetters;
import io.tocsin.notify.Outbox;
import io.tocsin.platform.Page;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The delivery log of an incident, and the dead-letter list that admins replay or discard. */
@RestController
class DeliveryController {

  private final Outbox outbox;
  private final DeadLetters deadLetters;
  private final Incidents incidents;

  DeliveryController(Outbox outbox, DeadLetters deadLetters, Incidents incidents) {
    this.outbox = outbox;
    this.deadLetters = deadLetters;
    this.incidents = incidents;
  }

  @Operation(
      summary = "What was sent about the incident: to whom, through what, and how it went",
      description = "Every message with its attempts; cancelled ones say why.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/incidents/{ref}/notifications")
  List<DeliveryViews.MessageView> ofIncident(@PathVariable String ref) {
    return outbox.ofIncident(incidents.find(ref).id()).stream()
        .map(delivery -> DeliveryViews.of(delivery, outbox.attempts(delivery.id())))
        .toList();
  }

  @Operation(summary = "Messages never delivered, oldest first")
  @PreAuthorize("hasRole('ADMIN')")
  @GetMapping("/api/v1/dead-letters")
  Page<DeliveryViews.MessageView> deadLetters(
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    Page<Outbox.Delivery> page = deadLetters.list(Page.after(cursor), Page.limit(limit));
    return new Page<>(
        page.items().stream().map(delivery -> DeliveryViews.of(delivery, null)).toList(),
        page.nextCursor());
  }

  @PreAuthorize("hasRole('ADMIN')")
  @GetMapping("/api/v1/dead-letters/{id}")
  DeliveryViews.MessageView deadLetter(@PathVariable UUID id) {
    return DeliveryViews.of(outbox.get(id), outbox.attempts(id));
  }

  @Operation(summary = "Send a dead letter again, as a new first attempt")
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/api/v1/dead-letters/{id}/replay")
  DeliveryViews.MessageView replay(@PathVariable UUID id) {
    return DeliveryViews.of(deadLetters.replay(id), null);
  }

  @Operation(summary = "Give up on a dead letter: it stays in the log as cancelled")
  @PreAuthorize("hasRole('ADMIN')")
  @DeleteMapping("/api/v1/dead-letters/{id}")
  DeliveryViews.MessageView discard(@PathVariable UUID id) {
    return DeliveryViews.of(deadLetters.discard(id), null);
  }
}
