package io.tocsin.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.Severity;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.springframework.stereotype.Component;

/**
 * The ingest module's meters. Label values come from closed sets only (the wire format and the four
 * severities), never from alert content: an unbounded label is how a metrics backend dies during
 * the very storm it should show.
 */
@Component
class IngestMetrics {

  private final MeterRegistry registry;

  private final Map<Severity, AtomicLong> firing = new EnumMap<>(Severity.class);

  IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Severity severity : Severity.values()) {
      AtomicLong count = new AtomicLong();
      firing.put(severity, count);
      Gauge.builder("tocsin.alerts.firing", count, AtomicLong::get)
          .description("Alerts firing now, by canonical severity (counted every 30 s)")
          .tag("severity", EnumText.canonical(severity))
          .register(registry);
    }
  }

  /** Requests waiting for a writer: above zero for long, the database is the bottleneck. */
  void writerQueue(IntSupplier waiting) {
    Gauge.builder("tocsin.ingest.queue", waiting::getAsInt)
        .description("Ingestion requests waiting for a writer to store them")
        .register(registry);
  }

  void firing(Map<Severity, Long> counts) {
    counts.forEach((severity, count) -> Objects.requireNonNull(firing.get(severity)).set(count));
  }

  void ingested(
      String source,
      List<AlertIngestion.Prepared> alerts,
      AlertIngestion.Outcome outcome,
      long nanos) {
    Map<Severity, Integer> bySeverity = new EnumMap<>(Severity.class);
    alerts.forEach(alert -> bySeverity.merge(alert.severity(), 1, Integer::sum));
    bySeverity.forEach(
        (severity, count) ->
            Counter.builder("tocsin.alerts.received")
                .description("Alerts received, by wire format and canonical severity")
                .tag("source", source)
                .tag("severity", EnumText.canonical(severity))
                .register(registry)
                .increment(count));
    Counter.builder("tocsin.alerts.deduplicated")
        .description("Received alerts that refreshed an alert already firing")
        .tag("source", source)
        .register(registry)
        .increment(outcome.count(AlertIngestion.Action.REFRESHED));
    Timer.builder("tocsin.alert.ingest")
        .description("Time to validate and store one ingestion request")
        .tag("source", source)
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }
}
