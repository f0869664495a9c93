package io.tocsin.directory.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * SignInThrottle slows password guessing: after a few failures within a quarter of an hour, an
 * account (or a client address, with a higher threshold because many people share one behind NAT)
 * is refused for a while that doubles with each further failure, up to fifteen minutes. A
 * successful sign-in clears the account's count.
 */
@Component
class SignInThrottle {

  static final int ACCOUNT_THRESHOLD = 5;
  static final int ADDRESS_THRESHOLD = 20;
  static final Duration WINDOW = Duration.ofMinutes(15);
  static final Duration MAX_BLOCK = Duration.ofMinutes(15);

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  SignInThrottle(JdbcClient jdbc, TransactionTemplate transactions, Clock clock) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.clock = clock;
  }

  /** How long sign-ins for this account from this address are refused; empty when allowed. */
  Optional<Duration> blockedFor(String account, String address) {
    Instant now = clock.instant();
    return jdbc
        .sql("SELECT blocked_until FROM directory_sign_in_throttle WHERE throttle_key IN (:keys)")
        .param("keys", List.of(accountKey(account), addressKey(address)))
        .query(OffsetDateTime.class)
        .list()
        .stream()
        .filter(until -> until != null && until.toInstant().isAfter(now))
        .map(until -> Duration.between(now, until.toInstant()))
        .max(Duration::compareTo);
  }

  void failed(String account, String address) {
    count(accountKey(account), ACCOUNT_THRESHOLD);
    count(addressKey(address), ADDRESS_THRESHOLD);
  }

  void succeeded(String account) {
    jdbc.sql("DELETE FROM directory_sign_in_throttle WHERE throttle_key = :key")
        .param("key", accountKey(account))
        .update();
  }

  private void count(String key, int threshold) {
    try {
      transactions.executeWithoutResult(status -> increment(key, threshold));
    } catch (DuplicateKeyException e) {
      // Another node inserted the first failure for this key at the same moment: count on it.
      transactions.executeWithoutResult(status -> increment(key, threshold));
    }
  }

  private void increment(String key, int threshold) {
    Instant now = clock.instant();
    Optional<Integer> previous =
        jdbc.sql(
                """
                SELECT failures, last_failure_at FROM directory_sign_in_throttle
                WHERE throttle_key = :key FOR UPDATE
                """)
            .param("key", key)
            .query(
                (rs, n) ->
                    rs.getObject("last_failure_at", OffsetDateTime.class)
                            .toInstant()
                            .isBefore(now.minus(WINDOW))
                        ? 0
                        : rs.getInt("failures"))
            .optional();
    int failures = previous.orElse(0) + 1;
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
}
