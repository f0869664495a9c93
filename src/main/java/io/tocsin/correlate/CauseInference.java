package io.tocsin.correlate;

import io.tocsin.directory.service.DependencyGraph;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Which dependency, silent itself, best explains services failing together. A candidate is a
 * service that at least {@code minimum} of the failing services need (directly or not) and that is
 * not failing itself. The one that explains the most failing services wins; between candidates that
 * explain the same services, the nearest to them (the one that needs the others) wins, since the
 * farther one failing would have made the nearer fail and speak too. What the winner explains is
 * then taken away and the search goes on, so that two storms on unrelated dependencies give two
 * causes, never one.
 *
 * <p>It only decides; the caller opens the incidents. Pure, so that the rule is tested on graphs
 * without a database.
 */
final class CauseInference {

  private CauseInference() {}

  /** A cause found: the services it explains, earliest failing first, and its rivals. */
  record Cause(UUID service, List<UUID> explains, Instant since, List<Rival> rivals) {}

  /** Another dependency the same failing services share, not on a chain with the cause. */
  record Rival(UUID service, int explains) {}

  /**
   * The causes of {@code failing} (each failing service with when it began), best first. {@code
   * eligible} says whether a candidate may be inferred at all (it has no open incident of its own).
   */
  static List<Cause> infer(
      DependencyGraph graph, Map<UUID, Instant> failing, int minimum, Predicate<UUID> eligible) {
    Map<UUID, List<UUID>> closures = new HashMap<>();
    failing.keySet().forEach(s -> closures.put(s, graph.closure(s)));
    Set<UUID> remaining = new LinkedHashSet<>(sorted(failing.keySet()));
    Map<UUID, Boolean> allowed = new HashMap<>();
    List<Cause> causes = new ArrayList<>();
    while (true) {
      Map<UUID, List<UUID>> explains = new LinkedHashMap<>();
      for (UUID service : remaining) {
        for (UUID need : Objects.requireNonNull(closures.get(service))) {
          if (!failing.containsKey(need)) {
            explains.computeIfAbsent(need, k -> new ArrayList<>()).add(service);
          }
        }
      }
      explains
          .entrySet()
          .removeIf(
              e ->
                  e.getValue().size() < minimum
                      || !allowed.computeIfAbsent(e.getKey(), eligible::test));
      if (explains.isEmpty()) {
        return causes;
      }
      int most = explains.values().stream().mapToInt(List::size).max().orElseThrow();
      List<UUID> best =
          sorted(explains.keySet()).stream()
              .filter(c -> Objects.requireNonNull(explains.get(c)).size() == most)
              .toList();
      UUID cause =
          best.stream()
              .max(
                  Comparator.comparingLong(
                      (UUID c) -> best.stream().filter(graph.closure(c)::contains).count()))
              .orElseThrow();
      List<UUID> explained = Objects.requireNonNull(explains.get(cause));
      List<UUID> causeNeeds = graph.closure(cause);
      List<Rival> rivals =
          sorted(explains.keySet()).stream()
              .filter(c -> !c.equals(cause))
              .filter(c -> !causeNeeds.contains(c) && !graph.closure(c).contains(cause))
              .map(c -> new Rival(c, Objects.requireNonNull(explains.get(c)).size()))
              .sorted(Comparator.comparingInt(Rival::explains).reversed())
              .toList();
      Instant since =
          explained.stream().map(failing::get).min(Comparator.naturalOrder()).orElseThrow();
      List<UUID> earliestFirst =
          explained.stream()
              .sorted(
                  Comparator.comparing((UUID s) -> failing.get(s)).thenComparing(UUID::toString))
              .toList();
      causes.add(new Cause(cause, earliestFirst, since, rivals));
      remaining.removeAll(explained);
    }
  }

  private static List<UUID> sorted(Set<UUID> ids) {
    return ids.stream().sorted(Comparator.comparing(UUID::toString)).toList();
  }
}
