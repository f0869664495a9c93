package io.tocsin.directory;

import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionTask;
import io.tocsin.platform.TimeOrderedIds;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Deletes audit entries older than the cutoff: the trail is kept a year by default. */
@Component
class AuditRetention implements RetentionTask {

  private final JdbcClient jdbc;

  AuditRetention(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public String kind() {
    return "audit";
  }

  @Override
  public long sweep(Instant cutoff, int batchSize, RetentionHolds holds) {
    return RetentionTask.inBatches(
        batchSize,
        limit ->
            jdbc.sql(
                    "SELECT id FROM directory_audit_event WHERE id < :bound AND occurred_at < :cutoff"
                        + " ORDER BY id FETCH FIRST :limit ROWS ONLY")
                .param("bound", TimeOrderedIds.first(cutoff))
                .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .param("limit", limit)
                .query(UUID.class)
                .list(),
        ids ->
            jdbc.sql("DELETE FROM directory_audit_event WHERE id IN (:ids)")
                .param("ids", ids)
                .update());
  }
}
