package io.tocsin.directory.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The "depends on" edges between services, small enough to hold in memory (hundreds of services,
 * not millions), with the two questions asked of it: would a change close a cycle, and what does a
 * service need, directly or through others.
 */
public final class DependencyGraph {

  private final Map<UUID, Set<UUID>> dependsOn = new HashMap<>();

  DependencyGraph(List<Map.Entry<UUID, UUID>> edges) {
    edges.forEach(
        e -> dependsOn.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>()).add(e.getValue()));
  }

  /** A graph of these "service depends on service" edges, as keys and values. */
  public static DependencyGraph of(List<Map.Entry<UUID, UUID>> edges) {
    return new DependencyGraph(edges);
  }

  /** Replaces the dependencies of {@code service}. */
  void set(UUID service, List<UUID> dependencies) {
    dependsOn.put(service, new LinkedHashSet<>(dependencies));
  }

  /**
   * A cycle through {@code service}, as the path service → ... → service, if there is one. Only
   * cycles through the changed service need checking: the graph was acyclic before the change.
   */
  Optional<List<UUID>> cycleThrough(UUID service) {
    Deque<List<UUID>> paths = new ArrayDeque<>();
    paths.push(List.of(service));
    Set<UUID> visited = new HashSet<>();
    while (!paths.isEmpty()) {
      List<UUID> path = paths.pop();
      UUID last = path.get(path.size() - 1);
      for (UUID next : dependsOn.getOrDefault(last, Set.of())) {
        List<UUID> longer = new ArrayList<>(path);
        longer.add(next);
        if (next.equals(service)) {
          return Optional.of(longer);
        }
        if (visited.add(next)) {
          paths.push(longer);
        }
      }
    }
    return Optional.empty();
  }

  /** Everything {@code service} needs, directly or transitively, nearest first. */
  public List<UUID> closure(UUID service) {
    return reachable(service, dependsOn);
  }

  /** Every service that needs {@code service}, directly or transitively, nearest first. */
  public List<UUID> dependents(UUID service) {
    Map<UUID, Set<UUID>> neededBy = new HashMap<>();
    dependsOn.forEach(
        (dependent, needs) ->
            needs.forEach(
                need -> neededBy.computeIfAbsent(need, k -> new LinkedHashSet<>()).add(dependent)));
    return reachable(service, neededBy);
  }

  /** The services that name {@code service} among their own dependencies. */
  public List<UUID> directDependents(UUID service) {
    return dependsOn.entrySet().stream()
        .filter(e -> e.getValue().contains(service))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  private static List<UUID> reachable(UUID start, Map<UUID, Set<UUID>> edges) {
    Set<UUID> seen = new LinkedHashSet<>();
    Deque<UUID> queue = new ArrayDeque<>(edges.getOrDefault(start, Set.of()));
    while (!queue.isEmpty()) {
      UUID next = queue.removeFirst();
      if (!next.equals(start) && seen.add(next)) {
        queue.addAll(edges.getOrDefault(next, Set.of()));
      }
    }
    return List.copyOf(seen);
  }

  List<UUID> direct(UUID service) {
    return List.copyOf(dependsOn.getOrDefault(service, Collections.emptySet()));
  }
}
