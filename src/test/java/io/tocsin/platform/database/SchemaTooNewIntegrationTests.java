package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.DatabaseStatus;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.TocsinHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

class SchemaTooNewIntegrationTests extends BothDatabasesTests {

  @Test
  void aDatabaseMigratedByANewerTocsinKeepsReadinessDownAndNothingIsWritten(@TempDir Path dataDir) {
    JdbcClient jdbc = JdbcClient.create(schema().dataSource());
    SchemaMigrator.Outcome.Current build =
        (SchemaMigrator.Outcome.Current)
            new SchemaMigrator(schema().dataSource(), SchemaMigrator.vendorOf(schema().url()))
                .migrate();
    SchemaMigratorIntegrationTests.insertFutureMigration(jdbc);
    long historyRows =
        jdbc.sql("SELECT COUNT(*) FROM flyway_schema_history").query(Long.class).single();

    try (TocsinHarness tocsin =
        TocsinHarness.start(
            schema().url(), schema().user(), schema().password(), dataDir, Map.of())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  tocsin.bean(DatabaseAvailability.class).status()
                      instanceof DatabaseStatus.SchemaTooNew);

      HttpResponse<String> readiness = tocsin.get("/actuator/health/readiness");
      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(readiness.body())
          .contains(
              "\"databaseSchemaVersion\":\"" + SchemaMigratorIntegrationTests.FUTURE_VERSION + "\"")
          .contains("\"buildSchemaVersion\":\"" + build.version() + "\"")
          .contains("upgrade Tocsin");
      HttpResponse<String> api = tocsin.get("/api/v1/anything");
      assertThat(api.statusCode()).isEqualTo(503);
      assertThat(api.headers().firstValue("Retry-After")).isPresent();
    }

    assertThat(jdbc.sql("SELECT COUNT(*) FROM flyway_schema_history").query(Long.class).single())
        .isEqualTo(historyRows);
    assertThat(jdbc.sql("SELECT COUNT(*) FROM platform_node").query(Long.class).single()).isZero();
  }
}
