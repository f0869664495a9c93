package io.tocsin.ingest.intake;

import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.platform.Digests;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Honours {@code Idempotency-Key}: the first answer to a key is stored in the transaction that
 * stored the alerts, and a retry with the same key and body within 24 hours gets that answer again
 * without being processed. The same key with another body is a client bug, answered 422. Two
 * concurrent requests with one key race on the key's primary key; the loser retries and replays.
 */
@Component
public class IdempotentRequests {

  static final Duration RETENTION = Duration.ofHours(24);
  static final int KEY_LIMIT = 255;
  private static final int ATTEMPTS = 5;

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final Clock clock;

  IdempotentRequests(JdbcClient jdbc, TransactionTemplate transactions, Clock clock) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.clock = clock;
  }

  /** Runs {@code work} once per key and body; without a key, simply runs it. */
  public ResponseEntity<String> run(
      KeyOwner owner, @Nullable String key, byte[] body, Supplier<ResponseEntity<String>> work) {
    if (key == null) {
      return work.get();
    }
    if (key.isBlank() || key.length() > KEY_LIMIT) {
      throw new InvalidInputException(
          "Idempotency-Key", "must have 1 to " + KEY_LIMIT + " characters");
    }
    String hash = Digests.sha256(body);
    for (int attempt = 1; ; attempt++) {
      try {
        ResponseEntity<String> answer =
            transactions.execute(
                status ->
                    replay(owner, key, hash)
                        .orElseGet(
                            () -> {
                              ResponseEntity<String> fresh = work.get();
                              remember(owner, key, hash, fresh);
                              return fresh;
                            }));
        if (answer == null) {
          throw new IllegalStateException("the transaction returned no answer");
        }
        return answer;
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private record Remembered(String hash, int status, String body) {}

  private Optional<ResponseEntity<String>> replay(KeyOwner owner, String key, String hash) {
    Optional<Remembered> remembered =
        jdbc.sql(
                """
                SELECT request_hash, response_status, response_body FROM ingest_idempotency
                WHERE integration_id = :integration AND idempotency_key = :key
                  AND created_at > :since
                """)
            .param("integration", owner.integrationId())
            .param("key", key)
            .param("since", clock.instant().minus(RETENTION).atOffset(ZoneOffset.UTC))
            .query((rs, n) -> new Remembered(rs.getString(1), rs.getInt(2), rs.getString(3)))
            .optional();
    if (remembered.isEmpty()) {
      return Optional.empty();
    }
    if (!remembered.get().hash().equals(hash)) {
      throw new InvalidInputException(
          "Idempotency-Key",
          "was used within the last 24 hours for a request with another body; use a new key for a"
              + " new request");
    }
    return Optional.of(
        ResponseEntity.status(remembered.get().status())
            .contentType(MediaType.APPLICATION_JSON)
            .header("Idempotent-Replayed", "true")
            .body(remembered.get().body()));
  }

  private void remember(KeyOwner owner, String key, String hash, ResponseEntity<String> answer) {
    Instant now = clock.instant();
    // A key older than the retention may be reused: its old answer no longer counts.
    jdbc.sql(
            """
            DELETE FROM ingest_idempotency
            WHERE integration_id = :integration AND idempotency_key = :key AND created_at <= :since
            """)
        .param("integration", owner.integrationId())
        .param("key", key)
        .param("since", now.minus(RETENTION).atOffset(ZoneOffset.UTC))
        .update();
    jdbc.sql(
            """
            INSERT INTO ingest_idempotency
              (integration_id, idempotency_key, request_hash, response_status, response_body,
               created_at)
            VALUES (:integration, :key, :hash, :status, :body, :now)
            """)
        .param("integration", owner.integrationId())
        .param("key", key)
        .param("hash", hash)
        .param("status", answer.getStatusCode().value())
        .param("body", answer.getBody() == null ? "" : answer.getBody())
        .param("now", now.atOffset(ZoneOffset.UTC))
        .update();
  }

  /** Forgets answers past the retention; run by the sweeper. */
  public int forgetExpired() {
    return jdbc.sql("DELETE FROM ingest_idempotency WHERE created_at <= :since")
        .param("since", clock.instant().minus(RETENTION).atOffset(ZoneOffset.UTC))
        .update();
  }
}
