package io.tocsin.directory.security;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.token.ApiTokenService;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.ProblemResponses;
import io.tocsin.platform.RateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * How users prove who they are: an API token ({@code Authorization: Bearer tcn_...}) on any call,
 * and email and password (HTTP basic) on {@code POST /api/v1/tokens} only, so a script can get its
 * first token. A failed attempt is not answered here: the request goes on anonymous and platform's
 * entry point answers 401 with a problem body.
 */
@Configuration(proxyBeanMethods = false)
class DirectorySecurity {

  static final RequestMatcher TOKEN_CREATION =
      PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v1/tokens");
  static final RequestMatcher SETUP =
      PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v1/setup");

  @Bean
  PasswordEncoder passwordEncoder() {
    // Delegating: hashes carry their algorithm ({bcrypt}...), so the default can move on later
    // without invalidating stored passwords.
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  @Bean
  static RoleHierarchy roleHierarchy() {
    return RoleHierarchyImpl.fromHierarchy(
        "ROLE_ADMIN > ROLE_RESPONDER\nROLE_RESPONDER > ROLE_VIEWER");
  }

  @Bean
  HttpSecurityContribution directoryAuthentication(
      UserDetailsService users,
      PasswordEncoder passwords,
      ApiTokenService tokens,
      AuditLog audit,
      SignInThrottle throttle,
      ProblemResponses problems,
      Clock clock,
      @Value("${tocsin.rate-limit.api-token-per-minute:600}") int tokenRequestsPerMinute) {
    DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
    provider.setPasswordEncoder(passwords);
    AuthenticationManager passwordsOnly = new ProviderManager(provider);
    RateLimiter tokenLimits = new RateLimiter(tokenRequestsPerMinute, clock);
    return http ->
        http.authorizeHttpRequests(requests -> requests.requestMatchers(SETUP).permitAll())
            .addFilterBefore(
                new BearerTokenFilter(tokens, tokenLimits, problems),
                BasicAuthenticationFilter.class)
            .addFilterAt(
                new TokenCreationBasicFilter(passwordsOnly, audit, throttle, problems),
                BasicAuthenticationFilter.class);
  }

  /** Authenticates {@code Authorization: Bearer} API tokens. */
  static final class BearerTokenFilter extends OncePerRequestFilter {

    private final ApiTokenService tokens;
    private final RateLimiter limits;
    private final ProblemResponses problems;

    BearerTokenFilter(ApiTokenService tokens, RateLimiter limits, ProblemResponses problems) {
      this.tokens = tokens;
      this.limits = limits;
      this.problems = problems;
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String header = request.getHeader("Authorization");
      if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        Optional<ApiTokenService.Authenticated> found =
            tokens.authenticate(header.substring(7).trim());
        if (found.isPresent()) {
          Optional<Duration> wait = limits.acquire(found.get().tokenId().toString());
          if (wait.isPresent()) {
            tooManyRequests(
                problems,
                request,
                response,
                wait.get(),
                "rate-limited",
                "This API token has made too many requests; slow down.");
            return;
          }
          SignedInUser signedIn = found.get().user();
          SecurityContextHolder.getContext()
              .setAuthentication(
                  UsernamePasswordAuthenticationToken.authenticated(
                      signedIn, null, signedIn.getAuthorities()));
        }
      }
      chain.doFilter(request, response);
    }
  }

  /** HTTP basic, on the one endpoint that takes it, with every attempt in the audit trail. */
  static final class TokenCreationBasicFilter extends BasicAuthenticationFilter {

    private final AuditLog audit;
    private final SignInThrottle throttle;
    private final ProblemResponses problems;
    private final BasicAuthenticationConverter credentials = new BasicAuthenticationConverter();

    TokenCreationBasicFilter(
        AuthenticationManager passwords,
        AuditLog audit,
        SignInThrottle throttle,
        ProblemResponses problems) {
      super(passwords);
      this.audit = audit;
      this.throttle = throttle;
      this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      return !TOKEN_CREATION.matches(request);
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      UsernamePasswordAuthenticationToken attempt = credentials.convert(request);
      if (attempt != null) {
        Optional<Duration> blocked =
            throttle.blockedFor(attempt.getName(), request.getRemoteAddr());
        if (blocked.isPresent()) {
          // Refused before the password is even checked, so guessing gains nothing meanwhile.
          audit.recordAs(
              account(attempt),
              "login.throttled",
              null,
              "password sign-in refused while throttled");
          tooManyRequests(
              problems,
              request,
              response,
              blocked.get(),
              "sign-in-throttled",
              "Too many failed sign-ins for this account or from this address; try again later.");
          return;
        }
      }
      super.doFilterInternal(request, response, chain);
    }

    @Override
    protected void onSuccessfulAuthentication(
        HttpServletRequest request, HttpServletResponse response, Authentication result) {
      SignedInUser user = (SignedInUser) result.getPrincipal();
      throttle.succeeded(user.email());
      audit.record("login.succeeded", "user " + user.id(), "password sign-in");
    }

    @Override
    protected void onUnsuccessfulAuthentication(
        HttpServletRequest request, HttpServletResponse response, AuthenticationException failed) {
      UsernamePasswordAuthenticationToken attempt = credentials.convert(request);
      if (attempt != null) {
        throttle.failed(attempt.getName(), request.getRemoteAddr());
      }
      audit.recordAs(
          attempt == null ? "anonymous" : account(attempt),
          "login.failed",
          null,
          "password sign-in refused");
    }
  }

  private static String account(UsernamePasswordAuthenticationToken attempt) {
    String name = attempt.getName();
    return name.length() > 320 ? name.substring(0, 320) : name;
  }

  private static void tooManyRequests(
      ProblemResponses problems,
      HttpServletRequest request,
      HttpServletResponse response,
      Duration wait,
      String type,
      String detail)
      throws IOException {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    response.setHeader("Retry-After", Long.toString(seconds));
    problems.write(
        request,
        response,
        HttpStatus.TOO_MANY_REQUESTS,
        type,
        detail + " Retry after " + seconds + " s.");
  }
}
