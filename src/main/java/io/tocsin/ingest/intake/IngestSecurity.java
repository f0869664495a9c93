package io.tocsin.ingest.intake;

import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.IngestProperties;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.ProblemResponses;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ingestion endpoints authenticate with integration keys, not with users: they are open to the
 * security chain and guarded by {@link IngestionKeyFilter} (key in the {@code Authorization}
 * header) or by their controller through {@link KeyGate} (key in the body or the path).
 */
@Configuration(proxyBeanMethods = false)
class IngestSecurity {

  /** PagerDuty's own limit for an event, which its clients already respect. */
  static final long PAGERDUTY_MAX_BODY_BYTES = 512 * 1024;

  /**
   * An ingestion endpoint: its path pattern, the kinds of key it takes from the header (none: the
   * key comes elsewhere), and whether that key is optional.
   */
  record Endpoint(
      String pattern,
      Set<IntegrationKind> headerKeyKinds,
      long maxBodyBytes,
      boolean keyOptional) {}

  private static void post(
      Map<RequestMatcher, Endpoint> endpoints,
      String path,
      Set<IntegrationKind> headerKeyKinds,
      long maxBodyBytes) {
    endpoints.put(
        PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, path),
        new Endpoint(path, headerKeyKinds, maxBodyBytes, false));
  }

  /**
   * The lean path of {@code POST /api/v2/alerts}, after the request id and the HTTP metrics (Spring
   * Boot's observation filter, at the highest precedence but one) and before everything else.
   */
  @Bean
  FilterRegistrationBean<AlertPostLane> alertPostLane(
      IntegrationService integrations,
      AlertIngestion ingestion,
      DatabaseAvailability database,
      JsonMapper json,
      IngestProperties settings) {
    FilterRegistrationBean<AlertPostLane> registration =
        new FilterRegistrationBean<>(
            new AlertPostLane(
                integrations, ingestion, database, json, settings.maxBodySize().toBytes()));
    registration.addUrlPatterns(AlertPostLane.PATH);
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
    return registration;
  }

  @Bean
  HttpSecurityContribution ingestionKeys(
      KeyGate gate, ProblemResponses problems, IngestProperties settings) {
    long max = settings.maxBodySize().toBytes();
    Set<IntegrationKind> alertmanager = EnumSet.of(IntegrationKind.ALERTMANAGER);
    Set<IntegrationKind> keyElsewhere = EnumSet.noneOf(IntegrationKind.class);
    Map<RequestMatcher, Endpoint> endpoints = new LinkedHashMap<>();
    // Prometheus can only send to an Alertmanager API, so a heartbeat key is taken here too: that
    // is how Prometheus beats a dead-man's switch without an Alertmanager in between.
    post(
        endpoints,
        "/api/v2/alerts",
        EnumSet.of(IntegrationKind.ALERTMANAGER, IntegrationKind.HEARTBEAT),
        max);
    post(endpoints, "/api/v1/webhooks/alertmanager", alertmanager, max);
    post(endpoints, "/api/v1/webhooks/grafana", EnumSet.of(IntegrationKind.GRAFANA), max);
    post(endpoints, "/api/v1/alerts", EnumSet.of(IntegrationKind.GENERIC), max);
    post(endpoints, "/v2/enqueue", keyElsewhere, PAGERDUTY_MAX_BODY_BYTES);
    post(endpoints, "/v2/change/enqueue", keyElsewhere, PAGERDUTY_MAX_BODY_BYTES);
    post(endpoints, "/api/v1/heartbeats/{key}", keyElsewhere, max);
    // amtool reads with an integration key, people with their API token: the key is optional
    // here, and the controller refuses a caller with neither.
    for (String read :
        List.of(
            "/api/v2/alerts",
            "/api/v2/alerts/groups",
            "/api/v2/status",
            "/api/v2/receivers",
            "/api/v2/silences",
            "/api/v2/silence/{id}")) {
      endpoints.put(
          PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, read),
          new Endpoint(read, alertmanager, 0, true));
    }
    RequestMatcher heartbeatGet =
        PathPatternRequestMatcher.withDefaults()
            .matcher(HttpMethod.GET, "/api/v1/heartbeats/{key}");
    RequestMatcher[] open = endpoints.keySet().toArray(RequestMatcher[]::new);
    return http ->
        http
            // Keys, not ambient cookies, authenticate these requests: there is nothing for a
            // cross-site request to ride on, and PagerDuty and heartbeat senders send no header.
            .csrf(csrf -> csrf.ignoringRequestMatchers(open))
            .authorizeHttpRequests(
                requests ->
                    requests
                        .requestMatchers(open)
                        .permitAll()
                        .requestMatchers(heartbeatGet)
                        .permitAll())
            .addFilterBefore(
                new IngestionKeyFilter(endpoints, gate, problems),
                AnonymousAuthenticationFilter.class);
  }
}
