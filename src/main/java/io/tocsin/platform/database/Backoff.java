package io.tocsin.platform.database;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with a cap and jitter. The jitter takes up to a fifth off each delay so that
 * several nodes that lost the same database do not all knock on it in the same millisecond.
 */
record Backoff(Duration initial, Duration max, DoubleSupplier random) {

  /** The delay before attempt {@code failedAttempts + 1}; {@code failedAttempts} starts at 1. */
  Duration after(int failedAttempts) {
    long initialMillis = Math.max(1, initial.toMillis());
    int doublings = Math.min(Math.max(0, failedAttempts - 1), 30);
    long uncapped = initialMillis << doublings;
    long capped = uncapped <= 0 ? max.toMillis() : Math.min(uncapped, max.toMillis());
    return Duration.ofMillis(Math.round(capped * (1.0 - 0.2 * random.getAsDouble())));
  }
}
