package io.tocsin.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.DatabaseUpkeep;
import io.tocsin.platform.DatabaseUpkeepReport;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Looks, soon after start and then every hour, at whether PostgreSQL's upkeep keeps up with
 * Tocsin's hot tables ({@link TableUpkeep#HOT_TABLES}): autovacuum, and each table's dead rows and
 * the age of its statistics. Neglect is logged, exported as metrics (which the
 * TocsinDatabaseNeglected rule watches), shown in the readiness details and on the admin page. It
 * never takes the node out of traffic: a slow database still pages.
 */
@Component("databaseUpkeep")
final class UpkeepCheck implements HealthIndicator, DatabaseUpkeep {

  private static final Duration EVERY = Duration.ofHours(1);

  private static final Log log = LogFactory.getLog(UpkeepCheck.class);

  private final JdbcTemplate jdbc;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final boolean postgres;
  private volatile @Nullable DatabaseUpkeepReport latest;

  UpkeepCheck(
      JdbcTemplate jdbc,
      DatabaseAvailability database,
      HikariDataSource dataSource,
      MeterRegistry registry,
      Clock clock) {
    this.jdbc = jdbc;
    this.database = database;
    this.clock = clock;
    this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    if (postgres) {
      Gauge.builder(
              "tocsin.database.autovacuum",
              this,
              check -> check.report(r -> r.autovacuum() ? 1 : 0))
          .description("1 when PostgreSQL runs autovacuum, 0 when it is off")
          .register(registry);
      Gauge.builder(
              "tocsin.database.neglected.tables",
              this,
              check -> check.report(r -> r.neglected().size()))
          .description(
              "Hot tables with too many dead rows or stale statistics, at the last hourly look")
          .register(registry);
      for (String table : TableUpkeep.HOT_TABLES) {
        Gauge.builder(
                "tocsin.database.dead.rows.ratio",
                this,
                check -> check.table(table, DatabaseUpkeepReport.Table::deadShare))
            .description("Share of a hot table's rows that are dead, at the last hourly look")
            .tag("table", table)
            .register(registry);
        Gauge.builder(
                "tocsin.database.statistics.age",
                this,
                check ->
                    check.table(
                        table,
                        row -> {
                          Duration age = row.statisticsAge(clock.instant());
                          // Never analysed counts as older than any limit.
                          return age == null ? Double.POSITIVE_INFINITY : age.toSeconds();
                        }))
            .description("Seconds since a hot table's statistics were gathered")
            .tag("table", table)
            .baseUnit("seconds")
            .register(registry);
      }
    }
  }

  @Scheduled(initialDelayString = "PT10S", fixedDelayString = "PT1M")
  void scheduled() {
    DatabaseUpkeepReport last = latest;
    if (!postgres
        || !database.isReady()
        || (last != null && last.at().plus(EVERY).isAfter(clock.instant()))) {
      return;
    }
    try {
      check();
    } catch (RuntimeException e) {
      log.warn("Looking at the upkeep of Tocsin's tables failed: " + e.getMessage());
    }
  }

  /** Looks now; the report, which the health details, metrics and admin page show from then on. */
  DatabaseUpkeepReport check() {
    boolean autovacuum =
        Boolean.TRUE.equals(
            jdbc.queryForObject("SELECT current_setting('autovacuum') = 'on'", Boolean.class));
    List<DatabaseUpkeepReport.Table> tables =
        jdbc.query(
            """
            SELECT s.relname, coalesce(p.relname, s.relname) AS hot_table, s.n_live_tup,
                   s.n_dead_tup, s.n_mod_since_analyze,
                   greatest(s.last_analyze, s.last_autoanalyze) AS analysed
            """
                + TableUpkeep.HOT_STORAGE
                + " ORDER BY s.relname",
            (rs, n) -> {
              Timestamp analysed = rs.getTimestamp("analysed");
              return new DatabaseUpkeepReport.Table(
                  rs.getString("relname"),
                  rs.getString("hot_table"),
                  rs.getLong("n_live_tup"),
                  rs.getLong("n_dead_tup"),
                  rs.getLong("n_mod_since_analyze"),
                  analysed == null ? null : analysed.toInstant());
            });
    DatabaseUpkeepReport report = new DatabaseUpkeepReport(clock.instant(), autovacuum, tables);
    latest = report;
    List<String> neglected = report.neglected();
    if (!neglected.isEmpty()) {
      log.warn(
          "PostgreSQL's upkeep does not keep up with Tocsin's tables ("
              + (autovacuum ? "autovacuum is on" : "autovacuum is off")
              + "): "
              + String.join("; ", neglected)
              + ". See docs/runbooks/database-upkeep.md.");
    }
    return report;
  }

  @Override
  public Optional<DatabaseUpkeepReport> latest() {
    return Optional.ofNullable(latest);
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up();
    DatabaseUpkeepReport report = latest;
    if (!postgres) {
      return health.withDetail("database", "embedded: no vacuum to watch").build();
    }
    if (report == null) {
      return health.withDetail("checkedAt", "not yet").build();
    }
    Map<String, String> tables = new LinkedHashMap<>();
    for (DatabaseUpkeepReport.Table table : report.tables()) {
      Duration age = table.statisticsAge(report.at());
      tables.put(
          table.name(),
          Math.round(table.deadShare() * 100)
              + "% dead, statistics "
              + (age == null ? "never gathered" : age.toMinutes() + " min old"));
    }
    return health
        .withDetail("checkedAt", report.at().toString())
        .withDetail("autovacuum", report.autovacuum() ? "on" : "off")
        .withDetail("neglected", report.neglected())
        .withDetail("tables", tables)
        .build();
  }

  private double report(ToDoubleFunction<DatabaseUpkeepReport> value) {
    DatabaseUpkeepReport report = latest;
    return report == null ? Double.NaN : value.applyAsDouble(report);
  }

  /**
   * The value for one hot table; for a partitioned one, that of its partition with the most rows
   * changed since their statistics, the month being written.
   */
  private double table(String name, ToDoubleFunction<DatabaseUpkeepReport.Table> value) {
    DatabaseUpkeepReport report = latest;
    if (report == null) {
      return Double.NaN;
    }
    return report.tables().stream()
        .filter(table -> table.table().equals(name))
        .max(Comparator.comparingLong(DatabaseUpkeepReport.Table::changed))
        .map(value::applyAsDouble)
        .orElse(Double.NaN);
  }
}
