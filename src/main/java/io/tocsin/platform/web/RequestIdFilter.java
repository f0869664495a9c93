package io.tocsin.platform.web;

import io.tocsin.platform.AccessLog;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id that appears on each of its log lines ({@code request_id}), in its
 * problem bodies ({@code requestId}) and in the {@code X-Request-ID} response header. An incoming
 * id from a proxy is kept when it is safe to log; anything else is replaced, so a client cannot
 * inject text into the logs.
 *
 * <p>It also writes one access-log line per request, except for {@code /actuator}, which Prometheus
 * and orchestrators poll every few seconds, and for the successes of requests that ask for quiet
 * ({@link AccessLog}): the path without its query and with the secrets some paths carry masked
 * ({@link LoggedPaths}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
final class RequestIdFilter extends OncePerRequestFilter {

  static final String HEADER = "X-Request-ID";
  static final String MDC_KEY = "request_id";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Log log = LogFactory.getLog(RequestIdFilter.class);

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String requestId = acceptOrCreate(request.getHeader(HEADER));
    long started = System.nanoTime();
    MDC.put(MDC_KEY, requestId);
    response.setHeader(HEADER, requestId);
    try {
      chain.doFilter(request, response);
    } finally {
      if (!request.getRequestURI().startsWith("/actuator/")
          && AccessLog.logs(request, response.getStatus())) {
        log.info(
            request.getMethod()
                + " "
                + LoggedPaths.masked(request.getRequestURI())
                + " "
                + response.getStatus()
                + " "
                + (System.nanoTime() - started) / 1_000_000
                + " ms");
      }
      MDC.remove(MDC_KEY);
    }
  }

  static String acceptOrCreate(@Nullable String incoming) {
    return incoming != null && SAFE_ID.matcher(incoming).matches()
        ? incoming
        : UUID.randomUUID().toString();
  }
}
