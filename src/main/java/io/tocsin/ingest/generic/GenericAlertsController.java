package io.tocsin.ingest.generic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.ingest.intake.IdempotentRequests;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.TimeJson;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tocsin's own alert format, for any HTTP client: {@code POST /api/v1/alerts} with one alert or an
 * array, the integration key as bearer token.
 */
@RestController
class GenericAlertsController {

  private final AlertIngestion ingestion;
  private final IdempotentRequests idempotent;
  private final JsonMapper json;

  GenericAlertsController(
      AlertIngestion ingestion, IdempotentRequests idempotent, JsonMapper json) {
    this.ingestion = ingestion;
    this.idempotent = idempotent;
    this.json = json;
  }

  /** One alert in the generic format. Unknown fields are ignored: senders add fields. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @Schema(name = "GenericAlert")
  record GenericAlert(
      @Schema(description = "What is wrong, in one line (at most 1,024 characters).")
          @Nullable String summary,
      @Schema(
              description =
                  "critical, error, warning or info; common words such as P1, page or high"
                      + " are mapped.",
              example = "critical")
          @Nullable String severity,
      @Schema(description = "The system that is affected or that sent the alert.")
          @Nullable String source,
      @Schema(description = "firing (default) or resolved.") @Nullable AlertStatus status,
      @Schema(
              description =
                  "Your identity for the alert (at most 255 characters): the same key refreshes or"
                      + " resolves it. Without one, the labels and summary identify it.")
          @Nullable String dedupKey,
      @Nullable Map<String, String> labels,
      @Nullable Map<String, String> annotations,
      @Nullable String description,
      @Schema(description = "Structured context, kept as given.") @Nullable Object details,
      @Nullable List<IncomingAlert.Link> links,
      @JsonDeserialize(using = TimeJson.Sent.class) @Nullable Instant startsAt) {

    IncomingAlert toIncoming() {
      Map<String, String> identity = new LinkedHashMap<>(labels == null ? Map.of() : labels);
      if (source != null && !source.isBlank()) {
        identity.putIfAbsent("source", source);
      }
      if (dedupKey == null && summary != null && !summary.isBlank()) {
        identity.putIfAbsent("alertname", summary);
      }
      return new IncomingAlert(
          identity,
          annotations == null ? Map.of() : annotations,
          startsAt,
          null,
          null,
          status == null ? AlertStatus.FIRING : status,
          dedupKey,
          summary,
          severity,
          description,
          details,
          links == null ? List.of() : links,
          false);
    }
  }

  @Schema(name = "StoredAlert")
  record StoredAlert(@Nullable UUID id, String fingerprint, String action) {}

  record Accepted(List<StoredAlert> alerts) {}

  @Operation(
      summary = "Send alerts in Tocsin's own format",
      description =
          "One alert or an array of up to 1,000. Answers 202 once they are stored, with each"
              + " alert's id, fingerprint and what happened to it (opened, refreshed, resolved, or"
              + " ignored for a resolve of an alert that is not firing). A retry with the same"
              + " Idempotency-Key and body within 24 hours gets the first answer again.",
      security = @SecurityRequirement(name = "integrationKey"),
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON_VALUE,
                      array = @ArraySchema(schema = @Schema(implementation = GenericAlert.class)))))
  @PostMapping(
      value = "/api/v1/alerts",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> post(
      @Parameter(hidden = true) @RequestAttribute(AlertIngestion.KEY_OWNER) KeyOwner owner,
      @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String key,
      @RequestBody byte[] body,
      HttpServletRequest request) {
    List<GenericAlert> alerts = parse(body, request);
    for (int i = 0; i < alerts.size(); i++) {
      String summary = alerts.get(i).summary();
      if (summary == null || summary.isBlank()) {
        throw new InvalidInputException(
            alerts.size() == 1 ? "summary" : "[" + i + "].summary", "is required");
      }
    }
    List<IncomingAlert> incoming = alerts.stream().map(GenericAlert::toIncoming).toList();
    return idempotent.run(
        owner,
        key,
        body,
        () -> {
          AlertIngestion.Outcome outcome = ingestion.ingest(owner, "generic", incoming);
          List<StoredAlert> stored =
              outcome.alerts().stream()
                  .map(
                      a ->
                          new StoredAlert(
                              a.id(),
                              a.fingerprint(),
                              a.action().name().toLowerCase(java.util.Locale.ROOT)))
                  .toList();
          return ResponseEntity.status(HttpStatus.ACCEPTED)
              .contentType(MediaType.APPLICATION_JSON)
              .body(json.writeValueAsString(new Accepted(stored)));
        });
  }

  /** One object or an array of them; errors name where, as every other API body does. */
  private List<GenericAlert> parse(byte[] body, HttpServletRequest request) {
    try {
      JsonNode root = json.readTree(body);
      if (root == null || root.isMissingNode()) {
        throw new HttpMessageNotReadableException(
            "missing body", new ServletServerHttpRequest(request));
      }
      // A literal null, as the whole body or an element, reads as a null alert: refuse it here.
      if (!root.isArray()) {
        if (!root.isObject()) {
          throw new InvalidInputException("body", "must be an alert object or an array of them");
        }
        return List.of(json.treeToValue(root, GenericAlert.class));
      }
      for (int i = 0; i < root.size(); i++) {
        if (!root.get(i).isObject()) {
          throw new InvalidInputException("[" + i + "]", "must be an alert object");
        }
      }
      return json.readerForListOf(GenericAlert.class).readValue(root);
    } catch (JacksonException e) {
      throw new HttpMessageNotReadableException(
          e.getOriginalMessage(), e, new ServletServerHttpRequest(request));
    }
  }
}
