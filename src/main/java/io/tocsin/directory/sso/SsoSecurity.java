package io.tocsin.directory.sso;

import io.tocsin.directory.AuditLog;
import io.tocsin.directory.SignedInUser;
import io.tocsin.platform.HttpSecurityContribution;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2LoginAuthenticationFilter;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.web.client.ResourceAccessException;

/**
 * Sign-in through the configured providers: the authorization code flow with PKCE, the ID token
 * checked by Spring Security (signature against the provider's keys, issuer, audience, expiry and
 * the nonce of this sign-in; the state is used once), then the Tocsin account found or created. The
 * session that results is the same as a password's: it carries a {@link SignedInUser}, so every
 * check downstream, and the end of a session when the user's role changes, work alike.
 */
@Configuration(proxyBeanMethods = false)
class SsoSecurity {

  /** Where a provider's button starts its sign-in: {@code /oauth2/authorization/<key>}. */
  static final String AUTHORIZATION_PATH = "/oauth2/authorization";

  /** Where providers send the browser back: {@code /login/oauth2/code/<key>}. */
  static final String CALLBACK_PATH = "/login/oauth2/code";

  private static final Log log = LogFactory.getLog(SsoSecurity.class);

  /** Our own error code for a sign-in that lost a race with another of the same person. */
  private static final String AT_ONCE = "tocsin_signed_in_at_once";

  /** Our own error code, for a person the provider knows but Tocsin does not let in. */
  private static final String REFUSED = "tocsin_refused";

  @Bean
  HttpSecurityContribution singleSignOn(
      SsoProperties settings,
      SsoAccounts accounts,
      SsoSignOut signOut,
      AuditLog audit,
      Clock clock) {
    if (settings.providers().isEmpty()) {
      return http -> {};
    }
    SsoRegistrations registrations = new SsoRegistrations(settings, clock);
    DefaultOAuth2AuthorizationRequestResolver requests =
        new DefaultOAuth2AuthorizationRequestResolver(registrations, AUTHORIZATION_PATH);
    // PKCE for confidential clients too, as OAuth 2.1 asks: a stolen code is useless without the
    // verifier this browser's session holds.
    requests.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    // Its own manager: the chain's is the password sign-in's alone (see DirectorySecurity).
    RestClientAuthorizationCodeTokenResponseClient tokens =
        new RestClientAuthorizationCodeTokenResponseClient();
    tokens.setRestClient(ProviderCalls.tokens());
    OidcAuthorizationCodeAuthenticationProvider codes =
        new OidcAuthorizationCodeAuthenticationProvider(tokens, people(accounts));
    codes.setJwtDecoderFactory(idTokenDecoders());
    AuthenticationManager signIns = new ProviderManager(codes);
    return http ->
        http.oauth2Login(
            login ->
                login
                    .loginPage("/login")
                    .clientRegistrationRepository(registrations)
                    // In the session, not in memory for ever: Tocsin keeps no provider tokens.
                    .authorizedClientRepository(new HttpSessionOAuth2AuthorizedClientRepository())
                    .authorizationEndpoint(
                        endpoint ->
                            endpoint
                                .baseUri(AUTHORIZATION_PATH)
                                .authorizationRequestResolver(requests))
                    .redirectionEndpoint(endpoint -> endpoint.baseUri(CALLBACK_PATH + "/*"))
                    .withObjectPostProcessor(
                        new ObjectPostProcessor<OAuth2LoginAuthenticationFilter>() {
                          @Override
                          public <O extends OAuth2LoginAuthenticationFilter> O postProcess(
                              O filter) {
                            filter.setAuthenticationManager(signIns);
                            return filter;
                          }
                        })
                    .successHandler(
                        (request, response, authentication) -> {
                          OAuth2AuthenticationToken token =
                              (OAuth2AuthenticationToken) authentication;
                          SsoUser user = (SsoUser) token.getPrincipal();
                          ClientRegistration provider =
                              registrations.findByRegistrationId(
                                  token.getAuthorizedClientRegistrationId());
                          if (provider != null) {
                            signOut.signedIn(request, provider, user.getIdToken().getTokenValue());
                          }
                          signedIn(request, response, user.signedIn());
                        })
                    .failureHandler(
                        (request, response, failure) ->
                            failed(request, response, failure, accounts, audit))
                    .withObjectPostProcessor(
                        new ObjectPostProcessor<OAuth2AuthorizationRequestRedirectFilter>() {
                          @Override
                          public <O extends OAuth2AuthorizationRequestRedirectFilter> O postProcess(
                              O filter) {
                            // A provider that cannot be reached: the sign-in page says so, where
                            // Spring would answer 500.
                            filter.setAuthenticationFailureHandler(
                                (request, response, failure) ->
                                    failed(request, response, failure, accounts, audit));
                            return filter;
                          }
                        }));
  }

  /** Spring's checks of the ID token and the user info, then the Tocsin account. */
  /**
   * ID tokens checked as Spring Security's own decoders check them (signature against the published
   * keys, issuer, audience, expiry, nonce), with the keys read within {@link
   * ProviderCalls#TIMEOUT}; one decoder per provider, which keeps the keys it has read.
   */
  private static JwtDecoderFactory<ClientRegistration> idTokenDecoders() {
    Map<String, JwtDecoder> decoders = new ConcurrentHashMap<>();
    return registration ->
        decoders.computeIfAbsent(
            registration.getRegistrationId(),
            key -> {
              String keys = registration.getProviderDetails().getJwkSetUri();
              if (keys == null || keys.isBlank()) {
                throw new OAuth2AuthenticationException(
                    new OAuth2Error(
                        "missing_signature_verifier",
                        key + " publishes no signing keys (jwks_uri)",
                        null));
              }
              NimbusJwtDecoder decoder =
                  NimbusJwtDecoder.withJwkSetUri(keys).restOperations(ProviderCalls.keys()).build();
              decoder.setJwtValidator(
                  JwtValidators.createDefaultWithValidators(
                      new OidcIdTokenValidator(registration)));
              decoder.setClaimSetConverter(
                  OidcIdTokenDecoderFactory.createDefaultClaimTypeConverter());
              return decoder;
            });
  }

  private static OAuth2UserService<OidcUserRequest, OidcUser> people(SsoAccounts accounts) {
    DefaultOAuth2UserService userInfo = new DefaultOAuth2UserService();
    userInfo.setRestOperations(ProviderCalls.userInfo());
    OidcUserService standard = new OidcUserService();
    standard.setOauth2UserService(userInfo);
    return request -> {
      OidcUser person = standard.loadUser(request);
      String provider = request.getClientRegistration().getRegistrationId();
      try {
        return new SsoUser(person, accounts.signIn(provider, person.getAttributes()));
      } catch (SsoAccounts.Refused e) {
        throw new OAuth2AuthenticationException(
            new OAuth2Error(REFUSED, e.getMessage(), null), e.getMessage());
      } catch (SsoAccounts.AtOnce
          | DataIntegrityViolationException
          | ConcurrencyFailureException e) {
        // The same person's first sign-in in two tabs at once: one account was made, this try lost.
        throw new OAuth2AuthenticationException(new OAuth2Error(AT_ONCE), e.getMessage(), e);
      }
    };
  }

  /**
   * Replaces the provider's principal by the Tocsin user, in this request and in the session, and
   * opens the dashboard.
   */
  private static void signedIn(
      HttpServletRequest request, HttpServletResponse response, SignedInUser user)
      throws IOException {
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(
        UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities()));
    SecurityContextHolder.setContext(context);
    new HttpSessionSecurityContextRepository().saveContext(context, request, response);
    response.sendRedirect(request.getContextPath() + "/");
  }

  private static void failed(
      HttpServletRequest request,
      HttpServletResponse response,
      AuthenticationException failure,
      SsoAccounts accounts,
      AuditLog audit)
      throws IOException {
    String provider = providerOf(request);
    String label = provider == null ? "The identity provider" : accounts.label(provider);
    String code =
        failure instanceof OAuth2AuthenticationException oauth
            ? oauth.getError().getErrorCode()
            : "unavailable";
    if (REFUSED.equals(code)) {
      log.info("Sign-in through " + label + " refused: " + failure.getMessage());
    } else {
      // An operator reading the log sees why, with the cause the person is not shown.
      log.warn("Sign-in through " + label + " failed (" + code + ")", failure);
    }
    audit.recordAs(
        "anonymous",
        "login.failed",
        null,
        "sign-in through " + label + " refused (" + code + "): " + failure.getMessage());
    request.getSession().setAttribute(SsoProviders.FAILURE, explain(label, code, failure));
    response.sendRedirect(request.getContextPath() + "/login?failed");
  }

  /** What the sign-in page tells the person, in words they can act on. */
  static String explain(String label, String code, AuthenticationException failure) {
    if (REFUSED.equals(code)) {
      return Objects.requireNonNullElse(failure.getMessage(), label + " refused the sign-in.");
    }
    if (causedBy(failure, SsoRegistrations.Unreachable.class)
        || causedBy(failure, ResourceAccessException.class)) {
      return "Tocsin cannot reach "
          + label
          + " right now. Try again in a minute; if it is down, an admin can still sign in with a"
          + " password.";
    }
    if (AT_ONCE.equals(code)) {
      return "Another sign-in of this account happened at the same moment. Start again.";
    }
    if ("authorization_request_not_found".equals(code)) {
      return "This sign-in had already been used or had expired. Start again.";
    }
    if ("access_denied".equals(code)) {
      return label + " did not sign you in. Start again if you meant to.";
    }
    return label
        + "'s answer did not pass Tocsin's checks ("
        + code
        + "). Start again; if it happens again, tell your admin.";
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> kind) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (kind.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /** The provider key in the path of a sign-in's start or return. */
  private static @Nullable String providerOf(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    for (String base : new String[] {AUTHORIZATION_PATH + "/", CALLBACK_PATH + "/"}) {
      if (path.startsWith(base) && path.length() > base.length()) {
        return path.substring(base.length());
      }
    }
    return null;
  }

  /** The provider's person, with the Tocsin user the sign-in found or created. */
  static final class SsoUser extends DefaultOidcUser {

    private static final long serialVersionUID = 1L;

    private final SignedInUser signedIn;

    SsoUser(OidcUser person, SignedInUser signedIn) {
      super(signedIn.getAuthorities(), person.getIdToken(), person.getUserInfo(), "sub");
      this.signedIn = signedIn;
    }

    SignedInUser signedIn() {
      return signedIn;
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof SsoUser user && super.equals(user) && signedIn.equals(user.signedIn);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }
}
