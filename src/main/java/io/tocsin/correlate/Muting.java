package io.tocsin.correlate;

import io.tocsin.ingest.AlertLookup;
import io.tocsin.ingest.AlertLookup.FiringAlert;
import io.tocsin.ingest.AlertMuting;
import io.tocsin.ingest.LabelMatcher;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Muting as a person looks at it: which silences and alerts keep a firing alert from paging now,
 * which firing alerts a silence would catch before it is saved, and how many each silence mutes.
 * Labels are matched with the alert's service name under {@link AlertMuting#SERVICE_LABEL}, as
 * correlation matches them.
 */
@Service
public class Muting {

  private final RuleMuting rules;
  private final Silences silences;
  private final InhibitionRules inhibitionRules;
  private final InhibitionSources sources;
  private final AlertLookup alerts;
  private final Clock clock;

  Muting(
      RuleMuting rules,
      Silences silences,
      InhibitionRules inhibitionRules,
      InhibitionSources sources,
      AlertLookup alerts,
      Clock clock) {
    this.rules = rules;
    this.silences = silences;
    this.inhibitionRules = inhibitionRules;
    this.sources = sources;
    this.alerts = alerts;
    this.clock = clock;
  }

  /** Why an alert pages nobody now: the silences matching it, and whether an alert inhibits it. */
  public record Muted(List<UUID> silencedBy, boolean inhibited) {}

  /**
   * How many of the newest firing alerts a person's view examines: enough for any normal day, and a
   * bound on the page's time in a storm (the count then reads "at least").
   */
  public static final int EXAMINED = 5_000;

  /**
   * The firing alerts a set of matchers catches now: the first {@code limit}, and how many; {@code
   * partial} when more than {@link #EXAMINED} alerts fire and only the newest were examined.
   */
  public record Caught(List<FiringAlert> alerts, int total, boolean partial) {}

  /** How many firing alerts each silence mutes, by silence id; {@code partial} as above. */
  public record MutedCounts(Map<UUID, Integer> counts, boolean partial) {}

  /** The muting of each of these firing alerts that is muted now, by alert id. */
  public Map<UUID, Muted> of(Collection<FiringAlert> firing) {
    Map<UUID, Muted> muted = new HashMap<>();
    if (firing.isEmpty()) {
      return muted;
    }
    Map<UUID, String> names = new HashMap<>();
    Map<UUID, AlertMuting.Firing> asFiring = new LinkedHashMap<>();
    for (FiringAlert alert : firing) {
      asFiring.put(
          alert.alertId(),
          new AlertMuting.Firing(
              alert.fingerprint(), sources.withService(alert.labels(), alert.serviceId(), names)));
    }
    // The recorded sources stand for every firing alert that could inhibit: far fewer than all.
    List<AlertMuting.Firing> universe = new ArrayList<>(asFiring.values());
    sources.all().forEach(source -> universe.add(source.firing()));
    AlertMuting.Now now = rules.now(universe, silences.active(), inhibitionRules.list());
    asFiring.forEach(
        (id, alert) -> {
          List<UUID> silencedBy =
              now.silencedBy(alert.labels()).stream().map(UUID::fromString).toList();
          boolean inhibited = !now.inhibitedBy(alert).isEmpty();
          if (!silencedBy.isEmpty() || inhibited) {
            muted.put(id, new Muted(silencedBy, inhibited));
          }
        });
    return muted;
  }

  /**
   * The firing alerts that all {@code matchers} match, newest first, with their service's name
   * among their labels.
   */
  public Caught caught(List<LabelMatcher> matchers, int limit) {
    List<FiringAlert> found = new ArrayList<>();
    int total = 0;
    Map<UUID, String> names = new HashMap<>();
    List<FiringAlert> examined = alerts.newestFiring(EXAMINED + 1);
    boolean partial = examined.size() > EXAMINED;
    for (FiringAlert alert : examined.subList(0, Math.min(EXAMINED, examined.size()))) {
      Map<String, String> labels = sources.withService(alert.labels(), alert.serviceId(), names);
      if (!matchers.isEmpty() && matchers.stream().allMatch(m -> m.matches(labels))) {
        total++;
        if (found.size() < limit) {
          found.add(
              new FiringAlert(alert.alertId(), alert.serviceId(), alert.fingerprint(), labels));
        }
      }
    }
    return new Caught(found, total, partial);
  }

  /** How many firing alerts each of these silences mutes now, by silence id. */
  public MutedCounts mutedCounts(Collection<Silence> silenced) {
    Map<UUID, Integer> counts = new HashMap<>();
    Instant now = clock.instant();
    List<Silence> active =
        silenced.stream().filter(s -> s.state(now) == SilenceState.ACTIVE).toList();
    if (active.isEmpty()) {
      return new MutedCounts(counts, false);
    }
    Map<UUID, String> names = new HashMap<>();
    List<FiringAlert> examined = alerts.newestFiring(EXAMINED + 1);
    boolean partial = examined.size() > EXAMINED;
    for (FiringAlert alert : examined.subList(0, Math.min(EXAMINED, examined.size()))) {
      Map<String, String> labels = sources.withService(alert.labels(), alert.serviceId(), names);
      for (Silence silence : active) {
        if (silence.matchers().stream().allMatch(m -> m.matches(labels))) {
          counts.merge(silence.id(), 1, Integer::sum);
        }
      }
    }
    return new MutedCounts(counts, partial);
  }
}
