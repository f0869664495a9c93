package io.tocsin.platform;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * The range of times every API takes: 1970-01-01 to 9999-12-31, UTC. Java holds years up to
 * ±999,999,999 and PostgreSQL only to 294,276, so a silence ending in the year 999,999,999 was a
 * 500 on insert, and a schedule whose rotation started in the year −999,999,999 took 27 s to look
 * up. No alert, silence, shift or token needs a time outside this range.
 *
 * <p>Senders are the exception below the range: Go's zero time ({@code 0001-01-01T00:00:00Z}) is
 * how Alertmanager and its clients say "not set" (see {@link #sent}).
 */
public final class TimeBounds {

  public static final Instant EARLIEST = Instant.EPOCH;
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /** What a refusal says, after the field's name. */
  public static final String RANGE =
      "must be an ISO 8601 time such as 2026-06-01T09:00:00Z, from 1970-01-01T00:00:00Z to"
          + " 9999-12-31T23:59:59Z";

  /** What a refusal of a wall-clock time says. */
  public static final String LOCAL_RANGE =
      "must be a local date and time such as 2026-06-01T09:00, from 1970-01-01T00:00 to"
          + " 9999-12-31T23:59";

  private static final LocalDateTime EARLIEST_LOCAL =
      LocalDateTime.ofInstant(EARLIEST, ZoneOffset.UTC);
  private static final LocalDateTime LATEST_LOCAL = LocalDateTime.ofInstant(LATEST, ZoneOffset.UTC);

  private TimeBounds() {}

  public static boolean within(Instant time) {
    return !time.isBefore(EARLIEST) && !time.isAfter(LATEST);
  }

  /** The time, or a 422 naming {@code field} when it is outside the range. */
  public static Instant require(String field, Instant time) {
    if (!within(time)) {
      throw new InvalidInputException(field, RANGE);
    }
    return time;
  }

  /**
   * A wall-clock time of a schedule's zone, bounded by the same dates: its offset never takes it
   * more than a day outside the range.
   */
  public static LocalDateTime require(String field, LocalDateTime time) {
    if (time.isBefore(EARLIEST_LOCAL) || time.isAfter(LATEST_LOCAL)) {
      throw new InvalidInputException(field, LOCAL_RANGE);
    }
    return time;
  }

  /**
   * A time an alert sender gave: before 1970 is "not set" (Go's zero time) and reads as null, as
   * Alertmanager reads it; after 9999 is refused like any other.
   */
  public static @Nullable Instant sent(String field, @Nullable Instant time) {
    if (time == null || time.isBefore(EARLIEST)) {
      return null;
    }
    return require(field, time);
  }
}
