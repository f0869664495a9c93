package io.tocsin.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentStatsTests {

  @Test
  void durationsReportTheMeanAndNearestRankPercentiles() {
    List<Duration> minutes = new ArrayList<>();
    for (int m = 10; m >= 1; m--) {
      minutes.add(Duration.ofMinutes(m));
    }
    IncidentStats.Durations durations = IncidentStats.Durations.of(minutes);
    assertThat(durations.count()).isEqualTo(10);
    assertThat(durations.meanSeconds()).isEqualTo(330);
    assertThat(durations.p50Seconds()).isEqualTo(300);
    assertThat(durations.p90Seconds()).isEqualTo(540);
  }

  @Test
  void aSingleDurationIsItsOwnMeanAndPercentiles() {
    IncidentStats.Durations one = IncidentStats.Durations.of(List.of(Duration.ofSeconds(42)));
    assertThat(one.meanSeconds()).isEqualTo(42);
    assertThat(one.p50Seconds()).isEqualTo(42);
    assertThat(one.p90Seconds()).isEqualTo(42);
  }

  @Test
  void noDurationsReportNothingRatherThanZero() {
    IncidentStats.Durations none = IncidentStats.Durations.of(List.of());
    assertThat(none.count()).isZero();
    assertThat(none.meanSeconds()).isNull();
    assertThat(none.p90Seconds()).isNull();
  }
}
