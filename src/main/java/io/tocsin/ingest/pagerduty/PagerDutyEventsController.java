package io.tocsin.ingest.pagerduty;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.ChangeEvents;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.ingest.intake.IdempotentRequests;
import io.tocsin.ingest.intake.KeyGate;
import io.tocsin.platform.TimeBounds;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * PagerDuty Events API v2, so a PagerDuty user switches by changing one URL: {@code POST
 * /v2/enqueue} (trigger, acknowledge, resolve by {@code dedup_key}) and {@code POST
 * /v2/change/enqueue}. Answers as PagerDuty does, {@code 202} with the dedup key or {@code 400
 * "invalid event"} listing every problem, so its client libraries read our answers unchanged
 * (https://developer.pagerduty.com/docs/events-api-v2-overview). The routing key is the integration
 * key; one that no pagerduty integration has is PagerDuty's {@code 400 "Invalid routing key"}.
 */
@RestController
class PagerDutyEventsController {

  static final String EVENTS = "/v2/enqueue";
  static final String CHANGES = "/v2/change/enqueue";

  private static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  /**
   * ISO 8601 with the offset as {@code +00:00}, {@code +0000} or {@code Z}: PagerDuty's own
   * examples write {@code 2015-07-17T08:42:58.315+0000}, and its clients copy them.
   */
  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private final AlertIngestion ingestion;
  private final ChangeEvents changes;
  private final KeyGate gate;
  private final IdempotentRequests idempotent;
  private final JsonMapper json;

  PagerDutyEventsController(
      AlertIngestion ingestion,
      ChangeEvents changes,
      KeyGate gate,
      IdempotentRequests idempotent,
      JsonMapper json) {
    this.ingestion = ingestion;
    this.changes = changes;
    this.gate = gate;
    this.idempotent = idempotent;
    this.json = json;
  }

  @Operation(
      summary = "Send an event as to PagerDuty's Events API v2",
      description =
          "trigger, acknowledge or resolve by dedup_key; the integration key is the body's"
              + " routing_key. 202 with the dedup key, as PagerDuty answers.")
  @SecurityRequirements
  @PostMapping(value = EVENTS, produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> enqueue(
      @RequestBody(required = false) byte @Nullable [] body,
      @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String key) {
    Event event = new Event(body);
    JsonNode root = event.root;
    String action = event.text(root, "event_action", true);
    if (action != null && !ACTIONS.contains(action.toLowerCase(Locale.ROOT))) {
      event.errors.add("'event_action' must be one of trigger, acknowledge, resolve");
      action = null;
    }
    String dedupKey = event.text(root, "dedup_key", false);
    if (dedupKey != null && dedupKey.length() > AlertIngestion.DEDUP_KEY_LIMIT) {
      event.errors.add("'dedup_key' is longer than " + AlertIngestion.DEDUP_KEY_LIMIT);
    }
    boolean trigger = "trigger".equalsIgnoreCase(action);
    if (action != null && !trigger && dedupKey == null) {
      event.errors.add("'dedup_key' is required to " + action.toLowerCase(Locale.ROOT));
    }
    IncomingAlert alert = null;
    if (trigger) {
      alert = event.trigger(dedupKey);
    }
    KeyOwner owner = event.admit();
    // Each of these is null only where an error was recorded.
    if (!event.errors.isEmpty() || owner == null || body == null) {
      return event.invalid();
    }
    String finalDedupKey = dedupKey != null ? dedupKey : Objects.requireNonNull(alert).dedupKey();
    IncomingAlert incoming =
        trigger
            ? alert
            : new IncomingAlert(
                Map.of(),
                Map.of(),
                null,
                null,
                null,
                "resolve".equalsIgnoreCase(action) ? AlertStatus.RESOLVED : null,
                finalDedupKey,
                null,
                null,
                null,
                null,
                List.of(),
                true);
    return idempotent.run(
        owner,
        key,
        body,
        () -> {
          ingestion.ingest(owner, "pagerduty", List.of(incoming));
          Map<String, Object> answer = new LinkedHashMap<>();
          answer.put("status", "success");
          answer.put("message", "Event processed");
          answer.put("dedup_key", finalDedupKey);
          return accepted(answer);
        });
  }

  @Operation(
      summary = "Send a change event as to PagerDuty's Events API v2",
      description = "The integration key is the body's routing_key. 202, as PagerDuty answers.")
  @SecurityRequirements
  @PostMapping(value = CHANGES, produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> changeEnqueue(
      @RequestBody(required = false) byte @Nullable [] body,
      @RequestHeader(value = "Idempotency-Key", required = false) @Nullable String key) {
    Event event = new Event(body);
    JsonNode payload = event.object(event.root, "payload", true);
    String summary = event.text(payload, "summary", true);
    if (summary != null && summary.length() > AlertIngestion.SUMMARY_LIMIT) {
      event.errors.add("'payload.summary' is longer than " + AlertIngestion.SUMMARY_LIMIT);
    }
    String source = event.text(payload, "source", false);
    Instant timestamp = event.timestamp(payload);
    Object details = event.details(payload);
    List<IncomingAlert.Link> links = event.links();
    KeyOwner owner = event.admit();
    // Each of these is null only where an error was recorded.
    if (!event.errors.isEmpty() || owner == null || body == null || summary == null) {
      return event.invalid();
    }
    return idempotent.run(
        owner,
        key,
        body,
        () -> {
          changes.record(owner, summary, source, timestamp, details, links);
          Map<String, Object> answer = new LinkedHashMap<>();
          answer.put("status", "success");
          answer.put("message", "Change event processed");
          return accepted(answer);
        });
  }

  private ResponseEntity<String> accepted(Map<String, Object> answer) {
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .contentType(MediaType.APPLICATION_JSON)
        .body(json.writeValueAsString(answer));
  }

  /** One request body being read, collecting every problem the way PagerDuty lists them. */
  private final class Event {

    final List<String> errors = new ArrayList<>();
    final JsonNode root;

    Event(byte @Nullable [] body) {
      JsonNode parsed = null;
      if (body == null || body.length == 0) {
        errors.add("The request body is empty");
      } else {
        try {
          parsed = json.readTree(body);
        } catch (JacksonException e) {
          errors.add(
              "The request body is not valid JSON: "
                  + e.getOriginalMessage()
                  + (e.getLocation() == null
                      ? ""
                      : " (line "
                          + e.getLocation().getLineNr()
                          + ", column "
                          + e.getLocation().getColumnNr()
                          + ")"));
        }
      }
      if (parsed != null && !parsed.isObject()) {
        errors.add("The event must be a JSON object");
        parsed = null;
      }
      root = parsed == null ? json.createObjectNode() : parsed;
    }

    /**
     * The integration of the routing key; refused at once, as no event is read without one. Null
     * when the key is missing, which is recorded as an error.
     */
    @Nullable KeyOwner admit() {
      String routingKey = text(root, "routing_key", true);
      if (routingKey == null) {
        return null;
      }
      return gate.admit(routingKey, IntegrationKind.PAGERDUTY);
    }

    IncomingAlert trigger(@Nullable String dedupKey) {
      JsonNode payload = object(root, "payload", true);
      String summary = text(payload, "summary", true);
      if (summary != null && summary.length() > AlertIngestion.SUMMARY_LIMIT) {
        errors.add("'payload.summary' is longer than " + AlertIngestion.SUMMARY_LIMIT);
      }
      String source = text(payload, "source", true);
      String severity = text(payload, "severity", true);
      if (severity != null && !SEVERITIES.contains(severity.toLowerCase(Locale.ROOT))) {
        errors.add("'payload.severity' must be one of critical, error, warning, info");
      }
      Map<String, String> labels = new LinkedHashMap<>();
      for (String field : List.of("source", "component", "group", "class")) {
        String value = text(payload, field, false);
        if (value != null) {
          labels.put(field, value);
        }
      }
      Map<String, Object> details = new LinkedHashMap<>();
      Object custom = details(payload);
      if (custom != null) {
        details.put("custom_details", custom);
      }
      JsonNode images = root.get("images");
      if (images != null && images.isArray() && !images.isEmpty()) {
        details.put("images", json.treeToValue(images, Object.class));
      }
      return new IncomingAlert(
          labels,
          Map.of(),
          timestamp(payload),
          null,
          text(root, "client_url", false),
          AlertStatus.FIRING,
          dedupKey != null ? dedupKey : UUID.randomUUID().toString().replace("-", ""),
          summary,
          severity,
          null,
          details.isEmpty() ? null : details,
          links(),
          false);
    }

    @Nullable String text(@Nullable JsonNode node, String field, boolean required) {
      JsonNode value = node == null ? null : node.get(field);
      String path = node == root ? field : "payload." + field;
      if (value == null || value.isNull()) {
        if (required) {
          errors.add("'" + path + "' is missing");
        }
        return null;
      }
      if (!value.isString() || value.asString().isBlank()) {
        errors.add("'" + path + "' must be a non-empty string");
        return null;
      }
      return value.asString();
    }

    @Nullable JsonNode object(JsonNode node, String field, boolean required) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        if (required) {
          errors.add("'" + field + "' is missing");
        }
        return null;
      }
      if (!value.isObject()) {
        errors.add("'" + field + "' must be an object");
        return null;
      }
      return value;
    }

    @Nullable Instant timestamp(@Nullable JsonNode payload) {
      String text = text(payload, "timestamp", false);
      if (text == null) {
        return null;
      }
      Instant time;
      try {
        time = OffsetDateTime.parse(text, TIMESTAMP).toInstant();
      } catch (DateTimeParseException e) {
        errors.add("'payload.timestamp' is not an ISO 8601 date-time with an offset");
        return null;
      }
      if (time.isAfter(TimeBounds.LATEST)) {
        errors.add("'payload.timestamp' " + TimeBounds.RANGE);
        return null;
      }
      return TimeBounds.sent("payload.timestamp", time);
    }

    @Nullable Object details(@Nullable JsonNode payload) {
      JsonNode custom = payload == null ? null : payload.get("custom_details");
      return custom == null || custom.isNull() ? null : json.treeToValue(custom, Object.class);
    }

    List<IncomingAlert.Link> links() {
      JsonNode links = root.get("links");
      if (links == null || links.isNull()) {
        return List.of();
      }
      if (!links.isArray()) {
        errors.add("'links' must be an array");
        return List.of();
      }
      List<IncomingAlert.Link> result = new ArrayList<>();
      for (int i = 0; i < links.size(); i++) {
        JsonNode link = links.get(i);
        JsonNode href = link.get("href");
        try {
          URI uri = href == null || !href.isString() ? null : URI.create(href.asString());
          if (uri == null || uri.getScheme() == null) {
            errors.add("'links[" + i + "].href' must be an absolute URL");
            continue;
          }
          JsonNode text = link.get("text");
          if (text != null && !text.isNull() && !text.isString()) {
            errors.add("'links[" + i + "].text' must be a string");
            continue;
          }
          result.add(
              new IncomingAlert.Link(uri, text == null || text.isNull() ? null : text.asString()));
        } catch (IllegalArgumentException e) {
          errors.add("'links[" + i + "].href' must be an absolute URL");
        }
      }
      return result;
    }

    ResponseEntity<String> invalid() {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("status", "invalid event");
      answer.put("message", "Event object is invalid");
      answer.put("errors", errors);
      return ResponseEntity.badRequest()
          .contentType(MediaType.APPLICATION_JSON)
          .body(json.writeValueAsString(answer));
    }
  }
}
