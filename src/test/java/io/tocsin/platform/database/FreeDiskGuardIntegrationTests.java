package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
    try (TocsinHarness tocsin = TocsinHarness.startUnready(dataDir)) {

      HttpResponse<String> readiness = tocsin.get("/actuator/health/readiness");
      HttpResponse<String> alert =
          tocsin.postJson(
              "/api/v2/alerts", "Bearer tik_anything", "[{\"labels\":{\"alertname\":\"X\"}}]");

      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(readiness.body()).contains("TOCSIN_DATABASE_MINIMUM_FREE_DISK");
      assertThat(tocsin.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
      assertThat(alert.statusCode()).isEqualTo(503);
      assertThat(alert.headers().firstValue("Retry-After")).isPresent();
    }
  }
}
