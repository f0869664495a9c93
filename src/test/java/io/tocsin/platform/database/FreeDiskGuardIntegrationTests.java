package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database loses writes on a full disk, so a node on it refuses writes before the disk
 * fills: with less free space than the configured minimum it stays live but unready, and the API
 * answers 503 with Retry-After, which senders retry, instead of a 2xx for an alert H2 drops.
 */
class FreeDiskGuardIntegrationTests {

  @Test
  void anEmbeddedDatabaseWithTooLittleFreeDiskTakesNoWritesAndSaysWhy(@TempDir Path dataDir) {
    // More free space than any disk has: the guard trips here as on a nearly full one.
    try (TocsinHarness tocsin =
        TocsinHarness.start(
            "", "", "", dataDir, Map.of("tocsin.database.minimum-free-disk", "1024TB"))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> tocsin.get("/actuator/health/readiness").body().contains("MB free"));

      HttpResponse<String> readiness = tocsin.get("/actuator/health/readiness");
      HttpResponse<String> alert =
          tocsin.send(
              HttpRequest.newBuilder(tocsin.uri("/api/v2/alerts"))
                  .header("Authorization", "Bearer tik_anything")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("[{\"labels\":{\"alertname\":\"X\"}}]"))
                  .build());

      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(readiness.body()).contains("TOCSIN_DATABASE_MINIMUM_FREE_DISK");
      assertThat(tocsin.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
      assertThat(alert.statusCode()).isEqualTo(503);
      assertThat(alert.headers().firstValue("Retry-After")).isPresent();
    }
  }
}
