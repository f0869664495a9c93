package io.tocsin.oncall;

import io.tocsin.platform.AfterCommit;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.WorkerThreads;
import java.time.Clock;
import java.time.Duration;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The threads that run due escalation steps. Each looks in the database when the earliest step is
 * due, at least every {@code tocsin.escalation.poll-interval}, and at once after this node starts
 * an incident's run; a full batch means more may be due, so it goes on without waiting. Every node
 * runs them: the rows decide who does what, not the threads.
 */
@Component
class EscalationWorker implements SmartLifecycle {

  private static final Duration MIN_WAIT = Duration.ofMillis(20);

  private final Escalations escalations;
  private final Clock clock;
  private final int batchSize;
  private final Duration pollInterval;
  private final WorkerThreads threads;

  EscalationWorker(
      Escalations escalations,
      DatabaseAvailability database,
      Clock clock,
      EscalationProperties settings) {
    this.escalations = escalations;
    this.clock = clock;
    this.batchSize = settings.batchSize();
    this.pollInterval = settings.pollInterval();
    this.threads =
        new WorkerThreads(
            "Escalation",
            settings.workers(),
            settings.pollInterval(),
            database,
            LogFactory.getLog(EscalationWorker.class));
  }

  /**
   * A new incident pages its first level without waiting for the next poll: once its run, written
   * after the incident's commit, commits too.
   */
  @EventListener
  void runStarted(RunStarted started) {
    AfterCommit.run(threads::nudge);
  }

  @Override
  public void start() {
    threads.start(this::step);
  }

  @Override
  public void stop() {
    threads.stop();
  }

  @Override
  public boolean isRunning() {
    return threads.isRunning();
  }

  private Duration step() {
    if (escalations.runDue(batchSize) == batchSize) {
      return Duration.ZERO;
    }
    Duration untilDue =
        escalations
            .nextDue()
            .map(due -> Duration.between(clock.instant(), due))
            .orElse(pollInterval);
    return WorkerThreads.untilDue(untilDue, MIN_WAIT, pollInterval);
  }
}
