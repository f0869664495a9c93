package io.tocsin.directory.sso;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.web.client.RestClient;

/**
 * The configured providers as Spring Security's client registrations, each read from its discovery
 * document the first time someone signs in through it rather than at start: Tocsin must start and
 * page while a provider is down, and a provider that cannot be reached fails only its own sign-in
 * button. A failed discovery is tried again at most every ten seconds.
 */
final class SsoRegistrations implements ClientRegistrationRepository {

  private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private final SsoProperties settings;
  private final Clock clock;
  private final Map<String, ClientRegistration> discovered = new ConcurrentHashMap<>();
  private final Map<String, Failure> failed = new ConcurrentHashMap<>();
  private final RestClient discovery = ProviderCalls.discovery();

  private record Failure(Instant at, RuntimeException cause) {}

  /** Discovery of a provider failed: the sign-in page says so. */
  static final class Unreachable extends RuntimeException {
    Unreachable(String provider, Throwable cause) {
      super("cannot read the discovery document of " + provider + ": " + cause.getMessage(), cause);
    }
  }

  SsoRegistrations(SsoProperties settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** The provider's registration; null for a key no provider has; {@link Unreachable} when down. */
  @Override
  public @Nullable ClientRegistration findByRegistrationId(String key) {
    SsoProperties.Provider provider = settings.providers().get(key);
    if (provider == null) {
      return null;
    }
    ClientRegistration known = discovered.get(key);
    if (known != null) {
      return known;
    }
    Failure last = failed.get(key);
    if (last != null && clock.instant().isBefore(last.at().plus(RETRY_AFTER))) {
      throw new Unreachable(key, last.cause());
    }
    try {
      ClientRegistration.Builder builder =
          ClientRegistrations.fromOidcConfiguration(discover(provider));
      if (provider.clientSecret().isBlank()) {
        // A public client, such as one a provider registers for a single-page app: PKCE alone
        // binds the code to this sign-in.
        builder.clientAuthenticationMethod(ClientAuthenticationMethod.NONE);
      }
      ClientRegistration registration =
          builder
              .registrationId(key)
              .clientId(provider.clientId())
              .clientSecret(provider.clientSecret())
              .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
              .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
              .scope(provider.scopes())
              .clientName(provider.label(key))
              .build();
      discovered.put(key, registration);
      failed.remove(key);
      return registration;
    } catch (RuntimeException e) {
      failed.put(key, new Failure(clock.instant(), e));
      throw new Unreachable(key, e);
    }
  }

  /**
   * The provider's OpenID configuration, read within {@link ProviderCalls#TIMEOUT}; it must name
   * the configured issuer, as OpenID Connect Discovery asks, or tokens would be checked against
   * another's.
   */
  private Map<String, Object> discover(SsoProperties.Provider provider) {
    String issuer = provider.issuer();
    Map<String, Object> metadata =
        discovery
            .get()
            .uri(
                (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                    + "/.well-known/openid-configuration")
            .retrieve()
            .body(new ParameterizedTypeReference<Map<String, Object>>() {});
    if (metadata == null || !issuer.equals(metadata.get("issuer"))) {
      throw new IllegalStateException(
          "the OpenID configuration at "
              + issuer
              + " names the issuer "
              + (metadata == null ? null : metadata.get("issuer"))
              + ", not "
              + issuer);
    }
    return metadata;
  }
}
