package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** Rate limits per API token and per integration key, and throttled sign-ins. */
class RateLimitIntegrationTests extends HarnessTests {

  private static final String EMAIL = TocsinHarness.ADMIN_EMAIL;
  private static final String PASSWORD = TocsinHarness.ADMIN_PASSWORD;

  /**
   * Low limits every test can reach, and a frozen clock, so that a window or a block lasts until a
   * test moves the clock. Each test signs in with tokens of its own.
   */
  @Override
  protected Map<String, Object> settings() {
    return Map.of(
        "tocsin.rate-limit.api-token-per-minute", 5,
        "tocsin.rate-limit.integration-key-per-minute", 3,
        // A burst of a hundred sign-ins waits for the database's connections.
        "tocsin.database.connection-timeout", "10s");
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {FrozenClockConfiguration.class};
  }

  /** The tests share their database's schema, and the sign-in counts in it outlive a server. */
  @AfterEach
  void forgetSignInAttempts() {
    JdbcClient.create(schema().dataSource()).sql("DELETE FROM directory_sign_in_throttle").update();
  }

  @Test
  void anApiTokenOverItsLimitGets429WhileAnotherTokenStillWorks() {
    String first = token(tocsin, PASSWORD);
    String second = token(tocsin, PASSWORD);

    for (int i = 0; i < 5; i++) {
      assertThat(get(tocsin, first).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> limited = get(tocsin, first);

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
        .isPositive();
    assertThat(limited.body()).contains("\"type\":\"urn:tocsin:problem:rate-limited\"");
    assertThat(get(tocsin, second).statusCode()).isEqualTo(200);
  }

  @Test
  void repeatedWrongPasswordsLockTheAccountEvenAgainstTheRightOne() {
    for (int i = 0; i < 5; i++) {
      assertThat(tokenRequest(tocsin, "wrong password " + i).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> throttled = tokenRequest(tocsin, PASSWORD);

    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow()))
        .isPositive();
    assertThat(throttled.body()).contains("\"type\":\"urn:tocsin:problem:sign-in-throttled\"");
  }

  @Test
  void aBurstOfParallelWrongPasswordsGetsOnlyTheThresholdCheckedAndLocksOutTheRightOne()
      throws Exception {
    // The clock stands still: the one-second block after the fifth guess lasts the whole burst.
    ExecutorService threads = Executors.newFixedThreadPool(100);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String guess = "wrong password " + i;
        answers.add(
            threads.submit(
                () -> {
                  start.await();
                  return tokenRequest(tocsin, EMAIL, guess, null).statusCode();
                }));
      }
      start.countDown();
      Map<Integer, Long> byStatus = new TreeMap<>();
      for (Future<Integer> answer : answers) {
        byStatus.merge(answer.get(60, TimeUnit.SECONDS), 1L, Long::sum);
      }

      assertThat(byStatus)
          .as("passwords checked, and refused unchecked")
          .containsExactly(Map.entry(401, 5L), Map.entry(429, 95L));
    } finally {
      threads.shutdownNow();
    }
    HttpResponse<String> right = tokenRequest(tocsin, PASSWORD);
    assertThat(right.statusCode()).isEqualTo(429);
    assertThat(right.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void aRightPasswordAfterALockoutClearsTheCountSoTheNextSignInIsNotBlocked() {
    for (int i = 0; i < 5; i++) {
      assertThat(tokenRequest(tocsin, "wrong password " + i).statusCode()).isEqualTo(401);
    }
    assertThat(tokenRequest(tocsin, PASSWORD).statusCode()).isEqualTo(429);
    ((TestClock) tocsin.bean(Clock.class)).advance(Duration.ofSeconds(2));

    assertThat(tokenRequest(tocsin, PASSWORD).statusCode()).isEqualTo(201);
    assertThat(tokenRequest(tocsin, PASSWORD).statusCode())
        .as("the lockout does not follow its owner into every later sign-in")
        .isEqualTo(201);
  }

  @Test
  void aClientOfAnUntrustedPeerCannotEscapeTheAddressThrottleByNamingOtherAddresses() {
    // Another account and another claimed address each time: only the peer's address counts.
    for (int i = 0; i < 20; i++) {
      assertThat(
              tokenRequest(tocsin, "guess" + i + "@example.com", "pw", "198.51.100." + i)
                  .statusCode())
          .isEqualTo(401);
    }
    assertThat(tokenRequest(tocsin, "guess-last@example.com", "pw", "198.51.100.99").statusCode())
        .isEqualTo(429);
  }

  @Test
  void behindATrustedProxyTheClientIsTheRightmostForwardedAddress(@TempDir Path dataDir) {
    try (TocsinHarness tocsin =
        start(dataDir, Map.of("tocsin.web.trusted-proxies", "127.0.0.1/32, 10.0.0.0/8"))) {
      for (int i = 0; i < 25; i++) {
        assertThat(
                tokenRequest(tocsin, "many" + i + "@example.com", "pw", "198.51.100." + i)
                    .statusCode())
            .as("each client its own address, not the proxy's")
            .isEqualTo(401);
      }
      // The left part is whatever the client sent; the right-most untrusted entry is what the
      // trusted proxies saw, and the address throttle holds on to it.
      for (int i = 0; i < 20; i++) {
        assertThat(
                tokenRequest(
                        tocsin,
                        "one" + i + "@example.com",
                        "pw",
                        "192.0.2." + i + ", 203.0.113.9, 10.1.2.3")
                    .statusCode())
            .isEqualTo(401);
      }
      assertThat(
              tokenRequest(tocsin, "one-more@example.com", "pw", "192.0.2.77, 203.0.113.9")
                  .statusCode())
          .isEqualTo(429);
    }
  }

  @Test
  void anIntegrationKeyOverItsLimitIsToldWhenToComeBack() {
    String service = tocsin.createService(adminToken, "limited");
    String key = tocsin.createIntegration(adminToken, service, "am", "alertmanager").get("key");
    IntegrationService integrations = tocsin.bean(IntegrationService.class);

    for (int i = 0; i < 3; i++) {
      assertThat(integrations.check(key)).isInstanceOf(IntegrationService.KeyCheck.Accepted.class);
    }
    IntegrationService.KeyCheck limited = integrations.check(key);

    assertThat(limited).isInstanceOf(IntegrationService.KeyCheck.Limited.class);
    assertThat(((IntegrationService.KeyCheck.Limited) limited).retryAfter()).isPositive();
    assertThat(integrations.check("tik_not-a-key"))
        .isInstanceOf(IntegrationService.KeyCheck.Unknown.class);

    String routingKey = tocsin.createIntegration(adminToken, service, "pd", "pagerduty").get("key");
    for (int i = 0; i < 3; i++) {
      integrations.check(routingKey);
    }
    HttpResponse<String> event =
        tocsin.postJson(
            "/v2/enqueue",
            null,
            "{\"routing_key\":\""
                + routingKey
                + "\",\"event_action\":\"resolve\","
                + "\"dedup_key\":\"x\"}");
    assertThat(event.statusCode()).as("retried by PagerDuty senders, unlike a 4xx").isEqualTo(503);
    assertThat(event.headers().firstValue("Retry-After")).isPresent();
    assertThat(event.body())
        .as("in PagerDuty's fields, which its clients print")
        .startsWith(
            "{\"status\":\"Service Unavailable\",\"message\":\"This integration key is"
                + " over its rate limit");
  }

  /** A second Tocsin on the class's schema, beside the one the other tests share. */
  private static TocsinHarness start(Path dataDir, Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(settings);
    all.put("tocsin.admin.email", EMAIL);
    all.put("tocsin.admin.password", PASSWORD);
    TocsinHarness tocsin =
        TocsinHarness.start(schema().url(), schema().user(), schema().password(), dataDir, all);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tocsin.get("/actuator/health/readiness").statusCode() == 200);
    return tocsin;
  }

  private static String token(TocsinHarness tocsin, String password) {
    HttpResponse<String> created =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> tokenRequest(tocsin, password), r -> r.statusCode() == 201);
    return JsonMapper.builder().build().readTree(created.body()).get("token").asString();
  }

  private static HttpResponse<String> tokenRequest(TocsinHarness tocsin, String password) {
    return tokenRequest(tocsin, EMAIL, password, null);
  }

  private static HttpResponse<String> tokenRequest(
      TocsinHarness tocsin, String email, String password, @Nullable String forwardedFor) {
    String basic =
        Base64.getEncoder()
            .encodeToString((email + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tocsin.uri("/api/v1/tokens"))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t\"}"));
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    return tocsin.send(request.build());
  }

  /** A clock that does not move unless the test moves it; a harness source, not scanned. */
  static class FrozenClockConfiguration {
    @Bean
    @Primary
    Clock testClock() {
      return new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }
  }

  private static HttpResponse<String> get(TocsinHarness tocsin, String token) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/users/me"))
            .header("Authorization", "Bearer " + token)
            .build());
  }
}
