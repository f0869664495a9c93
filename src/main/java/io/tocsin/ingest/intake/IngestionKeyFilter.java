package io.tocsin.ingest.intake;

import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.directory.integration.IntegrationService.KeyCheck;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.platform.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Admits an ingestion request whose key comes in the {@code Authorization} header before its body
 * is read (Prometheus sends the key as a bearer token or as the basic-auth password), and refuses a
 * body over the size limit before it is parsed. The refusals are {@link KeyGate}'s.
 */
final class IngestionKeyFilter extends OncePerRequestFilter {

  /** The request attribute with the {@link KeyCheck} of a key already checked for this request. */
  static final String CHECKED = "io.tocsin.ingest.keyChecked";

  private final Map<RequestMatcher, IngestSecurity.Endpoint> endpoints;
  private final KeyGate gate;
  private final ProblemResponses problems;

  IngestionKeyFilter(
      Map<RequestMatcher, IngestSecurity.Endpoint> endpoints,
      KeyGate gate,
      ProblemResponses problems) {
    this.endpoints = endpoints;
    this.gate = gate;
    this.problems = problems;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return endpointFor(request) == null;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    // shouldNotFilter let through only requests to an endpoint.
    IngestSecurity.Endpoint endpoint = Objects.requireNonNull(endpointFor(request));
    long maxBodyBytes = endpoint.maxBodyBytes();
    // A request this filter answers never reaches a handler, and would count as uri="UNKNOWN" in
    // http_server_requests: name the endpoint, so that refused keys and bodies show per endpoint.
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(context -> context.setPathPattern(endpoint.pattern()));
    try {
      String key = presentedKey(request.getHeader("Authorization"));
      boolean integrationKey = key != null && key.startsWith(IntegrationService.PREFIX);
      if (!endpoint.headerKeyKinds().isEmpty() && (integrationKey || !endpoint.keyOptional())) {
        KeyOwner owner =
            request.getAttribute(CHECKED) instanceof KeyCheck checked
                ? gate.admit(checked, endpoint.headerKeyKinds())
                : gate.admit(key, endpoint.headerKeyKinds());
        request.setAttribute(AlertIngestion.KEY_OWNER, owner);
      }
    } catch (IngestRefusal refused) {
      refused
          .getHeaders()
          .forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
      problems.write(
          request,
          response,
          HttpStatus.valueOf(refused.getStatusCode().value()),
          refused.slug(),
          Objects.requireNonNull(refused.getBody().getDetail()));
      return;
    }
    if (request.getContentLengthLong() > maxBodyBytes) {
      problems.write(
          request,
          response,
          HttpStatus.CONTENT_TOO_LARGE,
          "body-too-large",
          "The body has "
              + request.getContentLengthLong()
              + " bytes; the limit is "
              + maxBodyBytes
              + " (TOCSIN_INGEST_MAX_BODY_SIZE). Send fewer alerts per request.");
      return;
    }
    chain.doFilter(
        request.getContentLengthLong() < 0
            ? new LimitedBodyRequest(request, maxBodyBytes)
            : request,
        response);
  }

  private IngestSecurity.@Nullable Endpoint endpointFor(HttpServletRequest request) {
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
