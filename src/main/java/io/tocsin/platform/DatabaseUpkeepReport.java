package io.tocsin.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Whether PostgreSQL's upkeep keeps up with Tocsin's busiest tables: autovacuum, and each table's
 * dead rows and the age of its statistics. Without vacuum, re-sent alerts leave dead rows that
 * every query reads past; without analysis, plans go stale. An 8-minute soak at 800 alerts/s went
 * from a median of 7 ms to 313 ms on a database that looked after neither.
 *
 * @param autovacuum whether the server runs autovacuum at all
 */
public record DatabaseUpkeepReport(Instant at, boolean autovacuum, List<Table> tables) {

  /** More dead rows than this share of a table's rows is neglect. */
  public static final double DEAD_SHARE_LIMIT = 0.2;

  /** Fewer dead rows than this are never worth a warning, whatever their share. */
  public static final long DEAD_ROWS_FLOOR = 10_000;

  /** Statistics older than this, on a table that changed since, are neglect. */
  public static final Duration STATISTICS_AGE_LIMIT = Duration.ofDays(1);

  public DatabaseUpkeepReport {
    tables = List.copyOf(tables);
  }

  /**
   * One hot table, or one partition of it.
   *
   * @param name the table, or the partition, as PostgreSQL names it
   * @param table the hot table it is, or is a partition of
   * @param analysedAt when its statistics were last gathered; null if never
   * @param changed rows changed since then
   */
  public record Table(
      String name, String table, long live, long dead, long changed, @Nullable Instant analysedAt) {

    public double deadShare() {
      return live + dead == 0 ? 0 : (double) dead / (live + dead);
    }

    /** How old its statistics are at {@code now}; null if it was never analysed. */
    public @Nullable Duration statisticsAge(Instant now) {
      return analysedAt == null ? null : Duration.between(analysedAt, now);
    }

    /** What is wrong with it at {@code now}, in words; null when nothing is. */
    public @Nullable String neglect(Instant now) {
      if (dead >= DEAD_ROWS_FLOOR && deadShare() > DEAD_SHARE_LIMIT) {
        return name + ": " + Math.round(deadShare() * 100) + "% dead rows (" + dead + ")";
      }
      Duration age = statisticsAge(now);
      if (changed >= DEAD_ROWS_FLOOR && (age == null || age.compareTo(STATISTICS_AGE_LIMIT) > 0)) {
        return name
            + ": "
            + changed
            + " rows changed since "
            + (age == null
                ? "it was never analysed"
                : "its last analysis " + age.toHours() + " h ago");
      }
      return null;
    }
  }

  /** Every hot table's neglect, in words; empty when the tables are looked after. */
  public List<String> neglected() {
    return tables.stream()
        .map(table -> table.neglect(at))
        .filter(java.util.Objects::nonNull)
        .toList();
  }
}
