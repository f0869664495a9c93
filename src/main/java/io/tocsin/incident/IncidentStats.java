package io.tocsin.incident;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * MTTA, MTTR and counts over the incidents opened in [{@code since}, {@code until}). Incidents
 * merged into others count as {@code merged} and stay out of the durations: their work was done in
 * the incident they joined.
 */
public record IncidentStats(
    Instant since,
    Instant until,
    int opened,
    int merged,
    int stillOpen,
    Durations mtta,
    Durations mttr,
    List<ServiceCount> byService,
    List<SeverityCount> bySeverity) {

  /** Mean and percentiles in seconds; {@code null} when no incident has the duration. */
  public record Durations(
      int count, @Nullable Long meanSeconds, @Nullable Long p50Seconds, @Nullable Long p90Seconds) {

    public static Durations of(List<Duration> durations) {
      if (durations.isEmpty()) {
        return new Durations(0, null, null, null);
      }
      List<Long> seconds = new ArrayList<>();
      durations.forEach(d -> seconds.add(d.toSeconds()));
      Collections.sort(seconds);
      long sum = seconds.stream().mapToLong(Long::longValue).sum();
      return new Durations(
          seconds.size(),
          Math.round((double) sum / seconds.size()),
          percentile(seconds, 50),
          percentile(seconds, 90));
    }

    /** The nearest-rank percentile: a value that occurred, never an interpolation. */
    private static long percentile(List<Long> sorted, int p) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.size());
      return sorted.get(Math.max(0, rank - 1));
    }
  }

  public record ServiceCount(
      UUID serviceId, String name, int opened, Durations mtta, Durations mttr) {}

  public record SeverityCount(String severity, int opened) {}
}
