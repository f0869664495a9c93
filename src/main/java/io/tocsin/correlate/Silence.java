package io.tocsin.correlate;

import io.tocsin.ingest.LabelMatcher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A silence: every alert whose labels match all its matchers is muted during its window. */
public record Silence(
    UUID id,
    List<LabelMatcher> matchers,
    Instant startsAt,
    Instant endsAt,
    String createdBy,
    String comment,
    Instant updatedAt) {

  public Silence {
    matchers = List.copyOf(matchers);
  }

  public SilenceState state(Instant now) {
    if (!now.isBefore(endsAt)) {
      return SilenceState.EXPIRED;
    }
    return now.isBefore(startsAt) ? SilenceState.PENDING : SilenceState.ACTIVE;
  }

  /** Whether this silence mutes an alert with {@code labels} at {@code now}. */
  public boolean mutes(Map<String, String> labels, Instant now) {
    return state(now) == SilenceState.ACTIVE && matchers.stream().allMatch(m -> m.matches(labels));
  }
}
