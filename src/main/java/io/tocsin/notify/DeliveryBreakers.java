package io.tocsin.notify;

import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The destinations this node has stopped sending to for now: each channel and host has a circuit
 * breaker ({@code DeliveryWorkers}), and while it is open (or half open, trying one message) that
 * host's messages wait. Breakers live in memory, so each node answers for itself.
 */
@Service
public class DeliveryBreakers {

  private final DeliveryWorkers workers;

  DeliveryBreakers(DeliveryWorkers workers) {
    this.workers = workers;
  }

  /** A breaker that is not closed; {@code state} is "open" or "half open". */
  public record OpenBreaker(String channel, String host, String state) {}

  public List<OpenBreaker> open() {
    return workers.openBreakers();
  }
}
