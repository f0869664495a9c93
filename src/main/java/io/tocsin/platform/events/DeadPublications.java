package io.tocsin.platform.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tocsin.platform.AfterCommit;
import io.tocsin.platform.AuditTrail;
import io.tocsin.platform.NotFoundException;
import io.tocsin.platform.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The dead event publications: those whose listener failed {@code tocsin.events.max-attempts}
 * times. Nothing retries them by itself; an admin retries one (after fixing its cause) or discards
 * it, and both are in the audit trail. Their number is the gauge {@code
 * tocsin_event_publications_dead}, read from the database, so every node reports the cluster's.
 */
@Component
class DeadPublications {

  private static final String COLUMNS =
      "id, listener_id, event_type, publication_date, failures, first_failed_at, last_failed_at,"
          + " dead_at, last_error";

  private final JdbcClient jdbc;
  private final ObjectProvider<AuditTrail> audit;
  private final AtomicLong count = new AtomicLong();

  DeadPublications(JdbcClient jdbc, ObjectProvider<AuditTrail> audit, MeterRegistry registry) {
    this.jdbc = jdbc;
    this.audit = audit;
    Gauge.builder("tocsin.event.publications.dead", count, AtomicLong::get)
        .description(
            "Event publications whose listener failed too often: nothing retries them until an"
                + " admin does")
        .register(registry);
  }

  /**
   * A dead publication: which listener failed on which event, when it failed first and last, how
   * many times, and the last error.
   */
  record DeadPublication(
      UUID id,
      String listener,
      String eventType,
      Instant publishedAt,
      int attempts,
      @Nullable Instant firstFailedAt,
      @Nullable Instant lastFailedAt,
      @Nullable Instant deadAt,
      @Nullable String lastError) {}

  /** The dead publications in id order, {@code limit} at a time after the cursor. */
  Page<DeadPublication> list(@Nullable UUID after, int limit) {
    JdbcClient.StatementSpec query =
        jdbc.sql(
                "SELECT "
                    + COLUMNS
                    + " FROM platform_event_publication WHERE status = 'dead'"
                    + (after == null ? "" : " AND id > :after")
                    + " ORDER BY id FETCH FIRST :rows ROWS ONLY")
            .param("rows", limit + 1);
    if (after != null) {
      query = query.param("after", after);
    }
    return Page.of(query.query(DeadPublications::dead).list(), limit, DeadPublication::id);
  }

  DeadPublication get(UUID id) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE id = :id AND status = 'dead'")
        .param("id", id)
        .query(DeadPublications::dead)
        .optional()
        .orElseThrow(() -> notFound(id));
  }

  /**
   * Hands a dead publication back to the redelivery, with its failures forgotten: it gets {@code
   * max-attempts} more. Only a publication that is dead now matches, so two admins (or nodes) retry
   * it once.
   */
  @Transactional
  DeadPublication retry(UUID id) {
    DeadPublication dead = get(id);
    int updated =
        jdbc.sql(
                """
                UPDATE platform_event_publication
                SET status = 'failed', failures = 0, first_failed_at = NULL, next_attempt_at = NULL,
                    dead_at = NULL
                WHERE id = :id AND status = 'dead'
                """)
            .param("id", id)
            .update();
    if (updated == 0) {
      throw notFound(id);
    }
    record("event_publication.retried", dead, "handed to its listener again");
    changed();
    return dead;
  }

  /** Gives up on a dead publication: its listener never gets the event. */
  @Transactional
  DeadPublication discard(UUID id) {
    DeadPublication dead = get(id);
    int deleted =
        jdbc.sql("DELETE FROM platform_event_publication WHERE id = :id AND status = 'dead'")
            .param("id", id)
            .update();
    if (deleted == 0) {
      throw notFound(id);
    }
    record(
        "event_publication.discarded",
        dead,
        "discarded after " + dead.attempts() + " failed attempts; its listener never gets it");
    changed();
    return dead;
  }

  /** How many publications are dead, as last counted. */
  long count() {
    return count.get();
  }

  /** Counts the dead publications again once the current transaction commits. */
  void changed() {
    AfterCommit.run(this::refresh);
  }

  void refresh() {
    count.set(
        jdbc.sql("SELECT COUNT(*) FROM platform_event_publication WHERE status = 'dead'")
            .query(Long.class)
            .single());
  }

  private void record(String kind, DeadPublication dead, String summary) {
    AuditTrail trail = audit.getIfAvailable();
    if (trail != null) {
      trail.record(
          kind,
          "event publication " + dead.id(),
          dead.eventType() + " to " + dead.listener() + " " + summary);
    }
  }

  private static NotFoundException notFound(UUID id) {
    return new NotFoundException("No dead event publication has the id " + id);
  }

  private static DeadPublication dead(ResultSet rs, int row) throws SQLException {
    return new DeadPublication(
        rs.getObject("id", UUID.class),
        rs.getString("listener_id"),
        rs.getString("event_type"),
        rs.getObject("publication_date", OffsetDateTime.class).toInstant(),
        rs.getInt("failures"),
        instant(rs, "first_failed_at"),
        instant(rs, "last_failed_at"),
        instant(rs, "dead_at"),
        rs.getString("last_error"));
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
