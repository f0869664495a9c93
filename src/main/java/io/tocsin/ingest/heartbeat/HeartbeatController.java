package io.tocsin.ingest.heartbeat;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.tocsin.directory.integration.Integration;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.intake.KeyGate;
import io.tocsin.platform.NotFoundException;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * Beats ({@code GET} or {@code POST /api/v1/heartbeats/{key}}: the key is in the URL, so cron jobs
 * and uptime checkers that cannot set headers can beat), and each heartbeat's settings.
 */
@RestController
class HeartbeatController {

  private final Heartbeats heartbeats;
  private final KeyGate gate;
  private final IntegrationService integrations;

  HeartbeatController(Heartbeats heartbeats, KeyGate gate, IntegrationService integrations) {
    this.heartbeats = heartbeats;
    this.gate = gate;
    this.integrations = integrations;
  }

  @Operation(
      summary = "Record a heartbeat",
      description =
          "The key is the heartbeat integration's key. When no beat comes within interval +"
              + " grace, Tocsin fires HeartbeatMissed for the service; the next beat resolves it.")
  @SecurityRequirements
  @RequestMapping(
      value = "/api/v1/heartbeats/{key}",
      method = {RequestMethod.GET, RequestMethod.POST})
  Heartbeats.Status beat(@PathVariable String key) {
    KeyOwner owner = gate.admit(key, IntegrationKind.HEARTBEAT);
    return heartbeats.beat(owner);
  }

  record Settings(@Nullable Duration interval, @Nullable Duration grace) {}

  @Operation(summary = "A heartbeat integration's settings and state")
  @PreAuthorize("hasRole('VIEWER')")
  @GetMapping("/api/v1/integrations/{id}/heartbeat")
  Heartbeats.Status get(@PathVariable UUID id) {
    Integration integration = heartbeatIntegration(id);
    return heartbeats
        .status(integration.id())
        .orElse(
            new Heartbeats.Status(
                id, Heartbeats.DEFAULT_INTERVAL, Heartbeats.DEFAULT_GRACE, null, null, false));
  }

  @Operation(
      summary = "Set a heartbeat's interval and grace period",
      description = "ISO 8601 durations, e.g. {\"interval\":\"PT5M\",\"grace\":\"PT1M\"}.")
  @PreAuthorize("hasRole('ADMIN')")
  @PutMapping("/api/v1/integrations/{id}/heartbeat")
  Heartbeats.Status configure(@PathVariable UUID id, @RequestBody Settings settings) {
    Integration integration = heartbeatIntegration(id);
    Duration grace = settings.grace() == null ? Heartbeats.DEFAULT_GRACE : settings.grace();
    return heartbeats.configure(
        integration.id(), integration.serviceId(), settings.interval(), grace);
  }

  private Integration heartbeatIntegration(UUID id) {
    Integration integration = integrations.get(id);
    if (integration.kind() != IntegrationKind.HEARTBEAT) {
      throw new NotFoundException("No heartbeat integration " + id);
    }
    return integration;
  }
}
