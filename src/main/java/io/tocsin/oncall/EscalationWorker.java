package io.tocsin.oncall;

import io.tocsin.incident.IncidentOpened;
import io.tocsin.platform.DatabaseAvailability;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The threads that run due escalation steps. Each looks in the database when the earliest step is
 * due, at least every {@code tocsin.escalation.poll-interval}, and at once after this node opens an
 * incident; a full batch means more may be due, so it goes on without waiting. Every node runs
 * them: the rows decide who does what, not the threads.
 */
@Component
class EscalationWorker implements SmartLifecycle {

  private static final Log log = LogFactory.getLog(EscalationWorker.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration MIN_WAIT = Duration.ofMillis(20);

  private final Escalations escalations;
  private final DatabaseAvailability database;
  private final Clock clock;
  private final int threads;
  private final int batchSize;
  private final Duration pollInterval;
  private final Semaphore wakeups = new Semaphore(0);
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;

  EscalationWorker(
      Escalations escalations,
      DatabaseAvailability database,
      Clock clock,
      @Value("${tocsin.escalation.workers:2}") int threads,
      @Value("${tocsin.escalation.batch-size:100}") int batchSize,
      @Value("${tocsin.escalation.poll-interval:1s}") Duration pollInterval) {
    this.escalations = escalations;
    this.database = database;
    this.clock = clock;
    this.threads = Math.max(1, threads);
    this.batchSize = Math.max(1, batchSize);
    this.pollInterval = pollInterval;
  }

  /** A new incident pages its first level without waiting for the next poll. */
  @TransactionalEventListener(fallbackExecution = true)
  void incidentOpened(IncidentOpened opened) {
    nudge();
  }

  /** Makes every thread look for due steps now. */
  void nudge() {
    wakeups.release(threads);
  }

  @java.lang.Override
  public synchronized void start() {
    running = true;
    for (int i = 1; i <= threads; i++) {
      Thread thread = new Thread(this::work, "escalation-" + i);
      thread.setDaemon(true);
      workers.add(thread);
      thread.start();
    }
  }

  @java.lang.Override
  public synchronized void stop() {
    running = false;
    workers.forEach(Thread::interrupt);
    for (Thread thread : workers) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    workers.clear();
  }

  @java.lang.Override
  public boolean isRunning() {
    return running;
  }

  private void work() {
    Duration backoff = pollInterval;
    boolean failing = false;
    while (running) {
      try {
        if (!database.isReady()) {
          pause(pollInterval);
          continue;
        }
        int taken = escalations.runDue(batchSize);
        if (failing) {
          log.info("Escalation steps run again.");
          failing = false;
          backoff = pollInterval;
        }
        if (taken < batchSize) {
          pause(untilNextDue());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        if (!failing) {
          log.warn("Running escalation steps failed; retrying: " + e.getMessage(), e);
          failing = true;
        }
        try {
          pause(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  /**
   * Sleeps until the earliest step is due rather than a whole poll interval, so that steps known in
   * advance run on time; steps another node adds meanwhile wait at most the poll interval.
   */
  private Duration untilNextDue() {
    Duration wait =
        escalations
            .nextDue()
            .map(due -> Duration.between(clock.instant(), due))
            .orElse(pollInterval);
    // Overdue rows that this thread did not take are held by another thread or node: a short wait
    // lets it commit instead of asking again and again.
    if (wait.compareTo(MIN_WAIT) < 0) {
      wait = MIN_WAIT;
    }
    return wait.compareTo(pollInterval) < 0 ? wait : pollInterval;
  }

  private void pause(Duration timeout) throws InterruptedException {
    // A nudge leaves a permit per thread; one left over costs an extra query that finds nothing.
    wakeups.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
