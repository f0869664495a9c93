package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Tocsin's own vacuuming of its hot tables, where PostgreSQL's autovacuum leaves them alone. */
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
class TableUpkeepIntegrationTests extends HarnessTests {

  @Override
  protected Map<String, Object> settings() {
    // Passes run when the test says, not on the schedule.
    return Map.of("tocsin.database.upkeep-interval", "1h");
  }

  @Test
  void anAlertTableChangedByReSendsThatAutovacuumLeavesAloneIsAnalysedByTocsin() {
    JdbcClient db = JdbcClient.create(schema().dataSource());
    db.sql("ALTER TABLE ingest_alert SET (autovacuum_enabled = false)").update();
    try {
      Api.Service service = api.service("resent", "");
      for (int i = 0; i < 150; i++) {
        api.fire(service, Api.alert("Resent"));
      }
      // Each re-send rewrote the alert's row; the statistics show it shortly after.
      await().atMost(Duration.ofSeconds(30)).until(() -> changed(db) > 100);
      TableUpkeep upkeep = tocsin.bean(TableUpkeep.class);

      assertThat(upkeep.runOnce()).contains("ingest_alert");
      assertThat(
              db.sql(
                      "SELECT last_analyze IS NOT NULL"
                          + " FROM pg_stat_user_tables"
                          + " WHERE schemaname = current_schema() AND relname = 'ingest_alert'")
                  .query(Boolean.class)
                  .single())
          .isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> changed(db) < 50);
      assertThat(upkeep.runOnce()).as("nothing left to do").doesNotContain("ingest_alert");
      assertThat(tocsin.metric("tocsin_database_upkeep_total{action=\"analyze\"}")).isPositive();
    } finally {
      db.sql("ALTER TABLE ingest_alert RESET (autovacuum_enabled)").update();
    }
  }

  private static long changed(JdbcClient db) {
    return db.sql(
            "SELECT n_mod_since_analyze FROM pg_stat_user_tables"
                + " WHERE schemaname = current_schema() AND relname = 'ingest_alert'")
        .query(Long.class)
        .single();
  }
}
