package io.tocsin.replay;

import io.tocsin.correlate.CorrelationProperties;
import io.tocsin.correlate.Correlator;
import io.tocsin.ingest.AlertChange;
import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.ingest.AlertChange.AlertResolved;
import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.AlertLookup.Occurrence;
import io.tocsin.platform.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * Runs the alerts Tocsin took in a window through correlation under a configuration, on a virtual
 * clock: each ingestion transaction is correlated at the instant it was taken (the alerts that one
 * transaction stored share that instant), each resolve at the instant Tocsin learnt of it, and the
 * alerts muting held are looked at again every recheck interval, as live.
 *
 * <p>It reads the window a page at a time and keeps only the alerts still firing and the incidents
 * it made, so its memory grows with the window's incidents, not with its sends.
 */
@Service
public class Replays {

  /** The longest window one replay covers. */
  public static final Duration LONGEST = Duration.ofDays(31);

  private static final int PAGE = 5_000;

  /**
   * How far back a replay looks for the alerts that still fired when its window opened: those first
   * seen earlier are not replayed, and their incidents are missing from its start.
   */
  static final Duration LOOKBACK = Duration.ofDays(7);

  private final AlertLookup alerts;
  private final CorrelationProperties correlation;
  private final PagingSetup paging;

  Replays(AlertLookup alerts, CorrelationProperties correlation, PagingSetup paging) {
    this.alerts = alerts;
    this.correlation = correlation;
    this.paging = paging;
  }

  /** What correlation did with the window's alerts, and the paging that followed. */
  record Outcome(
      Instant from,
      MemoryIncidents incidents,
      MemoryEscalations paging,
      Map<Correlator.Result, Integer> results,
      int alerts) {

    /** The incidents opened in the window, not those already open when it opened. */
    List<MemoryIncidents.Held> opened() {
      return incidents.all().stream().filter(held -> !held.openedAt.isBefore(from)).toList();
    }

    /** The messages sent in the window. */
    List<MemoryEscalations.Sent> sent() {
      return paging.sent().stream().filter(sent -> !sent.at().isBefore(from)).toList();
    }
  }

  /** Refuses a window a replay cannot cover. */
  static void check(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new InvalidInputException("from", "must be before to");
    }
    if (Duration.between(from, to).compareTo(LONGEST) > 0) {
      throw new InvalidInputException("to", "a replay covers at most 31 days");
    }
  }

  /** How many alert occurrences a replay of the window goes through. */
  long alertsIn(Instant from, Instant to) {
    return alerts.countOccurrences(from, to);
  }

  Outcome run(
      Instant from, Instant to, ReplayConfiguration configuration, ReplayJobs.Progress progress) {
    check(from, to);
    Run run =
        new Run(
            from.minus(LOOKBACK),
            from,
            configuration,
            incidents -> new MemoryEscalations(paging.under(configuration), incidents));
    // What fired when the window opened comes first, at the instants it came, so that the
    // window's alerts find the incidents live had open; it is left out of what the replay counts.
    Instant since = from.minus(LOOKBACK);
    UUID seen = null;
    List<Occurrence> firing;
    do {
      firing = alerts.firingAt(from, since, seen, PAGE);
      run.take(firing);
      seen = firing.isEmpty() ? seen : firing.get(firing.size() - 1).fired().alertId();
    } while (firing.size() == PAGE);
    run.taken = 0;
    UUID after = null;
    List<Occurrence> page;
    do {
      page = alerts.occurrences(from, to, after, PAGE);
      run.take(page);
      progress.replayed(page.size());
      after = page.isEmpty() ? after : page.get(page.size() - 1).fired().alertId();
    } while (page.size() == PAGE);
    run.finish(to);
    return new Outcome(from, run.incidents, run.paging, run.results, run.taken);
  }

  /** One replay in progress: its clock, its incidents and the resolves still to come. */
  private final class Run {

    private Instant now;
    private final MemoryIncidents incidents;
    private final Correlator correlator;
    private final MemoryState state;
    private final MemoryEscalations paging;
    private final PriorityQueue<AlertResolved> resolves =
        new PriorityQueue<>(Comparator.comparing(AlertResolved::endsAt));
    private Instant nextRecheck;
    private final List<AlertFired> batch = new ArrayList<>();
    private @Nullable Instant batchAt;
    private final Map<Correlator.Result, Integer> results = new EnumMap<>(Correlator.Result.class);
    private int taken;
    private final Instant from;

    Run(
        Instant start,
        Instant from,
        ReplayConfiguration configuration,
        Function<MemoryIncidents, MemoryEscalations> paging) {
      this.now = start;
      this.from = from;
      this.nextRecheck = start.plus(correlation.recheckInterval());
      this.state = new MemoryState(configuration);
      this.incidents =
          new MemoryIncidents(
              () -> now,
              configuration::graph,
              id -> java.util.Optional.ofNullable(configuration.services().get(id)));
      this.correlator = new Correlator(incidents, state, correlation);
      this.paging = paging.apply(incidents);
    }

    void take(List<Occurrence> page) {
      for (Occurrence occurrence : page) {
        taken++;
        if (batchAt != null && !batchAt.equals(occurrence.firstSeenAt())) {
          correlateBatch();
        }
        batchAt = occurrence.firstSeenAt();
        Instant resolvedAt = occurrence.resolvedAt();
        if (resolvedAt != null && !resolvedAt.isAfter(occurrence.firstSeenAt())) {
          // Resolved in the transaction that stored it: live correlation never saw it fire.
          continue;
        }
        batch.add(occurrence.fired());
        if (resolvedAt != null) {
          AlertFired fired = occurrence.fired();
          resolves.add(
              new AlertResolved(
                  fired.alertId(), fired.serviceId(), fired.fingerprint(), resolvedAt));
        }
      }
    }

    void finish(Instant to) {
      if (batchAt != null) {
        correlateBatch();
      }
      advanceTo(to);
    }

    private void correlateBatch() {
      Instant at = java.util.Objects.requireNonNull(batchAt);
      advanceTo(at);
      now = at;
      // One transaction's alerts are stored, and so correlated, in the order of their open keys.
      batch.sort(
          Comparator.comparing(
              (AlertFired f) -> f.integrationId().toString() + " " + f.fingerprint()));
      count(correlator.correlate(List.copyOf(batch), at));
      batch.clear();
      batchAt = null;
    }

    /**
     * Resolves, rechecks and the steps and messages of escalation, in the order of their instants,
     * up to {@code until}; at one instant, correlation goes first.
     */
    private void advanceTo(Instant until) {
      while (true) {
        AlertResolved resolve = resolves.peek();
        Instant correlationAt =
            resolve != null && resolve.endsAt().isBefore(nextRecheck)
                ? resolve.endsAt()
                : nextRecheck;
        Instant pagingAt = paging.nextDue().orElse(Instant.MAX);
        if (pagingAt.isBefore(correlationAt) && !pagingAt.isAfter(until)) {
          now = pagingAt;
          paging.runUntil(pagingAt);
        } else if (correlationAt.isAfter(until)) {
          return;
        } else if (resolve != null && resolve.endsAt().equals(correlationAt)) {
          List<AlertChange> resolved = new ArrayList<>();
          while (resolves.peek() != null && resolves.peek().endsAt().equals(correlationAt)) {
            resolved.add(resolves.poll());
          }
          now = correlationAt;
          count(correlator.correlate(resolved, correlationAt));
        } else {
          now = nextRecheck;
          if (!state.muted().isEmpty()) {
            count(correlator.recheck(nextRecheck));
          }
          nextRecheck = nextRecheck.plus(correlation.recheckInterval());
        }
      }
    }

    private void count(Correlator.Outcome outcome) {
      if (!now.isBefore(from)) {
        outcome.results().forEach((result, n) -> results.merge(result, n, Integer::sum));
      }
      paging.follow(incidents.drainChanges());
    }
  }
}
