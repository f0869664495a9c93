package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.directory.integration.IntegrationService;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Rate limits per API token and per integration key, and throttled sign-ins. */
class RateLimitIntegrationTests extends BothDatabasesTests {

  private static final String EMAIL = "admin@example.com";
  private static final String PASSWORD = "correct horse battery staple";

  @Test
  void anApiTokenOverItsLimitGets429WhileAnotherTokenStillWorks(@TempDir Path dataDir) {
    try (TocsinHarness tocsin = start(dataDir, 5)) {
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
  }

  @Test
  void repeatedWrongPasswordsLockTheAccountEvenAgainstTheRightOne(@TempDir Path dataDir) {
    try (TocsinHarness tocsin = start(dataDir, 600)) {
      for (int i = 0; i < 5; i++) {
        assertThat(tokenRequest(tocsin, "wrong password " + i).statusCode()).isEqualTo(401);
      }

      HttpResponse<String> throttled = tokenRequest(tocsin, PASSWORD);

      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow()))
          .isPositive();
      assertThat(throttled.body()).contains("\"type\":\"urn:tocsin:problem:sign-in-throttled\"");
    }
  }

  @Test
  void anIntegrationKeyOverItsLimitIsToldWhenToComeBack(@TempDir Path dataDir) {
    try (TocsinHarness tocsin = start(dataDir, 600, 3)) {
      String admin = token(tocsin, PASSWORD);
      String service = id(send(tocsin, admin, "/api/v1/services", "{\"name\":\"limited\"}"));
      String key =
          JsonMapper.builder()
              .build()
              .readTree(
                  send(
                          tocsin,
                          admin,
                          "/api/v1/services/" + service + "/integrations",
                          "{\"name\":\"am\",\"kind\":\"alertmanager\"}")
                      .body())
              .get("key")
              .asString();
      IntegrationService integrations = tocsin.bean(IntegrationService.class);

      for (int i = 0; i < 3; i++) {
        assertThat(integrations.check(key))
            .isInstanceOf(IntegrationService.KeyCheck.Accepted.class);
      }
      IntegrationService.KeyCheck limited = integrations.check(key);

      assertThat(limited).isInstanceOf(IntegrationService.KeyCheck.Limited.class);
      assertThat(((IntegrationService.KeyCheck.Limited) limited).retryAfter()).isPositive();
      assertThat(integrations.check("tik_not-a-key"))
          .isInstanceOf(IntegrationService.KeyCheck.Unknown.class);

      String routingKey =
          JsonMapper.builder()
              .build()
              .readTree(
                  send(
                          tocsin,
                          admin,
                          "/api/v1/services/" + service + "/integrations",
                          "{\"name\":\"pd\",\"kind\":\"pagerduty\"}")
                      .body())
              .get("key")
              .asString();
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
      assertThat(event.statusCode())
          .as("retried by PagerDuty senders, unlike a 4xx")
          .isEqualTo(503);
      assertThat(event.headers().firstValue("Retry-After")).isPresent();
      assertThat(event.body())
          .as("in PagerDuty's fields, which its clients print")
          .startsWith(
              "{\"status\":\"Service Unavailable\",\"message\":\"This integration key is"
                  + " over its rate limit");
    }
  }

  private TocsinHarness start(Path dataDir, int tokenRequestsPerMinute) {
    return start(dataDir, tokenRequestsPerMinute, 60000);
  }

  private TocsinHarness start(Path dataDir, int tokenRequestsPerMinute, int keyRequestsPerMinute) {
    TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(),
            schema().user(),
            schema().password(),
            dataDir,
            Map.of(
                "tocsin.admin.email", EMAIL,
                "tocsin.admin.password", PASSWORD,
                "tocsin.rate-limit.api-token-per-minute", tokenRequestsPerMinute,
                "tocsin.rate-limit.integration-key-per-minute", keyRequestsPerMinute));
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
    String basic =
        Base64.getEncoder()
            .encodeToString((EMAIL + ":" + password).getBytes(StandardCharsets.UTF_8));
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/tokens"))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t\"}"))
            .build());
  }

  private static HttpResponse<String> send(
      TocsinHarness tocsin, String token, String path, String json) {
    HttpResponse<String> response =
        tocsin.send(
            HttpRequest.newBuilder(tocsin.uri(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return response;
  }

  private static String id(HttpResponse<String> created) {
    return JsonMapper.builder().build().readTree(created.body()).get("id").asString();
  }

  private static HttpResponse<String> get(TocsinHarness tocsin, String token) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/users/me"))
            .header("Authorization", "Bearer " + token)
            .build());
  }
}
