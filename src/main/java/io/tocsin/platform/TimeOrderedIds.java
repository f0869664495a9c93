package io.tocsin.platform;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
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
  private long lastMillis = -1;
  private long counter;

  public TimeOrderedIds(Clock clock) {
    this.clock = clock;
  }

  /**
   * The smallest id drawn at or after {@code at}: every row whose id is below it was created
   * before, which lets a sweep over old rows walk the primary key instead of an index on a time
   * column that would be written on every change.
   */
  public static UUID first(Instant at) {
    return new UUID((at.toEpochMilli() << 16) | 0x7000L, 0x8000000000000000L);
  }

  /**
   * Ids drawn in the same millisecond count up in the 12 bits after the timestamp (RFC 9562's first
   * method, seeded at random each millisecond), so they too sort in the order they were drawn.
   */
  @Override
  public synchronized UUID generateId() {
    long millis = clock.millis();
    if (millis > lastMillis) {
      lastMillis = millis;
      counter = random.nextInt(0x800);
    } else if (++counter > 0xFFF) {
      lastMillis++;
      counter = 0;
    }
    long mostSignificant = (lastMillis << 16) | 0x7000L | counter;
    long leastSignificant = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(mostSignificant, leastSignificant);
  }
}
