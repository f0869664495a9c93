package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tocsin.platform.DatabaseStatus;
import io.tocsin.platform.PlatformProperties;
import io.tocsin.testing.BothDatabasesTests;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class SchemaMigratorIntegrationTests extends BothDatabasesTests {

  static final String FUTURE_VERSION = "209912312359";
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  private DataSource dataSource;
  private JdbcClient jdbc;
  private SchemaMigrator migrator;

  @BeforeEach
  void migrate() {
    dataSource = schema().dataSource();
    jdbc = JdbcClient.create(dataSource);
    migrator = new SchemaMigrator(dataSource, SchemaMigrator.vendorOf(schema().url()));
    migrator.migrate();
  }

  @AfterEach
  void removeFutureMigrationAndNodes() {
    jdbc.sql("DELETE FROM flyway_schema_history WHERE version = :v")
        .param("v", FUTURE_VERSION)
        .update();
    jdbc.sql("DELETE FROM platform_node").update();
  }

  @Test
  void migratingTwiceLeavesTheSchemaAtTheSameVersion() {
    SchemaMigrator.Outcome first = migrator.migrate();
    SchemaMigrator.Outcome second = migrator.migrate();

    assertThat(first).isInstanceOf(SchemaMigrator.Outcome.Current.class);
    assertThat(second).isEqualTo(first);
    assertThat(jdbc.sql("SELECT COUNT(*) FROM platform_node").query(Long.class).single()).isZero();
  }

  @Test
  void anEarlyAttemptGivesTheFirstOutcomeAndTheNextMigrationLooksAgain() {
    String buildVersion = ((SchemaMigrator.Outcome.Current) migrator.migrate()).version();
    insertFutureMigration(jdbc);
    SchemaMigrator starting =
        new SchemaMigrator(dataSource, SchemaMigrator.vendorOf(schema().url()));
    starting.beginEarly();

    SchemaMigrator.Outcome first = starting.migrate();
    jdbc.sql("DELETE FROM flyway_schema_history WHERE version = :v")
        .param("v", FUTURE_VERSION)
        .update();
    SchemaMigrator.Outcome second = starting.migrate();

    assertThat(first).isEqualTo(new SchemaMigrator.Outcome.TooNew(FUTURE_VERSION, buildVersion));
    assertThat(second).isEqualTo(new SchemaMigrator.Outcome.Current(buildVersion));
  }

  @Test
  void anEarlyAttemptThatCannotConnectFailsTheFirstPassWhichRetriesLater() {
    DriverManagerDataSource unreachable =
        new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:1/tocsin", "tocsin", "");
    SchemaMigrator starting = new SchemaMigrator(unreachable, "postgresql");
    starting.beginEarly();

    assertThatThrownBy(starting::migrate).hasMessageContaining("Connection");
    assertThatThrownBy(starting::migrate).hasMessageContaining("Connection");
  }

  @Test
  void aSchemaMigratedByANewerBuildIsReportedWithBothVersionsAndLeftUntouched() {
    String buildVersion = ((SchemaMigrator.Outcome.Current) migrator.migrate()).version();
    insertFutureMigration(jdbc);
    long historyRows = historyRows();

    SchemaMigrator.Outcome outcome = migrator.migrate();

    assertThat(outcome).isEqualTo(new SchemaMigrator.Outcome.TooNew(FUTURE_VERSION, buildVersion));
    assertThat(historyRows()).isEqualTo(historyRows);
  }

  @Test
  void monitorRefusesASchemaFromTheFutureWithoutWritingItsHeartbeat() {
    String buildVersion = ((SchemaMigrator.Outcome.Current) migrator.migrate()).version();
    insertFutureMigration(jdbc);

    DatabaseStatus status = monitor().runOnce();

    assertThat(status).isInstanceOf(DatabaseStatus.SchemaTooNew.class);
    assertThat(status.describe())
        .contains("at version " + FUTURE_VERSION)
        .contains("newer than version " + buildVersion);
    assertThat(jdbc.sql("SELECT COUNT(*) FROM platform_node").query(Long.class).single()).isZero();
  }

  @Test
  void monitorBecomesReadyAndWritesThisNodesHeartbeat() {
    DatabaseMonitor monitor = monitor();

    DatabaseStatus status = monitor.runOnce();

    assertThat(status).isInstanceOf(DatabaseStatus.Ready.class);
    assertThat(monitor.isReady()).isTrue();
    assertThat(jdbc.sql("SELECT host_name FROM platform_node").query(String.class).list())
        .hasSize(1);
  }

  @Test
  void theListenersOfDatabaseReadyFinishBeforeTheNodeReportsReady() {
    List<DatabaseStatus> seenByListener = new ArrayList<>();
    AtomicReference<DatabaseMonitor> monitor = new AtomicReference<>();
    monitor.set(monitor(event -> seenByListener.add(monitor.get().status())));

    DatabaseStatus after = monitor.get().runOnce();

    assertThat(after).isInstanceOf(DatabaseStatus.Ready.class);
    assertThat(seenByListener)
        .as("requests wait while, for example, the first admin is created")
        .singleElement()
        .isInstanceOf(DatabaseStatus.Unavailable.class);
    assertThat(monitor.get().status()).isEqualTo(after);
  }

  @Test
  void heartbeatInsertsTheNodeOnceAndThenMovesItsLastSeenTime() {
    NodeRepository node = new NodeRepository(dataSource, "1.2.3");

    node.heartbeat(NOW);
    node.heartbeat(NOW.plusSeconds(5));

    assertThat(
            jdbc.sql("SELECT last_seen_at FROM platform_node WHERE id = :id")
                .param("id", node.id())
                .query((rs, n) -> rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
                .list())
        .containsExactly(NOW.plusSeconds(5));
  }

  @Test
  void nodesThatStoppedWithoutLeavingAreForgottenAndLeavingRemovesTheRow() {
    NodeRepository stale = new NodeRepository(dataSource, "1.2.3");
    NodeRepository alive = new NodeRepository(dataSource, "1.2.3");
    stale.heartbeat(NOW.minus(Duration.ofDays(2)));
    alive.heartbeat(NOW);

    int forgotten = alive.forgetNodesNotSeenSince(NOW.minus(Duration.ofDays(1)));
    alive.leave();

    assertThat(forgotten).isEqualTo(1);
    assertThat(jdbc.sql("SELECT COUNT(*) FROM platform_node").query(Long.class).single()).isZero();
  }

  static void insertFutureMigration(JdbcClient jdbc) {
    jdbc.sql(
            """
            INSERT INTO flyway_schema_history
              (installed_rank, version, description, type, script, checksum, installed_by,
               execution_time, success)
            VALUES (1000, :version, 'from a newer build', 'SQL', 'V209912312359__newer.sql', 0,
                    'test', 1, TRUE)
            """)
        .param("version", FUTURE_VERSION)
        .update();
  }

  private long historyRows() {
    return jdbc.sql("SELECT COUNT(*) FROM flyway_schema_history").query(Long.class).single();
  }

  private DatabaseMonitor monitor() {
    return monitor(event -> {});
  }

  private DatabaseMonitor monitor(ApplicationEventPublisher events) {
    PlatformProperties.Database settings =
        new PlatformProperties.Database(
            schema().url(),
            null,
            schema().user(),
            schema().password(),
            2,
            Duration.ofSeconds(1),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            org.springframework.util.unit.DataSize.ofMegabytes(100),
            Duration.ofMinutes(1));
    return new DatabaseMonitor(
        migrator,
        new NodeRepository(dataSource, "test"),
        settings,
        null,
        Clock.fixed(NOW, ZoneOffset.UTC),
        new SimpleMeterRegistry(),
        events);
  }
}
