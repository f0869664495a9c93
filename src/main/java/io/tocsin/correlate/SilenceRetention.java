package io.tocsin.correlate;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes silences that ended more than {@link #RETENTION} ago, Alertmanager's default, so the list
 * stays about what matters now. Safe on every node at once: the delete is its own criterion.
 */
@Component
class SilenceRetention {

  static final Duration RETENTION = Duration.ofDays(5);

  private final JdbcClient jdbc;
  private final Clock clock;

  SilenceRetention(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
  int forgetOldSilences() {
    return jdbc.sql("DELETE FROM correlate_silence WHERE ends_at < :cutoff")
        .param("cutoff", clock.instant().minus(RETENTION).atOffset(ZoneOffset.UTC))
        .update();
  }
}
