package io.tocsin.correlate;

import io.tocsin.ingest.LabelMatcher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * While an alert matching {@code sourceMatchers} fires, an alert matching {@code targetMatchers}
 * whose {@code equal} labels have the same values (a label missing on both counts as equal) is
 * inhibited: it is a symptom of the source, not news.
 */
public record InhibitionRule(
    UUID id,
    String name,
    List<LabelMatcher> sourceMatchers,
    List<LabelMatcher> targetMatchers,
    List<String> equal,
    Instant createdAt) {

  public InhibitionRule {
    sourceMatchers = List.copyOf(sourceMatchers);
    targetMatchers = List.copyOf(targetMatchers);
    equal = List.copyOf(equal);
  }

  /**
   * Whether a firing alert with {@code source} labels inhibits one with {@code target} labels. An
   * alert never inhibits itself, even when it matches both sides, as in Alertmanager.
   */
  public boolean inhibits(
      String sourceFingerprint,
      Map<String, String> source,
      String targetFingerprint,
      Map<String, String> target) {
    if (sourceFingerprint.equals(targetFingerprint)) {
      return false;
    }
    return targetMatchers.stream().allMatch(m -> m.matches(target))
        && sourceMatchers.stream().allMatch(m -> m.matches(source))
        && equal.stream()
            .allMatch(
                label -> source.getOrDefault(label, "").equals(target.getOrDefault(label, "")));
  }
}
