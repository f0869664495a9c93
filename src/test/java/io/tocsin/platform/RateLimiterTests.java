package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTests {

  private final TestClock clock = new TestClock(Instant.parse("2026-11-24T03:00:00Z"));
  private final RateLimiter limiter = new RateLimiter(60, clock);

  @Test
  void aFullBucketAllowsABurstOfItsSizeAndThenSaysHowLongToWait() {
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.acquire("token-a")).isEmpty();
    }

    assertThat(limiter.acquire("token-a")).contains(Duration.ofSeconds(1));
  }

  @Test
  void theBucketRefillsEvenlyOverAMinute() {
    for (int i = 0; i < 60; i++) {
      limiter.acquire("token-a");
    }

    clock.advance(Duration.ofSeconds(3));

    assertThat(limiter.acquire("token-a")).isEmpty();
    assertThat(limiter.acquire("token-a")).isEmpty();
    assertThat(limiter.acquire("token-a")).isEmpty();
    assertThat(limiter.acquire("token-a")).isPresent();
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    for (int i = 0; i < 60; i++) {
      limiter.acquire("token-a");
    }

    assertThat(limiter.acquire("token-b")).isEmpty();
  }

  @Test
  void aClockSteppedBackLocksNoKeyOutForTheLengthOfTheStep() {
    limiter.acquire("token-a");

    clock.advance(Duration.ofDays(-10));

    assertThat(limiter.acquire("token-a")).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.acquire("token-a")).isEmpty();
  }
}
