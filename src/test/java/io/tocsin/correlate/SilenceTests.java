package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The matching cases of Alertmanager's documentation, on silences. */
class SilenceTests {

  private static final Instant NOW = Instant.parse("2026-11-30T03:00:00Z");

  private static Silence silence(Instant start, Instant end, LabelMatcher... matchers) {
    return new Silence(UUID.randomUUID(), List.of(matchers), start, end, "ops", "test", start);
  }

  private static Silence active(LabelMatcher... matchers) {
    return silence(NOW.minus(Duration.ofMinutes(5)), NOW.plus(Duration.ofHours(1)), matchers);
  }

  private static LabelMatcher matcher(String name, Operator operator, String value) {
    return LabelMatcher.of("matchers[0]", name, operator, value);
  }

  @Test
  void everyMatcherMustMatchForTheAlertToBeMuted() {
    Silence silence =
        active(
            matcher("alertname", Operator.EQUAL, "HighLatency"),
            matcher("cluster", Operator.REGEX, "eu-.*"));

    assertThat(silence.mutes(Map.of("alertname", "HighLatency", "cluster", "eu-west"), NOW))
        .isTrue();
    assertThat(silence.mutes(Map.of("alertname", "HighLatency", "cluster", "us-east"), NOW))
        .isFalse();
    assertThat(silence.mutes(Map.of("alertname", "HighLatency"), NOW)).isFalse();
  }

  @Test
  void regularExpressionsMatchTheWholeValue() {
    Silence silence = active(matcher("instance", Operator.REGEX, "db-[0-9]"));

    assertThat(silence.mutes(Map.of("instance", "db-1"), NOW)).isTrue();
    assertThat(silence.mutes(Map.of("instance", "db-12"), NOW)).isFalse();
    assertThat(silence.mutes(Map.of("instance", "old-db-1"), NOW)).isFalse();
  }

  @Test
  void aMissingLabelIsTheEmptyStringForNegativeMatchers() {
    Silence notDev =
        active(
            matcher("alertname", Operator.EQUAL, "DiskFull"),
            matcher("env", Operator.NOT_EQUAL, "dev"));
    Silence notStaging =
        active(
            matcher("alertname", Operator.EQUAL, "DiskFull"),
            matcher("env", Operator.NOT_REGEX, "stag.*"));

    assertThat(notDev.mutes(Map.of("alertname", "DiskFull"), NOW)).isTrue();
    assertThat(notDev.mutes(Map.of("alertname", "DiskFull", "env", "dev"), NOW)).isFalse();
    assertThat(notStaging.mutes(Map.of("alertname", "DiskFull", "env", "staging"), NOW)).isFalse();
    assertThat(notStaging.mutes(Map.of("alertname", "DiskFull", "env", "prod"), NOW)).isTrue();
  }

  @Test
  void onlyAnActiveSilenceMutes() {
    LabelMatcher disk = matcher("alertname", Operator.EQUAL, "DiskFull");
    Silence pending = silence(NOW.plus(Duration.ofMinutes(1)), NOW.plus(Duration.ofHours(1)), disk);
    Silence ended = silence(NOW.minus(Duration.ofHours(1)), NOW, disk);

    assertThat(pending.state(NOW)).isEqualTo(SilenceState.PENDING);
    assertThat(ended.state(NOW)).isEqualTo(SilenceState.EXPIRED);
    assertThat(pending.mutes(Map.of("alertname", "DiskFull"), NOW)).isFalse();
    assertThat(ended.mutes(Map.of("alertname", "DiskFull"), NOW)).isFalse();
    assertThat(pending.mutes(Map.of("alertname", "DiskFull"), NOW.plus(Duration.ofMinutes(1))))
        .isTrue();
  }
}
