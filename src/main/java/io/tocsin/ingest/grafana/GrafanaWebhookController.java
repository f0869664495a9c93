package io.tocsin.ingest.grafana;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.TimeJson;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * The receiver for Grafana Alerting's webhook contact point, so Grafana-managed alert rules page
 * through Tocsin. Grafana's notification is Alertmanager's webhook payload with Grafana's additions
 * (<a
 * href="https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/">the
 * payload</a>): every alert of the group is tracked on its own by its labels, which keep Grafana's
 * own {@code alertname} and {@code grafana_folder}; each alert's {@code status} decides firing or
 * resolved. The group's {@code title}, {@code state} and {@code message} describe the group, not an
 * alert, and are not read.
 */
@RestController
class GrafanaWebhookController {

  private final AlertIngestion ingestion;

  GrafanaWebhookController(AlertIngestion ingestion) {
    this.ingestion = ingestion;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Notification(@Nullable List<GrafanaAlert> alerts) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record GrafanaAlert(
      @Nullable String status,
      @Nullable Map<String, String> labels,
      @Nullable Map<String, String> annotations,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant startsAt,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant endsAt,
      @Nullable String generatorURL,
      @Nullable String dashboardURL,
      @Nullable String panelURL,
      @Nullable String imageURL,
      @Nullable String silenceURL,
      @Nullable Map<String, @Nullable Number> values) {

    IncomingAlert toIncoming(int index) {
      String path = "alerts[" + index + "]";
      AlertStatus parsed =
          EnumText.parse(AlertStatus.class, path + ".status", status == null ? "" : status);
      List<IncomingAlert.Link> links = new ArrayList<>();
      link(links, path + ".dashboardURL", dashboardURL, "Dashboard");
      link(links, path + ".panelURL", panelURL, "Panel");
      link(links, path + ".imageURL", imageURL, "Image");
      link(links, path + ".silenceURL", silenceURL, "Silence in Grafana");
      return new IncomingAlert(
          labels == null ? Map.of() : labels,
          annotations == null ? Map.of() : annotations,
          startsAt,
          // Grafana sends the zero time as endsAt of a firing alert, and a firing alert's endsAt
          // is only when Grafana would stop re-sending it: neither ends anything here.
          parsed == AlertStatus.RESOLVED ? endsAt : null,
          generatorURL,
          parsed,
          null,
          null,
          null,
          null,
          values(path + ".values"),
          links,
          false);
    }

    /** The query and expression results that decided the state, by refId, shown with the alert. */
    private @Nullable Map<String, @Nullable Number> values(String field) {
      if (values == null || values.isEmpty()) {
        return null;
      }
      Map<String, @Nullable Number> kept = new LinkedHashMap<>();
      values.forEach(
          (refId, value) -> {
            if (value instanceof Double d && !Double.isFinite(d)) {
              throw new InvalidInputException(field + "." + refId, "must be a finite number");
            }
            kept.put(refId, value);
          });
      return kept;
    }

    /** Grafana sends "" for a URL it has none of, as for the dashboard of a rule without one. */
    private static void link(
        List<IncomingAlert.Link> links, String field, @Nullable String url, String text) {
      if (url == null || url.isBlank()) {
        return;
      }
      URI href;
      try {
        href = new URI(url.trim());
      } catch (java.net.URISyntaxException e) {
        throw new InvalidInputException(field, "must be an absolute URL: " + e.getReason());
      }
      if (href.getScheme() == null) {
        throw new InvalidInputException(field, "must be an absolute URL");
      }
      links.add(new IncomingAlert.Link(href, text));
    }
  }

  @Operation(
      summary = "Receive a Grafana Alerting webhook notification",
      description =
          "For a Grafana webhook contact point (HTTP method POST). 200 once every alert is"
              + " stored.",
      security = {
        @SecurityRequirement(name = "integrationKey"),
        @SecurityRequirement(name = "integrationKeyBasic")
      })
  @PostMapping("/api/v1/webhooks/grafana")
  ResponseEntity<Void> receive(
      @Parameter(hidden = true) @RequestAttribute(AlertIngestion.KEY_OWNER) KeyOwner owner,
      @RequestBody Notification notification) {
    ingestion.ingest(
        owner, "grafana", IncomingAlert.eachOf(notification.alerts(), GrafanaAlert::toIncoming));
    return ResponseEntity.ok().build();
  }
}
