package io.tocsin.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;

/**
 * Threads that each run a step over and over: the work that every node does on rows it claims from
 * the database (escalation timers, outbox deliveries). A step says how long to wait before the
 * next; {@link #nudge()} cuts the wait short. While the database is unavailable the threads only
 * wait; a failing step is logged once per streak and retried with a backoff that doubles up to 30
 * s.
 */
public final class WorkerThreads {

  /** One round of work; returns how long to wait before the next (zero: go on at once). */
  @FunctionalInterface
  public interface Step {
    Duration run() throws InterruptedException;
  }

  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String name;
  private final int count;
  private final Duration pollInterval;
  private final DatabaseAvailability database;
  private final Log log;
  private final Semaphore wakeups = new Semaphore(0);
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public WorkerThreads(
      String name, int count, Duration pollInterval, DatabaseAvailability database, Log log) {
    this.name = name;
    this.count = Math.max(1, count);
    this.pollInterval = pollInterval;
    this.database = database;
    this.log = log;
  }

  public synchronized void start(Step step) {
    running = true;
    for (int i = 1; i <= count; i++) {
      Thread thread = new Thread(() -> loop(step), name + "-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Stops the threads, letting a step in progress finish for up to 10 s. */
  public synchronized void stop() {
    running = false;
    threads.forEach(Thread::interrupt);
    for (Thread thread : threads) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    threads.clear();
  }

  public boolean isRunning() {
    return running;
  }

  /** Makes every thread look for work now. */
  public void nudge() {
    wakeups.release(count);
  }

  private void loop(Step step) {
    Duration backoff = pollInterval;
    boolean failing = false;
    while (running) {
      try {
        if (!database.isReady()) {
          pause(pollInterval);
          continue;
        }
        Duration wait = step.run();
        if (failing) {
          log.info(name + " works again.");
          failing = false;
          backoff = pollInterval;
        }
        if (!wait.isZero()) {
          pause(wait);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        if (!failing) {
          log.warn(name + " failed; retrying: " + e.getMessage(), e);
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

  private void pause(Duration timeout) throws InterruptedException {
    // A nudge leaves a permit per thread; one left over costs an extra look that finds nothing.
    wakeups.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * How long to wait for the next due row: until it is due, at least {@code floor} (rows already
   * due that this thread did not take are held by another, which needs a moment to commit), at most
   * {@code poll}.
   */
  public static Duration untilDue(Duration untilDue, Duration floor, Duration poll) {
    Duration wait = untilDue.compareTo(floor) < 0 ? floor : untilDue;
    return wait.compareTo(poll) < 0 ? wait : poll;
  }
}
