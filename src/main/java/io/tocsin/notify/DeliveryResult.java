package io.tocsin.notify;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What became of one delivery attempt. */
public sealed interface DeliveryResult {

  /** A short account of the attempt for the delivery log, such as "HTTP 200". */
  String detail();

  /** The destination took the message. */
  record Delivered(String detail) implements DeliveryResult {}

  /**
   * It may work later: a timeout, a 5xx, a 429. {@code retryAfter} is the destination's own wish (a
   * {@code Retry-After}), honoured when it is longer than the backoff.
   */
  record Retryable(String detail, @Nullable Duration retryAfter) implements DeliveryResult {}

  /** It will never work as it is: a 4xx other than 429, a rejected address. */
  record Permanent(String detail) implements DeliveryResult {}
}
