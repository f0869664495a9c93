package io.tocsin.ingest;

import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionTask;
import io.tocsin.platform.TimeOrderedIds;
import io.tocsin.platform.TimePartitions;
import io.tocsin.platform.TimePartitions.Partition;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes resolved alerts last seen before the cutoff, unless another module holds them (an open
 * incident's, a postmortem's). On PostgreSQL it first drops each month of alerts that holds nothing
 * to keep, in one statement. Then it walks the primary key, whose time-ordered ids bound the alerts
 * first seen before the cutoff, rather than an index on {@code last_seen_at}: every re-send writes
 * that column, and an index on it would cost each of them a heap-only update.
 */
@Component
class AlertRetention implements RetentionTask {

  static final String KIND = "alerts";

  private final JdbcClient jdbc;
  private final TimePartitions partitions;

  AlertRetention(JdbcClient jdbc, TimePartitions partitions) {
    this.jdbc = jdbc;
    this.partitions = partitions;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public long sweep(Instant cutoff, int batchSize, RetentionHolds holds) {
    long deleted = 0;
    for (Partition month : partitions.below("ingest_alert", TimeOrderedIds.first(cutoff))) {
      deleted +=
          partitions
              .dropUnless(
                  month,
                  "status <> 'resolved' OR open_key IS NOT NULL OR last_seen_at >= :cutoff",
                  Map.of("cutoff", cutoff.atOffset(ZoneOffset.UTC)),
                  partition -> holds.holdsAny(KIND, partition))
              .orElse(0);
    }
    UUID after = null;
    while (true) {
      List<UUID> candidates = candidates(cutoff, after, batchSize);
      if (candidates.isEmpty()) {
        return deleted;
      }
      after = candidates.get(candidates.size() - 1);
      Set<UUID> held = holds.held(KIND, candidates);
      List<UUID> gone = candidates.stream().filter(id -> !held.contains(id)).toList();
      if (!gone.isEmpty()) {
        // Checked again: an alert that fired again since it was read stays.
        deleted +=
            jdbc.sql(
                    "DELETE FROM ingest_alert WHERE id IN (:ids)"
                        + " AND status = 'resolved' AND last_seen_at < :cutoff")
                .param("ids", gone)
                .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .update();
      }
      if (candidates.size() < batchSize) {
        return deleted;
      }
    }
  }

  private List<UUID> candidates(Instant cutoff, @Nullable UUID after, int limit) {
    return jdbc.sql(
            "SELECT id FROM ingest_alert WHERE id < :bound"
                + (after == null ? "" : " AND id > :after")
                + " AND status = 'resolved' AND last_seen_at < :cutoff"
                + " ORDER BY id FETCH FIRST :limit ROWS ONLY")
        .paramSource(
            new MapSqlParameterSource()
                .addValue("bound", TimeOrderedIds.first(cutoff))
                .addValue("after", after)
                .addValue("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .addValue("limit", limit))
        .query(UUID.class)
        .list();
  }
}
