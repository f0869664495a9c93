package io.tocsin.platform;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;
import org.springframework.util.IdGenerator;

/**
 * UUID version 7 ids (RFC 9562): 48 bits of Unix milliseconds, then random bits. They sort in
 * creation order, which makes cursor pagination and B-tree inserts cheap, and need no coordination
 * between nodes.
 */
public final class TimeOrderedIds implements IdGenerator {

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TimeOrderedIds(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UUID generateId() {
    long millis = clock.millis();
    long randomHigh = random.nextLong();
    long randomLow = random.nextLong();
    long mostSignificant = (millis << 16) | 0x7000L | (randomHigh & 0x0FFFL);
    long leastSignificant = (randomLow & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(mostSignificant, leastSignificant);
  }
}
