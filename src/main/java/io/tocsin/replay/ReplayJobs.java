package io.tocsin.replay;

import io.tocsin.platform.ConflictException;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.InvalidInputException;
import io.tocsin.platform.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Replays run in the background, one at a time, so that a long window takes at most one core and
 * ingestion and paging keep the others; the thread asks for the lowest priority too, which Linux
 * honours only when told to. A few wait their turn; more are refused. Each node keeps its own jobs
 * and their reports for an hour.
 */
@Component
public class ReplayJobs implements DisposableBean {

  private static final Log log = LogFactory.getLog(ReplayJobs.class);

  /** Replays waiting or running at once on a node; one more is refused. */
  static final int WAITING = 4;

  private static final Duration KEPT = Duration.ofHours(1);

  enum Status {
    QUEUED,
    RUNNING,
    DONE,
    FAILED,
    CANCELLED
  }

  /**
   * What a replay job tells about itself.
   *
   * @param changes what the replayed document changes, as its import's dry run lists them; empty
   *     for a candidate laid over the configuration
   * @param notReplayed those of the changes that the replay does not try
   */
  public record View(
      UUID id,
      String status,
      int percent,
      long alertsReplayed,
      long alertsToReplay,
      List<String> changes,
      List<String> notReplayed,
      @Nullable ReplayReport report,
      @Nullable String error,
      Instant createdAt,
      @Nullable Instant finishedAt) {

    public boolean finished() {
      return finishedAt != null;
    }
  }

  /** How a running replay reports progress and learns it was cancelled. */
  interface Progress {
    /** Adds alerts replayed; throws {@link CancellationException} once the job is cancelled. */
    void replayed(int alerts);
  }

  private final class Job implements Progress {
    final UUID id = UUID.randomUUID();
    final Instant createdAt = clock.instant();
    final long total;
    final List<String> changes;
    final List<String> notReplayed;
    volatile Status status = Status.QUEUED;
    volatile long done;
    volatile @Nullable ReplayReport report;
    volatile @Nullable String error;
    volatile @Nullable Instant finishedAt;
    volatile boolean cancelled;

    Job(long total, List<String> changes, List<String> notReplayed) {
      this.total = total;
      this.changes = List.copyOf(changes);
      this.notReplayed = List.copyOf(notReplayed);
    }

    @Override
    public void replayed(int alerts) {
      if (cancelled) {
        throw new CancellationException("cancelled");
      }
      done += alerts;
    }

    View view() {
      int percent =
          status == Status.DONE
              ? 100
              : total == 0 ? 0 : (int) Math.min(99, done * 100 / Math.max(1, total));
      return new View(
          id,
          EnumText.canonical(status),
          percent,
          done,
          total,
          changes,
          notReplayed,
          report,
          error,
          createdAt,
          finishedAt);
    }
  }

  private final Clock clock;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "tocsin-replay");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
          });
  private final Map<UUID, Job> jobs = new LinkedHashMap<>();

  ReplayJobs(Clock clock) {
    this.clock = clock;
  }

  /**
   * Queues a replay of {@code total} alerts; answers its view once it has finished or after {@code
   * wait}, whichever comes first.
   */
  View submit(long total, Function<Progress, ReplayReport> replay, Duration wait) {
    return submit(total, List.of(), List.of(), replay, wait);
  }

  /** Queues a replay of a document whose import would make these changes. */
  View submit(
      long total,
      List<String> changes,
      List<String> notReplayed,
      Function<Progress, ReplayReport> replay,
      Duration wait) {
    Job job;
    synchronized (jobs) {
      forgetOld();
      long waiting =
          jobs.values().stream()
              .filter(j -> j.status == Status.QUEUED || j.status == Status.RUNNING)
              .count();
      if (waiting >= WAITING) {
        throw new ConflictException(
            WAITING + " replays are waiting or running on this node; try again when one ends.");
      }
      job = new Job(total, changes, notReplayed);
      jobs.put(job.id, job);
    }
    Job submitted = job;
    var future =
        executor.submit(
            () -> {
              if (submitted.cancelled) {
                return;
              }
              submitted.status = Status.RUNNING;
              try {
                submitted.report = replay.apply(submitted);
                submitted.status = Status.DONE;
              } catch (CancellationException e) {
                submitted.status = Status.CANCELLED;
              } catch (InvalidInputException e) {
                submitted.error = e.getMessage();
                submitted.status = Status.FAILED;
              } catch (RuntimeException e) {
                log.warn("A replay failed", e);
                submitted.error = "The replay failed: " + e.getMessage();
                submitted.status = Status.FAILED;
              } finally {
                submitted.finishedAt = clock.instant();
              }
            });
    try {
      future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // Still running: the caller follows it by its id.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      // Recorded on the job by the task itself.
    }
    return job.view();
  }

  /**
   * Runs work of replay's own, such as the nightly look for dependencies, on the replay thread,
   * after the replays already queued: it takes no more of the machine than one replay does.
   */
  void background(Runnable task) {
    executor.execute(task);
  }

  static NotFoundException unknown() {
    return new NotFoundException(
        "No replay of that id on this node: a replay is kept an hour, on the node that ran it.");
  }

  Optional<View> find(UUID id) {
    synchronized (jobs) {
      forgetOld();
      return Optional.ofNullable(jobs.get(id)).map(Job::view);
    }
  }

  List<View> list() {
    synchronized (jobs) {
      forgetOld();
      List<View> views = new ArrayList<>();
      jobs.values().forEach(job -> views.add(job.view()));
      return views;
    }
  }

  /** Cancels a job that has not finished; answers its view. */
  Optional<View> cancel(UUID id) {
    synchronized (jobs) {
      Job job = jobs.get(id);
      if (job == null) {
        return Optional.empty();
      }
      if (job.status == Status.QUEUED || job.status == Status.RUNNING) {
        job.cancelled = true;
        if (job.status == Status.QUEUED) {
          job.status = Status.CANCELLED;
          job.finishedAt = clock.instant();
        }
      }
      return Optional.of(job.view());
    }
  }

  private void forgetOld() {
    Instant before = clock.instant().minus(KEPT);
    jobs.values().removeIf(job -> job.finishedAt != null && job.finishedAt.isBefore(before));
  }

  @Override
  public void destroy() {
    executor.shutdownNow();
  }
}
