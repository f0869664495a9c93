package io.tocsin.platform.database;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.DatabaseReady;
import io.tocsin.platform.DatabaseStatus;
import io.tocsin.platform.PlatformProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * DatabaseMonitor owns the answer to "may this node use the database now?". It works in passes on
 * one background thread: while the database is unavailable it retries with capped backoff and
 * migrates as soon as the database answers; while it is ready it writes this node's heartbeat every
 * probe interval and falls back to unavailable on the first failure.
 *
 * <p>It never throws out of a pass and never stops the process: a database outage must not turn
 * Tocsin into one more crash-looping container (the outage in DESIGN.md).
 */
final class DatabaseMonitor implements DatabaseAvailability, SmartLifecycle {

  private static final Log log = LogFactory.getLog(DatabaseMonitor.class);
  private static final Duration FORGET_NODES_AFTER = Duration.ofDays(1);
  private static final int MAX_REASON_LENGTH = 300;

  private final SchemaMigrator migrator;
  private final NodeRepository node;
  private final PlatformProperties.Database settings;
  private final Clock clock;
  private final Backoff backoff;
  private final Counter failures;
  private final ApplicationEventPublisher events;
  private volatile DatabaseStatus status;
  private volatile @Nullable ScheduledExecutorService executor;
  private final @Nullable Path embeddedDataDir;

  DatabaseMonitor(
      SchemaMigrator migrator,
      NodeRepository node,
      PlatformProperties.Database settings,
      @Nullable Path embeddedDataDir,
      Clock clock,
      MeterRegistry meters,
      ApplicationEventPublisher events) {
    this.migrator = migrator;
    this.embeddedDataDir = embeddedDataDir;
    this.events = events;
    this.node = node;
    this.settings = settings;
    this.clock = clock;
    this.backoff =
        new Backoff(
            settings.retryInitialBackoff(),
            settings.retryMaxBackoff(),
            () -> ThreadLocalRandom.current().nextDouble());
    Instant now = clock.instant();
    this.status = new DatabaseStatus.Unavailable(now, "not connected yet", 0, now);
    Gauge.builder("tocsin.database.up", this, m -> m.isReady() ? 1 : 0)
        .description("1 when this node can use the database, 0 otherwise")
        .register(meters);
    this.failures =
        Counter.builder("tocsin.database.failures")
            .description("Failed database connection, migration and heartbeat attempts")
            .register(meters);
  }

  @Override
  public DatabaseStatus status() {
    return status;
  }

  /**
   * One pass: connect and migrate when not ready, write the heartbeat when ready. Returns the new
   * status. Passes run on the monitor's thread; tests may call this directly.
   */
  synchronized DatabaseStatus runOnce() {
    DatabaseStatus before = status;
    DatabaseStatus after = before instanceof DatabaseStatus.Ready ? probe(before) : connect(before);
    // The listeners run before this node reports ready: a request must not find the database
    // usable but the first admin from TOCSIN_ADMIN_* not yet created (its right password would
    // be refused and counted against the sign-in throttle).
    if (after instanceof DatabaseStatus.Ready ready && !(before instanceof DatabaseStatus.Ready)) {
      try {
        events.publishEvent(new DatabaseReady(ready.since(), ready.schemaVersion()));
      } catch (RuntimeException e) {
        // A failing listener is its module's problem; this node's database is ready all the same.
        log.error("A listener of DatabaseReady failed", e);
      }
    }
    status = after;
    logTransition(before, after);
    return after;
  }

  private DatabaseStatus probe(DatabaseStatus before) {
    try {
      checkFreeDisk();
      node.heartbeat(clock.instant());
      return before;
    } catch (RuntimeException e) {
      return failed(before, e);
    }
  }

  private DatabaseStatus connect(DatabaseStatus before) {
    try {
      checkFreeDisk();
      SchemaMigrator.Outcome outcome = migrator.migrate();
      if (outcome instanceof SchemaMigrator.Outcome.TooNew tooNew) {
        return before instanceof DatabaseStatus.SchemaTooNew
            ? before
            : new DatabaseStatus.SchemaTooNew(
                clock.instant(), tooNew.databaseVersion(), tooNew.buildVersion());
      }
      Instant now = clock.instant();
      node.heartbeat(now);
      node.forgetNodesNotSeenSince(now.minus(FORGET_NODES_AFTER));
      return new DatabaseStatus.Ready(now, ((SchemaMigrator.Outcome.Current) outcome).version());
    } catch (RuntimeException e) {
      return failed(before, e);
    }
  }

  /**
   * Refuses the embedded database while its disk is nearly full. H2 that fails a write stops
   * writing and does not tell its callers, so alerts already answered 2xx would be lost; refusing
   * first turns that into 503s that senders retry.
   */
  private void checkFreeDisk() {
    if (embeddedDataDir == null) {
      return;
    }
    long free;
    try {
      Path existing = embeddedDataDir.toAbsolutePath();
      while (!Files.exists(existing) && existing.getParent() != null) {
        existing = existing.getParent();
      }
      free = Files.getFileStore(existing).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the free space of " + embeddedDataDir, e);
    }
    long minimum = settings.minimumFreeDisk().toBytes();
    if (free < minimum) {
      throw new IllegalStateException(
          "the data directory "
              + embeddedDataDir
              + " has "
              + free / (1024 * 1024)
              + " MB free, less than TOCSIN_DATABASE_MINIMUM_FREE_DISK ("
              + settings.minimumFreeDisk().toMegabytes()
              + " MB): the embedded database would lose writes. Free some space; this node takes"
              + " writes again by itself.");
    }
  }

  private DatabaseStatus failed(DatabaseStatus before, RuntimeException e) {
    failures.increment();
    Instant now = clock.instant();
    int attempts = 1;
    Instant since = now;
    if (before instanceof DatabaseStatus.Unavailable unavailable) {
      attempts = unavailable.failedAttempts() + 1;
      since = unavailable.failedAttempts() == 0 ? now : unavailable.since();
    }
    return new DatabaseStatus.Unavailable(
        since, reasonOf(e), attempts, now.plus(backoff.after(attempts)));
  }

  private void logTransition(DatabaseStatus before, DatabaseStatus after) {
    if (after instanceof DatabaseStatus.Ready ready && !(before instanceof DatabaseStatus.Ready)) {
      log.info(
          "Database ready: schema version "
              + ready.schemaVersion()
              + (before instanceof DatabaseStatus.Unavailable u && u.failedAttempts() > 0
                  ? ", after " + u.failedAttempts() + " failed attempts"
                  : ""));
    } else if (after instanceof DatabaseStatus.Unavailable unavailable) {
      String lead =
          before instanceof DatabaseStatus.Ready
              ? "Database connection lost, API answers 503 until it is back: "
              : "Database unavailable (attempt " + unavailable.failedAttempts() + "): ";
      log.warn(
          lead
              + unavailable.reason()
              + "; next attempt in "
              + Duration.between(clock.instant(), unavailable.nextAttemptAt()).toMillis()
              + " ms");
    } else if (after instanceof DatabaseStatus.SchemaTooNew tooNew && before != after) {
      log.error("Not using the database: " + tooNew.reason());
    }
  }

  private Duration delayAfter(DatabaseStatus current) {
    if (current instanceof DatabaseStatus.Unavailable unavailable) {
      Duration wait = Duration.between(clock.instant(), unavailable.nextAttemptAt());
      return wait.isNegative() ? Duration.ZERO : wait;
    }
    if (current instanceof DatabaseStatus.SchemaTooNew) {
      return settings.retryMaxBackoff();
    }
    return settings.probeInterval();
  }

  private void pass() {
    DatabaseStatus current;
    try {
      current = runOnce();
    } catch (RuntimeException | Error e) {
      // A bug in a pass must not end the monitor: without it the node would never become ready.
      log.error("Database monitor pass failed", e);
      current = status;
    }
    ScheduledExecutorService scheduler = executor;
    if (scheduler != null && !scheduler.isShutdown()) {
      scheduler.schedule(this::pass, delayAfter(current).toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static String reasonOf(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    message = message.replaceAll("\\s+", " ").trim();
    return message.length() > MAX_REASON_LENGTH
        ? message.substring(0, MAX_REASON_LENGTH) + "…"
        : message;
  }

  @Override
  public void start() {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tocsin-database-monitor");
              thread.setDaemon(true);
              return thread;
            });
    executor = scheduler;
    scheduler.execute(this::pass);
  }

  @Override
  public void stop() {
    ScheduledExecutorService scheduler = executor;
    executor = null;
    if (scheduler != null) {
      // No interrupt: H2 closes its storage when a thread is interrupted in the middle of I/O,
      // which would damage the embedded database on every shutdown. Let the pass finish.
      scheduler.shutdown();
      try {
        if (!scheduler.awaitTermination(
            settings.connectionTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
          log.warn("The database monitor's last pass did not finish before shutdown");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (isReady()) {
      try {
        node.leave();
      } catch (RuntimeException e) {
        log.debug("Could not remove this node's heartbeat row on shutdown", e);
      }
    }
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }
}
