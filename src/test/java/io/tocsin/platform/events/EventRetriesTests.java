package io.tocsin.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.platform.config.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventRetriesTests {

  @Test
  void theWaitAfterEachFailureDoublesUpToTheLongest() {
    EventPublicationStore.Retries retries =
        EventsConfiguration.retries(10, Duration.ofSeconds(15), Duration.ofMinutes(10));

    assertThat(retries.after(1)).isEqualTo(Duration.ofSeconds(15));
    assertThat(retries.after(2)).isEqualTo(Duration.ofSeconds(30));
    assertThat(retries.after(6)).isEqualTo(Duration.ofSeconds(480));
    assertThat(retries.after(7)).isEqualTo(Duration.ofMinutes(10));
    assertThat(retries.after(1_000)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void retrySettingsThatCannotWorkStopTheStartNamingEach() {
    assertThatThrownBy(() -> EventsConfiguration.retries(0, Duration.ZERO, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidConfigurationException.class)
        .extracting(e -> ((InvalidConfigurationException) e).problems())
        .asList()
        .containsExactly(
            "TOCSIN_EVENTS_MAX_ATTEMPTS (tocsin.events.max-attempts) is 0: a listener needs at"
                + " least 1 attempt",
            "TOCSIN_EVENTS_RETRY_BACKOFF (tocsin.events.retry-backoff) is PT0S: it must be longer"
                + " than zero",
            "TOCSIN_EVENTS_RETRY_MAX_BACKOFF (tocsin.events.retry-max-backoff) is PT-1S: it must"
                + " be at least tocsin.events.retry-backoff (PT0S)");
  }

  @Test
  void aListenersErrorIsKeptWithItsRootCauseAndCutToTheLimit() {
    IllegalStateException failure =
        new IllegalStateException(
            "correlation failed", new java.sql.SQLException("index row size 3016 exceeds maximum"));
    assertThat(EventPublicationStore.describe(failure))
        .isEqualTo(
            "java.lang.IllegalStateException: correlation failed (caused by"
                + " java.sql.SQLException: index row size 3016 exceeds maximum)");
    assertThat(EventPublicationStore.describe(new IllegalStateException("x".repeat(5000))))
        .hasSize(EventPublicationStore.ERROR_LIMIT + 1)
        .endsWith("…");
  }
}
