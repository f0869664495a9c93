package io.tocsin.platform.web;

import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.DatabaseStatus;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 with {@code Retry-After} while the database is not ready, before authentication
 * (which needs the database) and before any handler could half-write something.
 *
 * <p>The body does not carry the database error itself (host names, ports): the caller may be
 * anyone on the network. {@code /actuator/health/readiness} has the reason for operators.
 *
 * <p>503 rather than 429 or 500: Alertmanager and Prometheus retry a 5xx and drop an alert on any
 * 4xx, and {@code Retry-After} tells every client when to come back.
 */
final class DatabaseAvailabilityFilter extends OncePerRequestFilter {

  private final DatabaseAvailability database;
  private final Problems problems;
  private final Clock clock;
  private final Duration retryWhenUnknown;

  DatabaseAvailabilityFilter(
      DatabaseAvailability database, Problems problems, Clock clock, Duration retryWhenUnknown) {
    this.database = database;
    this.problems = problems;
    this.clock = clock;
    this.retryWhenUnknown = retryWhenUnknown;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI();
    // The probes report readiness themselves, in their own format.
    return path.startsWith("/actuator/")
        || path.equals("/actuator")
        || path.equals("/error")
        || path.equals(AlertmanagerProbes.HEALTHY)
        || path.equals(AlertmanagerProbes.READY);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    DatabaseStatus status = database.status();
    if (status instanceof DatabaseStatus.Ready) {
      chain.doFilter(request, response);
      return;
    }
    long retryAfter = status.retryAfter(clock.instant(), retryWhenUnknown).toSeconds();
    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
    ProblemDetail problem =
        Problems.problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "database-unavailable",
            (status instanceof DatabaseStatus.SchemaTooNew
                    ? "Tocsin's database was migrated by a newer version of Tocsin"
                    : "Tocsin cannot reach its database")
                + ". Nothing was stored; retry after "
                + retryAfter
                + " s. The readiness endpoint says more.");
    problem.setProperty("retryAfterSeconds", retryAfter);
    problems.write(request, response, problem);
  }
}
