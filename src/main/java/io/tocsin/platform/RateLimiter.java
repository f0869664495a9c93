package io.tocsin.platform;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key (an API token, an integration key): up to {@code perMinute} requests at
 * once, refilled evenly over a minute. Buckets live in this node's memory, so with several nodes
 * behind a load balancer the effective limit is per node; that keeps the check free of database
 * round trips on every request.
 */
public final class RateLimiter {

  private final double capacity;
  private final double perMilli;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(int perMinute, Clock clock) {
    if (perMinute < 1) {
      throw new IllegalArgumentException("perMinute must be at least 1, was " + perMinute);
    }
    this.capacity = perMinute;
    this.perMilli = perMinute / 60_000.0;
    this.clock = clock;
  }

  /** Takes one request from {@code key}'s bucket; empty when allowed, else the wait until it is. */
  public Optional<Duration> acquire(String key) {
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, clock.millis()));
    synchronized (bucket) {
      long now = clock.millis();
      // A clock stepped back (NTP, a virtual machine restored) refills nothing, and must not
      // drain the bucket for the length of the step.
      long elapsed = Math.max(0, now - bucket.updatedAt);
      bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perMilli);
      bucket.updatedAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis((long) Math.ceil((1 - bucket.tokens) / perMilli)));
    }
  }

  private static final class Bucket {
    double tokens;
    long updatedAt;

    Bucket(double tokens, long updatedAt) {
      this.tokens = tokens;
      this.updatedAt = updatedAt;
    }
  }
}
