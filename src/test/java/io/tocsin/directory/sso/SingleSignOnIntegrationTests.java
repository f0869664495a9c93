package io.tocsin.directory.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.IdentityProvider;
import io.tocsin.testing.IdentityProvider.Misbehaviour;
import io.tocsin.testing.IdentityProvider.Person;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The sign-in's checks, each against a real provider that gets one thing wrong: an ID token signed
 * by a key it does not publish, expired, issued to another client or without the sign-in's nonce,
 * and an answer replayed after it was used. Each is refused, signs nobody in and is audited.
 */
class SingleSignOnIntegrationTests extends HarnessTests {

  private static IdentityProvider provider;

  private static ServerSocket stuck;

  private static final Person CAROL =
      new Person("carol", "carol-password-1", "Carol Example", "carol@example.com");

  @Override
  protected Map<String, Object> settings() {
    if (provider == null) {
      provider = IdentityProvider.start();
    }
    Map<String, Object> settings = new HashMap<>(provider.settings("company"));
    try {
      // Connections to it are accepted (into the backlog) and never answered.
      stuck = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    settings.put("tocsin.sso.providers.stuck.issuer", "http://127.0.0.1:" + stuck.getLocalPort());
    settings.put("tocsin.sso.providers.stuck.client-id", "tocsin");
    settings.put("tocsin.sso.roles.viewer", "everyone");
    settings.put("tocsin.sso.teams", "Payments=payments-oncall,payments-dev; Ghosts=ghosts");
    // The harness's admin is the break-glass account: it signs in with its password.
    settings.put("tocsin.sso.local-passwords", "false");
    settings.put("tocsin.sso.break-glass-admin", TocsinHarness.ADMIN_EMAIL);
    return settings;
  }

  @Override
  protected void seed() {
    provider.registerTocsin(tocsin, "company");
    provider.person(CAROL, List.of("everyone"));
    payments = api.create("/api/v1/teams", "{\"name\": \"Payments\"}").get("id").asString();
  }

  private static String payments;

  @AfterEach
  void behave() {
    provider.misbehave(Misbehaviour.NONE);
  }

  @AfterAll
  static void stopTheProvider() throws IOException {
    if (provider != null) {
      provider.close();
      provider = null;
    }
    if (stuck != null) {
      stuck.close();
      stuck = null;
    }
  }

  @Test
  void aWellBehavedProviderSignsInWithASessionThatReadsTheApi() {
    Visit visit = new Visit();

    HttpResponse<String> back = visit.signIn(CAROL);

    assertThat(back.headers().firstValue("Location")).hasValue(tocsin.uri("/").toString());
    assertThat(visit.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(200);
  }

  @Test
  void signingOutEndsTheProvidersSessionTooAndComesBackToTheSignInPage() {
    Visit visit = new Visit();
    visit.signIn(CAROL);
    visit.api(tocsin.uri("/api/v1/users/me"));

    HttpResponse<String> signedOut = visit.post(tocsin.uri("/logout"), "");

    URI endSession = URI.create(signedOut.headers().firstValue("Location").orElseThrow());
    assertThat(endSession.toString())
        .startsWith(provider.issuer())
        .contains("id_token_hint=")
        .contains("post_logout_redirect_uri=");
    assertThat(visit.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(401);
    assertThat(visit.get(endSession).headers().firstValue("Location"))
        .hasValue(tocsin.uri("/login").toString());
    // The provider asks for the password again: its own session is over too.
    URI authorize =
        URI.create(
            visit
                .get(tocsin.uri("/oauth2/authorization/company"))
                .headers()
                .firstValue("Location")
                .orElseThrow());
    assertThat(visit.get(authorize).headers().firstValue("Location"))
        .hasValueSatisfying(next -> assertThat(next).endsWith("/login"));
  }

  @Test
  void aPersonJoinsAndLeavesTheMappedTeamsWithTheirGroupsAtEachSignIn() {
    Person erin = new Person("erin", "erin-password-12", "Erin Example", "erin@example.com");
    provider.person(erin, List.of("everyone", "payments-dev"));

    new Visit().signIn(erin);
    String erinId = userId(erin.email());
    assertThat(members(payments)).contains(erinId);

    provider.person(erin, List.of("everyone"));
    new Visit().signIn(erin);
    assertThat(members(payments)).doesNotContain(erinId);
    assertThat(
            StreamSupport.stream(
                    api.get("/api/v1/audit?kind=team.updated").get("items").spliterator(), false)
                .map(entry -> entry.get("summary").asString()))
        .contains(
            "added user " + erinId + " to 'Payments'",
            "removed user " + erinId + " from 'Payments'");
  }

  @Test
  void concurrentFirstSignInsMakeOneAccountAndTellTheOthersToStartAgain() throws Exception {
    SsoAccounts accounts = tocsin.bean(SsoAccounts.class);
    Map<String, Object> claims =
        Map.of(
            "sub", "grace-subject",
            "email", "grace@example.com",
            "name", "Grace Example",
            "groups", List.of("everyone"));
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<String>> outcomes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      outcomes.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                  accounts.signIn("company", claims);
                  return "signed in";
                } catch (SsoAccounts.AtOnce | DataIntegrityViolationException e) {
                  return "start again";
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return "interrupted";
                }
              }));
    }
    go.countDown();

    List<String> results = new ArrayList<>();
    for (CompletableFuture<String> outcome : outcomes) {
      results.add(outcome.get(30, TimeUnit.SECONDS));
    }
    assertThat(results)
        .contains("signed in")
        .allMatch(List.of("signed in", "start again")::contains);
    assertThat(
            StreamSupport.stream(
                    api.get("/api/v1/users?limit=200").get("items").spliterator(), false)
                .filter(user -> user.get("email").asString().equals("grace@example.com")))
        .hasSize(1);
    assertThat(accounts.signIn("company", claims).email()).isEqualTo("grace@example.com");
  }

  private static String userId(String email) {
    return StreamSupport.stream(
            api.get("/api/v1/users?limit=200").get("items").spliterator(), false)
        .filter(user -> user.get("email").asString().equals(email))
        .map(user -> user.get("id").asString())
        .findFirst()
        .orElseThrow();
  }

  private static List<String> members(String team) {
    return StreamSupport.stream(
            api.get("/api/v1/teams/" + team).get("members").spliterator(), false)
        .map(member -> member.get("userId").asString())
        .toList();
  }

  @Test
  void aProviderThatTakesTheConnectionButNeverAnswersDiscoveryFailsOnlyItsOwnButtonAtOnce() {
    Visit visit = new Visit();

    HttpResponse<String> start = visit.get(tocsin.uri("/oauth2/authorization/stuck"));

    assertThat(start.headers().firstValue("Location"))
        .hasValue(tocsin.uri("/login?failed").toString());
    assertThat(visit.get(tocsin.uri("/login")).body()).contains("cannot reach");
  }

  @Test
  void aProviderThatStopsAnsweringBeforeHandingOverTheTokensFailsTheSignInAtOnce() {
    Visit visit = new Visit();
    HttpResponse<String> answer = visit.startAndAuthenticate(CAROL);
    provider.misbehave(Misbehaviour.HANG);

    HttpResponse<String> back =
        visit.get(URI.create(answer.headers().firstValue("Location").orElseThrow()));

    assertThat(back.headers().firstValue("Location"))
        .hasValue(tocsin.uri("/login?failed").toString());
    assertThat(visit.get(tocsin.uri("/login")).body()).contains("cannot reach");
    assertThat(visit.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(401);
  }

  @Test
  void anIdTokenSignedByAKeyTheProviderDoesNotPublishIsRefused() {
    assertRefused(Misbehaviour.WRONG_KEY, "invalid_id_token");
  }

  @Test
  void anExpiredIdTokenIsRefused() {
    assertRefused(Misbehaviour.EXPIRED, "invalid_id_token");
  }

  @Test
  void anIdTokenIssuedToAnotherClientIsRefused() {
    assertRefused(Misbehaviour.WRONG_AUDIENCE, "invalid_id_token");
  }

  @Test
  void anIdTokenWithoutTheSignInsNonceIsRefused() {
    assertRefused(Misbehaviour.NO_NONCE, "invalid_nonce");
  }

  @Test
  void anAnswerReplayedAfterItWasUsedIsRefusedInTheSameBrowserAndInAnother() {
    Visit visit = new Visit();
    HttpResponse<String> answer = visit.startAndAuthenticate(CAROL);
    URI callback = URI.create(answer.headers().firstValue("Location").orElseThrow());
    assertThat(visit.get(callback).headers().firstValue("Location"))
        .hasValue(tocsin.uri("/").toString());

    HttpResponse<String> again = visit.get(callback);
    Visit stranger = new Visit();
    HttpResponse<String> copied = stranger.get(callback);

    assertThat(again.headers().firstValue("Location"))
        .hasValue(tocsin.uri("/login?failed").toString());
    assertThat(visit.get(tocsin.uri("/login")).body()).contains("already been used");
    assertThat(copied.headers().firstValue("Location"))
        .hasValue(tocsin.uri("/login?failed").toString());
    assertThat(stranger.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(401);
    assertThat(failures())
        .filteredOn(summary -> summary.contains("(authorization_request_not_found)"))
        .hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void withPasswordsOffOnlyTheBreakGlassAdminSignsInWithAPassword() {
    String password = "dave-password-12";
    api.create(
        "/api/v1/users",
        """
        {"name": "Dave", "email": "dave@example.com", "role": "responder", "timeZone": "UTC",
         "password": "%s"}
        """
            .formatted(password));

    Visit dave = new Visit();
    dave.get(tocsin.uri("/login"));
    HttpResponse<String> refused =
        dave.post(
            tocsin.uri("/login"),
            "username=dave%40example.com&password=" + password,
            "application/json");
    Visit admin = new Visit();
    admin.get(tocsin.uri("/login"));
    HttpResponse<String> breakGlass =
        admin.post(
            tocsin.uri("/login"),
            "username="
                + URLEncoder.encode(TocsinHarness.ADMIN_EMAIL, StandardCharsets.UTF_8)
                + "&password="
                + URLEncoder.encode(TocsinHarness.ADMIN_PASSWORD, StandardCharsets.UTF_8),
            "application/json");

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("password-sign-in-off");
    assertThat(dave.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(401);
    assertThat(
            tocsin
                .send(
                    HttpRequest.newBuilder(tocsin.uri("/api/v1/tokens"))
                        .header("Content-Type", "application/json")
                        .header(
                            "Authorization",
                            "Basic "
                                + Base64.getEncoder()
                                    .encodeToString(
                                        ("dave@example.com:" + password)
                                            .getBytes(StandardCharsets.UTF_8)))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"script\"}"))
                        .build())
                .statusCode())
        .as("basic credentials for a token are passwords too")
        .isEqualTo(401);
    assertThat(breakGlass.statusCode()).isEqualTo(204);
    assertThat(admin.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(200);
  }

  private void assertRefused(Misbehaviour misbehaviour, String code) {
    provider.misbehave(misbehaviour);
    Visit visit = new Visit();

    HttpResponse<String> back = visit.signIn(CAROL);

    assertThat(back.headers().firstValue("Location"))
        .hasValue(tocsin.uri("/login?failed").toString());
    assertThat(visit.api(tocsin.uri("/api/v1/users/me")).statusCode()).isEqualTo(401);
    assertThat(visit.get(tocsin.uri("/login")).body())
        .contains("did not pass Tocsin&#39;s checks (" + code + ")");
    assertThat(failures()).anyMatch(summary -> summary.contains("(" + code + ")"));
  }

  private static List<String> failures() {
    return StreamSupport.stream(
            api.get("/api/v1/audit?kind=login.failed").get("items").spliterator(), false)
        .map(entry -> entry.get("summary").asString())
        .toList();
  }

  /**
   * One browser's trip through the code flow, redirect by redirect: Tocsin's session cookie and the
   * provider's are kept apart by name, as a browser keeps them.
   */
  private static final class Visit {

    /**
     * Far beyond the provider calls' own timeout: a Tocsin that waited on a stuck provider for ever
     * fails the test instead of hanging it.
     */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final Pattern CSRF =
        Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");

    private final HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** Up to the provider's answer: the redirect back to Tocsin with a code and a state. */
    HttpResponse<String> startAndAuthenticate(Person person) {
      HttpResponse<String> toProvider = get(tocsin.uri("/oauth2/authorization/company"));
      URI authorize = location(toProvider, tocsin.uri("/"));
      assertThat(authorize.toString()).startsWith(provider.issuer()).contains("code_challenge=");
      URI signInPage = location(get(authorize), authorize);
      Matcher csrf = CSRF.matcher(get(signInPage).body());
      assertThat(csrf.find()).as("the provider's sign-in page has its CSRF token").isTrue();
      HttpResponse<String> signedIn =
          post(
              signInPage,
              "username="
                  + encode(person.username())
                  + "&password="
                  + encode(person.password())
                  + "&_csrf="
                  + encode(csrf.group(1)));
      HttpResponse<String> answer = get(location(signedIn, signInPage));
      assertThat(answer.headers().firstValue("Location"))
          .hasValueSatisfying(
              back ->
                  assertThat(back).startsWith(tocsin.uri("/login/oauth2/code/company").toString()));
      return answer;
    }

    /** The whole trip; Tocsin's answer to the provider's redirect. */
    HttpResponse<String> signIn(Person person) {
      HttpResponse<String> answer = startAndAuthenticate(person);
      return get(URI.create(answer.headers().firstValue("Location").orElseThrow()));
    }

    HttpResponse<String> get(URI uri) {
      return send(
          HttpRequest.newBuilder(uri)
              .timeout(PATIENCE)
              .header("Accept", "text/html")
              .GET()
              .build());
    }

    HttpResponse<String> api(URI uri) {
      return send(
          HttpRequest.newBuilder(uri)
              .timeout(PATIENCE)
              .header("Accept", "application/json")
              .GET()
              .build());
    }

    HttpResponse<String> post(URI uri, String form) {
      return post(uri, form, "text/html");
    }

    HttpResponse<String> post(URI uri, String form, String accept) {
      return send(
          HttpRequest.newBuilder(uri)
              .timeout(PATIENCE)
              .header("Accept", accept)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("X-XSRF-TOKEN", xsrf())
              .POST(HttpRequest.BodyPublishers.ofString(form))
              .build());
    }

    private String xsrf() {
      CookieManager cookies = (CookieManager) http.cookieHandler().orElseThrow();
      return cookies.getCookieStore().getCookies().stream()
          .filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
          .map(java.net.HttpCookie::getValue)
          .findFirst()
          .orElse("");
    }

    private HttpResponse<String> send(HttpRequest request) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private static URI location(HttpResponse<String> response, URI base) {
      assertThat(response.statusCode()).as(response.uri() + " redirects").isEqualTo(302);
      return base.resolve(response.headers().firstValue("Location").orElseThrow());
    }

    private static String encode(String text) {
      return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
  }
}
