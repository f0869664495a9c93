package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateLimiterTests {

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-11-24T03:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final MutableClock clock = new MutableClock();
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
}
