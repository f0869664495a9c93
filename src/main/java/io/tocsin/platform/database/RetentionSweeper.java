package io.tocsin.platform.database;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.RetentionHold;
import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionProperties;
import io.tocsin.platform.RetentionTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes what each kind's retention lets go ({@link RetentionProperties}), through the modules'
 * own {@link RetentionTask}s, on one node of the cluster at a time and at most once per interval:
 * the node that takes the lease in {@code platform_job} sweeps, and the next run is due an interval
 * later whichever node takes it. A node that dies mid-sweep lets its lease lapse; what it did not
 * delete, the next run does, as a sweep is its own criterion.
 */
@Component
public class RetentionSweeper {

  static final String JOB = "retention";

  /** Longer than any sweep should take; a node that holds it longer has died. */
  private static final Duration LEASE = Duration.ofMinutes(30);

  private static final Log log = LogFactory.getLog(RetentionSweeper.class);

  private final JdbcClient jdbc;
  private final DatabaseAvailability database;
  private final RetentionProperties settings;
  private final List<RetentionTask> tasks;
  private final RetentionHolds holds;
  private final MeterRegistry registry;
  private final Clock clock;
  private final UUID node = UUID.randomUUID();

  RetentionSweeper(
      JdbcClient jdbc,
      DatabaseAvailability database,
      RetentionProperties settings,
      List<RetentionTask> tasks,
      List<RetentionHold> holds,
      MeterRegistry registry,
      Clock clock) {
    this.jdbc = jdbc;
    this.database = database;
    this.settings = settings;
    this.tasks = List.copyOf(tasks);
    this.holds = new RetentionHolds(holds);
    this.registry = registry;
    this.clock = clock;
  }

  @Scheduled(initialDelayString = "PT2M", fixedDelayString = "PT5M")
  void scheduled() {
    if (!database.isReady()) {
      return;
    }
    try {
      sweepIfDue();
    } catch (RuntimeException e) {
      // The database may have gone since the check; the lease lapses and a later pass goes on.
      log.warn("The retention sweep failed: " + e.getMessage());
    }
  }

  /** Sweeps when this node takes the lease and a run is due; what it deleted of each kind. */
  public Optional<Map<String, Long>> sweepIfDue() {
    // As stored: both databases keep microseconds, and a rounded next_run_at must not be later
    // than the now it was set to.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    if (!claim(now)) {
      return Optional.empty();
    }
    try {
      return Optional.of(sweep(now));
    } finally {
      jdbc.sql(
              "UPDATE platform_job SET holder = NULL, lease_until = NULL, next_run_at = :next"
                  + " WHERE name = :name AND holder = :node")
          .param("next", utc(now.plus(settings.interval())))
          .param("name", JOB)
          .param("node", node)
          .update();
    }
  }

  private Map<String, Long> sweep(Instant now) {
    long started = System.nanoTime();
    Map<String, Long> deleted = new LinkedHashMap<>();
    Map<String, Optional<Duration>> kinds = settings.kinds();
    for (RetentionTask task : tasks) {
      Optional<Duration> keep = kinds.getOrDefault(task.kind(), Optional.empty());
      if (keep.isEmpty()) {
        continue;
      }
      long count = task.sweep(now.minus(keep.get()), settings.batchSize(), holds);
      deleted.put(task.kind(), count);
      Counter.builder("tocsin.retention.deleted")
          .description("Rows deleted by the retention sweep, by kind of data")
          .tag("kind", task.kind())
          .register(registry)
          .increment(count);
    }
    Counter.builder("tocsin.retention.runs")
        .description("Retention sweeps run by this node")
        .register(registry)
        .increment();
    log.info(
        "Retention sweep removed "
            + (deleted.isEmpty() ? "nothing (every kind is kept for ever)" : deleted)
            + " in "
            + Duration.ofNanos(System.nanoTime() - started).toMillis()
            + " ms");
    return deleted;
  }

  /** Takes the lease when a run is due and nobody holds it, or its holder let it lapse. */
  private boolean claim(Instant now) {
    try {
      jdbc.sql("INSERT INTO platform_job (name, next_run_at) VALUES (:name, :now)")
          .param("name", JOB)
          .param("now", utc(now))
          .update();
    } catch (DuplicateKeyException e) {
      // Another node, or an earlier run, made the row.
    }
    return jdbc.sql(
                """
                UPDATE platform_job SET holder = :node, lease_until = :until
                WHERE name = :name AND next_run_at <= :now
                  AND (lease_until IS NULL OR lease_until < :now)
                """)
            .param("node", node)
            .param("until", utc(now.plus(LEASE)))
            .param("name", JOB)
            .param("now", utc(now))
            .update()
        == 1;
  }

  private static java.time.OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
