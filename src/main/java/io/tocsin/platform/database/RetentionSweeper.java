package io.tocsin.platform.database;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.ClusterJobs;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.RetentionHold;
import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionProperties;
import io.tocsin.platform.RetentionTask;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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

  private final ClusterJobs jobs;
  private final DatabaseAvailability database;
  private final RetentionProperties settings;
  private final List<RetentionTask> tasks;
  private final RetentionHolds holds;
  private final MeterRegistry registry;

  RetentionSweeper(
      ClusterJobs jobs,
      DatabaseAvailability database,
      RetentionProperties settings,
      List<RetentionTask> tasks,
      List<RetentionHold> holds,
      MeterRegistry registry) {
    this.jobs = jobs;
    this.database = database;
    this.settings = settings;
    this.tasks = List.copyOf(tasks);
    this.holds = new RetentionHolds(holds);
    this.registry = registry;
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
    return jobs.runIfDue(JOB, LEASE, now -> now.plus(settings.interval()), this::sweep);
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
}
