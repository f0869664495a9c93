package io.tocsin.ingest;

import io.tocsin.ingest.AlertChange.AlertResolved;
import io.tocsin.ingest.intake.IdempotentRequests;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Resolves firing alerts whose {@code endsAt} passed without a re-send, at their {@code endsAt}
 * (Alertmanager's semantics: Prometheus stops re-sending an alert that stopped firing). Every node
 * sweeps; the rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so each expired alert is
 * resolved, and its {@link AlertResolved} published, exactly once across the cluster.
 */
@Component
class AlertExpiry {

  private static final Log log = LogFactory.getLog(AlertExpiry.class);
  private static final int BATCH = 500;

  /**
   * How often the firing alerts are counted for their gauge. The count reads every firing alert
   * (0.14 s at 100,000 of them), too much for every sweep, and a gauge is scraped every 15 s or
   * more anyway.
   */
  private static final Duration COUNT_EVERY = Duration.ofSeconds(30);

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batches;
  private final TransactionTemplate transactions;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final DatabaseAvailability database;
  private final IngestMetrics metrics;
  private final IdempotentRequests idempotent;
  private @Nullable Instant counted;

  AlertExpiry(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batches,
      TransactionTemplate transactions,
      ApplicationEventPublisher events,
      Clock clock,
      DatabaseAvailability database,
      IngestMetrics metrics,
      IdempotentRequests idempotent) {
    this.jdbc = jdbc;
    this.batches = batches;
    this.transactions = transactions;
    this.events = events;
    this.clock = clock;
    this.database = database;
    this.metrics = metrics;
    this.idempotent = idempotent;
  }

  @Scheduled(
      initialDelayString = "${tocsin.ingest.sweep-interval}",
      fixedDelayString = "${tocsin.ingest.sweep-interval}")
  void housekeeping() {
    if (!database.isReady()) {
      return;
    }
    try {
      while (sweep() == BATCH) {
        // A full batch may mean more are waiting; an empty or short one means done for now.
      }
      idempotent.forgetExpired();
      Instant now = clock.instant();
      if (counted == null || !now.isBefore(counted.plus(COUNT_EVERY))) {
        metrics.firing(countFiring());
        counted = now;
      }
    } catch (RuntimeException e) {
      // The database may have gone since the check; the next pass picks up where this stopped.
      log.warn("Alert housekeeping failed: " + e.getMessage());
    }
  }

  /**
   * Resolves up to one batch of expired alerts; returns how many. In the order they arrived, not of
   * their ends: no index holds {@code ends_at} (a re-send changes it, and an index on it would make
   * every re-send rewrite the row), and under {@code FOR UPDATE} the database cannot stop sorting
   * at the batch's size, so ordering by the end sorted every firing alert for each batch, 0.9 s a
   * batch when a million expired together. By id, the firing alerts' own index gives the batch at
   * once.
   */
  int sweep() {
    Integer resolved =
        transactions.execute(
            status -> {
              Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
              List<AlertResolved> expired =
                  jdbc.sql(
                          """
                          SELECT id, service_id, fingerprint, ends_at FROM ingest_alert
                          WHERE status = 'firing' AND ends_at <= :now
                          ORDER BY id
                          FETCH FIRST %d ROWS ONLY
                          FOR UPDATE SKIP LOCKED
                          """
                              .formatted(BATCH))
                      .param("now", now.atOffset(ZoneOffset.UTC))
                      .query(
                          (rs, n) ->
                              new AlertResolved(
                                  rs.getObject("id", UUID.class),
                                  rs.getObject("service_id", UUID.class),
                                  rs.getString("fingerprint"),
                                  rs.getObject("ends_at", OffsetDateTime.class).toInstant()))
                      .list();
              if (expired.isEmpty()) {
                return 0;
              }
              List<MapSqlParameterSource> rows = new ArrayList<>();
              for (AlertResolved alert : expired) {
                rows.add(
                    new MapSqlParameterSource()
                        .addValue("id", alert.alertId())
                        .addValue("now", now.atOffset(ZoneOffset.UTC)));
              }
              batches.batchUpdate(
                  """
                  UPDATE ingest_alert
                  SET status = 'resolved', open_key = NULL, last_seen_at = :now
                  WHERE id = :id AND status = 'firing'
                  """,
                  rows.toArray(MapSqlParameterSource[]::new));
              events.publishEvent(new AlertsChanged(List.copyOf(expired)));
              return expired.size();
            });
    return resolved == null ? 0 : resolved;
  }

  private Map<Severity, Long> countFiring() {
    Map<Severity, Long> counts = new EnumMap<>(Severity.class);
    for (Severity severity : Severity.values()) {
      counts.put(severity, 0L);
    }
    jdbc.sql(
            """
            SELECT severity, COUNT(*) FROM ingest_alert
            WHERE status = 'firing' AND (ends_at IS NULL OR ends_at > :now)
            GROUP BY severity
            """)
        .param("now", clock.instant().atOffset(ZoneOffset.UTC))
        .query(
            rs -> {
              counts.put(Severity.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)), rs.getLong(2));
            });
    return counts;
  }
}
