package io.tocsin.ingest;

import io.tocsin.ingest.AlertChange.AlertFired;
import io.tocsin.platform.DatabaseAvailability;
import io.tocsin.platform.InLists;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How many alerts arrived, counted as they are stored: per {@link #BUCKET}, service and alertname.
 * Reports read these counts instead of the alerts themselves, so that a range of a million alerts
 * costs a sum over a few thousand rows. An alert counts once, when its occurrence starts; the
 * re-sends of a firing alert are not new alerts.
 */
@Service
public class AlertVolume {

  /** The finest resolution of the counts. */
  public static final Duration BUCKET = Duration.ofMinutes(10);

  /** The longest alertname counted under; longer ones are cut. */
  private static final int NAME_LIMIT = 200;

  private static final String APPEND =
      """
      INSERT INTO ingest_alert_volume (bucket_at, service_id, alertname, alerts, compacted)
      VALUES (:bucketAt, :serviceId, :alertname, :alerts, :compacted)
      """;

  // SKIP LOCKED: nodes that compact at once take different rows, and each folds only what it took.
  private static final String FRESH =
      """
      SELECT id, bucket_at, service_id, alertname, alerts FROM ingest_alert_volume
      WHERE compacted = FALSE AND bucket_at < :before
      ORDER BY id
      FETCH FIRST :limit ROWS ONLY FOR UPDATE SKIP LOCKED
      """;

  private static final String PER_BUCKET =
      """
      SELECT bucket_at, SUM(alerts) AS alerts FROM ingest_alert_volume
      WHERE bucket_at >= :since AND bucket_at < :until %s
      GROUP BY bucket_at ORDER BY bucket_at
      """;

  private static final String NOISIEST =
      """
      SELECT service_id, alertname, SUM(alerts) AS alerts FROM ingest_alert_volume
      WHERE bucket_at >= :since AND bucket_at < :until %s
      GROUP BY service_id, alertname
      ORDER BY SUM(alerts) DESC, alertname, service_id
      LIMIT :limit
      """;

  private static final int COMPACTION_BATCH = 5_000;

  private static final Log log = LogFactory.getLog(AlertVolume.class);

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batches;
  private final TransactionTemplate transactions;
  private final DatabaseAvailability database;
  private final Clock clock;

  AlertVolume(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batches,
      TransactionTemplate transactions,
      DatabaseAvailability database,
      Clock clock) {
    this.jdbc = jdbc;
    this.batches = batches;
    this.transactions = transactions;
    this.database = database;
    this.clock = clock;
  }

  /** The alerts that arrived in one bucket, starting at {@code at}. */
  public record Bucket(Instant at, long alerts) {}

  /** An alertname of a service, and how many of its alerts arrived. */
  public record Noisy(UUID serviceId, String alertname, long alerts) {}

  /**
   * The buckets in [since, until) that received alerts, oldest first; {@code services} null for all
   * services.
   */
  public List<Bucket> perBucket(Instant since, Instant until, @Nullable Collection<UUID> services) {
    if (services != null && services.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(PER_BUCKET.formatted(services == null ? "" : "AND service_id IN (:services)"))
        .param("since", utc(since))
        .param("until", utc(until))
        .params(services == null ? Map.of() : Map.of("services", services))
        .query(
            (rs, n) ->
                new Bucket(
                    rs.getObject("bucket_at", OffsetDateTime.class).toInstant(),
                    rs.getLong("alerts")))
        .list();
  }

  /** The alertnames with the most alerts in [since, until), the most first. */
  public List<Noisy> noisiest(
      Instant since, Instant until, @Nullable Collection<UUID> services, int limit) {
    if (services != null && services.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(NOISIEST.formatted(services == null ? "" : "AND service_id IN (:services)"))
        .param("since", utc(since))
        .param("until", utc(until))
        .param("limit", limit)
        .params(services == null ? Map.of() : Map.of("services", services))
        .query(
            (rs, n) ->
                new Noisy(
                    rs.getObject("service_id", UUID.class),
                    rs.getString("alertname"),
                    rs.getLong("alerts")))
        .list();
  }

  /** The start of the bucket that holds {@code at}. */
  public static Instant bucketOf(Instant at) {
    long seconds = BUCKET.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), seconds) * seconds);
  }

  /** Counts the alerts that a transaction opened, within it: one row per service and alertname. */
  void count(List<AlertChange> changes) {
    Map<Key, Integer> counts = new HashMap<>();
    for (AlertChange change : changes) {
      if (change instanceof AlertFired fired) {
        counts.merge(new Key(fired.serviceId(), name(fired)), 1, Integer::sum);
      }
    }
    if (counts.isEmpty()) {
      return;
    }
    Instant bucket = bucketOf(clock.instant());
    Map<Counted, Long> rows = new HashMap<>();
    counts.forEach((key, n) -> rows.put(new Counted(bucket, key), (long) n));
    append(rows, false);
  }

  /**
   * Folds the rows of the buckets that are over (with a bucket's grace for commits in flight and
   * clocks a little apart) into one row per bucket, service and alertname. Returns how many rows it
   * took.
   */
  public int compact() {
    Instant before = bucketOf(clock.instant()).minus(BUCKET);
    Integer taken =
        transactions.execute(
            status -> {
              List<Long> ids = new ArrayList<>();
              Map<Counted, Long> sums = new HashMap<>();
              jdbc.sql(FRESH)
                  .param("before", utc(before))
                  .param("limit", COMPACTION_BATCH)
                  .query(
                      rs -> {
                        ids.add(rs.getLong("id"));
                        sums.merge(
                            new Counted(
                                rs.getObject("bucket_at", OffsetDateTime.class).toInstant(),
                                new Key(
                                    rs.getObject("service_id", UUID.class),
                                    rs.getString("alertname"))),
                            rs.getLong("alerts"),
                            Long::sum);
                      });
              for (List<Long> chunk : InLists.of(ids)) {
                jdbc.sql("DELETE FROM ingest_alert_volume WHERE id IN (:ids)")
                    .param("ids", chunk)
                    .update();
              }
              append(sums, true);
              return ids.size();
            });
    return taken == null ? 0 : taken;
  }

  @Scheduled(
      initialDelayString = "${tocsin.ingest.volume-compaction-interval}",
      fixedDelayString = "${tocsin.ingest.volume-compaction-interval}")
  void housekeeping() {
    if (!database.isReady()) {
      return;
    }
    try {
      while (compact() == COMPACTION_BATCH) {
        // A full batch may mean more are waiting.
      }
    } catch (RuntimeException e) {
      // The database may have gone since the check; the next pass picks up where this stopped.
      log.warn("Compacting the alert counts failed: " + e.getMessage());
    }
  }

  private void append(Map<Counted, Long> rows, boolean compacted) {
    if (rows.isEmpty()) {
      return;
    }
    batches.batchUpdate(
        APPEND,
        rows.entrySet().stream()
            .map(
                row ->
                    new MapSqlParameterSource()
                        .addValue("bucketAt", utc(row.getKey().bucket()))
                        .addValue("serviceId", row.getKey().key().serviceId())
                        .addValue("alertname", row.getKey().key().alertname())
                        .addValue("alerts", row.getValue())
                        .addValue("compacted", compacted))
            .toArray(MapSqlParameterSource[]::new));
  }

  /** PagerDuty and generic alerts often carry no alertname; their summary names them instead. */
  private static String name(AlertFired fired) {
    String name = fired.labels().get("alertname");
    if (name == null || name.isBlank()) {
      name = fired.summary();
    }
    return name.length() > NAME_LIMIT ? name.substring(0, NAME_LIMIT) : name;
  }

  private record Key(UUID serviceId, String alertname) {}

  private record Counted(Instant bucket, Key key) {}

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
