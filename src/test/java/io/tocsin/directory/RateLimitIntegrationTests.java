package io.tocsin.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

/** Limits that answer 429 with Retry-After: per API token, and on repeated failed sign-ins. */
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

  private TocsinHarness start(Path dataDir, int tokenRequestsPerMinute) {
    TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(),
            schema().user(),
            schema().password(),
            dataDir,
            Map.of(
                "tocsin.admin.email", EMAIL,
                "tocsin.admin.password", PASSWORD,
                "tocsin.rate-limit.api-token-per-minute", tokenRequestsPerMinute));
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

  private static HttpResponse<String> get(TocsinHarness tocsin, String token) {
    return tocsin.send(
        HttpRequest.newBuilder(tocsin.uri("/api/v1/users/me"))
            .header("Authorization", "Bearer " + token)
            .build());
  }
}
