package io.tocsin.web;

import io.tocsin.platform.HttpSecurityContribution;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.util.UriUtils;

/**
 * Who may see the console's pages, in one place: administration ({@code /admin/**}) is for admins,
 * every other page for anyone signed in, and only the sign-in page, first-run setup and the
 * console's own files are open. A page handler never checks who is signed in to decide whether to
 * answer; it uses the signed-in user only for what it shows. A browser that is not signed in is
 * sent to the sign-in page, which brings it back afterwards; one whose role may not see a page gets
 * the "not allowed" page with 403. The API keeps answering 401 and 403 with problem details.
 * Actions on pages are POSTs that need a session, the CSRF token and the role the same action needs
 * through the API ({@code @PreAuthorize} on the handler).
 */
@Configuration(proxyBeanMethods = false)
class WebSecurity {

  /** Where a page the chain refused is forwarded to, to be answered with the "not allowed" page. */
  static final String REFUSED_PAGE = "/refused";

  /**
   * The files of the console, which the sign-in page needs before anyone is signed in, and the icon
   * a browser asks for on its own.
   */
  private static final String[] FILES = {
    "/web/*.css", "/web/*.js", "/web/*.svg", "/web/*.ico", "/favicon.ico", "/webjars/**"
  };

  private static final String SIGN_IN = "/login";

  @Bean
  static HttpSecurityContribution pageAccess() {
    PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
    RequestMatcher pages = pageRequests(paths);
    AccessDeniedHandlerImpl refused = new AccessDeniedHandlerImpl();
    refused.setErrorPage(REFUSED_PAGE);
    return http ->
        http.authorizeHttpRequests(
                requests -> {
                  requests
                      .requestMatchers(
                          paths.matcher(HttpMethod.GET, SIGN_IN),
                          paths.matcher(HttpMethod.GET, "/setup"))
                      .permitAll();
                  for (String files : FILES) {
                    requests.requestMatchers(paths.matcher(HttpMethod.GET, files)).permitAll();
                  }
                  // Every method: a forged POST by a responder is refused here before its handler's
                  // @PreAuthorize refuses it again.
                  requests.requestMatchers(paths.matcher("/admin/**")).hasRole("ADMIN");
                  // Anything else, pages included, needs a signed-in user: platform's last rule.
                })
            .exceptionHandling(
                exceptions ->
                    exceptions
                        .defaultAuthenticationEntryPointFor(
                            (request, response, e) -> signInFirst(request, response), pages)
                        .defaultAccessDeniedHandlerFor(refused, pages));
  }

  /**
   * What a browser asks for when it opens a page: a GET outside the API that accepts HTML. An event
   * stream, an htmx fragment, {@code curl} and every API call keep platform's 401 and 403 problem
   * answers, which they can read.
   */
  private static RequestMatcher pageRequests(PathPatternRequestMatcher.Builder paths) {
    MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
    // "*/*" accepts HTML too, but it is what a program sends.
    html.setIgnoredMediaTypes(Set.of(MediaType.ALL));
    return new AndRequestMatcher(
        paths.matcher(HttpMethod.GET, "/**"),
        new NegatedRequestMatcher(paths.matcher("/api/**")),
        html);
  }

  /** To the sign-in page, which comes back to the page asked for ({@code next}) once signed in. */
  private static void signInFirst(HttpServletRequest request, HttpServletResponse response) {
    String wanted = request.getRequestURI();
    if (request.getQueryString() != null) {
      wanted += "?" + request.getQueryString();
    }
    response.setStatus(HttpServletResponse.SC_FOUND);
    response.setHeader(
        "Location",
        request.getContextPath()
            + SIGN_IN
            + "?next="
            + UriUtils.encodeQueryParam(wanted, StandardCharsets.UTF_8));
  }
}
