package io.tocsin.platform;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A kind of data that would grow for ever: the module that owns its tables deletes what is older
 * than the cutoff, in small transactions so that ingestion never waits on its locks. The sweeper
 * (once per cluster) calls every task with the cutoff its setting gives.
 */
public interface RetentionTask {

  /** The kind, as settings, metrics and logs name it: alerts, incidents, messages, audit. */
  String kind();

  /**
   * Deletes what is older than {@code cutoff} and nothing in {@code holds} keeps, at most {@code
   * batchSize} rows per transaction; returns how many it deleted.
   */
  long sweep(Instant cutoff, int batchSize, RetentionHolds holds);

  /**
   * The ids that {@code select} finds, with {@code :bound} (the first id drawn at the cutoff: the
   * rows before it were made before), {@code :cutoff} and {@code :limit} bound.
   */
  static List<UUID> older(JdbcClient jdbc, String select, Instant cutoff, int limit) {
    return jdbc.sql(select)
        .param("bound", TimeOrderedIds.first(cutoff))
        .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
        .param("limit", limit)
        .query(UUID.class)
        .list();
  }

  /**
   * Deletes round by round: {@code select} names up to {@code batchSize} rows that may go, and
   * {@code delete} deletes them in one transaction, until a round finds fewer than a batch.
   */
  static long inBatches(
      int batchSize, IntFunction<List<UUID>> select, ToIntFunction<List<UUID>> delete) {
    long deleted = 0;
    while (true) {
      List<UUID> ids = select.apply(batchSize);
      if (ids.isEmpty()) {
        return deleted;
      }
      deleted += delete.applyAsInt(ids);
      if (ids.size() < batchSize) {
        return deleted;
      }
    }
  }
}
