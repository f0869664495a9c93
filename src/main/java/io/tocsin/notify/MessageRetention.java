package io.tocsin.notify;

import io.tocsin.platform.RetentionHolds;
import io.tocsin.platform.RetentionTask;
import java.time.Instant;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes messages made before the cutoff that are over (delivered, cancelled, dead, summarized),
 * with their delivery attempts and the record of their used action links. A message still waiting
 * to go out stays, whatever its age.
 */
@Component
class MessageRetention implements RetentionTask {

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;

  MessageRetention(JdbcClient jdbc, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  @Override
  public String kind() {
    return "messages";
  }

  @Override
  public long sweep(Instant cutoff, int batchSize, RetentionHolds holds) {
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
