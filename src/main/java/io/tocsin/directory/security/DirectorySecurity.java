package io.tocsin.directory.security;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.DirectoryProperties;
import io.tocsin.directory.SignedInUser;
import io.tocsin.directory.UserService;
import io.tocsin.directory.sso.SsoProperties;
import io.tocsin.directory.sso.SsoSignOut;
import io.tocsin.directory.token.ApiTokenService;
import io.tocsin.platform.HttpSecurityContribution;
import io.tocsin.platform.ProblemResponses;
import io.tocsin.platform.RateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * How users prove who they are: an API token ({@code Authorization: Bearer tcn_...}) on any call,
 * and email and password (HTTP basic) on {@code POST /api/v1/tokens} only, so a script can get its
 * first token. A failed attempt is not answered here: the request goes on anonymous and platform's
 * entry point answers 401 with a problem body. Browsers sign in with a form and then ride on a
 * session, which is checked against the user's row on every request.
 */
@Configuration(proxyBeanMethods = false)
class DirectorySecurity {

  static final RequestMatcher TOKEN_CREATION =
      PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/api/v1/tokens");
  static final String LOGIN_PATH = "/login";

  /** The request attribute that carries the throttle's decision to the success handlers. */
  static final String THROTTLE_ATTEMPT = SignInThrottle.Attempt.class.getName();

  static final RequestMatcher FORM_LOGIN =
      PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, LOGIN_PATH);
  static final RequestMatcher BASIC_TOKEN_CREATION =
      request -> TOKEN_CREATION.matches(request) && isBasic(request.getHeader("Authorization"));
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
      UserService accounts,
      PasswordEncoder passwords,
      ApiTokenService tokens,
      AuditLog audit,
      SignInThrottle throttle,
      ProblemResponses problems,
      Clock clock,
      DirectoryProperties settings,
      SsoProperties sso,
      SsoSignOut ssoSignOut) {
    DaoAuthenticationProvider provider =
        new DaoAuthenticationProvider(passwordAccounts(users, sso));
    provider.setPasswordEncoder(passwords);
    AuthenticationManager passwordsOnly = new ProviderManager(provider);
    RateLimiter tokenLimits = new RateLimiter(settings.rateLimit().apiTokenPerMinute(), clock);
    return http ->
        http.authenticationManager(passwordsOnly)
            .authorizeHttpRequests(requests -> requests.requestMatchers(SETUP).permitAll())
            // Before the first admin exists there is no session to ride on, so nothing to forge.
            // Basic credentials on token creation either authenticate the request or leave it
            // anonymous (the session's identity is cleared), so they cannot ride on a session.
            .csrf(csrf -> csrf.ignoringRequestMatchers(SETUP, BASIC_TOKEN_CREATION))
            .formLogin(
                form ->
                    form.loginPage(LOGIN_PATH)
                        .loginProcessingUrl(LOGIN_PATH)
                        .successHandler(
                            (request, response, authentication) -> {
                              SignedInUser user =
                                  (SignedInUser)
                                      Objects.requireNonNull(authentication.getPrincipal());
                              succeeded(
                                  throttle,
                                  request,
                                  Objects.toString(request.getParameter("username"), ""));
                              audit.record(
                                  "login.succeeded", "user " + user.id(), "browser sign-in");
                              // Sign-in rotates the CSRF token; send the new one with this answer.
                              if (request.getAttribute(CsrfToken.class.getName())
                                  instanceof CsrfToken csrf) {
                                csrf.getToken();
                              }
                              response.setStatus(HttpServletResponse.SC_NO_CONTENT);
                            })
                        .failureHandler(
                            (request, response, failure) -> {
                              String account =
                                  Objects.toString(request.getParameter("username"), "");
                              audit.recordAs(
                                  truncated(account),
                                  "login.failed",
                                  null,
                                  "browser sign-in refused");
                              if (passwordsOff(failure)) {
                                problems.write(
                                    request,
                                    response,
                                    HttpStatus.UNAUTHORIZED,
                                    "password-sign-in-off",
                                    PASSWORDS_OFF);
                                return;
                              }
                              problems.write(
                                  request,
                                  response,
                                  HttpStatus.UNAUTHORIZED,
                                  "sign-in-failed",
                                  "The email or the password is wrong.");
                            })
                        .permitAll())
            .logout(
                logout ->
                    logout
                        .logoutUrl("/logout")
                        .addLogoutHandler(ssoSignOut)
                        .logoutSuccessHandler(
                            (request, response, authentication) -> {
                              // The console's sign-out button is a form a browser posts and then
                              // shows the answer of; a script or a client is told 204 as before.
                              String accept = request.getHeader("Accept");
                              String providerSignOut = ssoSignOut.providerSignOut(request);
                              if (accept != null && accept.contains("text/html")) {
                                response.sendRedirect(
                                    providerSignOut != null
                                        ? providerSignOut
                                        : request.getContextPath() + "/login?signedOut");
                              } else {
                                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
                              }
                            }))
            // After platform's database check, which answers 503 while the row cannot be read, and
            // before CSRF and logout, so that a void session is already gone for both.
            .addFilterBefore(new SessionVersionFilter(accounts, audit), CsrfFilter.class)
            .addFilterBefore(
                new SignInThrottleFilter(throttle, audit, problems),
                UsernamePasswordAuthenticationFilter.class)
            // Also before CSRF, which exempts only requests this filter authenticated.
            .addFilterBefore(new BearerTokenFilter(tokens, tokenLimits, problems), CsrfFilter.class)
            .addFilterAt(
                new TokenCreationBasicFilter(passwordsOnly, audit, throttle),
                BasicAuthenticationFilter.class);
  }

  private static final String PASSWORDS_OFF =
      "Signing in with a password is turned off here: use your company's sign-in.";

  /**
   * The accounts a password signs in: all of them, or with local passwords off only the break-glass
   * admin, who must get in while the identity provider is down.
   */
  private static UserDetailsService passwordAccounts(UserDetailsService users, SsoProperties sso) {
    if (sso.localPasswords()) {
      return users;
    }
    String breakGlass = sso.breakGlassAdmin().trim();
    return email -> {
      if (!email.trim().equalsIgnoreCase(breakGlass)) {
        throw new DisabledException(PASSWORDS_OFF);
      }
      return users.loadUserByUsername(email);
    };
  }

  private static boolean passwordsOff(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof DisabledException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Counts each password sign-in, by form or by basic credentials, before its password is checked,
   * and refuses it while the account or the address is throttled: parallel guesses cannot slip past
   * the count while their passwords are being checked.
   */
  static final class SignInThrottleFilter extends OncePerRequestFilter {

    private final SignInThrottle throttle;
    private final AuditLog audit;
    private final ProblemResponses problems;
    private final BasicAuthenticationConverter credentials = new BasicAuthenticationConverter();

    SignInThrottleFilter(SignInThrottle throttle, AuditLog audit, ProblemResponses problems) {
      this.throttle = throttle;
      this.audit = audit;
      this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      return !TOKEN_CREATION.matches(request) && !FORM_LOGIN.matches(request);
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String account = null;
      if (FORM_LOGIN.matches(request)) {
        account = request.getParameter("username");
      } else {
        UsernamePasswordAuthenticationToken attempt = credentials.convert(request);
        account = attempt == null ? null : attempt.getName();
      }
      if (account != null) {
        SignInThrottle.Attempt attempt = throttle.attempt(account, request.getRemoteAddr());
        request.setAttribute(THROTTLE_ATTEMPT, attempt);
        if (attempt instanceof SignInThrottle.Blocked blocked) {
          audit.recordAs(
              truncated(account),
              "login.throttled",
              null,
              "password sign-in refused while throttled");
          tooManyRequests(
              problems,
              request,
              response,
              blocked.retryAfter(),
              "sign-in-throttled",
              "Too many failed sign-ins for this account or from this address; try again later.");
          return;
        }
      }
      chain.doFilter(request, response);
    }
  }

  /**
   * Ends a browser session whose user has been deleted or whose session version has moved on (a
   * role or password change, on any node): the request goes on anonymous, so pages send it to the
   * sign-in page and API calls are answered 401.
   */
  static final class SessionVersionFilter extends OncePerRequestFilter {

    private final UserService accounts;
    private final AuditLog audit;

    SessionVersionFilter(UserService accounts, AuditLog audit) {
      this.accounts = accounts;
      this.audit = audit;
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      HttpSession session = request.getSession(false);
      SecurityContext context = SecurityContextHolder.getContext();
      if (session != null
          && context.getAuthentication() != null
          && context.getAuthentication().getPrincipal() instanceof SignedInUser signedIn
          && signedIn.sessionVersion() != null
          && !accounts
              .signedIn(signedIn.id())
              .map(SignedInUser::sessionVersion)
              .filter(signedIn.sessionVersion()::equals)
              .isPresent()) {
        SecurityContextHolder.clearContext();
        if (ended(session)) {
          audit.recordAs(
              signedIn.email(),
              "session.ended",
              "user " + signedIn.id(),
              "browser session ended: the user's role or password changed, or the user was"
                  + " deleted");
        }
      }
      chain.doFilter(request, response);
    }

    /** Whether this request ended the session, rather than a parallel request of the same one. */
    private static boolean ended(HttpSession session) {
      try {
        session.invalidate();
        return true;
      } catch (IllegalStateException alreadyInvalidated) {
        return false;
      }
    }
  }

  /** Authenticates {@code Authorization: Bearer} API tokens. */
  static final class BearerTokenFilter extends OncePerRequestFilter {

    /** What a read-only token may send: the methods that change nothing. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

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
          if (found.get().readOnly() && !SAFE_METHODS.contains(request.getMethod())) {
            problems.write(
                request,
                response,
                HttpStatus.FORBIDDEN,
                "read-only-token",
                "This API token may only read; create a token without readOnly to change things.");
            return;
          }
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
          request.setAttribute(HttpSecurityContribution.AUTHENTICATED_BY_HEADER, Boolean.TRUE);
          SignedInUser signedIn = found.get().user();
          UsernamePasswordAuthenticationToken authentication =
              UsernamePasswordAuthenticationToken.authenticated(
                  signedIn, null, signedIn.getAuthorities());
          // The token itself, so that a token it creates cannot outlive it.
          authentication.setDetails(found.get());
          SecurityContextHolder.getContext().setAuthentication(authentication);
        }
      }
      chain.doFilter(request, response);
    }
  }

  /** HTTP basic, on the one endpoint that takes it, with every attempt in the audit trail. */
  static final class TokenCreationBasicFilter extends BasicAuthenticationFilter {

    private final AuditLog audit;
    private final SignInThrottle throttle;
    private final BasicAuthenticationConverter credentials = new BasicAuthenticationConverter();

    TokenCreationBasicFilter(
        AuthenticationManager passwords, AuditLog audit, SignInThrottle throttle) {
      super(passwords);
      this.audit = audit;
      this.throttle = throttle;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      return !TOKEN_CREATION.matches(request);
    }

    // Spring skips the password check when the session is already signed in as the same user; a
    // request that names a password must have it checked, or it would ride on the session.
    @Override
    protected boolean authenticationIsRequired(String username) {
      return true;
    }

    @Override
    protected void onSuccessfulAuthentication(
        HttpServletRequest request, HttpServletResponse response, Authentication result) {
      SignedInUser user = (SignedInUser) Objects.requireNonNull(result.getPrincipal());
      UsernamePasswordAuthenticationToken attempt = credentials.convert(request);
      if (attempt != null) {
        succeeded(throttle, request, attempt.getName());
      }
      audit.record("login.succeeded", "user " + user.id(), "password sign-in");
    }

    @Override
    protected void onUnsuccessfulAuthentication(
        HttpServletRequest request, HttpServletResponse response, AuthenticationException failed) {
      UsernamePasswordAuthenticationToken attempt = credentials.convert(request);
      audit.recordAs(
          attempt == null ? "anonymous" : truncated(attempt.getName()),
          "login.failed",
          null,
          "password sign-in refused");
    }
  }

  /** Tells the throttle that the attempt it counted for this request was right. */
  private static void succeeded(
      SignInThrottle throttle, HttpServletRequest request, String account) {
    if (request.getAttribute(THROTTLE_ATTEMPT) instanceof SignInThrottle.Allowed allowed) {
      throttle.succeeded(account, request.getRemoteAddr(), allowed);
    }
  }

  private static boolean isBasic(@Nullable String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
  }

  private static String truncated(String account) {
    return account.length() > 320 ? account.substring(0, 320) : account;
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
