package io.tocsin.ingest.heartbeat;

import io.tocsin.directory.integration.IntegrationKind;
import io.tocsin.directory.integration.IntegrationService.KeyOwner;
import io.tocsin.ingest.AlertIngestion;
import io.tocsin.ingest.AlertStatus;
import io.tocsin.ingest.IncomingAlert;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Dead-man's switches. A heartbeat integration expects a beat every interval; when none has come
 * within interval + grace, it fires {@code HeartbeatMissed} for its service, and the next beat
 * resolves it. The check runs on every node and claims overdue heartbeats with {@code FOR UPDATE
 * SKIP LOCKED}, so each miss fires once across the cluster.
 */
@Service
public class Heartbeats {

  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  public static final Duration DEFAULT_GRACE = Duration.ofMinutes(1);
  private static final Duration LONGEST = Duration.ofDays(7);
  static final String ALERT_NAME = "HeartbeatMissed";

  private static final Log log = LogFactory.getLog(Heartbeats.class);
  private static final int ATTEMPTS = 3;

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final AlertIngestion ingestion;
  private final Clock clock;
  private final DatabaseAvailability database;

  Heartbeats(
      JdbcClient jdbc,
      TransactionTemplate transactions,
      AlertIngestion ingestion,
      Clock clock,
      DatabaseAvailability database) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.ingestion = ingestion;
    this.clock = clock;
    this.database = database;
  }

  /** A heartbeat's settings and state. */
  public record Status(
      UUID integrationId,
      Duration interval,
      Duration grace,
      @Nullable Instant lastBeatAt,
      @Nullable Instant deadline,
      boolean missed) {}

  /** Records a beat; resolves {@code HeartbeatMissed} if it had fired. */
  public Status beat(KeyOwner owner) {
    return retrying(
        () -> {
          Instant now = now();
          Optional<Status> current = lock(owner.integrationId());
          if (current.isEmpty()) {
            insert(owner.integrationId(), owner.serviceId(), DEFAULT_INTERVAL, DEFAULT_GRACE, now);
          }
          Status before = current.orElseGet(() -> status(owner.integrationId()).orElseThrow());
          Instant deadline = now.plus(before.interval()).plus(before.grace());
          jdbc.sql(
                  """
                  UPDATE ingest_heartbeat
                  SET last_beat_at = :now, deadline_at = :deadline, missed = FALSE
                  WHERE integration_id = :id
                  """)
              .param("now", utc(now))
              .param("deadline", utc(deadline))
              .param("id", owner.integrationId())
              .update();
          if (before.missed()) {
            ingestion.ingest(owner, "heartbeat", List.of(missedAlert(owner, AlertStatus.RESOLVED)));
          }
          return new Status(
              owner.integrationId(), before.interval(), before.grace(), now, deadline, false);
        });
  }

  /** Sets interval and grace; the next beat is due within them from now or the last beat. */
  public Status configure(
      UUID integrationId, UUID serviceId, @Nullable Duration interval, Duration grace) {
    if (interval == null || interval.toSeconds() < 1 || interval.compareTo(LONGEST) > 0) {
      throw new InvalidInputException("interval", "must be from PT1S to P7D");
    }
    if (grace.isNegative() || grace.compareTo(LONGEST) > 0) {
      throw new InvalidInputException("grace", "must be from PT0S to P7D");
    }
    return retrying(
        () -> {
          Instant now = now();
          Optional<Status> current = lock(integrationId);
          if (current.isEmpty()) {
            insert(integrationId, serviceId, interval, grace, now);
          }
          Instant from = current.map(Status::lastBeatAt).filter(last -> last != null).orElse(now);
          Instant deadline = from.plus(interval).plus(grace);
          jdbc.sql(
                  """
                  UPDATE ingest_heartbeat
                  SET interval_seconds = :interval, grace_seconds = :grace, deadline_at = :deadline
                  WHERE integration_id = :id
                  """)
              .param("interval", interval.toSeconds())
              .param("grace", grace.toSeconds())
              .param("deadline", utc(deadline))
              .param("id", integrationId)
              .update();
          return status(integrationId).orElseThrow();
        });
  }

  /** The heartbeat's settings and state; empty until it is configured or first beats. */
  public Optional<Status> status(UUID integrationId) {
    return jdbc.sql(
            """
            SELECT integration_id, interval_seconds, grace_seconds, last_beat_at, deadline_at,
                   missed
            FROM ingest_heartbeat WHERE integration_id = :id
            """)
        .param("id", integrationId)
        .query((rs, n) -> status(rs))
        .optional();
  }

  @Scheduled(
      initialDelayString = "${tocsin.ingest.sweep-interval}",
      fixedDelayString = "${tocsin.ingest.sweep-interval}")
  void checkOnSchedule() {
    if (!database.isReady()) {
      return;
    }
    try {
      check();
    } catch (RuntimeException e) {
      // The database may have gone since the check; the next pass tries again.
      log.warn("Checking heartbeats failed: " + e.getMessage());
    }
  }

  /** Fires {@code HeartbeatMissed} for every overdue heartbeat not yet fired; returns how many. */
  public int check() {
    Integer fired =
        transactions.execute(
            tx -> {
              record Overdue(UUID integrationId, UUID serviceId) {}
              List<Overdue> overdue =
                  jdbc.sql(
                          """
                          SELECT integration_id, service_id FROM ingest_heartbeat
                          WHERE missed = FALSE AND deadline_at <= :now
                          ORDER BY deadline_at
                          FETCH FIRST 100 ROWS ONLY
                          FOR UPDATE SKIP LOCKED
                          """)
                      .param("now", utc(now()))
                      .query(
                          (rs, n) ->
                              new Overdue(
                                  rs.getObject("integration_id", UUID.class),
                                  rs.getObject("service_id", UUID.class)))
                      .list();
              for (Overdue heartbeat : overdue) {
                jdbc.sql("UPDATE ingest_heartbeat SET missed = TRUE WHERE integration_id = :id")
                    .param("id", heartbeat.integrationId())
                    .update();
                KeyOwner owner =
                    new KeyOwner(
                        heartbeat.integrationId(),
                        heartbeat.serviceId(),
                        IntegrationKind.HEARTBEAT);
                ingestion.ingest(owner, "heartbeat", List.of(missedAlert(owner, null)));
              }
              return overdue.size();
            });
    return fired == null ? 0 : fired;
  }

  private IncomingAlert missedAlert(KeyOwner owner, @Nullable AlertStatus status) {
    Status state = status(owner.integrationId()).orElseThrow();
    String since =
        state.lastBeatAt() == null ? "it was set up" : "the last one at " + state.lastBeatAt();
    return new IncomingAlert(
        Map.of("alertname", ALERT_NAME, "integration", owner.integrationId().toString()),
        Map.of(),
        null,
        null,
        null,
        status == null ? AlertStatus.FIRING : status,
        null,
        "No heartbeat within " + state.interval().plus(state.grace()) + " since " + since,
        "critical",
        null,
        null,
        List.of(),
        false);
  }

  private Optional<Status> lock(UUID integrationId) {
    return jdbc.sql(
            """
            SELECT integration_id, interval_seconds, grace_seconds, last_beat_at, deadline_at,
                   missed
            FROM ingest_heartbeat WHERE integration_id = :id FOR UPDATE
            """)
        .param("id", integrationId)
        .query((rs, n) -> status(rs))
        .optional();
  }

  private void insert(
      UUID integrationId, UUID serviceId, Duration interval, Duration grace, Instant now) {
    jdbc.sql(
            """
            INSERT INTO ingest_heartbeat
              (integration_id, service_id, interval_seconds, grace_seconds, last_beat_at,
               deadline_at, missed)
            VALUES (:id, :service, :interval, :grace, NULL, :deadline, FALSE)
            """)
        .param("id", integrationId)
        .param("service", serviceId)
        .param("interval", interval.toSeconds())
        .param("grace", grace.toSeconds())
        .param("deadline", utc(now.plus(interval).plus(grace)))
        .update();
  }

  private <T> T retrying(java.util.function.Supplier<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        T result = transactions.execute(tx -> work.get());
        if (result == null) {
          throw new IllegalStateException("the transaction returned nothing");
        }
        return result;
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        // Two first beats raced to create the row; the retry finds it.
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static Status status(java.sql.ResultSet rs) throws java.sql.SQLException {
    OffsetDateTime last = rs.getObject("last_beat_at", OffsetDateTime.class);
    OffsetDateTime deadline = rs.getObject("deadline_at", OffsetDateTime.class);
    return new Status(
        rs.getObject("integration_id", UUID.class),
        Duration.ofSeconds(rs.getLong("interval_seconds")),
        Duration.ofSeconds(rs.getLong("grace_seconds")),
        last == null ? null : last.toInstant(),
        deadline == null ? null : deadline.toInstant(),
        rs.getBoolean("missed"));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
