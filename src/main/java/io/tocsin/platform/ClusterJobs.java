package io.tocsin.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Work that one node of the cluster does at a time, when it is due (the retention sweep, the
 * nightly look for dependencies): the node that takes the job's lease in {@code platform_job} runs
 * it, and sets when it is next due whichever node then takes it. A node that dies mid-run lets its
 * lease lapse, and the next due check runs the job again.
 */
@Component
public class ClusterJobs {

  private final JdbcClient jdbc;
  private final Clock clock;
  private final UUID node = UUID.randomUUID();

  ClusterJobs(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * Runs {@code work} at the instant it starts when job {@code name} is due and this node takes its
   * lease (a job never run is due at once); afterwards the job is next due at {@code next} of the
   * instant it started.
   *
   * @param lease longer than any run should take: a node that holds it longer has died
   * @return what the work answered, or nothing when it was not due or another node runs it
   */
  public <T> Optional<T> runIfDue(
      String name, Duration lease, UnaryOperator<Instant> next, Function<Instant, T> work) {
    // As stored: both databases keep microseconds, and a rounded next_run_at must not be later
    // than the now it was set to.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    if (!claim(name, now, lease)) {
      return Optional.empty();
    }
    try {
      return Optional.of(work.apply(now));
    } finally {
      jdbc.sql(
              "UPDATE platform_job SET holder = NULL, lease_until = NULL, next_run_at = :next"
                  + " WHERE name = :name AND holder = :node")
          .param("next", utc(next.apply(now).truncatedTo(ChronoUnit.MICROS)))
          .param("name", name)
          .param("node", node)
          .update();
    }
  }

  /** Takes the lease when a run is due and nobody holds it, or its holder let it lapse. */
  private boolean claim(String name, Instant now, Duration lease) {
    try {
      jdbc.sql("INSERT INTO platform_job (name, next_run_at) VALUES (:name, :now)")
          .param("name", name)
          .param("now", utc(now))
          .update();
    } catch (DuplicateKeyException e) {
      // Another node, or an earlier run, made the row.
    }
    return jdbc.sql(
                """
                UPDATE platform_job SET holder = :node, lease_until = :until
                WHERE name = :name AND next_run_at <= :now
                  AND (lease_until IS NULL OR lease_until < :now)
                """)
            .param("node", node)
            .param("until", utc(now.plus(lease)))
            .param("name", name)
            .param("now", utc(now))
            .update()
        == 1;
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
