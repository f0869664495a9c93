package io.tocsin.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * Which services' incidents follow another's, time after time: the evidence of a dependency nobody
 * declared. Service B follows service A when B's incidents opened within {@link #WITHIN} after A's
 * in at least {@link #SHARE} of A's incidents, and at least {@link #AT_LEAST} times.
 *
 * <p>Each of B's incidents counts after one of A's only, so that a burst of A's incidents followed
 * by one of B's is one time, not many. When both services follow each other (their incidents open
 * together), the one whose incidents more often came strictly later is the dependent; when neither
 * did, the history cannot tell cause from symptom and nothing is suggested.
 */
final class FollowingIncidents {

  static final Duration WITHIN = Duration.ofMinutes(2);
  static final double SHARE = 0.8;
  static final int AT_LEAST = 5;

  /** The most pairs of incidents kept as the evidence of one suggestion: the latest. */
  static final int EXAMPLES = 5;

  /** An incident's opening, as the look at the history needs it. */
  record Opening(UUID incident, long number, String title, UUID service, Instant at) {}

  /** One of the cause's incidents and the dependent's incident that followed it. */
  record Pair(Opening cause, Opening follower) {

    Duration lag() {
      return Duration.between(cause.at(), follower.at());
    }
  }

  /**
   * Service {@code service}'s incidents followed {@code dependsOn}'s.
   *
   * @param causeIncidents how many incidents {@code dependsOn} opened
   * @param pairs each of them that one of {@code service}'s followed, with that one
   */
  record Following(UUID service, UUID dependsOn, int causeIncidents, List<Pair> pairs) {

    long medianLagSeconds() {
      List<Duration> lags = pairs.stream().map(Pair::lag).sorted().toList();
      return lags.get((lags.size() - 1) / 2).toSeconds();
    }

    long strictlyAfter() {
      return pairs.stream().filter(pair -> !pair.lag().isZero()).count();
    }

    /** The latest pairs, newest first. */
    List<Pair> examples() {
      List<Pair> latest = new ArrayList<>(pairs);
      latest.sort(Comparator.comparing((Pair pair) -> pair.cause().at()).reversed());
      return List.copyOf(latest.subList(0, Math.min(EXAMPLES, latest.size())));
    }
  }

  private FollowingIncidents() {}

  /**
   * The services that follow another in these openings, where {@code linked} says no dependency,
   * direct or through others, links the two already.
   */
  static List<Following> find(List<Opening> openings, BiPredicate<UUID, UUID> linked) {
    List<Opening> all = new ArrayList<>(openings);
    all.sort(Comparator.comparing(Opening::at));
    Map<UUID, List<Opening>> byService = new HashMap<>();
    all.forEach(o -> byService.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(o));
    Map<List<UUID>, Following> found = new HashMap<>();
    for (Map.Entry<UUID, List<Opening>> cause : byService.entrySet()) {
      List<Opening> causes = cause.getValue();
      if (causes.size() < AT_LEAST) {
        continue;
      }
      for (UUID follower : near(all, causes)) {
        if (follower.equals(cause.getKey()) || linked.test(follower, cause.getKey())) {
          continue;
        }
        List<Pair> pairs = pairs(causes, byService.getOrDefault(follower, List.of()));
        if (pairs.size() >= AT_LEAST && pairs.size() >= SHARE * causes.size()) {
          found.put(
              List.of(follower, cause.getKey()),
              new Following(follower, cause.getKey(), causes.size(), pairs));
        }
      }
    }
    List<Following> kept = new ArrayList<>();
    for (Following following : found.values()) {
      Following opposite = found.get(List.of(following.dependsOn(), following.service()));
      if (opposite == null || following.strictlyAfter() > opposite.strictlyAfter()) {
        kept.add(following);
      }
    }
    kept.sort(Comparator.comparing((Following f) -> -f.pairs().size()));
    return kept;
  }

  /** The services with an incident opened within the window after any of {@code causes}. */
  private static Set<UUID> near(List<Opening> all, List<Opening> causes) {
    Set<UUID> services = new LinkedHashSet<>();
    int start = 0;
    for (Opening cause : causes) {
      while (start < all.size() && all.get(start).at().isBefore(cause.at())) {
        start++;
      }
      Instant end = cause.at().plus(WITHIN);
      for (int i = start; i < all.size() && !all.get(i).at().isAfter(end); i++) {
        services.add(all.get(i).service());
      }
    }
    return services;
  }

  /**
   * Each cause paired with the earliest follower not yet paired that opened within the window after
   * it: with windows of one length taken in order, this pairs as many as any pairing can.
   */
  private static List<Pair> pairs(List<Opening> causes, List<Opening> followers) {
    List<Pair> pairs = new ArrayList<>();
    int next = 0;
    for (Opening cause : causes) {
      while (next < followers.size() && followers.get(next).at().isBefore(cause.at())) {
        next++;
      }
      if (next < followers.size() && !followers.get(next).at().isAfter(cause.at().plus(WITHIN))) {
        pairs.add(new Pair(cause, followers.get(next)));
        next++;
      }
    }
    return pairs;
  }
}
