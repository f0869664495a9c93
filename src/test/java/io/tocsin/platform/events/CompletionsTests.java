package io.tocsin.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompletionsTests {

  private final List<List<UUID>> deletions = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService listeners = Executors.newFixedThreadPool(8);

  @AfterEach
  void stop() {
    release.countDown();
    listeners.shutdownNow();
  }

  @Test
  void publicationsThatCompleteWhileOneIsDeletedAreDeletedTogetherNextAndEachCallerReturnsAfterIts()
      throws Exception {
    Completions completions = holdingTheFirstDeletion(false);
    UUID first = UUID.randomUUID();
    List<UUID> behind = IntStream.range(0, 6).mapToObj(i -> UUID.randomUUID()).toList();

    Future<?> firstCall = listeners.submit(() -> completions.complete(first));
    await().until(() -> deletions.size() == 1);
    List<Future<?>> calls =
        behind.stream()
            .<Future<?>>map(id -> listeners.submit(() -> completions.complete(id)))
            .toList();
    await().until(() -> completions.waiting() == behind.size());
    assertThat(calls).noneMatch(Future::isDone);
    release.countDown();

    firstCall.get(10, TimeUnit.SECONDS);
    for (Future<?> call : calls) {
      call.get(10, TimeUnit.SECONDS);
    }
    assertThat(deletions).hasSize(2);
    assertThat(deletions.get(0)).containsExactly(first);
    assertThat(Set.copyOf(deletions.get(1))).isEqualTo(Set.copyOf(behind));
  }

  @Test
  void aDeletionThatFailsFailsEveryCompletionOfItsGroupAndTheNextGroupIsDeletedAnyway()
      throws Exception {
    Completions completions = holdingTheFirstDeletion(true);
    Future<?> failing = listeners.submit(() -> completions.complete(UUID.randomUUID()));
    await().until(() -> deletions.size() == 1);
    release.countDown();

    assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
        .hasRootCauseMessage("the database went away");
    UUID next = UUID.randomUUID();
    completions.complete(next);
    assertThat(deletions).hasSize(2);
    assertThat(deletions.get(1)).containsExactly(next);
  }

  /**
   * Records each deletion; the first waits until the test releases it, then fails if {@code
   * failing}, as a deletion does when the database goes away.
   */
  private Completions holdingTheFirstDeletion(boolean failing) {
    return new Completions(
        ids -> {
          deletions.add(ids);
          if (deletions.size() == 1) {
            held(release);
            if (failing) {
              throw new IllegalStateException("the database went away");
            }
          }
        });
  }

  private static void held(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
