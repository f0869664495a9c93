package io.tocsin.platform;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The months of a table that PostgreSQL partitions by its time-ordered ids: retention drops a month
 * whose every row may go in one statement, instead of deleting its rows one batch at a time. On H2,
 * and for a table that is not partitioned, there are none, and retention deletes row by row.
 */
public interface TimePartitions {

  /** The partitions of {@code table} whose every id is below {@code bound}, oldest first. */
  List<Partition> below(String table, UUID bound);

  /**
   * Drops {@code partition} unless a row in it matches {@code keptWhere} (SQL on its columns, with
   * {@code params}) or {@code held} holds it; both are asked while writes to it wait. The rows it
   * held, or empty when it stays (or could not be dropped now without holding up ingestion).
   */
  OptionalLong dropUnless(
      Partition partition, String keptWhere, Map<String, ?> params, Predicate<Partition> held);

  /**
   * One partition: the ids from {@code from} (inclusive; null for every id before) to {@code to}
   * (exclusive).
   */
  record Partition(String table, String name, @Nullable UUID from, UUID to) {}
}
