package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tocsin.directory.SignInForm;
import io.tocsin.testing.Api;
import io.tocsin.testing.BothDatabasesTests;
import io.tocsin.testing.HarnessTests;
import io.tocsin.testing.TestClock;
import io.tocsin.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Tocsin's own vacuuming of its hot tables, where PostgreSQL's autovacuum leaves them alone. */
@BothDatabasesTests.OnlyOn(TestDatabase.POSTGRESQL)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TableUpkeepIntegrationTests extends HarnessTests {

  static final TestClock CLOCK = TestClock.running();

  /** The month of alerts being written, where the upkeep of the partitioned alert table happens. */
  static final String MONTH =
      "ingest_alert_p"
          + YearMonth.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMM"));

  /** Tocsin's clock, which the test moves past the least gap between two analyses. */
  @Configuration(proxyBeanMethods = false)
  static class Clocked {

    @Bean
    @Primary
    Clock testClock() {
      return CLOCK;
    }
  }

  @Override
  protected Class<?>[] sources() {
    return new Class<?>[] {Clocked.class};
  }

  @Override
  protected Map<String, Object> settings() {
    // Passes run when the test says, not on the schedule.
    return Map.of("tocsin.database.upkeep-interval", "1h");
  }

  @Test
  @Order(1)
  void anAlertTableChangedByReSendsThatAutovacuumLeavesAloneIsAnalysedByTocsin() {
    JdbcClient db = JdbcClient.create(schema().dataSource());
    autovacuum(db, false);
    try {
      Api.Service service = api.service("resent", "");
      for (int i = 0; i < 150; i++) {
        api.fire(service, Api.alert("Resent"));
      }
      // Each re-send rewrote the alert's row; the statistics show it shortly after.
      await().atMost(Duration.ofSeconds(30)).until(() -> changed(db) > 100);
      TableUpkeep upkeep = tocsin.bean(TableUpkeep.class);

      assertThat(upkeep.runOnce()).as("the month being written").contains(MONTH);
      assertThat(lastAnalysis(db)).as("analysed").isNotNull();
      await().atMost(Duration.ofSeconds(30)).until(() -> changed(db) < 50);
      assertThat(upkeep.runOnce()).as("nothing left to do").doesNotContain(MONTH);
      assertThat(tocsin.metric("tocsin_database_upkeep_total{action=\"analyze\"}")).isPositive();

      for (int i = 0; i < 150; i++) {
        api.fire(service, Api.alert("Resent"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> changed(db) > 100);
      OffsetDateTime first = lastAnalysis(db);
      upkeep.runOnce();
      assertThat(lastAnalysis(db))
          .as("analysed less than a minute ago: not again, however much changed")
          .isEqualTo(first);
      assertThat(changed(db)).isGreaterThan(100);

      CLOCK.advance(TableUpkeep.ANALYSIS_GAP.plusSeconds(1));
      assertThat(upkeep.runOnce()).contains(MONTH);
      await().atMost(Duration.ofSeconds(30)).until(() -> lastAnalysis(db).isAfter(first));
    } finally {
      CLOCK.reset();
      autovacuum(db, true);
    }
  }

  @Test
  @Order(2)
  void noVacuumTakesAHotTablesExclusiveLockToGiveBackItsLastPages() {
    JdbcClient db = JdbcClient.create(schema().dataSource());
    List<String> keeping =
        db.sql(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = current_schema()"
                    + " AND 'vacuum_truncate=false' = ANY (c.reloptions)")
            .query(String.class)
            .list();

    List<String> hot =
        db.sql("SELECT s.relname " + TableUpkeep.HOT_STORAGE).query(String.class).list();
    assertThat(hot)
        .as("each partition of a partitioned hot table, not the table")
        .contains(MONTH)
        .doesNotContain("ingest_alert")
        .hasSizeGreaterThanOrEqualTo(TableUpkeep.HOT_TABLES.size());
    assertThat(keeping).containsAll(hot);
  }

  // Last: its vacuum and analysis by hand would keep Tocsin from analysing the table again within
  // the minute the first test counts on.
  @Test
  @Order(3)
  void aHotTableFullOfDeadRowsIsNamedInTheReadinessDetailsAndTheMetricUntilItIsVacuumed()
      throws SQLException {
    JdbcClient db = JdbcClient.create(schema().dataSource());
    autovacuum(db, false);
    String service = "00000000-0000-7000-8000-00000000dead";
    // A transaction that began before the updates keeps their dead rows from being pruned by
    // whoever reads the table next, as a long report query would: the count stays put.
    Connection snapshot = schema().dataSource().getConnection();
    try {
      snapshot.setAutoCommit(false);
      snapshot.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (Statement statement = snapshot.createStatement()) {
        statement.executeQuery("SELECT COUNT(*) FROM ingest_alert").close();
      }
      db.sql(
              """
              INSERT INTO ingest_alert (id, integration_id, service_id, fingerprint, status,
                severity, summary, labels, annotations, starts_at, first_seen_at, last_seen_at,
                times_seen)
              SELECT overlay(CAST(platform_first_id(now()) AS TEXT)
                             PLACING lpad(to_hex(n), 12, '0') FROM 25)::uuid,
                CAST(:service AS UUID), CAST(:service AS UUID),
                'neglect-' || n, 'resolved', 'warning', 'Neglected', '{}', '{}', now(), now(),
                now(), 1
              FROM generate_series(1, 20000) AS n
              """)
          .param("service", service)
          .update();
      db.sql("UPDATE ingest_alert SET times_seen = 2 WHERE fingerprint LIKE 'neglect-%'").update();
      // Not all 20,000: an analysis of the table (Tocsin's own upkeep may run one meanwhile) sets
      // the count to its estimate from a sample, which can fall a few rows short.
      await().atMost(Duration.ofSeconds(30)).until(() -> dead(db) >= 15_000);
      UpkeepCheck check = tocsin.bean(UpkeepCheck.class);

      assertThat(check.check().neglected())
          .anySatisfy(problem -> assertThat(problem).startsWith(MONTH + ": ").contains("dead"));
      assertThat(tocsin.get("/actuator/health/readiness").body())
          .contains("\"databaseUpkeep\"")
          .contains(MONTH + ": ");
      assertThat(tocsin.metric("tocsin_database_neglected_tables")).isGreaterThanOrEqualTo(1);
      assertThat(SignInForm.adminPage(tocsin, "/admin"))
          .contains("id=\"upkeep-neglected\"")
          .contains(MONTH + ": ");

      snapshot.rollback();
      db.sql("VACUUM (ANALYZE) " + MONTH).update();
      await().atMost(Duration.ofSeconds(30)).until(() -> dead(db) < 10_000);
      assertThat(check.check().neglected())
          .noneSatisfy(problem -> assertThat(problem).startsWith(MONTH + ": "));
    } finally {
      snapshot.close();
      db.sql("DELETE FROM ingest_alert WHERE fingerprint LIKE 'neglect-%'").update();
      autovacuum(db, true);
    }
  }

  /** Turns autovacuum on or off for each partition of the alert table, as it is set per table. */
  private static void autovacuum(JdbcClient db, boolean enabled) {
    for (String partition :
        db.sql(
                "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'ingest_alert'::regclass")
            .query(String.class)
            .list()) {
      db.sql(
              "ALTER TABLE "
                  + partition
                  + (enabled ? " RESET (autovacuum_enabled)" : " SET (autovacuum_enabled = false)"))
          .update();
    }
  }

  private static long dead(JdbcClient db) {
    return db.sql(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = '"
                + MONTH
                + "'"
                + " AND schemaname = current_schema()")
        .query(Long.class)
        .single();
  }

  private static OffsetDateTime lastAnalysis(JdbcClient db) {
    return db.sql(
            "SELECT last_analyze FROM pg_stat_user_tables"
                + " WHERE schemaname = current_schema() AND relname = '"
                + MONTH
                + "'")
        .query(OffsetDateTime.class)
        .optional()
        .orElse(null);
  }

  private static long changed(JdbcClient db) {
    return db.sql(
            "SELECT n_mod_since_analyze FROM pg_stat_user_tables"
                + " WHERE schemaname = current_schema() AND relname = '"
                + MONTH
                + "'")
        .query(Long.class)
        .single();
  }
}
