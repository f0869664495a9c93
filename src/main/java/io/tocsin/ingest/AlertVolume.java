package io.tocsin.ingest;

import io.tocsin.ingest.AlertChange.AlertFired;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

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
      INSERT INTO ingest_alert_volume (bucket_at, service_id, alertname, alerts)
      VALUES (:bucketAt, :serviceId, :alertname, :alerts)
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

  private final JdbcClient jdbc;
  private final NamedParameterJdbcTemplate batches;
  private final Clock clock;

  AlertVolume(JdbcClient jdbc, NamedParameterJdbcTemplate batches, Clock clock) {
    this.jdbc = jdbc;
    this.batches = batches;
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
    OffsetDateTime bucket = utc(bucketOf(clock.instant()));
    batches.batchUpdate(
        APPEND,
        counts.entrySet().stream()
            .map(
                count ->
                    new MapSqlParameterSource()
                        .addValue("bucketAt", bucket)
                        .addValue("serviceId", count.getKey().serviceId())
                        .addValue("alertname", count.getKey().alertname())
                        .addValue("alerts", count.getValue()))
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

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
