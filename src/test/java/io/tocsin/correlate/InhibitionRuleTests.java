package io.tocsin.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.ingest.LabelMatcher;
import io.tocsin.ingest.LabelMatcher.Operator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The inhibition cases of Alertmanager's documentation. */
class InhibitionRuleTests {

  private static InhibitionRule rule(List<String> equal) {
    return new InhibitionRule(
        UUID.randomUUID(),
        "critical inhibits warning",
        List.of(LabelMatcher.of("source", "severity", Operator.EQUAL, "critical")),
        List.of(LabelMatcher.of("target", "severity", Operator.EQUAL, "warning")),
        equal,
        Instant.EPOCH);
  }

  /** Whether a source alert with {@code source}'s labels inhibits another with {@code target}'s. */
  private static boolean inhibits(
      InhibitionRule rule, Map<String, String> source, Map<String, String> target) {
    return rule.inhibits("s", source, "t", target);
  }

  @Test
  void aSourceInhibitsATargetWithTheSameEqualLabels() {
    InhibitionRule rule = rule(List.of("alertname", "cluster"));

    assertThat(
            inhibits(
                rule,
                Map.of("severity", "critical", "alertname", "Down", "cluster", "eu"),
                Map.of("severity", "warning", "alertname", "Down", "cluster", "eu")))
        .isTrue();
    assertThat(
            inhibits(
                rule,
                Map.of("severity", "critical", "alertname", "Down", "cluster", "eu"),
                Map.of("severity", "warning", "alertname", "Down", "cluster", "us")))
        .isFalse();
  }

  @Test
  void anEqualLabelMissingOnBothSidesCountsAsEqual() {
    InhibitionRule rule = rule(List.of("cluster"));

    assertThat(inhibits(rule, Map.of("severity", "critical"), Map.of("severity", "warning")))
        .isTrue();
    assertThat(
            inhibits(
                rule,
                Map.of("severity", "critical"),
                Map.of("severity", "warning", "cluster", "eu")))
        .isFalse();
  }

  @Test
  void onlyAlertsMatchingEachSideTakePartAndNoAlertInhibitsItself() {
    InhibitionRule rule = rule(List.of());
    InhibitionRule both =
        new InhibitionRule(
            UUID.randomUUID(),
            "any inhibits any",
            List.of(LabelMatcher.of("source", "team", Operator.EQUAL, "db")),
            List.of(LabelMatcher.of("target", "team", Operator.EQUAL, "db")),
            List.of(),
            Instant.EPOCH);

    assertThat(inhibits(rule, Map.of("severity", "warning"), Map.of("severity", "warning")))
        .isFalse();
    assertThat(inhibits(rule, Map.of("severity", "critical"), Map.of("severity", "info")))
        .isFalse();
    assertThat(both.inhibits("same", Map.of("team", "db"), "same", Map.of("team", "db"))).isFalse();
    assertThat(both.inhibits("one", Map.of("team", "db"), "other", Map.of("team", "db"))).isTrue();
  }
}
