package io.tocsin.platform;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * The error format of another product's API that Tocsin speaks on some paths, for clients that can
 * read no other: amtool's generated client refuses a problem document with {@code no consumer:
 * "application/problem+json"} and never shows its reason. A module that owns such an API declares
 * its dialect as a bean; every error on the paths it covers is then answered in it, whichever layer
 * refused the request (a filter, Spring Security, a controller, the servlet container). Errors
 * everywhere else stay problem details.
 */
public interface ErrorDialect {

  /** Whether errors on this request path (as the request names it) are answered in this dialect. */
  boolean covers(String path);

  /**
   * The answer for an error that Tocsin describes as {@code problem}; {@code requestId} is the id
   * under which the server log has the details, when there is one.
   */
  Answer answer(ProblemDetail problem, @Nullable String requestId);

  /** The status, content type and body of an answer; the body is written as JSON. */
  record Answer(HttpStatusCode status, MediaType contentType, Object body) {}
}
