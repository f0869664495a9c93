package io.tocsin.notify;

import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionTask;
import io.tocsin.platform.TimeOrderedIds;
import io.tocsin.platform.TimePartitions;
import io.tocsin.platform.TimePartitions.Partition;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes messages made before the cutoff that are over (delivered, cancelled, dead, summarized),
 * with their delivery attempts and the record of their used action links. A message still waiting
 * to go out stays, whatever its age. On PostgreSQL, a month of attempts whose every message goes is
 * dropped whole.
 */
@Component
class MessageRetention implements RetentionTask {

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final TimePartitions partitions;

  MessageRetention(JdbcClient jdbc, TransactionTemplate transactions, TimePartitions partitions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.partitions = partitions;
  }

  @Override
  public String kind() {
    return "messages";
  }

  @Override
  public long sweep(Instant cutoff, int batchSize, RetentionHolds holds) {
    // A month of delivery attempts whose every message goes is dropped whole first.
    for (Partition month : partitions.below("notify_attempt", TimeOrderedIds.first(cutoff))) {
      partitions.dropUnless(
          month,
          """
          NOT EXISTS (SELECT 1 FROM notify_message m
                      WHERE m.id = message_id AND m.created_at < :cutoff
                        AND m.status NOT IN ('pending', 'sending'))
          """,
          Map.of("cutoff", cutoff.atOffset(ZoneOffset.UTC)),
          partition -> false);
    }
    return RetentionTask.inBatches(
        batchSize,
        limit ->
            RetentionTask.older(
                jdbc,
                """
                    SELECT id FROM notify_message
                    WHERE id < :bound AND created_at < :cutoff
                      AND status NOT IN ('pending', 'sending')
                    ORDER BY id FETCH FIRST :limit ROWS ONLY
                    """,
                cutoff,
                limit),
        ids ->
            Objects.requireNonNull(
                transactions.execute(
                    status -> {
                      jdbc.sql("DELETE FROM notify_attempt WHERE message_id IN (:ids)")
                          .param("ids", ids)
                          .update();
                      jdbc.sql("DELETE FROM notify_action_use WHERE message_id IN (:ids)")
                          .param("ids", ids)
                          .update();
                      return jdbc.sql("DELETE FROM notify_message WHERE id IN (:ids)")
                          .param("ids", ids)
                          .update();
                    })));
  }
}
