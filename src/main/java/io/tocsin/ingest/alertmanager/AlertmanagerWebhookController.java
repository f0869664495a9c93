package io.tocsin.ingest.alertmanager;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.TimeJson;
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
 * The receiver for Alertmanager's webhook notifications (payload version 4), so a team that keeps
 * its Alertmanager can forward to Tocsin. Every alert of the group is tracked on its own, by its
 * label fingerprint: a group is never collapsed into one alert, and alerts are never merged by
 * summary. Each alert's own {@code status} decides firing or resolved: the webhook sends the zero
 * time as {@code endsAt} of firing alerts.
 */
@RestController
class AlertmanagerWebhookController {

  private final AlertIngestion ingestion;

  AlertmanagerWebhookController(AlertIngestion ingestion) {
    this.ingestion = ingestion;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Notification(@Nullable String version, @Nullable List<WebhookAlert> alerts) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record WebhookAlert(
      @Nullable String status,
      @Nullable Map<String, String> labels,
      @Nullable Map<String, String> annotations,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant startsAt,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant endsAt,
      @Nullable String generatorURL,
      @Nullable String fingerprint) {

    IncomingAlert toIncoming(int index) {
      AlertStatus parsed =
          EnumText.parse(
              AlertStatus.class, "alerts[" + index + "].status", status == null ? "" : status);
      return IncomingAlert.labelled(
          labels == null ? Map.of() : labels,
          annotations == null ? Map.of() : annotations,
          startsAt,
          parsed == AlertStatus.RESOLVED ? endsAt : null,
          generatorURL,
          parsed);
    }
  }

  @Operation(
      summary = "Receive an Alertmanager webhook notification (version 4)",
      description = "For an Alertmanager that forwards to Tocsin. 200 once every alert is stored.",
      security = {
        @SecurityRequirement(name = "integrationKey"),
        @SecurityRequirement(name = "integrationKeyBasic")
      })
  @PostMapping("/api/v1/webhooks/alertmanager")
  ResponseEntity<Void> receive(
      @Parameter(hidden = true) @RequestAttribute(AlertIngestion.KEY_OWNER) KeyOwner owner,
      @RequestBody Notification notification) {
    ingestion.ingest(
        owner,
        "alertmanager_webhook",
        IncomingAlert.eachOf(notification.alerts(), WebhookAlert::toIncoming));
    return ResponseEntity.ok().build();
  }
}
