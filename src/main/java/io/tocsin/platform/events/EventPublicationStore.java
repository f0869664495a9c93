package io.tocsin.platform.events;

import io.tocsin.platform.AsynchronousCommit;
import io.tocsin.platform.Digests;
import io.tocsin.platform.InLists;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.EventPublication.Status;
import org.springframework.modulith.events.core.EventPublicationRepository;
import org.springframework.modulith.events.core.PublicationTargetIdentifier;
import org.springframework.modulith.events.core.TargetEventPublication;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Modulith's event publications in {@code platform_event_publication}. Spring Modulith's own
 * JDBC store asks the database for its product name while the application starts, which fails the
 * start when the database is down; this one touches the database only when an event is published or
 * delivered, through the same pool and transaction as the code that publishes it.
 *
 * <p>A completed publication is deleted: the table holds only work still to do, so it stays small
 * during an alert storm and a look at it tells an operator what is stuck.
 *
 * <p>A publication whose listener fails waits before it is handed over again, twice as long after
 * each failure, and after {@code tocsin.events.max-attempts} failures it is dead: its listener
 * failed the same way dozens of times in a row once, each time with a stack trace, and nobody was
 * told. A dead publication stays, out of every redelivery, for an admin to retry or discard ({@link
 * DeadPublications}); it is logged once, as an error, and each failure before it as a warning.
 */
final class EventPublicationStore implements EventPublicationRepository {

  private static final Log log = LogFactory.getLog(EventPublicationStore.class);

  /** The most characters of a listener's error kept: enough to tell one cause from another. */
  static final int ERROR_LIMIT = 2000;

  private static final String COLUMNS =
      "id, listener_id, event_type, serialized_event, publication_date, status,"
          + " completion_attempts, last_resubmission_date";

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final TransactionTemplate transactions;
  private final AsynchronousCommit asynchronous;
  private final Clock clock;
  private final DeadPublications dead;
  private final Retries retries;
  private final Completions completions =
      new Completions(ids -> bookkeeping(() -> deletePublications(ids)));

  /**
   * How often a listener may fail on a publication before it is dead, and how long a failed one
   * waits: {@code backoff} after the first failure, doubling up to {@code maxBackoff}.
   */
  record Retries(int maxAttempts, Duration backoff, Duration maxBackoff) {

    Duration after(int failures) {
      Duration wait = backoff;
      for (int i = 1; i < failures && wait.compareTo(maxBackoff) < 0; i++) {
        wait = wait.multipliedBy(2);
      }
      return wait.compareTo(maxBackoff) < 0 ? wait : maxBackoff;
    }
  }

  EventPublicationStore(
      JdbcClient jdbc,
      JsonMapper json,
      TransactionTemplate transactions,
      AsynchronousCommit asynchronous,
      Clock clock,
      DeadPublications dead,
      Retries retries) {
    this.jdbc = jdbc;
    this.json = json;
    this.transactions = transactions;
    this.asynchronous = asynchronous;
    this.clock = clock;
    this.dead = dead;
    this.retries = retries;
  }

  @Override
  public TargetEventPublication create(TargetEventPublication publication) {
    String serialized = json.writeValueAsString(publication.getEvent());
    jdbc.sql(
            "INSERT INTO platform_event_publication ("
                + COLUMNS
                + ", event_hash)"
                + " VALUES (:id, :listener, :type, :event, :published, :status, 0, NULL, :hash)")
        .param("id", publication.getIdentifier())
        .param("listener", publication.getTargetIdentifier().getValue())
        .param("type", publication.getEvent().getClass().getName())
        .param("event", serialized)
        .param("published", utc(publication.getPublicationDate()))
        .param("status", text(publication.getStatus()))
        .param("hash", Digests.sha256(serialized))
        .update();
    return publication;
  }

  /**
   * Leaves the publication as it is. A delivery in progress and one not yet started are alike to
   * {@link #markStale}, so the status said nothing that mattered, at one transaction per delivery;
   * and it made a redelivered publication look stale at once, judged by its first publication
   * rather than by its resubmission, so that the next pass handed it over a second time.
   */
  @Override
  public void markProcessing(UUID identifier) {}

  @Override
  public void markCompleted(Object event, PublicationTargetIdentifier identifier, Instant date) {
    String serialized = json.writeValueAsString(event);
    // One row, not all that match: the same event published twice is two deliveries owed.
    bookkeeping(
        () ->
            jdbc.sql(
                    """
            DELETE FROM platform_event_publication WHERE id IN (
              SELECT id FROM platform_event_publication
              WHERE listener_id = :listener AND event_hash = :hash AND serialized_event = :event
              ORDER BY publication_date FETCH FIRST 1 ROWS ONLY)
            """)
                .param("listener", identifier.getValue())
                .param("hash", Digests.sha256(serialized))
                .param("event", serialized)
                .update());
  }

  @Override
  public void markCompleted(UUID identifier, Instant date) {
    completions.complete(identifier);
  }

  /**
   * Counts a failure of the publication's listener: the publication waits, or is dead once it has
   * failed {@code max-attempts} times. The update matches only the failure count it read, so two
   * nodes recording a failure of one publication at once count it once, and one of them declares it
   * dead.
   */
  @Override
  public void markFailed(UUID identifier) {
    Throwable failure = ListenerFailures.take();
    String error = failure == null ? "the listener failed" : describe(failure);
    bookkeeping(() -> countFailure(identifier, error));
  }

  private void countFailure(UUID identifier, String error) {
    record Failing(String listener, String eventType, int failures) {}
    Failing failing =
        jdbc.sql(
                "SELECT listener_id, event_type, failures FROM platform_event_publication"
                    + " WHERE id = :id AND status <> 'dead'")
            .param("id", identifier)
            .query(
                (rs, n) ->
                    new Failing(
                        rs.getString("listener_id"),
                        rs.getString("event_type"),
                        rs.getInt("failures")))
            .optional()
            .orElse(null);
    if (failing == null) {
      return;
    }
    int failures = failing.failures() + 1;
    boolean isDead = failures >= retries.maxAttempts();
    Instant now = clock.instant();
    Instant next = now.plus(retries.after(failures));
    int updated =
        jdbc.sql(
                """
                UPDATE platform_event_publication
                SET status = :status, failures = :failures, last_error = :error,
                    first_failed_at = COALESCE(first_failed_at, :now), last_failed_at = :now,
                    next_attempt_at = :next, dead_at = :deadAt
                WHERE id = :id AND failures = :seen AND status <> 'dead'
                """)
            .param("status", isDead ? "dead" : text(Status.FAILED))
            .param("failures", failures)
            .param("error", error)
            .param("now", utc(now))
            .param("next", isDead ? null : utc(next), Types.TIMESTAMP_WITH_TIMEZONE)
            .param("deadAt", isDead ? utc(now) : null, Types.TIMESTAMP_WITH_TIMEZONE)
            .param("id", identifier)
            .param("seen", failing.failures())
            .update();
    if (updated == 0) {
      return;
    }
    String what =
        "Event publication "
            + identifier
            + " ("
            + failing.eventType()
            + " to "
            + failing.listener()
            + ")";
    if (isDead) {
      log.error(
          what
              + " failed "
              + failures
              + " times and is dead: nothing retries it until an admin retries or discards it"
              + " (GET /api/v1/admin/event-dead-letters). Last error: "
              + error);
      dead.changed();
    } else {
      log.warn(
          what
              + " failed (attempt "
              + failures
              + " of "
              + retries.maxAttempts()
              + "), next attempt after "
              + next
              + ": "
              + error);
    }
  }

  /** The exception's type and message, and its root cause's when that differs. */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = failure.getClass().getName() + ": " + failure.getMessage();
    if (root != failure) {
      text += " (caused by " + root.getClass().getName() + ": " + root.getMessage() + ")";
    }
    return text.length() <= ERROR_LIMIT ? text : text.substring(0, ERROR_LIMIT) + "…";
  }

  /**
   * Marks publications whose delivery never finished as failed, so that the next pass delivers them
   * again: the node that had them died, or the listener hangs. A redelivered one counts from when
   * it was handed over again, not from its publication, which a storm's backlog can make minutes
   * old. This is no failure of the listener and does not count towards {@code max-attempts}.
   */
  int markStale(Instant before) {
    return jdbc.sql(
            """
            UPDATE platform_event_publication SET status = 'failed'
            WHERE (status IN ('published', 'processing') AND publication_date < :before)
               OR (status = 'resubmitted' AND last_resubmission_date < :before)
            """)
        .param("before", utc(before))
        .update();
  }

  /**
   * Runs a delivery's bookkeeping (completed, failed) without waiting for the log flush. Spring
   * Modulith's registry runs each of these in a transaction of its own ({@code REQUIRES_NEW}), and
   * otherwise this opens one, so nothing else commits with it. Losing it in a database crash only
   * delivers the event again, and listeners are idempotent; waiting for it put a flush on the path
   * of every delivery, one per ingestion transaction in an alert storm.
   */
  private void bookkeeping(Runnable statement) {
    // Joins the registry's transaction when there is one (the template's default propagation).
    transactions.executeWithoutResult(
        status -> {
          asynchronous.forThisTransaction();
          statement.run();
        });
  }

  /**
   * Claims a failed or stale publication for one more attempt. Only one node's update matches, so a
   * publication is handed to one listener invocation at a time across the cluster.
   */
  @Override
  public boolean markResubmitted(UUID identifier, Instant date) {
    return jdbc.sql(
                """
                UPDATE platform_event_publication
                SET status = 'resubmitted', last_resubmission_date = :date,
                    completion_attempts = completion_attempts + 1
                WHERE id = :id AND status IN ('failed', 'published', 'processing')
                """)
            .param("date", utc(date))
            .param("id", identifier)
            .update()
        == 1;
  }

  @Override
  public List<TargetEventPublication> findIncompletePublications() {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE status <> 'dead'"
                + " ORDER BY publication_date")
        .query(this::publication)
        .list();
  }

  @Override
  public List<TargetEventPublication> findIncompletePublicationsPublishedBefore(Instant instant) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE publication_date < :before"
                + " AND status <> 'dead' ORDER BY publication_date")
        .param("before", utc(instant))
        .query(this::publication)
        .list();
  }

  @Override
  public Optional<TargetEventPublication> findIncompletePublicationsByEventAndTargetIdentifier(
      Object event, PublicationTargetIdentifier identifier) {
    String serialized = json.writeValueAsString(event);
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE listener_id = :listener"
                + " AND event_hash = :hash AND serialized_event = :event AND status <> 'dead'"
                + " ORDER BY publication_date FETCH FIRST 1 ROWS ONLY")
        .param("listener", identifier.getValue())
        .param("hash", Digests.sha256(serialized))
        .param("event", serialized)
        .query(this::publication)
        .optional();
  }

  @Override
  public List<TargetEventPublication> findFailedPublications(FailedCriteria criteria) {
    Instant before = criteria.getPublicationDateReference();
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE status = 'failed'"
                + " AND publication_date < :before"
                + " AND (next_attempt_at IS NULL OR next_attempt_at <= :now)"
                + " ORDER BY publication_date FETCH FIRST :limit ROWS ONLY")
        .param("before", utc(before == null ? Instant.now() : before))
        .param("now", utc(clock.instant()))
        .param("limit", criteria.getMaxItemsToRead() < 0 ? 1000 : criteria.getMaxItemsToRead())
        .query(this::publication)
        .list();
  }

  @Override
  public List<TargetEventPublication> findByStatus(Status status) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM platform_event_publication WHERE status = :status"
                + " ORDER BY publication_date")
        .param("status", text(status))
        .query(this::publication)
        .list();
  }

  @Override
  public int countByStatus(Status status) {
    return jdbc.sql("SELECT COUNT(*) FROM platform_event_publication WHERE status = :status")
        .param("status", text(status))
        .query(Integer.class)
        .single();
  }

  @Override
  public void deletePublications(List<UUID> identifiers) {
    for (List<UUID> chunk : InLists.of(identifiers)) {
      jdbc.sql("DELETE FROM platform_event_publication WHERE id IN (:ids)")
          .param("ids", chunk)
          .update();
    }
  }

  /** Completed publications are deleted as they complete; none are left to clean up. */
  @Override
  public void deleteCompletedPublications() {}

  /** Completed publications are deleted as they complete; none are left to clean up. */
  @Override
  public void deleteCompletedPublicationsBefore(Instant instant) {}

  private TargetEventPublication publication(ResultSet rs, int row) throws SQLException {
    String type = rs.getString("event_type");
    String serialized = rs.getString("serialized_event");
    Instant resubmitted = instant(rs, "last_resubmission_date");
    return new StoredPublication(
        rs.getObject("id", UUID.class),
        Objects.requireNonNull(instant(rs, "publication_date")),
        rs.getString("listener_id"),
        () -> json.readValue(serialized, eventType(type)),
        Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
        resubmitted,
        rs.getInt("completion_attempts"));
  }

  private static Class<?> eventType(String name) {
    try {
      return ClassUtils.forName(name, EventPublicationStore.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "A stored event publication names the class " + name + ", which this build lacks", e);
    }
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static String text(Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }
}
