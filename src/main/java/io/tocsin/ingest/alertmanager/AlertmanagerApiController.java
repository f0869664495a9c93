package io.tocsin.ingest.alertmanager;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.IncomingAlert;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Alertmanager API v2 {@code POST /api/v2/alerts}: the request Prometheus sends to its
 * Alertmanagers, so Prometheus can use Tocsin as one. Answers 200 with no body once the batch is
 * committed (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
 */
@RestController
class AlertmanagerApiController {

  private final AlertIngestion ingestion;

  AlertmanagerApiController(AlertIngestion ingestion) {
    this.ingestion = ingestion;
  }

  /**
   * Alertmanager's postableAlert; senders add fields over versions, so unknown ones are kept out.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record PostableAlert(
      @Nullable Map<String, String> labels,
      @Nullable Map<String, String> annotations,
      @Nullable Instant startsAt,
      @Nullable Instant endsAt,
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
  }

  @PostMapping("/api/v2/alerts")
  ResponseEntity<Void> post(
      @RequestAttribute(AlertIngestion.KEY_OWNER) KeyOwner owner,
      @RequestBody List<PostableAlert> alerts) {
    ingestion.ingest(
        owner, "alertmanager_v2", alerts.stream().map(PostableAlert::toIncoming).toList());
    return ResponseEntity.ok().build();
  }
}
