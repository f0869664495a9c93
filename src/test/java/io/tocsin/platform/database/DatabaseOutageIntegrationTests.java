package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.DatabaseStatus;
import io.tocsin.testing.TcpProxy;
import io.tocsin.testing.TestDatabase;
import io.tocsin.testing.TocsinHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A real PostgreSQL behind a proxy that the test cuts and restores: the server must start without
 * it, answer 503 with Retry-After meanwhile, and become ready by itself, without a restart. The
 * steps build on each other, so they run in order on one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageIntegrationTests {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private TestDatabase.CleanSchema schema;
  private TcpProxy proxy;
  private TocsinHarness tocsin;

  @BeforeAll
  void startTocsinWhileTheDatabaseIsUnreachable(@TempDir Path dataDir) throws IOException {
    schema = TestDatabase.POSTGRESQL.createCleanSchema();
    URI target = URI.create(schema.url().substring("jdbc:".length()));
    proxy = new TcpProxy(target.getHost(), target.getPort());
    String proxiedUrl =
        schema
            .url()
            .replace(target.getHost() + ":" + target.getPort(), "127.0.0.1:" + proxy.port());
    tocsin = TocsinHarness.start(proxiedUrl, schema.user(), schema.password(), dataDir, Map.of());
  }

  @AfterAll
  void stop() throws IOException {
    if (tocsin != null) {
      tocsin.close();
    }
    proxy.close();
    schema.close();
  }

  @Test
  @Order(1)
  void startsLiveButUnreadyAndAnswersTheApiWith503AndRetryAfter() {
    await().atMost(PATIENCE).until(() -> failedAttempts() >= 2);

    assertThat(tocsin.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    HttpResponse<String> readiness = tocsin.get("/actuator/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(503);
    assertThat(readiness.body()).contains("\"status\":\"DOWN\"").contains("\"reason\":\"");
    assertAnswersUnavailable();
    assertThat(tocsin.metric("tocsin_ready")).isEqualTo(0);
    assertThat(tocsin.metric("tocsin_database_up")).isEqualTo(0);
  }

  @Test
  @Order(2)
  void keepsRetryingWithABackoffCappedAtTheConfiguredMaximum() {
    await().atMost(PATIENCE).until(() -> failedAttempts() >= 6);

    DatabaseStatus.Unavailable status =
        (DatabaseStatus.Unavailable) tocsin.bean(DatabaseAvailability.class).status();
    assertThat(Duration.between(Instant.now(), status.nextAttemptAt()))
        .isLessThanOrEqualTo(Duration.ofSeconds(1));
  }

  @Test
  @Order(3)
  void migratesAndBecomesReadyWithoutARestartOnceTheDatabaseAnswers() throws IOException {
    proxy.restore();

    await()
        .atMost(PATIENCE)
        .until(() -> tocsin.get("/actuator/health/readiness").statusCode() == 200);
    JdbcClient jdbc = JdbcClient.create(schema.dataSource());
    assertThat(jdbc.sql("SELECT COUNT(*) FROM flyway_schema_history").query(Long.class).single())
        .isPositive();
    assertThat(jdbc.sql("SELECT COUNT(*) FROM platform_node").query(Long.class).single())
        .isEqualTo(1);
    assertThat(tocsin.get("/api/v1/anything").statusCode()).isEqualTo(401);
    assertThat(tocsin.metric("tocsin_ready")).isEqualTo(1);
    assertThat(tocsin.metric("tocsin_database_up")).isEqualTo(1);
  }

  @Test
  @Order(4)
  void whenTheConnectionDropsWhileRunningItGoesUnreadyAndRecoversByItself() throws IOException {
    proxy.cut();

    await()
        .atMost(PATIENCE)
        .until(() -> tocsin.get("/actuator/health/readiness").statusCode() == 503);
    assertThat(tocsin.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    assertAnswersUnavailable();
    assertThat(tocsin.metric("tocsin_ready")).isEqualTo(0);

    proxy.restore();

    await()
        .atMost(PATIENCE)
        .until(() -> tocsin.get("/actuator/health/readiness").statusCode() == 200);
    assertThat(tocsin.get("/api/v1/anything").statusCode()).isEqualTo(401);
  }

  private void assertAnswersUnavailable() {
    HttpResponse<String> api = tocsin.get("/api/v1/anything");
    assertThat(api.statusCode()).isEqualTo(503);
    assertThat(api.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(Long.parseLong(api.headers().firstValue("Retry-After").orElseThrow())).isPositive();
    assertThat(api.body())
        .contains("\"type\":\"urn:tocsin:problem:database-unavailable\"")
        .contains("\"status\":503");
  }

  private int failedAttempts() {
    return tocsin.bean(DatabaseAvailability.class).status()
            instanceof DatabaseStatus.Unavailable unavailable
        ? unavailable.failedAttempts()
        : 0;
  }
}
