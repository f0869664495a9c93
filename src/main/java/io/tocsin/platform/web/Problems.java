package io.tocsin.platform.web;

import io.tocsin.platform.ErrorDialect;
import io.tocsin.platform.ProblemResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problems renders every API error as RFC 9457 problem details, whether it comes from a controller,
 * a servlet filter, Spring Security or the servlet container's error dispatch, so that an API
 * client never sees an HTML page or a stack trace.
 *
 * <p>Bodies are plain maps in a fixed member order ({@code type, title, status, detail, instance},
 * then extensions such as {@code errors} and {@code requestId}), written the same way from every
 * path. On the paths of another product's API, an {@link ErrorDialect} answers instead, so that
 * every error there reaches that product's clients in the one shape they can print.
 */
@Component
final class Problems implements ProblemResponses {

  static final String TYPE_PREFIX = "urn:tocsin:problem:";
  static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

  private final JsonMapper json;
  private final List<ErrorDialect> dialects;

  Problems(JsonMapper json, List<ErrorDialect> dialects) {
    this.json = json;
    this.dialects = dialects;
  }

  static ProblemDetail problem(HttpStatusCode status, @Nullable String type, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    if (type != null) {
      problem.setType(URI.create(TYPE_PREFIX + type));
    }
    return problem;
  }

  static Map<String, Object> body(ProblemDetail problem, @Nullable String path) {
    Map<String, Object> body = new LinkedHashMap<>();
    // RFC 9457 §4.2.1: a problem with no more specific type is "about:blank".
    body.put("type", problem.getType() == null ? "about:blank" : problem.getType().toString());
    body.put(
        "title",
        problem.getTitle() != null ? problem.getTitle() : HttpStatusText.of(problem.getStatus()));
    body.put("status", problem.getStatus());
    if (problem.getDetail() != null) {
      body.put("detail", problem.getDetail());
    }
    if (problem.getInstance() != null) {
      body.put("instance", problem.getInstance().toString());
    } else if (path != null) {
      body.put("instance", path);
    }
    if (problem.getProperties() != null) {
      body.putAll(problem.getProperties());
    }
    String requestId = requestId();
    if (requestId != null) {
      body.putIfAbsent("requestId", requestId);
    }
    return body;
  }

  ResponseEntity<Object> entity(ProblemDetail problem, HttpHeaders headers, @Nullable String path) {
    ErrorDialect dialect = dialectFor(path);
    if (dialect != null) {
      ErrorDialect.Answer answer = dialect.answer(problem, requestId());
      // Bytes, not the body object: a String body would go out through the plain-text converter,
      // without the quotes that make it JSON.
      return ResponseEntity.status(answer.status())
          .headers(headers)
          .contentType(answer.contentType())
          .body(json.writeValueAsBytes(answer.body()));
    }
    return ResponseEntity.status(problem.getStatus())
        .headers(headers)
        .contentType(PROBLEM_JSON)
        .body(body(problem, path));
  }

  /** The JSON of a problem that has no request path to report. */
  byte[] json(ProblemDetail problem) {
    return json.writeValueAsBytes(body(problem, null));
  }

  @Override
  public void write(
      HttpServletRequest request,
      HttpServletResponse response,
      HttpStatus status,
      String type,
      String detail)
      throws IOException {
    write(request, response, problem(status, type, detail));
  }

  /** Writes a problem directly to the servlet response, for filters that answer on their own. */
  void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
      throws IOException {
    ErrorDialect dialect = dialectFor(request.getRequestURI());
    if (dialect != null) {
      ErrorDialect.Answer answer = dialect.answer(problem, requestId());
      response.setStatus(answer.status().value());
      response.setContentType(answer.contentType().toString());
      json.writeValue(response.getOutputStream(), answer.body());
      return;
    }
    response.setStatus(problem.getStatus());
    response.setContentType(PROBLEM_JSON.toString());
    response.setCharacterEncoding("UTF-8");
    json.writeValue(response.getOutputStream(), body(problem, request.getRequestURI()));
  }

  private @Nullable ErrorDialect dialectFor(@Nullable String path) {
    if (path == null) {
      return null;
    }
    return dialects.stream().filter(dialect -> dialect.covers(path)).findFirst().orElse(null);
  }

  private static @Nullable String requestId() {
    return MDC.get(RequestIdFilter.MDC_KEY);
  }
}
