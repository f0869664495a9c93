package io.tocsin.notify;

import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The destinations this node has stopped sending to for now: each destination of a channel (for
 * HTTP channels, each URL) has a circuit breaker ({@code DeliveryWorkers}), and while it is open
 * (or half open, trying one message) that destination's messages wait. Breakers live in memory, so
 * each node answers for itself.
 */
@Service
public class DeliveryBreakers {

  private final DeliveryWorkers workers;

  DeliveryBreakers(DeliveryWorkers workers) {
    this.workers = workers;
  }

  /**
   * A breaker that is not closed; {@code destination} as {@link Channel.Destination#shown} names
   * it, {@code state} is "open" or "half open".
   */
  public record OpenBreaker(String channel, String destination, String state) {}

  public List<OpenBreaker> open() {
    return workers.openBreakers();
  }
}
