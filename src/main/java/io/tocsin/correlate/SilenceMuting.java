package io.tocsin.correlate;

import io.tocsin.ingest.AlertMuting;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Tells ingestion's Alertmanager API which silences mute an alert. */
@Component
class SilenceMuting implements AlertMuting {

  private final Silences silences;
  private final Clock clock;

  SilenceMuting(Silences silences, Clock clock) {
    this.silences = silences;
    this.clock = clock;
  }

  @Override
  public Now now() {
    Instant now = clock.instant();
    List<Silence> active = silences.active();
    return labels -> silencedBy(active, labels, now);
  }

  private static List<String> silencedBy(
      List<Silence> active, Map<String, String> labels, Instant now) {
    return active.stream()
        .filter(silence -> silence.mutes(labels, now))
        .map(silence -> silence.id().toString())
        .toList();
  }
}
