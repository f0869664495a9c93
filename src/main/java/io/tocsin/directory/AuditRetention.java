package io.tocsin.directory;

import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionTask;
import java.time.Instant;
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
            RetentionTask.older(
                jdbc,
                "SELECT id FROM directory_audit_event WHERE id < :bound AND occurred_at < :cutoff"
                    + " ORDER BY id FETCH FIRST :limit ROWS ONLY",
                cutoff,
                limit),
        ids ->
            jdbc.sql("DELETE FROM directory_audit_event WHERE id IN (:ids)")
                .param("ids", ids)
                .update());
  }
}
