package io.tocsin.correlate;

import io.tocsin.ingest.AlertMuting;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** Tells ingestion's Alertmanager API which silences mute an alert and which alerts inhibit it. */
@Component
class RuleMuting implements AlertMuting {

  private final Silences silences;
  private final InhibitionRules rules;
  private final Clock clock;

  RuleMuting(Silences silences, InhibitionRules rules, Clock clock) {
    this.silences = silences;
    this.rules = rules;
    this.clock = clock;
  }

  @Override
  public Now now(List<Firing> firing) {
    return now(firing, silences.active(), rules.list());
  }

  /** Muting among {@code firing} under silences and rules the caller has loaded already. */
  Now now(List<Firing> firing, List<Silence> active, List<InhibitionRule> rules) {
    return at(clock.instant(), firing, active, rules);
  }

  /** Muting at {@code now} among {@code firing}, under these silences and rules. */
  static Now at(
      Instant now, List<Firing> firing, List<Silence> active, List<InhibitionRule> rules) {
    // The sources of each rule, found once: a storm has thousands of targets and a few sources.
    List<Map.Entry<InhibitionRule, List<Firing>>> sources = new ArrayList<>();
    for (InhibitionRule rule : rules) {
      List<Firing> matching =
          firing.stream()
              .filter(
                  alert -> rule.sourceMatchers().stream().allMatch(m -> m.matches(alert.labels())))
              .toList();
      if (!matching.isEmpty()) {
        sources.add(Map.entry(rule, matching));
      }
    }
    return new Now() {
      @Override
      public List<String> silencedBy(Map<String, String> labels) {
        return active.stream()
            .filter(silence -> silence.mutes(labels, now))
            .map(silence -> silence.id().toString())
            .toList();
      }

      @Override
      public List<String> inhibitedBy(Firing target) {
        Set<String> by = new LinkedHashSet<>();
        for (Map.Entry<InhibitionRule, List<Firing>> each : sources) {
          for (Firing source : each.getValue()) {
            if (each.getKey()
                .inhibits(
                    source.fingerprint(), source.labels(), target.fingerprint(), target.labels())) {
              by.add(source.fingerprint());
            }
          }
        }
        return List.copyOf(by);
      }
    };
  }
}
