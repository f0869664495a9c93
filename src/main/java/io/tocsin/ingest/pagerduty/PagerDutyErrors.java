package io.tocsin.ingest.pagerduty;

import io.tocsin.platform.ErrorDialect;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * PagerDuty's error dialect on the Events API v2 paths, whichever layer refuses the request (the
 * database guard, the rate limit, the key check, the body parser): {@code {"status", "message",
 * "errors"}}, the fields PagerDuty's client libraries and Alertmanager's pagerduty notifier print.
 *
 * <p>A routing key that no pagerduty integration has (never issued, rotated away, deleted, or the
 * key of another kind of integration) is PagerDuty's {@code 400 "Invalid routing key"}; a body that
 * cannot be read is its {@code 400 "Event object is invalid"}. Other refusals keep their status and
 * headers (503 with {@code Retry-After}, which senders retry; PagerDuty documents no body for its
 * 429 and 5xx), with the reason in the same fields.
 */
@Component
final class PagerDutyErrors implements ErrorDialect {

  private static final String UNKNOWN_KEY =
      "No integration has this routing key: it was never issued, was rotated away, or its"
          + " integration was deleted.";

  @Override
  public boolean covers(String path) {
    return path.equals(PagerDutyEventsController.EVENTS)
        || path.equals(PagerDutyEventsController.CHANGES);
  }

  @Override
  public Answer answer(ProblemDetail problem, @Nullable String requestId) {
    int status = problem.getStatus();
    HttpStatus known = HttpStatus.resolve(status);
    String phrase = known == null ? "Error " + status : known.getReasonPhrase();
    String reason = problem.getDetail() != null ? problem.getDetail() : phrase;
    Map<String, Object> body = new LinkedHashMap<>();
    HttpStatusCode answered = HttpStatusCode.valueOf(status);
    if (status == HttpStatus.UNAUTHORIZED.value() || status == HttpStatus.FORBIDDEN.value()) {
      answered = HttpStatus.BAD_REQUEST;
      if (status == HttpStatus.UNAUTHORIZED.value()) {
        // Tocsin's own words name bearer tokens and heartbeat URLs; a PagerDuty sender has a key.
        reason = UNKNOWN_KEY;
      }
      body.put("status", "invalid event");
      body.put("message", "Invalid routing key");
    } else if (status == HttpStatus.BAD_REQUEST.value()
        || status == HttpStatus.UNPROCESSABLE_CONTENT.value()) {
      answered = HttpStatus.BAD_REQUEST;
      body.put("status", "invalid event");
      body.put("message", "Event object is invalid");
    } else {
      body.put("status", phrase);
      body.put(
          "message",
          answered.is5xxServerError() && requestId != null
              ? reason + " (request id " + requestId + ")"
              : reason);
    }
    body.put("errors", List.of(reason));
    return new Answer(answered, MediaType.APPLICATION_JSON, body);
  }
}
