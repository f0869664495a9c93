package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * When Tocsin cannot take an alert now, each sender must hear "retry" in its own dialect: 503 with
 * {@code Retry-After}, the reason as a JSON string for Prometheus and in PagerDuty's fields for a
 * PagerDuty client; and {@code /-/ready} says so, as Alertmanager's does. On the embedded database,
 * whose free-disk guard makes a node unready at will.
 */
class UnavailableIngestionIntegrationTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ALERT = "[{\"labels\":{\"alertname\":\"Unavailable\"}}]";

  @Test
  void anUnreadyNodeIsNotReadyAndTellsPrometheusToRetryInAlertmanagersDialect(
      @TempDir Path dataDir) {
    // More free space than any disk has: the node stays live but unready.
    try (TocsinHarness tocsin = TocsinHarness.startUnready(dataDir)) {

      HttpResponse<String> ready = tocsin.get("/-/ready");
      HttpResponse<String> healthy = tocsin.get("/-/healthy");
      HttpResponse<String> alert = tocsin.postJson("/api/v2/alerts", "Bearer tik_any", ALERT);

      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).isEqualTo("Service Unavailable");
      assertThat(ready.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
      assertThat(healthy.statusCode()).isEqualTo(200);
      assertThat(healthy.body()).isEqualTo("OK");
      assertRetryInAlertmanagersDialect(alert, "retry after");
      assertThat(
              tocsin
                  .postJson("/api/v1/alerts", "Bearer tik_any", ALERT)
                  .headers()
                  .firstValue("Content-Type")
                  .orElseThrow())
          .as("Tocsin's own API keeps its problem details")
          .startsWith("application/problem+json");

      HttpResponse<String> event =
          tocsin.postJson(
              "/v2/enqueue",
              null,
              "{\"routing_key\":\"tik_any\",\"event_action\":\"trigger\",\"payload\":{}}");
      assertThat(event.statusCode()).as(event.body()).isEqualTo(503);
      assertThat(event.headers().firstValue("Retry-After")).isPresent();
      JsonNode pagerDuty = JSON.readTree(event.body());
      assertThat(pagerDuty.get("status").asString())
          .as("a PagerDuty client hears it in PagerDuty's fields")
          .isEqualTo("Service Unavailable");
      assertThat(pagerDuty.get("message").asString()).contains("retry after");
    }
  }

  @Test
  void aKeyOverItsRateLimitIsToldToRetryInAlertmanagersDialect(@TempDir Path dataDir) {
    try (TocsinHarness tocsin =
        TocsinHarness.start(
            "",
            "",
            "",
            dataDir,
            Map.of(
                "tocsin.admin.email", TocsinHarness.ADMIN_EMAIL,
                "tocsin.admin.password", TocsinHarness.ADMIN_PASSWORD,
                "tocsin.rate-limit.integration-key-per-minute", 2))) {
      String admin = tocsin.adminToken();
      String key =
          tocsin
              .createIntegration(
                  admin, tocsin.createService(admin, "limited"), "prometheus", "alertmanager")
              .get("key");

      for (int i = 0; i < 2; i++) {
        assertThat(tocsin.postJson("/api/v2/alerts", "Bearer " + key, ALERT).statusCode())
            .isEqualTo(200);
      }
      HttpResponse<String> limited = tocsin.postJson("/api/v2/alerts", "Bearer " + key, ALERT);

      assertRetryInAlertmanagersDialect(limited, "over its rate limit");
    }
  }

  private static void assertRetryInAlertmanagersDialect(
      HttpResponse<String> response, String reason) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow()))
        .isPositive();
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .isEqualTo("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.isString()).as(response.body()).isTrue();
    assertThat(body.asString()).contains(reason);
  }
}
