package io.tocsin.platform.web;

import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.PlatformProperties;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/**
 * The security baseline: only health (the actuator's and Alertmanager's probes), info, metrics and
 * the API's description are public, besides what modules open for their own paths; everything else
 * needs an identity (accounts arrive with the directory module) and is answered 401 with a problem
 * body until then. Every response carries headers that forbid sniffing, framing and foreign
 * scripts.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfiguration {

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self';"
          + " form-action 'self'; frame-ancestors 'none'";

  @Bean
  SecurityFilterChain securityFilterChain(
      HttpSecurity http,
      Problems problems,
      DatabaseAvailability database,
      Clock clock,
      PlatformProperties properties,
      List<HttpSecurityContribution> contributions)
      throws Exception {
    for (HttpSecurityContribution contribution : contributions) {
      contribution.contribute(http);
    }
    http.authorizeHttpRequests(
            requests ->
                requests
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .requestMatchers(
                        "/actuator/health",
                        "/actuator/health/**",
                        "/actuator/info",
                        "/actuator/prometheus",
                        AlertmanagerProbes.HEALTHY,
                        AlertmanagerProbes.READY,
                        ApiDescriptionController.DOCS_PATH,
                        ApiDescriptionController.DOCS_PATH + ".yaml",
                        ApiDescriptionController.UI_PATH)
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        // CSRF can only be forged with ambient credentials, i.e. a session cookie. Calls that are
        // authenticated by their Authorization header (a valid API token) are exempt; a header
        // that authenticates nothing exempts nothing, or any forged form could add a bogus one and
        // ride on the session. Everything else that changes state needs the token that the
        // XSRF-TOKEN cookie holds, echoed in the X-XSRF-TOKEN header or the _csrf form field.
        .csrf(
            csrf ->
                csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                    .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                    .requireCsrfProtectionMatcher(
                        request ->
                            !SAFE_METHODS.contains(request.getMethod())
                                && request.getAttribute(
                                        HttpSecurityContribution.AUTHENTICATED_BY_HEADER)
                                    == null))
        .sessionManagement(
            session ->
                session
                    .sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED)
                    .sessionFixation(fixation -> fixation.changeSessionId()))
        // No "return to the page you wanted after sign-in": saving that request would create a
        // session for every anonymous API call.
        .requestCache(cache -> cache.requestCache(new NullRequestCache()))
        .addFilterAt(corsFilter(properties, problems), CorsFilter.class)
        .addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class)
        // Defaults for any request, after those that contributions registered for theirs (the
        // console's pages go to the sign-in page): the first whose requests match answers.
        .exceptionHandling(
            exceptions ->
                exceptions
                    .defaultAuthenticationEntryPointFor(
                        (request, response, e) -> unauthorized(problems, request, response),
                        AnyRequestMatcher.INSTANCE)
                    .defaultAccessDeniedHandlerFor(
                        (request, response, e) -> {
                          // Without an identity, a refused request (a missing CSRF token
                          // included) is a question of who you are, not of what you may do.
                          Authentication who =
                              SecurityContextHolder.getContext().getAuthentication();
                          if (who == null || who instanceof AnonymousAuthenticationToken) {
                            unauthorized(problems, request, response);
                          } else {
                            problems.write(
                                request,
                                response,
                                Problems.problem(
                                    HttpStatus.FORBIDDEN,
                                    "forbidden",
                                    "Your role does not allow this."));
                          }
                        },
                        AnyRequestMatcher.INSTANCE))
        .headers(
            headers ->
                headers
                    .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                    .referrerPolicy(
                        referrer ->
                            referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN))
                    .frameOptions(frame -> frame.deny())
                    .addHeaderWriter(
                        new StaticHeadersWriter(
                            "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=(), payment=(), usb=()")))
        .addFilterAfter(
            new DatabaseAvailabilityFilter(
                database, problems, clock, properties.database().retryMaxBackoff()),
            CorsFilter.class);
    return http.build();
  }

  private static CorsFilter corsFilter(PlatformProperties properties, Problems problems) {
    CorsFilter filter = new CorsFilter(cors(properties));
    filter.setCorsProcessor(
        new DefaultCorsProcessor() {
          @Override
          protected void rejectRequest(ServerHttpResponse response) throws IOException {
            // Spring's default answers a refused origin with a plain-text body.
            response.setStatusCode(HttpStatus.FORBIDDEN);
            response.getHeaders().setContentType(Problems.PROBLEM_JSON);
            response
                .getBody()
                .write(
                    problems.json(
                        Problems.problem(
                            HttpStatus.FORBIDDEN,
                            "cors-origin-refused",
                            "This origin may not call the Tocsin API from a browser. Operators"
                                + " allow origins with TOCSIN_CORS_ALLOWED_ORIGINS.")));
            response.flush();
          }
        });
    return filter;
  }

  private static CorsConfigurationSource cors(PlatformProperties properties) {
    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
    List<String> origins = properties.cors().allowedOrigins();
    if (!origins.isEmpty()) {
      CorsConfiguration api = new CorsConfiguration();
      api.setAllowedOriginPatterns(origins);
      api.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
      api.setAllowedHeaders(List.of("Authorization", "Content-Type", RequestIdFilter.HEADER));
      api.setExposedHeaders(List.of(RequestIdFilter.HEADER, "Retry-After", "Location"));
      api.setMaxAge(3600L);
      source.registerCorsConfiguration("/api/**", api);
      source.registerCorsConfiguration("/v2/**", api);
    }
    return source;
  }

  private static void unauthorized(
      Problems problems,
      jakarta.servlet.http.HttpServletRequest request,
      jakarta.servlet.http.HttpServletResponse response)
      throws IOException {
    response.setHeader("WWW-Authenticate", "Bearer realm=\"tocsin\"");
    problems.write(
        request,
        response,
        Problems.problem(
            HttpStatus.UNAUTHORIZED,
            "unauthenticated",
            "Sign in or send an API token (Authorization: Bearer ...) to use this endpoint."));
  }
}
