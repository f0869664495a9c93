package io.tocsin.platform;

import java.time.Duration;
import java.time.Instant;

/**
 * What the database is doing for this node now. Only {@link Ready} lets requests and background
 * work touch it; every other state answers API calls with 503 and a {@code Retry-After}.
 */
public sealed interface DatabaseStatus {

  /** When this state began. */
  Instant since();

  /** The database answers, the schema is current, and this node has written to it. */
  record Ready(Instant since, String schemaVersion) implements DatabaseStatus {}

  /**
   * The database cannot be reached or a migration failed; the node keeps trying with a capped
   * backoff. {@code failedAttempts} is 0 before the first attempt.
   */
  record Unavailable(Instant since, String reason, int failedAttempts, Instant nextAttemptAt)
      implements DatabaseStatus {}

  /**
   * The database was migrated by a newer Tocsin. This build must not write to a schema it does not
   * know, so it stays unready until it is upgraded (or the database is restored).
   */
  record SchemaTooNew(Instant since, String databaseVersion, String buildVersion)
      implements DatabaseStatus {

    public String reason() {
      return "the database schema is at version "
          + databaseVersion
          + ", newer than version "
          + buildVersion
          + " that this build of Tocsin knows: upgrade Tocsin to the version that migrated the"
          + " database";
    }
  }

  /** A human-readable reason why the database is not ready, or "ready". */
  default String describe() {
    if (this instanceof Unavailable unavailable) {
      return unavailable.reason();
    }
    if (this instanceof SchemaTooNew tooNew) {
      return tooNew.reason();
    }
    return "ready (schema version " + ((Ready) this).schemaVersion() + ")";
  }

  /** How long a client should wait before trying again; at least one second. */
  default Duration retryAfter(Instant now, Duration whenUnknown) {
    Duration wait = whenUnknown;
    if (this instanceof Unavailable unavailable) {
      wait = Duration.between(now, unavailable.nextAttemptAt());
    }
    return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
  }
}
