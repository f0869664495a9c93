package io.tocsin.directory.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * SignInThrottle slows password guessing: after a few attempts within a quarter of an hour, an
 * account (or a client address, with a higher threshold because many people share one behind NAT)
 * is refused for a while that doubles with each further attempt, up to fifteen minutes.
 *
 * <p>An attempt is counted before its password is checked, in the same locked update that decides
 * whether it may go on, and counts as a failure until it succeeds: a burst of parallel guesses gets
 * exactly the threshold's number of password checks, on whichever node they land (the counters are
 * rows in the database). A success takes its own attempt back from the address, and clears the
 * account only if no attempt was counted after it: guesses counted meanwhile still stand.
 */
@Component
class SignInThrottle {

  static final int ACCOUNT_THRESHOLD = 5;
  static final int ADDRESS_THRESHOLD = 20;
  static final Duration WINDOW = Duration.ofMinutes(15);
  static final Duration MAX_BLOCK = Duration.ofMinutes(15);

  /** What {@link #attempt} decided. */
  sealed interface Attempt {}

  /** Refused unchecked, for this long. */
  record Blocked(Duration retryAfter) implements Attempt {}

  /** Counted; the password may be checked. The account's count, this attempt included. */
  record Allowed(int accountCount) implements Attempt {}

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  SignInThrottle(JdbcClient jdbc, TransactionTemplate transactions, Clock clock) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.clock = clock;
  }

  /**
   * Counts a password attempt for this account from this address, unless either is blocked: then
   * nothing is counted and the attempt is refused.
   */
  Attempt attempt(String account, String address) {
    for (int tries = 1; ; tries++) {
      try {
        return transactions.execute(status -> reserve(account, address));
      } catch (DuplicateKeyException e) {
        // Another request inserted the first attempt for a key at the same moment: count on its
        // row, which now exists (once for the account's, once for the address's at most).
        if (tries == 3) {
          throw e;
        }
      }
    }
  }

  /** The attempt that {@link #attempt} allowed proved right. */
  void succeeded(String account, String address, Allowed attempt) {
    jdbc.sql(
            "DELETE FROM directory_sign_in_throttle WHERE throttle_key = :key AND failures = :count")
        .param("key", accountKey(account))
        .param("count", attempt.accountCount())
        .update();
    jdbc.sql(
            """
            UPDATE directory_sign_in_throttle SET failures = failures - 1
            WHERE throttle_key = :key AND failures > 0
            """)
        .param("key", addressKey(address))
        .update();
  }

  private Attempt reserve(String account, String address) {
    Instant now = clock.instant();
    // Always the account's row first, then the address's: one lock order, no deadlocks.
    Optional<Counter> forAccount = locked(accountKey(account), now);
    Optional<Counter> forAddress = locked(addressKey(address), now);
    Optional<Duration> blocked =
        Stream.of(forAccount, forAddress)
            .flatMap(Optional::stream)
            .map(counter -> counter.blockedFor(now))
            .flatMap(Optional::stream)
            .max(Duration::compareTo);
    if (blocked.isPresent()) {
      return new Blocked(blocked.get());
    }
    int accountCount = count(accountKey(account), forAccount, ACCOUNT_THRESHOLD, now);
    count(addressKey(address), forAddress, ADDRESS_THRESHOLD, now);
    return new Allowed(accountCount);
  }

  private Optional<Counter> locked(String key, Instant now) {
    return jdbc.sql(
            """
            SELECT failures, last_failure_at, blocked_until FROM directory_sign_in_throttle
            WHERE throttle_key = :key FOR UPDATE
            """)
        .param("key", key)
        .query(
            (rs, n) -> {
              OffsetDateTime blockedUntil = rs.getObject("blocked_until", OffsetDateTime.class);
              boolean stale =
                  rs.getObject("last_failure_at", OffsetDateTime.class)
                      .toInstant()
                      .isBefore(now.minus(WINDOW));
              return new Counter(
                  stale ? 0 : rs.getInt("failures"),
                  blockedUntil == null ? null : blockedUntil.toInstant());
            })
        .optional();
  }

  /** Counts one more attempt on a locked (or new) row and returns the count. */
  private int count(String key, Optional<Counter> previous, int threshold, Instant now) {
    int failures = previous.map(Counter::failures).orElse(0) + 1;
    OffsetDateTime blockedUntil =
        failures < threshold
            ? null
            : now.plus(block(failures - threshold)).atOffset(ZoneOffset.UTC);
    String sql =
        previous.isPresent()
            ? """
              UPDATE directory_sign_in_throttle
              SET failures = :failures, last_failure_at = :now, blocked_until = :blockedUntil
              WHERE throttle_key = :key
              """
            : """
              INSERT INTO directory_sign_in_throttle
                (throttle_key, failures, last_failure_at, blocked_until)
              VALUES (:key, :failures, :now, :blockedUntil)
              """;
    jdbc.sql(sql)
        .param("key", key)
        .param("failures", failures)
        .param("now", now.atOffset(ZoneOffset.UTC))
        .param("blockedUntil", blockedUntil)
        .update();
    return failures;
  }

  /** One second at the threshold, doubling with each failure beyond it, capped. */
  static Duration block(int failuresBeyondThreshold) {
    long seconds = 1L << Math.min(failuresBeyondThreshold, 20);
    return seconds >= MAX_BLOCK.toSeconds() ? MAX_BLOCK : Duration.ofSeconds(seconds);
  }

  private static String accountKey(String account) {
    return "account:" + account.trim().toLowerCase(Locale.ROOT);
  }

  private static String addressKey(String address) {
    return "address:" + address;
  }

  private record Counter(int failures, @Nullable Instant blockedUntil) {
    Optional<Duration> blockedFor(Instant now) {
      return blockedUntil == null || !blockedUntil.isAfter(now)
          ? Optional.empty()
          : Optional.of(Duration.between(now, blockedUntil));
    }
  }
}
