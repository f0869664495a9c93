package io.tocsin.ingest.alertmanager;

import io.tocsin.platform.ErrorDialect;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * Alertmanager's error dialect on its API v2 paths: the reason as a JSON string, {@code
 * application/json}, which is what Alertmanager's handlers answer ({@code "silence invalid: at
 * least one matcher must not match the empty string"}) and the only error body amtool's generated
 * client prints: {@code [POST /silences][400] postSilencesBadRequest silence invalid: ...}.
 *
 * <p>The status stays Tocsin's, with one exception: a body that parses but cannot be accepted is
 * 400, as Alertmanager answers it, not 422. amtool prints a reason only for the statuses its
 * Alertmanager's OpenAPI description lists per operation (400, 404 and 500 where listed); for any
 * other status (401, 403, 503) it prints just the status, whatever the body says, so the reason is
 * there for curl, Grafana and newer clients.
 */
@Component
final class AlertmanagerErrors implements ErrorDialect {

  static final String PREFIX = "/api/v2/";

  @Override
  public boolean covers(String path) {
    return path.startsWith(PREFIX);
  }

  @Override
  public Answer answer(ProblemDetail problem, @Nullable String requestId) {
    HttpStatusCode status =
        problem.getStatus() == HttpStatus.UNPROCESSABLE_CONTENT.value()
            ? HttpStatus.BAD_REQUEST
            : HttpStatusCode.valueOf(problem.getStatus());
    String reason = reason(problem);
    if (status.is5xxServerError() && requestId != null) {
      reason += " (request id " + requestId + ")";
    }
    return new Answer(status, MediaType.APPLICATION_JSON, reason);
  }

  /**
   * Each invalid field as "field message", as Alertmanager joins its validation errors into one
   * string; otherwise the problem's detail.
   */
  private static String reason(ProblemDetail problem) {
    Map<String, Object> properties = problem.getProperties();
    if (properties != null && properties.get("errors") instanceof List<?> errors) {
      String joined =
          errors.stream()
              .filter(Map.class::isInstance)
              .map(Map.class::cast)
              .map(error -> error.get("field") + " " + error.get("message"))
              .collect(Collectors.joining("; "));
      if (!joined.isEmpty()) {
        return joined;
      }
    }
    if (problem.getDetail() != null) {
      return problem.getDetail();
    }
    HttpStatus known = HttpStatus.resolve(problem.getStatus());
    return known == null ? "error " + problem.getStatus() : known.getReasonPhrase();
  }
}
