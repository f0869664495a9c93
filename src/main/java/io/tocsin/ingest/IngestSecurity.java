package io.tocsin.ingest;

import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.ProblemResponses;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Ingestion endpoints authenticate with integration keys, not with users: they are open to the
 * security chain and guarded by {@link IngestionKeyFilter} instead.
 */
@Configuration(proxyBeanMethods = false)
class IngestSecurity {

  static final RequestMatcher ALERTMANAGER_V2_POST =
      PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v2/alerts");

  static final RequestMatcher ALERTMANAGER_WEBHOOK =
      PathPatternRequestMatcher.withDefaults()
          .matcher(HttpMethod.POST, "/api/v1/webhooks/alertmanager");

  @Bean
  HttpSecurityContribution ingestionKeys(
      IntegrationService integrations, ProblemResponses problems) {
    Map<RequestMatcher, IntegrationKind> endpoints =
        Map.of(
            ALERTMANAGER_V2_POST, IntegrationKind.ALERTMANAGER,
            ALERTMANAGER_WEBHOOK, IntegrationKind.ALERTMANAGER);
    return http ->
        http.authorizeHttpRequests(
                requests ->
                    requests
                        .requestMatchers(ALERTMANAGER_V2_POST, ALERTMANAGER_WEBHOOK)
                        .permitAll())
            .addFilterBefore(
                new IngestionKeyFilter(endpoints, integrations, problems),
                AnonymousAuthenticationFilter.class);
  }
}
