package io.tocsin.ingest.intake;

import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.integration.IntegrationService.KeyCheck;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.platform.AccessLog;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.TimeBounds;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.ServerHttpObservationFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The lean path of Prometheus' {@code POST /api/v2/alerts}, the request an alert storm is made of:
 * the key is checked, the body read with Jackson's streaming parser and the alerts stored, before
 * the security chain, Spring MVC and the access log, which cost a single-alert request three times
 * what storing it does.
 *
 * <p>The lane answers only what it is sure of, a stored request, and leaves everything else to the
 * full chain as if it had not been there, with the body it read: a key that is unknown, of another
 * kind (a heartbeat's) or over its limit, a body it does not parse to the letter, an alert that
 * fails validation, a refusal or an error while storing. Those are answered by the endpoint, in
 * Alertmanager's error dialect, as before. Nothing is written twice: a request that failed here
 * wrote nothing, the transaction being all or nothing.
 */
final class AlertPostLane extends HttpFilter {

  static final String PATH = "/api/v2/alerts";

  private final IntegrationService integrations;
  private final AlertIngestion ingestion;
  private final DatabaseAvailability database;
  private final JsonMapper json;
  private final long maxBodyBytes;

  AlertPostLane(
      IntegrationService integrations,
      AlertIngestion ingestion,
      DatabaseAvailability database,
      JsonMapper json,
      long maxBodyBytes) {
    this.integrations = integrations;
    this.ingestion = ingestion;
    this.database = database;
    this.json = json;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    long length = request.getContentLengthLong();
    if (!"POST".equals(request.getMethod())
        || !PATH.equals(request.getRequestURI())
        || length < 0
        || length > maxBodyBytes
        || !isJson(request.getContentType())
        || request.getHeader("Content-Encoding") != null
        || !database.isReady()) {
      chain.doFilter(request, response);
      return;
    }
    String key = IngestionKeyFilter.presentedKey(request.getHeader("Authorization"));
    if (key == null || !key.startsWith(IntegrationService.PREFIX)) {
      chain.doFilter(request, response);
      return;
    }
    KeyCheck check = integrations.check(key);
    // Checked once: the key filter takes this answer, so a refused request is not counted twice
    // against the key's rate limit.
    request.setAttribute(IngestionKeyFilter.CHECKED, check);
    if (!(check instanceof KeyCheck.Accepted accepted)
        || accepted.owner().kind() != IntegrationKind.ALERTMANAGER) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readNBytes((int) length);
    List<IncomingAlert> alerts = body.length == length ? alerts(body) : null;
    if (alerts == null || !stored(accepted, alerts)) {
      chain.doFilter(new ReplayedBody(request, body), response);
      return;
    }
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(context -> context.setPathPattern(PATH));
    AccessLog.quietOnSuccess(request);
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentLength(0);
  }

  private boolean stored(KeyCheck.Accepted key, List<IncomingAlert> alerts) {
    try {
      ingestion.ingest(key.owner(), "alertmanager_v2", alerts);
      return true;
    } catch (RuntimeException e) {
      // Refused or failed, so nothing was stored: the endpoint tries again and answers for it.
      return false;
    }
  }

  private static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int parameters = type.indexOf(';');
    return (parameters < 0 ? type : type.substring(0, parameters))
        .strip()
        .equals("application/json");
  }

  /** The postableAlerts of the body, or null when anything in it is not the plain case. */
  private @Nullable List<IncomingAlert> alerts(byte[] body) {
    try (JsonParser parser = json.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        return null;
      }
      List<IncomingAlert> alerts = new ArrayList<>();
      for (JsonToken token = parser.nextToken();
          token != JsonToken.END_ARRAY;
          token = parser.nextToken()) {
        if (token != JsonToken.START_OBJECT) {
          return null;
        }
        IncomingAlert alert = alert(parser);
        if (alert == null) {
          return null;
        }
        alerts.add(alert);
      }
      return parser.nextToken() == null ? alerts : null;
    } catch (JacksonException e) {
      return null;
    }
  }

  private static @Nullable IncomingAlert alert(JsonParser parser) {
    Map<String, String> labels = Map.of();
    Map<String, String> annotations = Map.of();
    Instant startsAt = null;
    Instant endsAt = null;
    String generatorUrl = null;
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_OBJECT;
        token = parser.nextToken()) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "labels", "annotations" -> {
          Map<String, String> strings = strings(parser, value);
          if (strings == null) {
            return null;
          }
          if (field.equals("labels")) {
            labels = strings;
          } else {
            annotations = strings;
          }
        }
        case "startsAt", "endsAt" -> {
          if (value != JsonToken.VALUE_NULL) {
            Instant time = value == JsonToken.VALUE_STRING ? time(parser.getString()) : null;
            if (time == null) {
              return null;
            }
            if (field.equals("startsAt")) {
              startsAt = time;
            } else {
              endsAt = time;
            }
          }
        }
        case "generatorURL" -> {
          if (value == JsonToken.VALUE_STRING) {
            generatorUrl = parser.getString();
          } else if (value != JsonToken.VALUE_NULL) {
            return null;
          }
        }
        default -> parser.skipChildren();
      }
    }
    return IncomingAlert.labelled(labels, annotations, startsAt, endsAt, generatorUrl, null);
  }

  /** A JSON object of strings; null for anything else, a null value included. */
  private static @Nullable Map<String, String> strings(JsonParser parser, JsonToken value) {
    if (value == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    if (value != JsonToken.START_OBJECT) {
      return null;
    }
    Map<String, String> strings = new LinkedHashMap<>();
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_OBJECT;
        token = parser.nextToken()) {
      String name = parser.currentName();
      if (parser.nextToken() != JsonToken.VALUE_STRING) {
        return null;
      }
      strings.put(name, parser.getString());
    }
    return strings;
  }

  /**
   * An RFC 3339 time as Go writes it; null for any other form and for a time past the API's range,
   * which the endpoint reads or refuses. A time before 1970 is Go's zero time, which {@link
   * IncomingAlert} takes as none, as the endpoint does.
   */
  private static @Nullable Instant time(String text) {
    try {
      Instant time = OffsetDateTime.parse(text).toInstant();
      return time.isAfter(TimeBounds.LATEST) ? null : time;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The request with the body the lane read, for the endpoint to read again. */
  private static final class ReplayedBody extends HttpServletRequestWrapper {

    private final byte[] body;

    ReplayedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
          return in.read(buffer, offset, length);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the replayed body is read blocking");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      return new BufferedReader(
          new InputStreamReader(
              getInputStream(),
              encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
    }
  }
}
