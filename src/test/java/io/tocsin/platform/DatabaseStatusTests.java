package io.tocsin.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DatabaseStatusTests {

  private static final Instant NOW = Instant.parse("2026-11-23T03:00:00Z");
  private static final Duration UNKNOWN = Duration.ofSeconds(30);

  @Test
  void retryAfterIsTheTimeToTheNextAttempt() {
    DatabaseStatus status = new DatabaseStatus.Unavailable(NOW, "refused", 3, NOW.plusSeconds(4));

    assertThat(status.retryAfter(NOW, UNKNOWN)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void retryAfterIsNeverBelowOneSecond() {
    DatabaseStatus status = new DatabaseStatus.Unavailable(NOW, "refused", 1, NOW.minusSeconds(1));

    assertThat(status.retryAfter(NOW, UNKNOWN)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aSchemaFromTheFutureAsksClientsToComeBackMuchLaterAndSaysWhatToDo() {
    DatabaseStatus status = new DatabaseStatus.SchemaTooNew(NOW, "209912312359", "202611232330");

    assertThat(status.retryAfter(NOW, UNKNOWN)).isEqualTo(UNKNOWN);
    assertThat(status.describe())
        .isEqualTo(
            "the database schema is at version 209912312359, newer than version 202611232330 that"
                + " this build of Tocsin knows: upgrade Tocsin to the version that migrated the"
                + " database");
  }

  @Test
  void readyDescribesItsSchemaVersion() {
    assertThat(new DatabaseStatus.Ready(NOW, "202611232330").describe())
        .isEqualTo("ready (schema version 202611232330)");
  }
}
