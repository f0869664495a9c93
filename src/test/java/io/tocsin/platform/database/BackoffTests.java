package io.tocsin.platform.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTests {

  private final Backoff withoutJitter =
      new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);

  @Test
  void delayDoublesFromTheInitialValue() {
    assertThat(withoutJitter.after(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(withoutJitter.after(2)).isEqualTo(Duration.ofSeconds(1));
    assertThat(withoutJitter.after(3)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void delayNeverExceedsTheCapEvenAfterManyAttempts() {
    assertThat(withoutJitter.after(7)).isEqualTo(Duration.ofSeconds(30));
    assertThat(withoutJitter.after(1_000)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void jitterTakesUpToAFifthOff() {
    Backoff fullJitter = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), () -> 1.0);

    assertThat(fullJitter.after(1)).isEqualTo(Duration.ofSeconds(8));
  }
}
