package io.tocsin.web;

import io.tocsin.platform.HttpSecurityContribution;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * The pages answer anyone, so that a visitor without a session is sent to the sign-in page (the API
 * answers 401 instead); each page checks who is signed in. Actions on pages are POSTs that need a
 * session, the CSRF token and the role the same action needs through the API.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurity {

  static final String[] PAGES = {
    "/",
    "/login",
    "/setup",
    "/profile",
    "/incidents",
    "/incidents/**",
    "/alerts",
    "/silences",
    "/silences/**",
    "/oncall",
    "/schedules",
    "/schedules/**",
    "/policies",
    "/policies/**",
    "/services",
    "/services/**",
    "/reports",
    "/reports/**",
    "/admin",
    "/admin/**"
  };

  @Bean
  static HttpSecurityContribution pagesRedirectToSignIn() {
    PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
    return http ->
        http.authorizeHttpRequests(
            requests -> {
              for (String page : PAGES) {
                requests.requestMatchers(paths.matcher(HttpMethod.GET, page)).permitAll();
              }
              requests
                  .requestMatchers(
                      paths.matcher(HttpMethod.GET, "/web/**"),
                      paths.matcher(HttpMethod.GET, "/webjars/**"))
                  .permitAll();
            });
  }
}
