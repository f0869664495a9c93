package io.tocsin.incident;

import io.tocsin.platform.RetentionHold;
import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionTask;
import io.tocsin.platform.TimeOrderedIds;
import io.tocsin.platform.TimePartitions;
import io.tocsin.platform.TimePartitions.Partition;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Incidents and what they need past retention. Resolved incidents that ended before the cutoff go
 * with their timelines, alerts' records and status updates, unless a postmortem was started for
 * them or a kept incident names them (merged into it, split from it, a recurrence of it): those
 * stay. On PostgreSQL, a month of timelines whose every incident goes is dropped whole. As a {@link
 * RetentionHold}, it keeps the alerts of open incidents and of postmortems.
 */
@Component
class IncidentRetention implements RetentionTask, RetentionHold {

  private static final String ALERTS = "alerts";

  private static final List<String> CHILDREN =
      List.of("incident_alert", "incident_service", "incident_timeline", "incident_status_update");

  /** Whether incident {@code i} goes at {@code :cutoff}: the batches and the months agree. */
  private static final String GOES =
      """
      i.status = 'resolved' AND i.resolved_at < :cutoff
      AND NOT EXISTS (SELECT 1 FROM incident_postmortem p WHERE p.incident_id = i.id)
      AND NOT EXISTS (SELECT 1 FROM incident r WHERE r.merged_into = i.id
                      OR r.recurrence_of = i.id OR r.split_from = i.id)""";

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final TimePartitions partitions;

  IncidentRetention(JdbcClient jdbc, TransactionTemplate transactions, TimePartitions partitions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.partitions = partitions;
  }

  @Override
  public String kind() {
    return "incidents";
  }

  @Override
  public long sweep(Instant cutoff, int batchSize, RetentionHolds holds) {
    // A month of timelines whose every incident goes is dropped whole before the incidents are.
    for (Partition month : partitions.below("incident_timeline", TimeOrderedIds.first(cutoff))) {
      partitions.dropUnless(
          month,
          "NOT EXISTS (SELECT 1 FROM incident i WHERE i.id = incident_id AND " + GOES + ")",
          Map.of("cutoff", cutoff.atOffset(ZoneOffset.UTC)),
          partition -> false);
    }
    return RetentionTask.inBatches(
        batchSize,
        limit ->
            RetentionTask.older(
                jdbc,
                "SELECT i.id FROM incident i WHERE i.id < :bound AND "
                    + GOES
                    + " ORDER BY i.id FETCH FIRST :limit ROWS ONLY",
                cutoff,
                limit),
        ids ->
            Objects.requireNonNull(
                transactions.execute(
                    status -> {
                      for (String child : CHILDREN) {
                        jdbc.sql("DELETE FROM " + child + " WHERE incident_id IN (:ids)")
                            .param("ids", ids)
                            .update();
                      }
                      return jdbc.sql("DELETE FROM incident WHERE id IN (:ids)")
                          .param("ids", ids)
                          .update();
                    })));
  }

  @Override
  public Set<UUID> held(String kind, Collection<UUID> ids) {
    if (!ALERTS.equals(kind)) {
      return Set.of();
    }
    return new HashSet<>(
        jdbc.sql(
                """
                SELECT a.alert_id FROM incident_alert a JOIN incident i ON i.id = a.incident_id
                WHERE a.alert_id IN (:ids)
                  AND (i.status <> 'resolved'
                       OR EXISTS (SELECT 1 FROM incident_postmortem p WHERE p.incident_id = i.id))
                """)
            .param("ids", ids)
            .query(UUID.class)
            .list());
  }

  @Override
  public boolean holdsAny(String kind, @Nullable UUID from, UUID to) {
    if (!ALERTS.equals(kind)) {
      return false;
    }
    return jdbc.sql(
            """
            SELECT 1 FROM incident_alert a JOIN incident i ON i.id = a.incident_id
            WHERE a.alert_id >= :from AND a.alert_id < :to
              AND (i.status <> 'resolved'
                   OR EXISTS (SELECT 1 FROM incident_postmortem p WHERE p.incident_id = i.id))
            FETCH FIRST 1 ROWS ONLY
            """)
        .param("from", from == null ? new UUID(0, 0) : from)
        .param("to", to)
        .query()
        .optionalValue()
        .isPresent();
  }
}
