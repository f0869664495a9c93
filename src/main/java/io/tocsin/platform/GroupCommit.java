package io.tocsin.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores the requests that arrive together in one transaction. A commit waits for the database to
 * flush its log, a millisecond or more on real disks, so a transaction per request caps a node at a
 * few hundred requests a second however idle its CPUs are; an alert storm is thousands of
 * concurrent requests. A few writer threads take whatever is queued when they are free and store it
 * together, so the flush is shared and the cost per request falls as the load rises. Work whose
 * cost is per transaction rather than per request (correlation reads its silences, rules and
 * incidents once per transaction) stores a group in one call and gains more.
 *
 * <p>Each sender still hears back only after the transaction holding its request has committed. A
 * group that keeps failing is split and each request stored alone, so one bad request fails only
 * itself.
 *
 * @param <R> a request
 * @param <O> what storing it answers
 */
public final class GroupCommit<R, O> {

  private static final Log log = LogFactory.getLog(GroupCommit.class);

  private static final int ATTEMPTS = 5;

  /** More waiting requests than Tomcat has threads means the writers are stuck, not busy. */
  private static final int QUEUE_CAPACITY = 1_000;

  private final String name;
  private final TransactionTemplate transactions;
  private final Function<List<R>, List<O>> store;
  private final Function<String, RuntimeException> unavailable;
  private final ToIntFunction<R> size;
  private final int maxGroupSize;
  private final int writerCount;
  private final LinkedBlockingDeque<Pending<R, O>> queue =
      new LinkedBlockingDeque<>(QUEUE_CAPACITY);
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean accepting;

  /**
   * @param store stores a group of requests within the transaction the caller has opened, and
   *     answers each, in order
   * @param size the weight of a request; a group holds at most {@code maxGroupSize} of it
   * @param unavailable what a request is refused with, given why, while the writers are stopped or
   *     full
   */
  public GroupCommit(
      String name,
      TransactionTemplate transactions,
      Function<List<R>, List<O>> store,
      ToIntFunction<R> size,
      int maxGroupSize,
      int writerCount,
      Function<String, RuntimeException> unavailable) {
    if (writerCount < 1) {
      throw new IllegalArgumentException("writerCount must be at least 1, was " + writerCount);
    }
    this.name = name;
    this.transactions = transactions;
    this.store = store;
    this.unavailable = unavailable;
    this.size = size;
    this.maxGroupSize = maxGroupSize;
    this.writerCount = writerCount;
  }

  public synchronized void start() {
    if (accepting) {
      return;
    }
    accepting = true;
    for (int i = 1; i <= writerCount; i++) {
      Thread writer = new Thread(this::write, name + "-" + i);
      writer.setDaemon(true);
      writer.start();
      writers.add(writer);
    }
  }

  /** Refuses new requests, stores the queued ones, and waits for the writers to finish. */
  public synchronized void stop() {
    accepting = false;
    for (Thread writer : writers) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    writers.clear();
  }

  public boolean isRunning() {
    return accepting;
  }

  /** Requests waiting for a writer. */
  public int waiting() {
    return queue.size();
  }

  /** Stores {@code request} and answers once its transaction has committed. */
  public O submit(R request) {
    if (!accepting) {
      throw unavailable.apply(
          "Tocsin is shutting down; retry against another node or in a moment.");
    }
    Pending<R, O> pending = new Pending<>(request, new CompletableFuture<>());
    if (!queue.offer(pending)) {
      throw unavailable.apply("Tocsin's writers are behind; nothing was stored, retry shortly.");
    }
    try {
      return pending.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private void write() {
    Pending<R, O> carried = null;
    while (true) {
      Pending<R, O> first = carried;
      carried = null;
      if (first == null) {
        try {
          first = queue.pollFirst(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (first == null) {
        if (!accepting) {
          return;
        }
        continue;
      }
      List<Pending<R, O>> group = new ArrayList<>();
      group.add(first);
      int weight = size.applyAsInt(first.request());
      while (weight < maxGroupSize) {
        Pending<R, O> next = queue.pollFirst();
        if (next == null) {
          break;
        }
        int nextWeight = size.applyAsInt(next.request());
        if (weight + nextWeight > maxGroupSize) {
          carried = next;
          break;
        }
        group.add(next);
        weight += nextWeight;
      }
      try {
        store(group);
      } catch (Throwable e) {
        // Whatever went wrong, no sender may wait forever for an answer.
        log.error(name + " failed on a group of " + group.size() + " requests", e);
        group.forEach(pending -> pending.done().completeExceptionally(e));
      }
    }
  }

  private void store(List<Pending<R, O>> group) {
    RuntimeException failure = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        List<O> answers =
            transactions.execute(
                status -> store.apply(group.stream().map(Pending::request).toList()));
        if (answers == null || answers.size() != group.size()) {
          throw new IllegalStateException("the transaction did not answer every request");
        }
        for (int i = 0; i < group.size(); i++) {
          group.get(i).done().complete(answers.get(i));
        }
        return;
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        // Another node wrote a row between our read and our write (it opened one of these alerts
        // first, say): go again, and the read will find it.
        failure = e;
      } catch (RuntimeException e) {
        failure = e;
        break;
      }
    }
    if (group.size() == 1) {
      group.get(0).done().completeExceptionally(failure);
      return;
    }
    for (Pending<R, O> pending : group) {
      store(List.of(pending));
    }
  }

  private record Pending<R, O>(R request, CompletableFuture<O> done) {}
}
