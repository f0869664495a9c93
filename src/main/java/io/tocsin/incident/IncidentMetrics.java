package io.tocsin.incident;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tocsin.platform.AfterCommit;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.EnumText;
import io.tocsin.platform.Severity;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Incident metrics. Counters and histograms move when the transaction that changed the incident
 * commits, so a rolled-back attempt counts nothing; the per-status gauge is read from the database,
 * so it is right after a restart and across nodes.
 */
@Component
class IncidentMetrics {

  private static final Log log = LogFactory.getLog(IncidentMetrics.class);

  /** From a minute to a day: the range in which people acknowledge and resolve. */
  private static final Duration[] BUCKETS = {
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(15),
    Duration.ofMinutes(30),
    Duration.ofHours(1),
    Duration.ofHours(2),
    Duration.ofHours(4),
    Duration.ofHours(8),
    Duration.ofHours(24)
  };

  private final JdbcClient jdbc;
  private final DatabaseAvailability database;
  private final Map<Severity, Counter> opened = new EnumMap<>(Severity.class);
  private final Map<IncidentStatus, AtomicLong> byStatus = new EnumMap<>(IncidentStatus.class);
  private final Timer mtta;
  private final Timer mttr;

  IncidentMetrics(MeterRegistry registry, JdbcClient jdbc, DatabaseAvailability database) {
    this.jdbc = jdbc;
    this.database = database;
    for (Severity severity : Severity.values()) {
      opened.put(
          severity,
          Counter.builder("tocsin.incidents.opened")
              .description("Incidents opened")
              .tag("severity", EnumText.canonical(severity))
              .register(registry));
    }
    for (IncidentStatus status : IncidentStatus.values()) {
      AtomicLong count = new AtomicLong();
      byStatus.put(status, count);
      Gauge.builder("tocsin.incidents", count, AtomicLong::get)
          .description("Incidents by status")
          .tag("status", status.text())
          .register(registry);
    }
    mtta = histogram(registry, "tocsin.incident.mtta", "Time from opening to acknowledgement");
    mttr = histogram(registry, "tocsin.incident.mttr", "Time from opening to resolution");
  }

  private static Timer histogram(MeterRegistry registry, String name, String description) {
    return Timer.builder(name)
        .description(description)
        .serviceLevelObjectives(BUCKETS)
        .minimumExpectedValue(Duration.ofSeconds(1))
        .maximumExpectedValue(Duration.ofDays(7))
        .register(registry);
  }

  void opened(Severity severity) {
    AfterCommit.run(() -> Objects.requireNonNull(opened.get(severity)).increment());
  }

  void acknowledgedAfter(Duration duration) {
    AfterCommit.run(() -> mtta.record(duration));
  }

  void resolvedAfter(Duration duration) {
    AfterCommit.run(() -> mttr.record(duration));
  }

  /** Re-reads the per-status counts; also after every change this node commits. */
  @Scheduled(fixedDelayString = "PT15S")
  void refresh() {
    if (!database.isReady()) {
      return;
    }
    try {
      Map<IncidentStatus, Long> counts = new EnumMap<>(IncidentStatus.class);
      jdbc.sql("SELECT status, COUNT(*) AS n FROM incident GROUP BY status")
          .query(
              rs -> {
                counts.put(
                    EnumText.parse(IncidentStatus.class, "status", rs.getString("status")),
                    rs.getLong("n"));
              });
      byStatus.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status, 0L)));
    } catch (RuntimeException e) {
      log.debug("Counting incidents failed: " + e.getMessage());
    }
  }

  /** Schedules a gauge refresh once the current transaction commits. */
  void changed() {
    AfterCommit.run(this::refresh);
  }
}
