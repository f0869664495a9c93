package io.tocsin.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tocsin.platform.ConflictException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replays run one at a time in the background, report progress, and stop when cancelled. */
class ReplayJobsTests {

  private final ReplayJobs jobs = new ReplayJobs(Clock.systemUTC());
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    jobs.destroy();
  }

  @Test
  void aRunningReplayReportsItsProgressAndStopsWhenCancelled() {
    CountDownLatch halfway = new CountDownLatch(1);
    ReplayJobs.View started =
        jobs.submit(
            10,
            progress -> {
              progress.replayed(5);
              halfway.countDown();
              while (true) {
                awaitQuietly(release);
                progress.replayed(0);
              }
            },
            Duration.ZERO);
    awaitQuietly(halfway);

    ReplayJobs.View running = jobs.find(started.id()).orElseThrow();
    assertThat(running.status()).isEqualTo("running");
    assertThat(running.percent()).isEqualTo(50);
    jobs.cancel(started.id());
    release.countDown();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobs.find(started.id()).orElseThrow().status().equals("cancelled"));
    assertThat(jobs.find(started.id()).orElseThrow().report()).isNull();
  }

  @Test
  void aReplayBeyondThoseWaitingIsRefusedAndAQueuedOneCancelledNeverRuns() {
    List<ReplayJobs.View> waiting = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    for (int i = 0; i < ReplayJobs.WAITING; i++) {
      String name = "replay " + i;
      waiting.add(
          jobs.submit(
              1,
              progress -> {
                awaitQuietly(release);
                synchronized (ran) {
                  ran.add(name);
                }
                return null;
              },
              Duration.ZERO));
    }

    assertThatThrownBy(() -> jobs.submit(1, progress -> null, Duration.ZERO))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("try again");
    assertThat(jobs.cancel(waiting.get(3).id()).orElseThrow().status()).isEqualTo("cancelled");
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobs.find(waiting.get(2).id()).orElseThrow().finishedAt() != null);
    assertThat(ran).containsExactly("replay 0", "replay 1", "replay 2");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
