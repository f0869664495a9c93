package io.tocsin.testing;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.filter.DelegatingFilterProxy;

/**
 * A real OpenID Connect provider for the sign-in tests: Spring Authorization Server on an embedded
 * Tomcat of its own, with discovery, its keys, the authorization code flow, its own sign-in page,
 * and ID tokens that carry each person's email, name and groups. Its session cookie has its own
 * name, so that on 127.0.0.1 it does not take the place of Tocsin's.
 */
public final class IdentityProvider implements AutoCloseable {

  /** Someone the provider can sign in, with the groups their ID token lists. */
  public record Person(String username, String password, String name, String email) {}

  /** What the provider does wrong in its next ID tokens, for the tests that Tocsin refuses them. */
  public enum Misbehaviour {
    NONE,
    /** Signed by a key the provider does not publish, under the published key's id. */
    WRONG_KEY,
    /** Expired ten minutes ago, past any clock skew. */
    EXPIRED,
    /** Issued to another client. */
    WRONG_AUDIENCE,
    /** Without the nonce of the sign-in it answers. */
    NO_NONCE,
    /**
     * Takes requests for tokens and keys and answers none until told otherwise: a provider stuck in
     * its own outage.
     */
    HANG
  }

  private static volatile Misbehaviour misbehaviour = Misbehaviour.NONE;

  /** What a request held by {@link Misbehaviour#HANG} waits on. */
  private static final Object ANSWERING = new Object();

  private static final RSAKey KEY = rsaKey("provider-key");
  private static final RSAKey ROGUE_KEY = rsaKey("provider-key");

  private static final Map<String, Person> PEOPLE = new ConcurrentHashMap<>();
  private static final Map<String, List<String>> GROUPS = new ConcurrentHashMap<>();
  private static final Map<String, RegisteredClient> CLIENTS = new ConcurrentHashMap<>();

  private final Tomcat tomcat;
  private final AnnotationConfigWebApplicationContext spring;

  private IdentityProvider(Tomcat tomcat, AnnotationConfigWebApplicationContext spring) {
    this.tomcat = tomcat;
    this.spring = spring;
  }

  public static IdentityProvider start() {
    Path base;
    try {
      base = Files.createTempDirectory("tocsin-identity-provider");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", base.toString());
    context.setSessionCookieName("PROVIDER_SESSION");
    AnnotationConfigWebApplicationContext spring = new AnnotationConfigWebApplicationContext();
    spring.register(Provider.class);
    context.addServletContainerInitializer(
        (classes, servletContext) -> {
          spring.setServletContext(servletContext);
          spring.refresh();
          servletContext
              .addFilter(
                  "hang",
                  (request, response, chain) -> {
                    awaitAnswering();
                    chain.doFilter(request, response);
                  })
              .addMappingForUrlPatterns(null, false, "/oauth2/token", "/oauth2/jwks");
          servletContext
              .addFilter(
                  "springSecurityFilterChain",
                  new DelegatingFilterProxy("springSecurityFilterChain", spring))
              .addMappingForUrlPatterns(null, false, "/*");
        },
        null);
    Tomcat.addServlet(context, "default", new DefaultServlet());
    context.addServletMappingDecoded("/", "default");
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException("the identity provider did not start", e);
    }
    return new IdentityProvider(tomcat, spring);
  }

  /** The issuer URL, where Tocsin finds {@code /.well-known/openid-configuration}. */
  public String issuer() {
    return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
  }

  /** The client id and secret Tocsin is registered with by {@link #registerTocsin}. */
  public static final String CLIENT_ID = "tocsin";

  private static final String CLIENT_SECRET = "tocsin-secret";

  /** Tocsin's settings for this provider under {@code key}. */
  public Map<String, Object> settings(String key) {
    String prefix = "tocsin.sso.providers." + key + ".";
    return Map.of(
        prefix + "issuer", issuer(),
        prefix + "client-id", CLIENT_ID,
        prefix + "client-secret", CLIENT_SECRET);
  }

  /** Registers this Tocsin as the provider's client, sent back to it under {@code key}. */
  public void registerTocsin(TocsinHarness tocsin, String key) {
    client(
        CLIENT_ID,
        CLIENT_SECRET,
        tocsin.uri("/login/oauth2/code/" + key).toString(),
        tocsin.uri("/login").toString());
  }

  /** Adds a person, or changes one, with the groups their next ID token lists. */
  public void person(Person person, List<String> groups) {
    PEOPLE.put(person.username(), person);
    GROUPS.put(person.username(), List.copyOf(groups));
  }

  /**
   * Registers a confidential client that may be sent back to {@code redirectUri} after a sign-in,
   * and to {@code signedOutUri} after a sign-out it asked for.
   */
  public void client(String clientId, String secret, String redirectUri, String signedOutUri) {
    CLIENTS.put(
        clientId,
        RegisteredClient.withId(UUID.randomUUID().toString())
            .clientId(clientId)
            .clientSecret("{noop}" + secret)
            .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
            .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
            .redirectUri(redirectUri)
            .postLogoutRedirectUri(signedOutUri)
            .scope(OidcScopes.OPENID)
            .scope(OidcScopes.PROFILE)
            .scope(OidcScopes.EMAIL)
            .clientSettings(
                ClientSettings.builder()
                    .requireAuthorizationConsent(false)
                    .requireProofKey(true)
                    .build())
            .build());
  }

  /** Makes the provider's ID tokens wrong in this way until told otherwise. */
  public void misbehave(Misbehaviour way) {
    synchronized (ANSWERING) {
      misbehaviour = way;
      ANSWERING.notifyAll();
    }
  }

  private static void awaitAnswering() {
    synchronized (ANSWERING) {
      while (misbehaviour == Misbehaviour.HANG) {
        try {
          ANSWERING.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    misbehave(Misbehaviour.NONE);
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    } finally {
      spring.close();
    }
  }

  private static RSAKey rsaKey(String id) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      return new RSAKey.Builder((RSAPublicKey) pair.getPublic())
          .privateKey((RSAPrivateKey) pair.getPrivate())
          .keyID(id)
          .build();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The provider's beans. Not a {@code @Configuration}: Tocsin's own context scans this package,
   * and must not find a second security setup in it.
   */
  @EnableWebSecurity
  static class Provider {

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
      OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
      http.securityMatcher(server.getEndpointsMatcher())
          .with(server, configurer -> configurer.oidc(Customizer.withDefaults()))
          .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
          .oauth2ResourceServer(resources -> resources.jwt(Customizer.withDefaults()))
          .exceptionHandling(
              exceptions ->
                  exceptions.defaultAuthenticationEntryPointFor(
                      new LoginUrlAuthenticationEntryPoint("/login"),
                      new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
      return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain signIn(HttpSecurity http) throws Exception {
      http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
          .formLogin(Customizer.withDefaults());
      return http.build();
    }

    @Bean
    UserDetailsService people() {
      return username -> {
        Person person = PEOPLE.get(username);
        if (person == null) {
          throw new UsernameNotFoundException(username);
        }
        UserDetails user =
            User.withUsername(person.username())
                .password("{noop}" + person.password())
                .roles("USER")
                .build();
        return user;
      };
    }

    @Bean
    RegisteredClientRepository clients() {
      return new RegisteredClientRepository() {
        @Override
        public void save(RegisteredClient client) {
          CLIENTS.put(client.getClientId(), client);
        }

        @Override
        public @Nullable RegisteredClient findById(String id) {
          return CLIENTS.values().stream()
              .filter(client -> client.getId().equals(id))
              .findFirst()
              .orElse(null);
        }

        @Override
        public @Nullable RegisteredClient findByClientId(String clientId) {
          return CLIENTS.get(clientId);
        }
      };
    }

    @Bean
    JWKSource<SecurityContext> keys() {
      return new ImmutableJWKSet<>(new JWKSet(KEY));
    }

    @Bean
    JwtEncoder tokens(JWKSource<SecurityContext> keys) {
      JwtEncoder published = new NimbusJwtEncoder(keys);
      JwtEncoder rogue = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(ROGUE_KEY)));
      return parameters ->
          (misbehaviour == Misbehaviour.WRONG_KEY ? rogue : published).encode(parameters);
    }

    @Bean
    JwtDecoder accessTokens(JWKSource<SecurityContext> keys) {
      return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
    }

    @Bean
    AuthorizationServerSettings settings() {
      return AuthorizationServerSettings.builder().build();
    }

    /** The person's email, name and groups in their ID token, as a company's provider sends. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> claims() {
      return context -> {
        if (!OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
          return;
        }
        switch (misbehaviour) {
          case EXPIRED -> {
            Instant past = Instant.now().minus(Duration.ofMinutes(20));
            context.getClaims().issuedAt(past).expiresAt(past.plus(Duration.ofMinutes(10)));
          }
          case WRONG_AUDIENCE -> context.getClaims().audience(List.of("another-client"));
          case NO_NONCE -> context.getClaims().claims(claims -> claims.remove("nonce"));
          default -> {}
        }
        Person person = PEOPLE.get(context.getPrincipal().getName());
        if (person != null) {
          context
              .getClaims()
              .claim("email", person.email())
              .claim("email_verified", true)
              .claim("name", person.name())
              .claim("groups", GROUPS.getOrDefault(person.username(), List.of()));
        }
      };
    }
  }
}
