package io.tocsin.platform.events;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.platform.Page;
import io.tocsin.platform.events.DeadPublications.DeadPublication;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/admin/event-dead-letters}: the event publications whose listener failed {@code
 * tocsin.events.max-attempts} times (a batch of alerts that correlation could not handle, an
 * incident change that paging could not), for an admin to retry once the cause is fixed or to
 * discard. Not the notification dead letters, which are messages ({@code /api/v1/dead-letters}).
 */
@RestController
class DeadPublicationsController {

  private final DeadPublications dead;

  DeadPublicationsController(DeadPublications dead) {
    this.dead = dead;
  }

  @Operation(
      summary = "Event publications whose listener failed too often",
      description =
          "Each with its listener, event type, attempts, first and last failure and last error."
              + " Nothing retries them until an admin does.")
  @PreAuthorize("hasRole('ADMIN')")
  @GetMapping("/api/v1/admin/event-dead-letters")
  Page<DeadPublication> list(
      @RequestParam(required = false) @Nullable String cursor,
      @RequestParam(required = false) @Nullable Integer limit) {
    return dead.list(Page.after(cursor), Page.limit(limit));
  }

  @PreAuthorize("hasRole('ADMIN')")
  @GetMapping("/api/v1/admin/event-dead-letters/{id}")
  DeadPublication get(@PathVariable UUID id) {
    return dead.get(id);
  }

  @Operation(
      summary = "Hand a dead event publication to its listener again",
      description =
          "Its failures are forgotten: it gets tocsin.events.max-attempts more, starting with the"
              + " next redelivery pass. Recorded in the audit trail.")
  @PreAuthorize("hasRole('ADMIN')")
  @PostMapping("/api/v1/admin/event-dead-letters/{id}/retry")
  DeadPublication retry(@PathVariable UUID id) {
    return dead.retry(id);
  }

  @Operation(
      summary = "Give up on a dead event publication",
      description = "Its listener never gets the event. Recorded in the audit trail.")
  @PreAuthorize("hasRole('ADMIN')")
  @DeleteMapping("/api/v1/admin/event-dead-letters/{id}")
  DeadPublication discard(@PathVariable UUID id) {
    return dead.discard(id);
  }
}
