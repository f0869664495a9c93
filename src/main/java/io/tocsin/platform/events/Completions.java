package io.tocsin.platform.events;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Deletes the publications that complete together in one statement. Correlation commits the batches
 * of many ingestion transactions at once, and each batch's listener then completes its publication:
 * one transaction each made these deletions a fifth of all statements under single-alert load.
 *
 * <p>No thread of its own: the first caller deletes its publication and those queued meanwhile, in
 * its own transaction; callers that arrive while it does wait, and one of them then deletes what
 * queued behind it. Each caller returns once its deletion has been sent, within the same (Spring
 * Modulith's) transaction boundaries as before, only shared.
 */
final class Completions {

  private final Consumer<List<UUID>> delete;
  private final Object lock = new Object();
  private List<Waiting> queued = new ArrayList<>();
  private boolean deleting;

  Completions(Consumer<List<UUID>> delete) {
    this.delete = delete;
  }

  /** Completions queued behind a deletion in progress. */
  int waiting() {
    synchronized (lock) {
      return queued.size();
    }
  }

  void complete(UUID publication) {
    Waiting mine = new Waiting(publication);
    List<Waiting> group;
    synchronized (lock) {
      queued.add(mine);
      while (deleting && !mine.done) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while a completion was deleted", e);
        }
      }
      if (mine.done) {
        if (mine.failure != null) {
          throw mine.failure;
        }
        return;
      }
      deleting = true;
      group = queued;
      queued = new ArrayList<>();
    }
    RuntimeException failure = null;
    try {
      delete.accept(group.stream().map(Waiting::publication).toList());
    } catch (RuntimeException e) {
      failure = e;
    }
    synchronized (lock) {
      for (Waiting waiting : group) {
        waiting.failure = failure;
        waiting.done = true;
      }
      deleting = false;
      lock.notifyAll();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static final class Waiting {
    private final UUID publication;
    private boolean done;
    private @Nullable RuntimeException failure;

    Waiting(UUID publication) {
      this.publication = publication;
    }

    UUID publication() {
      return publication;
    }
  }
}
