package io.tocsin.ingest.change;

import io.swagger.v3.oas.annotations.Operation;
import io.tocsin.directory.service.ServiceCatalog;
import io.tocsin.ingest.ChangeEvent;
import io.tocsin.ingest.ChangeEvents;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A service's recent changes, the first thing a responder checks. */
@RestController
class ChangeEventController {

  private final ChangeEvents changes;
  private final ServiceCatalog services;
  private final Clock clock;

  ChangeEventController(ChangeEvents changes, ServiceCatalog services, Clock clock) {
    this.changes = changes;
    this.services = services;
    this.clock = clock;
  }

  record Changes(List<ChangeEvent> items) {}

  @Operation(
      summary = "A service's change events, newest first",
      description =
          "Deploys and other changes sent to PagerDuty-style POST /v2/change/enqueue. Default"
              + " window: the last 24 hours; at most 500.")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/services/{id}/changes")
  Changes list(
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable Instant since,
      @RequestParam(required = false) @Nullable Instant until,
      @RequestParam(defaultValue = "100") int limit) {
    Instant end = until == null ? clock.instant().plusSeconds(1) : until;
    Instant start = since == null ? end.minus(Duration.ofHours(24)) : since;
    if (!start.isBefore(end)) {
      throw new InvalidInputException("since", "must be before until");
    }
    if (limit < 1 || limit > ChangeEvents.MAX_LIMIT) {
      throw new InvalidInputException("limit", "must be from 1 to " + ChangeEvents.MAX_LIMIT);
    }
    services.get(id);
    return new Changes(changes.forService(id, start, end, limit));
  }
}
