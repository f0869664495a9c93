package io.tocsin.platform.database;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.TimePartitions;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * PostgreSQL's monthly partitions of Tocsin's partitioned tables (made by their migrations): keeps
 * the coming months made ahead, so that ingestion never writes to the default partition, and drops
 * the months retention lets go. Every lock these statements take on a table that ingestion writes
 * is given up after a second rather than queued behind: a DDL statement that waits for a lock makes
 * every insert behind it wait too.
 */
@Component
class MonthlyPartitions implements TimePartitions {

  private static final Log log = LogFactory.getLog(MonthlyPartitions.class);

  /** Months made ahead of the current one: a node that stops for two months still finds them. */
  static final int MONTHS_AHEAD = 3;

  /** An advisory lock key of Tocsin's own, "tocsin parts" in ASCII: one node makes them. */
  private static final long LOCK = 0x746f6373696e7061L;

  private static final String BOUNDS =
      """
      SELECT p.relname AS parent, c.relname AS name,
             substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([0-9a-f-]+)''\\)')::uuid
               AS lower_bound,
             substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([0-9a-f-]+)''\\)')::uuid
               AS upper_bound
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relnamespace = current_schema()::regnamespace AND p.relkind = 'p'
      """;

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final boolean postgres;
  private final Counter failures;

  MonthlyPartitions(
      JdbcClient jdbc,
      TransactionTemplate transactions,
      DatabaseAvailability database,
      HikariDataSource dataSource,
      MeterRegistry registry,
      Clock clock) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.database = database;
    this.clock = clock;
    this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    this.failures =
        Counter.builder("tocsin.database.partition.failures")
            .description(
                "Months of partitioned tables that could not be made ahead; their rows go to the"
                    + " default partition until one is")
            .register(registry);
  }

  @Scheduled(initialDelayString = "PT30S", fixedDelayString = "PT1H")
  void scheduled() {
    if (postgres && database.isReady()) {
      makeAhead();
    }
  }

  /** Makes the partitions of this month and the next {@link #MONTHS_AHEAD} that are missing. */
  void makeAhead() {
    OffsetDateTime month =
        clock.instant().atOffset(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
    List<String> tables;
    try {
      tables =
          jdbc.sql(
                  "SELECT c.relname FROM pg_partitioned_table t JOIN pg_class c ON c.oid ="
                      + " t.partrelid WHERE c.relnamespace = current_schema()::regnamespace"
                      + " ORDER BY c.relname")
              .query(String.class)
              .list();
    } catch (DataAccessException e) {
      log.warn("Looking for the partitioned tables failed: " + e.getMessage());
      return;
    }
    for (String table : tables) {
      for (int ahead = 0; ahead <= MONTHS_AHEAD; ahead++) {
        OffsetDateTime start = month.plusMonths(ahead);
        try {
          transactions.executeWithoutResult(
              status -> {
                jdbc.sql("SET LOCAL lock_timeout = '1s'").update();
                jdbc.sql("SELECT pg_advisory_xact_lock(" + LOCK + ")").query().singleValue();
                jdbc.sql("SELECT platform_month_partition(:table, :start)")
                    .param("table", table)
                    .param("start", start)
                    .query()
                    .singleValue();
              });
        } catch (DataAccessException e) {
          // Tried again within the hour; the default partition takes the month's rows meanwhile.
          failures.increment();
          log.warn(
              "Making the partition of "
                  + table
                  + " for "
                  + start.toLocalDate().withDayOfMonth(1)
                  + " failed, tried again within the hour: "
                  + e.getMostSpecificCause().getMessage());
        }
      }
    }
  }

  @Override
  public List<Partition> below(String table, UUID bound) {
    if (!postgres) {
      return List.of();
    }
    return jdbc.sql(
            "SELECT * FROM ("
                + BOUNDS
                + ") b WHERE parent = :table AND upper_bound <= :bound"
                + " ORDER BY upper_bound")
        .param("table", table)
        .param("bound", bound)
        .query(
            (rs, n) ->
                new Partition(
                    rs.getString("parent"),
                    rs.getString("name"),
                    rs.getObject("lower_bound", UUID.class),
                    rs.getObject("upper_bound", UUID.class)))
        .list();
  }

  @Override
  public OptionalLong dropUnless(
      Partition partition, String keptWhere, Map<String, ?> params, Predicate<Partition> held) {
    try {
      long dropped =
          Objects.requireNonNull(
              transactions.execute(
                  status -> {
                    jdbc.sql("SET LOCAL lock_timeout = '1s'").update();
                    // Writes to this month wait from here (there are next to none); reads do not.
                    jdbc.sql("LOCK TABLE " + quoted(partition.name()) + " IN SHARE MODE").update();
                    long[] counts =
                        jdbc.sql(
                                "SELECT COUNT(*), COUNT(*) FILTER (WHERE "
                                    + keptWhere
                                    + ") FROM "
                                    + quoted(partition.name()))
                            .params(params)
                            .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)})
                            .single();
                    if (counts[1] > 0 || held.test(partition)) {
                      return -1L;
                    }
                    jdbc.sql(
                            "ALTER TABLE "
                                + quoted(partition.table())
                                + " DETACH PARTITION "
                                + quoted(partition.name()))
                        .update();
                    jdbc.sql("DROP TABLE " + quoted(partition.name())).update();
                    return counts[0];
                  }));
      if (dropped < 0) {
        return OptionalLong.empty();
      }
      log.info(
          "Dropped partition "
              + partition.name()
              + " of "
              + partition.table()
              + " ("
              + dropped
              + " rows)");
      return OptionalLong.of(dropped);
    } catch (DataAccessException e) {
      // Most likely the lock timeout: ingestion held the table. The next sweep tries again.
      log.warn(
          "Dropping partition "
              + partition.name()
              + " waited too long, tried again next sweep: "
              + e.getMostSpecificCause().getMessage());
      return OptionalLong.empty();
    }
  }

  private static String quoted(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
