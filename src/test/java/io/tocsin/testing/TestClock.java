package io.tocsin.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that a test moves forward by hand, instead of sleeping through delays. Safe to share
 * between threads and between the nodes of a multi-node test, as real nodes share the time.
 */
public final class TestClock extends Clock {

  private final Clock base;
  private final AtomicReference<Duration> moved = new AtomicReference<>(Duration.ZERO);

  /** A clock that stands at {@code start} until a test moves it. */
  public TestClock(Instant start) {
    this(Clock.fixed(start, ZoneOffset.UTC));
  }

  private TestClock(Clock base) {
    this.base = base;
  }

  /**
   * A clock that runs with the system's, ahead by as far as a test has moved it: for a Tocsin whose
   * other tests need time to pass on its own.
   */
  public static TestClock running() {
    return new TestClock(Clock.systemUTC());
  }

  public void advance(Duration duration) {
    moved.updateAndGet(by -> by.plus(duration));
  }

  /** Takes every move back: a running clock shows the system's time again. */
  public void reset() {
    moved.set(Duration.ZERO);
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
    return base.instant().plus(moved.get());
  }
}
