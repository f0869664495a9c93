package io.tocsin.replay;

import io.tocsin.correlate.Correlator;
import io.tocsin.directory.service.CatalogService;
import io.tocsin.incident.Incident;
import io.tocsin.incident.IncidentStats;
import io.tocsin.platform.EnumText;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
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
      Paging paging,
      List<ReplayedIncident> incidents) {}

  /**
   * The paging that would have followed.
   *
   * @param pages messages sent to people, each page through each step of their rules
   * @param summaries summaries sent of the messages the rate limit held back
   * @param subscriptions messages to subscribers of an incident opening or resolving, which count
   *     against the rate limit as pages do
   * @param summarized pages and subscribers' messages the rate limit held back into summaries
   * @param atNight those sent between 22:00 and 07:00 in the person's own time zone
   * @param longestUnreachedSeconds the longest an incident went from opening until a message about
   *     it (or an incident merged into it) went to anybody, or until it resolved or the window
   *     ended if none ever did
   * @param longestUnreached the incident that waited that long, if any incident opened
   * @param bucketSeconds the length of each bucket of {@code overTime}
   * @param overTime the pages and summaries sent in each bucket, from the window's start
   */
  public record Paging(
      int pages,
      int summaries,
      int subscriptions,
      int summarized,
      int atNight,
      List<PersonPages> byPerson,
      long longestUnreachedSeconds,
      @Nullable Long longestUnreached,
      long bucketSeconds,
      List<Integer> overTime) {}

  /** The messages a person would have had through one channel. */
  public record PersonPages(
      String person,
      String email,
      String channel,
      int pages,
      int summaries,
      int subscriptions,
      int atNight) {}

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
      boolean inferred,
      @Nullable UUID triggerAlert,
      @Nullable ActualCounterpart actual) {}

  /** The incident that really took the alert that opened a replayed one. */
  public record ActualCounterpart(UUID id, long number, String title, String status) {}

  /** The real incidents of alerts, by alert id, of those that have one. */
  interface Counterparts {
    Map<UUID, Incident> of(Collection<UUID> alertIds);
  }

  /** The bucket lengths of a chart over time: the shortest that makes at most 100 buckets. */
  private static final List<Duration> BUCKETS =
      List.of(
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(6),
          Duration.ofDays(1));

  static Duration bucket(Instant from, Instant to) {
    Duration window = Duration.between(from, to);
    for (Duration bucket : BUCKETS) {
      if (window.dividedBy(bucket) < 100) {
        return bucket;
      }
    }
    return BUCKETS.get(BUCKETS.size() - 1);
  }

  /**
   * How the candidate's incidents differ from those of the configuration as it is now, each known
   * by the alert that opened it (or, inferred, by its service).
   */
  public record ReplayChanges(List<ReplayedIncident> gone, List<ReplayedIncident> added) {}

  static ReplayOutcome outcome(
      Replays.Outcome run,
      ReplayConfiguration configuration,
      Instant to,
      Counterparts counterparts) {
    List<MemoryIncidents.Held> all = run.opened();
    Map<String, Integer> correlated = new LinkedHashMap<>();
    for (Correlator.Result result : Correlator.Result.values()) {
      correlated.put(EnumText.canonical(result), run.results().getOrDefault(result, 0));
    }
    return new ReplayOutcome(
        all.size(),
        (int) all.stream().filter(h -> h.mergedInto != null).count(),
        (int) all.stream().filter(MemoryIncidents.Held::isOpen).count(),
        correlated,
        paging(run, all, to),
        described(
            all.stream()
                .filter(h -> h.mergedInto == null)
                .sorted(Comparator.comparingInt((MemoryIncidents.Held h) -> -h.alertCount))
                .limit(LISTED)
                .toList(),
            configuration,
            to,
            counterparts));
  }

  private static Paging paging(Replays.Outcome run, List<MemoryIncidents.Held> all, Instant to) {
    List<MemoryEscalations.Sent> sent = run.sent();
    Map<String, PersonPages> byPerson = new LinkedHashMap<>();
    for (MemoryEscalations.Sent message : sent) {
      String channel = EnumText.canonical(message.channel());
      byPerson.merge(
          message.person().id() + " " + channel,
          new PersonPages(
              message.person().name(),
              message.person().email(),
              channel,
              message.page() ? 1 : 0,
              message.summary() ? 1 : 0,
              message.subscription() ? 1 : 0,
              message.atNight() && !message.subscription() ? 1 : 0),
          (a, b) ->
              new PersonPages(
                  a.person(),
                  a.email(),
                  a.channel(),
                  a.pages() + b.pages(),
                  a.summaries() + b.summaries(),
                  a.subscriptions() + b.subscriptions(),
                  a.atNight() + b.atNight()));
    }
    Map<UUID, MemoryIncidents.Held> byId = new LinkedHashMap<>();
    all.forEach(held -> byId.put(held.id, held));
    Map<UUID, Instant> reached = new LinkedHashMap<>();
    run.paging()
        .firstReached()
        .forEach(
            (incident, at) ->
                reached.merge(finalOf(byId, incident), at, (a, b) -> a.isBefore(b) ? a : b));
    long longest = 0;
    Long which = null;
    for (MemoryIncidents.Held held : all) {
      if (held.mergedInto != null) {
        continue;
      }
      Instant until = reached.get(held.id);
      if (until == null) {
        until = held.resolvedAt == null ? to : held.resolvedAt;
      }
      long waited = Duration.between(held.openedAt, until).toSeconds();
      if (which == null || waited > longest) {
        longest = waited;
        which = held.number;
      }
    }
    Duration bucket = bucket(run.from(), to);
    Integer[] overTime = new Integer[(int) Duration.between(run.from(), to).dividedBy(bucket) + 1];
    Arrays.fill(overTime, 0);
    for (MemoryEscalations.Sent message : sent) {
      int at = (int) Duration.between(run.from(), message.at()).dividedBy(bucket);
      if (at < overTime.length && !message.subscription()) {
        overTime[at]++;
      }
    }
    return new Paging(
        (int) sent.stream().filter(MemoryEscalations.Sent::page).count(),
        (int) sent.stream().filter(MemoryEscalations.Sent::summary).count(),
        (int) sent.stream().filter(MemoryEscalations.Sent::subscription).count(),
        run.paging().summarized(),
        (int) sent.stream().filter(m -> m.atNight() && !m.subscription()).count(),
        byPerson.values().stream()
            .sorted(Comparator.comparingInt((PersonPages p) -> -p.pages() - p.summaries()))
            .toList(),
        longest,
        which,
        bucket.toSeconds(),
        List.of(overTime));
  }

  /** The incident that one ended in, following merges. */
  private static UUID finalOf(Map<UUID, MemoryIncidents.Held> byId, UUID incident) {
    UUID at = incident;
    MemoryIncidents.Held held = byId.get(at);
    while (held != null && held.mergedInto != null) {
      at = held.mergedInto;
      held = byId.get(at);
    }
    return at;
  }

  static ReplayChanges changes(
      Replays.Outcome current,
      Replays.Outcome candidate,
      ReplayConfiguration configuration,
      Instant to,
      Counterparts counterparts) {
    Map<String, MemoryIncidents.Held> before = kept(current);
    Map<String, MemoryIncidents.Held> after = kept(candidate);
    return new ReplayChanges(
        described(only(before, after.keySet()), configuration, to, counterparts),
        described(only(after, before.keySet()), configuration, to, counterparts));
  }

  private static Map<String, MemoryIncidents.Held> kept(Replays.Outcome run) {
    return run.opened().stream()
        .filter(h -> h.mergedInto == null)
        .collect(
            Collectors.toMap(
                h -> h.trigger == null ? "inferred " + h.serviceId : h.trigger.toString(),
                h -> h,
                (a, b) -> a,
                LinkedHashMap::new));
  }

  private static List<MemoryIncidents.Held> only(
      Map<String, MemoryIncidents.Held> these, Set<String> notIn) {
    return these.entrySet().stream()
        .filter(e -> !notIn.contains(e.getKey()))
        .map(Map.Entry::getValue)
        .limit(LISTED)
        .toList();
  }

  /** The incidents as a report tells of them, each with the real incident of its first alert. */
  private static List<ReplayedIncident> described(
      List<MemoryIncidents.Held> held,
      ReplayConfiguration configuration,
      Instant to,
      Counterparts counterparts) {
    Map<UUID, Incident> actual =
        counterparts.of(
            held.stream().map(h -> h.trigger).filter(Objects::nonNull).collect(Collectors.toSet()));
    return held.stream()
        .map(
            h -> {
              Incident real = h.trigger == null ? null : actual.get(h.trigger);
              return incident(
                  h,
                  configuration,
                  to,
                  real == null
                      ? null
                      : new ActualCounterpart(
                          real.id(),
                          real.number(),
                          real.title(),
                          EnumText.canonical(real.status())));
            })
        .toList();
  }

  private static ReplayedIncident incident(
      MemoryIncidents.Held held,
      ReplayConfiguration configuration,
      Instant to,
      @Nullable ActualCounterpart actual) {
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
        held.inferred,
        held.trigger,
        actual);
  }

  private static String name(ReplayConfiguration configuration, UUID service) {
    CatalogService known = configuration.services().get(service);
    return known == null ? service.toString() : Objects.requireNonNull(known.name());
  }
}
