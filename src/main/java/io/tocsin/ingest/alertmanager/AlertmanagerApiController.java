package io.tocsin.ingest.alertmanager;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.ingest.heartbeat.Heartbeats;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.TimeJson;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * Alertmanager API v2 {@code POST /api/v2/alerts}: the request Prometheus sends to its
 * Alertmanagers, so Prometheus can use Tocsin as one. Answers 200 with no body once the batch is
 * committed (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
 *
 * <p>With a heartbeat integration's key, a request that carries a firing alert is a beat and
 * nothing is stored: Prometheus sends only to Alertmanagers, so this is how its always-firing
 * {@code Watchdog} rule reaches a dead-man's switch without an Alertmanager in between.
 */
@RestController
@Tag(name = AlertmanagerApiController.TAG)
class AlertmanagerApiController {

  static final String TAG = "Alertmanager API v2";

  private final AlertIngestion ingestion;
  private final Heartbeats heartbeats;
  private final Clock clock;

  AlertmanagerApiController(AlertIngestion ingestion, Heartbeats heartbeats, Clock clock) {
    this.ingestion = ingestion;
    this.heartbeats = heartbeats;
    this.clock = clock;
  }

  /**
   * Alertmanager's postableAlert; senders add fields over versions, so unknown ones are kept out.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record PostableAlert(
      @Nullable Map<String, String> labels,
      @Nullable Map<String, String> annotations,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant startsAt,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant endsAt,
      @Nullable String generatorURL) {

    IncomingAlert toIncoming() {
      return IncomingAlert.labelled(
          labels == null ? Map.of() : labels,
          annotations == null ? Map.of() : annotations,
          startsAt,
          endsAt,
          generatorURL,
          null);
    }

    /** Alertmanager's reading: firing until its {@code endsAt}, if it has one. */
    boolean firingAt(Instant now) {
      Instant end = IncomingAlert.given(endsAt);
      return end == null || end.isAfter(now);
    }
  }

  @Operation(
      summary = "Send alerts as Prometheus sends them to its Alertmanagers",
      description =
          "Alertmanager's postableAlerts. 200 with no body once they are stored. Errors on"
              + " /api/v2 are Alertmanager's: a JSON string with the reason, as application/json."
              + " A heartbeat integration's key makes a firing alert a beat.",
      security = {
        @SecurityRequirement(name = "integrationKey"),
        @SecurityRequirement(name = "integrationKeyBasic")
      })
  @PostMapping("/api/v2/alerts")
  ResponseEntity<Void> post(
      @Parameter(hidden = true) @RequestAttribute(AlertIngestion.KEY_OWNER) KeyOwner owner,
      @RequestBody List<@Nullable PostableAlert> alerts) {
    for (int i = 0; i < alerts.size(); i++) {
      if (alerts.get(i) == null) {
        throw new InvalidInputException("[" + i + "]", "must be an alert object");
      }
    }
    if (owner.kind() == IntegrationKind.HEARTBEAT) {
      // Only a firing alert is evidence that Prometheus still evaluates its rules (the Watchdog
      // never resolves); an empty request or one of resolved alerts is not a beat.
      Instant now = clock.instant();
      if (alerts.stream().anyMatch(alert -> alert.firingAt(now))) {
        heartbeats.beat(owner);
      }
      return ResponseEntity.ok().build();
    }
    ingestion.ingest(
        owner, "alertmanager_v2", alerts.stream().map(PostableAlert::toIncoming).toList());
    return ResponseEntity.ok().build();
  }
}
