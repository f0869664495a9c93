package io.tocsin.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.DatabaseAvailability;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Vacuums and analyses Tocsin's busiest tables itself where PostgreSQL's autovacuum does not look
 * after them (turned off for the server or for the table). Every re-send of a firing alert rewrites
 * its row and every correlated batch its publication, so without vacuuming the hot tables fill with
 * dead rows that each lookup wades through; and a table never analysed keeps the plans made when it
 * was empty (a sequential scan of the open alerts for every request). An 8-minute storm without it
 * went from a median of 7 ms a request to 313 ms.
 *
 * <p>The thresholds are autovacuum's defaults: a vacuum when dead rows pass a fifth of the live
 * ones, an analysis when changes since the last pass a tenth. One node at a time (an advisory
 * lock), and {@code VACUUM} takes no lock that ingestion waits on. Nothing happens on H2, or where
 * autovacuum runs.
 *
 * <p>An analysis is what an open loop of single alerts feels: under 1,000 requests a second the
 * alert table passed its threshold on every pass, and each analysis took a core for most of a
 * second on a two-core machine, a stall every 15 s. So a table is analysed at most once a minute
 * (autovacuum's own pace), from a sample of 3,000 rows rather than 30,000: the plans that keep
 * ingestion fast need the table's size and its keys' spread, not a fine histogram of every column.
 *
 * <p>None of these tables gives its empty last pages back when vacuumed ({@code vacuum_truncate =
 * false}, set by a migration): doing so takes a lock that every insert waits for, and stopped
 * ingestion for 100-150 ms at each vacuum of the publication queue.
 */
@Component
class TableUpkeep {

  private static final Log log = LogFactory.getLog(TableUpkeep.class);

  /** The tables every alert writes to, some several times. */
  static final List<String> HOT_TABLES =
      List.of(
          "ingest_alert",
          "ingest_alert_open",
          "ingest_alert_volume",
          "platform_event_publication",
          "incident",
          "incident_alert",
          "incident_service",
          "incident_timeline",
          "correlate_muted_alert",
          "notify_message");

  /**
   * Where the hot tables keep their rows, in {@code pg_stat_user_tables} ({@code s}) and {@code
   * pg_class} ({@code c}): each table, or each partition of a partitioned one (its months, of which
   * only the latest are written), named as itself.
   */
  static final String HOT_STORAGE =
      """
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
      LEFT JOIN pg_class p ON p.oid = i.inhparent
      WHERE s.schemaname = current_schema() AND c.relkind = 'r'
        AND coalesce(p.relname, s.relname) IN (%s)
      """
          .formatted(String.join(", ", HOT_TABLES.stream().map(name -> "'" + name + "'").toList()));

  /** The least time between two analyses of one table, autovacuum's default nap. */
  static final Duration ANALYSIS_GAP = Duration.ofMinutes(1);

  /**
   * The statistics target of Tocsin's own analyses: a sample of 300 rows per unit, a tenth of
   * PostgreSQL's default.
   */
  private static final int STATISTICS_TARGET = 10;

  /** An advisory lock key of Tocsin's own: "tocsin upkeep" in ASCII. */
  private static final long LOCK = 0x746f6373696e7570L;

  private final JdbcTemplate jdbc;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final boolean postgres;
  private final Counter vacuums;
  private final Counter analyses;

  TableUpkeep(
      JdbcTemplate jdbc,
      DatabaseAvailability database,
      HikariDataSource dataSource,
      MeterRegistry registry,
      Clock clock) {
    this.jdbc = jdbc;
    this.database = database;
    this.clock = clock;
    this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    this.vacuums =
        Counter.builder("tocsin.database.upkeep")
            .description("Hot tables vacuumed or analysed by Tocsin where autovacuum does not")
            .tag("action", "vacuum")
            .register(registry);
    this.analyses =
        Counter.builder("tocsin.database.upkeep")
            .description("Hot tables vacuumed or analysed by Tocsin where autovacuum does not")
            .tag("action", "analyze")
            .register(registry);
  }

  @Scheduled(
      initialDelayString = "${tocsin.database.upkeep-interval}",
      fixedDelayString = "${tocsin.database.upkeep-interval}")
  void scheduled() {
    if (!postgres || !database.isReady()) {
      return;
    }
    try {
      runOnce();
    } catch (RuntimeException e) {
      // The database may have gone since the check; the next pass tries again.
      log.warn("Vacuuming Tocsin's hot tables failed: " + e.getMessage());
    }
  }

  /** Vacuums or analyses the hot tables autovacuum leaves alone and that need it; their names. */
  List<String> runOnce() {
    List<String> done = jdbc.execute((ConnectionCallback<List<String>>) this::upkeep);
    return done == null ? List.of() : done;
  }

  private List<String> upkeep(Connection connection) throws SQLException {
    List<String> done = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      if (!on(statement, "SELECT pg_try_advisory_lock(" + LOCK + ")")) {
        return done;
      }
      try {
        // Throttled as autovacuum is, so that a vacuum of a large table does not take the
        // database's disk and CPU from ingestion; a VACUUM run by hand is not, by default.
        statement.execute("SET vacuum_cost_delay = '2ms'");
        statement.execute("SET default_statistics_target = " + STATISTICS_TARGET);
        boolean everywhere = !on(statement, "SELECT current_setting('autovacuum') = 'on'");
        for (Need need : needs(statement, everywhere, clock.instant().minus(ANALYSIS_GAP))) {
          // Outside any transaction: VACUUM cannot run in one, and the pool's connections commit
          // each statement.
          statement.execute(need.command());
          if (need.vacuum()) {
            vacuums.increment();
          }
          if (need.analyze()) {
            analyses.increment();
          }
          done.add(need.table());
          log.info(
              need.done()
                  + need.table()
                  + " ("
                  + need.dead()
                  + " dead rows, "
                  + need.changed()
                  + " changed since its last analysis, of "
                  + need.live()
                  + "): autovacuum does not look after it");
        }
      } finally {
        statement.execute("RESET default_statistics_target");
        statement.execute("RESET vacuum_cost_delay");
        statement.execute("SELECT pg_advisory_unlock(" + LOCK + ")");
      }
    }
    return done;
  }

  private record Need(
      String table, boolean vacuum, boolean analyze, long live, long dead, long changed) {

    String command() {
      return (vacuum ? (analyze ? "VACUUM (ANALYZE) " : "VACUUM ") : "ANALYZE ") + table;
    }

    String done() {
      return vacuum ? (analyze ? "Vacuumed and analysed " : "Vacuumed ") : "Analysed ";
    }
  }

  /** The tables that need a pass; one analysed after {@code analysedBefore} at most a vacuum. */
  private static List<Need> needs(Statement statement, boolean everywhere, Instant analysedBefore)
      throws SQLException {
    List<Need> needs = new ArrayList<>();
    try (ResultSet rows =
        statement.executeQuery(
            """
            SELECT s.relname, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze,
                   greatest(s.last_analyze, s.last_autoanalyze) AS analysed,
                   coalesce(c.reloptions::text LIKE '%autovacuum_enabled=false%', false) AS off
            """
                + HOT_STORAGE
                + " ORDER BY s.relname")) {
      while (rows.next()) {
        if (!everywhere && !rows.getBoolean("off")) {
          continue;
        }
        long live = rows.getLong("n_live_tup");
        long dead = rows.getLong("n_dead_tup");
        long changed = rows.getLong("n_mod_since_analyze");
        boolean vacuum = dead > 50 + live / 5;
        OffsetDateTime analysed = rows.getObject("analysed", OffsetDateTime.class);
        boolean analyze =
            changed > 50 + live / 10
                && (analysed == null || analysed.toInstant().isBefore(analysedBefore));
        if (vacuum || analyze) {
          needs.add(new Need(rows.getString("relname"), vacuum, analyze, live, dead, changed));
        }
      }
    }
    return needs;
  }

  private static boolean on(Statement statement, String query) throws SQLException {
    try (ResultSet result = statement.executeQuery(query)) {
      return result.next() && result.getBoolean(1);
    }
  }
}
