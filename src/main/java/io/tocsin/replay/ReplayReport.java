package io.tocsin.replay;

import io.tocsin.correlate.Correlator;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.incident.IncidentStats;
import io.tocsin.platform.EnumText;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a replay answers: what happened in the window, what the configuration as it is now would
 * have done with its alerts, what the candidate would have done, and which incidents differ.
 *
 * @param alerts the alert occurrences Tocsin took in the window
 */
public record ReplayReport(
    Instant from,
    Instant to,
    int alerts,
    ActualIncidents actual,
    ReplayOutcome current,
    @Nullable ReplayOutcome candidate,
    @Nullable ReplayChanges changes) {

  /** The most incidents listed for one outcome: the ones with the most alerts. */
  static final int LISTED = 100;

  /** The incidents that really opened in the window. */
  public record ActualIncidents(int opened, int merged) {

    static ActualIncidents of(IncidentStats stats) {
      return new ActualIncidents(stats.opened(), stats.merged());
    }
  }

  /**
   * What a configuration would have done.
   *
   * @param opened incidents opened, merged ones included
   * @param merged incidents merged into the incident of their cause
   * @param stillOpen incidents still unresolved at the window's end
   * @param correlated firing alerts by what correlation did with them
   * @param incidents the unmerged incidents with the most alerts, at most {@value #LISTED}
   */
  public record ReplayOutcome(
      int opened,
      int merged,
      int stillOpen,
      Map<String, Integer> correlated,
      List<ReplayedIncident> incidents) {}

  /** An incident a replay opened. */
  public record ReplayedIncident(
      long number,
      String title,
      String service,
      String probableCause,
      String severity,
      Instant openedAt,
      @Nullable Instant resolvedAt,
      long secondsOpen,
      int alerts,
      boolean inferred) {}

  /**
   * How the candidate's incidents differ from those of the configuration as it is now, each known
   * by the alert that opened it (or, inferred, by its service).
   */
  public record ReplayChanges(List<ReplayedIncident> gone, List<ReplayedIncident> added) {}

  static ReplayOutcome outcome(Replays.Outcome run, ReplayConfiguration configuration, Instant to) {
    List<MemoryIncidents.Held> all = List.copyOf(run.incidents().all());
    Map<String, Integer> correlated = new LinkedHashMap<>();
    for (Correlator.Result result : Correlator.Result.values()) {
      correlated.put(EnumText.canonical(result), run.results().getOrDefault(result, 0));
    }
    return new ReplayOutcome(
        all.size(),
        (int) all.stream().filter(h -> h.mergedInto != null).count(),
        (int) all.stream().filter(MemoryIncidents.Held::isOpen).count(),
        correlated,
        all.stream()
            .filter(h -> h.mergedInto == null)
            .sorted(Comparator.comparingInt((MemoryIncidents.Held h) -> -h.alertCount))
            .limit(LISTED)
            .map(h -> incident(h, configuration, to))
            .toList());
  }

  static ReplayChanges changes(
      Replays.Outcome current,
      Replays.Outcome candidate,
      ReplayConfiguration configuration,
      Instant to) {
    Map<String, MemoryIncidents.Held> before = kept(current);
    Map<String, MemoryIncidents.Held> after = kept(candidate);
    return new ReplayChanges(
        only(before, after.keySet(), configuration, to),
        only(after, before.keySet(), configuration, to));
  }

  private static Map<String, MemoryIncidents.Held> kept(Replays.Outcome run) {
    return run.incidents().all().stream()
        .filter(h -> h.mergedInto == null)
        .collect(
            Collectors.toMap(
                h -> h.trigger == null ? "inferred " + h.serviceId : h.trigger.toString(),
                h -> h,
                (a, b) -> a,
                LinkedHashMap::new));
  }

  private static List<ReplayedIncident> only(
      Map<String, MemoryIncidents.Held> these,
      Set<String> notIn,
      ReplayConfiguration configuration,
      Instant to) {
    return these.entrySet().stream()
        .filter(e -> !notIn.contains(e.getKey()))
        .map(e -> incident(e.getValue(), configuration, to))
        .limit(LISTED)
        .toList();
  }

  private static ReplayedIncident incident(
      MemoryIncidents.Held held, ReplayConfiguration configuration, Instant to) {
    Instant end = held.resolvedAt == null ? to : held.resolvedAt;
    return new ReplayedIncident(
        held.number,
        held.title,
        name(configuration, held.serviceId),
        name(configuration, held.probableCause),
        EnumText.canonical(held.severity),
        held.openedAt,
        held.resolvedAt,
        Duration.between(held.openedAt, end).toSeconds(),
        held.alertCount,
        held.inferred);
  }

  private static String name(ReplayConfiguration configuration, UUID service) {
    CatalogService known = configuration.services().get(service);
    return known == null ? service.toString() : Objects.requireNonNull(known.name());
  }
}
