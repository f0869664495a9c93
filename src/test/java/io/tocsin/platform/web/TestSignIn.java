package io.tocsin.platform.web;

import io.tocsin.platform.HttpSecurityContribution;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Signs in real HTTP requests that carry {@code Authorization: Test <name>}, the way MockMvc's
 * {@code user()} does, so these tests reach the servlet container's error dispatch without the
 * directory module. Like an API token it authenticates by the Authorization header, and says so the
 * same way, so CSRF rules treat it alike. Test sources only.
 */
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class TestSignIn extends OncePerRequestFilter {

  static final String SCHEME = "Test ";

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (header != null && header.startsWith(SCHEME)) {
      String user = header.substring(SCHEME.length());
      request.setAttribute(HttpSecurityContribution.AUTHENTICATED_BY_HEADER, Boolean.TRUE);
      request.setAttribute(
          RequestAttributeSecurityContextRepository.DEFAULT_REQUEST_ATTR_NAME,
          new SecurityContextImpl(
              UsernamePasswordAuthenticationToken.authenticated(user, null, List.of())));
    }
    chain.doFilter(request, response);
  }
}
