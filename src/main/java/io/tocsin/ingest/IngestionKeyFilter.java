package io.tocsin.ingest;

import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.integration.IntegrationService.KeyCheck;
import io.tocsin.platform.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks the integration key of an ingestion request before its body is read: Prometheus sends it
 * as a bearer token or as the basic-auth password. An unknown key is 401, a key of another kind of
 * integration 403, and a key over its rate limit 503 with {@code Retry-After}: senders drop alerts
 * answered with any 4xx, and a storm must be slowed, not lost.
 */
final class IngestionKeyFilter extends OncePerRequestFilter {

  private final Map<RequestMatcher, IntegrationKind> endpoints;
  private final IntegrationService integrations;
  private final ProblemResponses problems;

  IngestionKeyFilter(
      Map<RequestMatcher, IntegrationKind> endpoints,
      IntegrationService integrations,
      ProblemResponses problems) {
    this.endpoints = endpoints;
    this.integrations = integrations;
    this.problems = problems;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return kindFor(request) == null;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    IntegrationKind expected = kindFor(request);
    String key = presentedKey(request.getHeader("Authorization"));
    KeyCheck check = key == null ? new KeyCheck.Unknown() : integrations.check(key);
    if (check instanceof KeyCheck.Unknown) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"tocsin-ingest\"");
      problems.write(
          request,
          response,
          HttpStatus.UNAUTHORIZED,
          "integration-key-unknown",
          "Send the integration key as a bearer token or as the basic-auth password.");
      return;
    }
    IntegrationService.KeyOwner owner =
        check instanceof KeyCheck.Accepted accepted
            ? accepted.owner()
            : ((KeyCheck.Limited) check).owner();
    if (owner.kind() != expected) {
      problems.write(
          request,
          response,
          HttpStatus.FORBIDDEN,
          "integration-kind-mismatch",
          "This key belongs to an integration of another kind; this endpoint takes "
              + expected.name().toLowerCase()
              + " keys.");
      return;
    }
    if (check instanceof KeyCheck.Limited limited) {
      long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
      response.setHeader("Retry-After", Long.toString(seconds));
      problems.write(
          request,
          response,
          HttpStatus.SERVICE_UNAVAILABLE,
          "integration-rate-limited",
          "This integration key is over its rate limit; retry after " + seconds + " s.");
      return;
    }
    request.setAttribute(AlertIngestion.KEY_OWNER, owner);
    chain.doFilter(request, response);
  }

  private @Nullable IntegrationKind kindFor(HttpServletRequest request) {
    return endpoints.entrySet().stream()
        .filter(e -> e.getKey().matches(request))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  static @Nullable String presentedKey(@Nullable String authorization) {
    if (authorization == null) {
      return null;
    }
    if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).trim()),
                StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(colon + 1);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }
}
